"""`sfn-flows import`: an existing ASL definition as a readable sfn-flows module.

`import_definition(definition, source_name=..., workflow_name=...)` returns the module's text
and how the ASL it builds differs from the definition (the timeouts sfn-flows adds, key
order, and anything the model cannot write, which is kept in `raw_fields`). Pure: no I/O.
"""

from sfn_flows.codegen.differences import Difference
from sfn_flows.codegen.module import DEFAULT_TASK_TIMEOUT, Imported, import_definition
from sfn_flows.codegen.plan import FunctionSpec, RawField

__all__ = [
    "DEFAULT_TASK_TIMEOUT",
    "Difference",
    "FunctionSpec",
    "Imported",
    "RawField",
    "import_definition",
]
