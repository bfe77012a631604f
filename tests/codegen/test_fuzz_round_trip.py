"""build -> import -> build on random workflows: the fuzz suite's workflow plans (mostly
valid states in random graphs: loops, nested Parallel and Map, every integration, both query
languages, conditions, retries and catchers) that compile are imported from their ASL, and
the module, run as the build runs it, must write the same ASL byte for byte."""

from __future__ import annotations

from typing import Any

from hypothesis import event, given, reject

# The fuzz strategies read the Hypothesis profiles tests/fuzz/conftest.py registers.
import tests.fuzz.conftest  # noqa: F401
from sfn_flows.codegen import import_definition
from sfn_flows.compile import assemble_definition, compile_workflow
from sfn_flows.errors import WorkflowError
from sfn_flows.model import Workflow
from tests.fuzz.test_fuzz_compiler import (
    CLEAN,
    WorkflowPlan,
    build_workflow,
    examples,
    workflow_plans,
)

# What only the Python declared, never the ASL (max_items, max_iterations, sync_budget):
# without them the build may find a budget it cannot bound where the original could.
NOT_IN_ASL = {"budget-unbounded", "budget-exceeds-limit", "max-iterations-outside-loop"}


@examples(0.5)
@given(workflow_plans(CLEAN))
def test_a_compiled_workflow_imports_back_to_the_same_asl(plan: WorkflowPlan) -> None:
    workflow = build_workflow(plan)
    if workflow is None:
        reject()
    try:
        original = compile_workflow(workflow)
    except WorkflowError:
        reject()
    result = import_definition(
        original.definition,
        source_name="fuzz.asl.json",
        workflow_name="fuzz",
        workflow_type=workflow.type,
    )
    assert result.outcome() == "exact", [d.describe() for d in result.differences]
    namespace: dict[str, Any] = {}
    exec(compile(result.text, "fuzz.py", "exec"), namespace)
    (imported,) = [value for value in namespace.values() if isinstance(value, Workflow)]
    assert assemble_definition(imported) == original.definition
    try:
        again = compile_workflow(imported)
    except WorkflowError as exc:
        codes = {p.code for p in exc.problems}
        event("the build refuses the import: " + ", ".join(sorted(codes)))
        assert codes <= NOT_IN_ASL, exc.problems
        return
    assert again.definition_json() == original.definition_json()
    event("raw_fields" if result.raw else "no raw_fields")
