"""The JSONPath dialect of Amazon States Language: syntax check and parse tree.

Step Functions evaluates paths with Jayway's JSONPath engine and rejects a definition whose
paths do not parse, so catching a malformed path before deployment saves a failed
``CreateStateMachine``/``UpdateStateMachine`` round trip; the engine evaluates the same
trees. Two entry points:

* `path_error(expr, reference=...)` says why a path is not one AWS accepts, or returns
  ``None``. It is liberal for ordinary paths (AWS accepts filters, slices, unions, scripts
  and trailing functions, and we would rather miss a runtime-only problem than reject a
  definition AWS deploys) and strict for reference paths, where AWS only allows
  expressions that name exactly one node. Nearly every path is a plain ``$.a.b[0]``,
  accepted by one precompiled regex; results are memoised because the validator visits
  every field of every state. It never raises.
* `parse_path(expr)` returns the tree (`JsonPath`): its root (``$`` input, ``$$`` context,
  ``$name`` variable), its segments, and an optional trailing function. Memoised too; a
  malformed path raises `PathSyntaxError` with the same message `path_error` gives.

Filter bodies (``[?(...)]``) are kept as text by the path parser, as the syntax check
always did, and parsed on first use by `parse_filter`: a filter AWS accepts but this
dialect cannot read fails when it runs, never at validation.

Modules: `lexical` (names, quoted strings, brackets, integers), `segments` and `tree` (the
parsed forms), `jayway` (segments as Jayway prints them), `parser` (`parse_path`), `syntax`
(`path_error`), `filters` (`parse_filter`, `function_arguments`).
"""

from __future__ import annotations

from sfn_flows.asl.jsonpath.filters import FilterSyntaxError, function_arguments, parse_filter
from sfn_flows.asl.jsonpath.lexical import NAME_RE, match_close, number_value, skip_quoted
from sfn_flows.asl.jsonpath.parser import PathSyntaxError, parse_path
from sfn_flows.asl.jsonpath.segments import (
    Descent,
    Field,
    Filter,
    Function,
    Index,
    Script,
    Segment,
    Slice,
    Wildcard,
)
from sfn_flows.asl.jsonpath.syntax import path_error
from sfn_flows.asl.jsonpath.tree import (
    Comparison,
    FilterExpr,
    JsonPath,
    Logical,
    Not,
    Operand,
)

__all__ = [
    "NAME_RE",
    "Comparison",
    "Descent",
    "Field",
    "Filter",
    "FilterExpr",
    "FilterSyntaxError",
    "Function",
    "Index",
    "JsonPath",
    "Logical",
    "Not",
    "Operand",
    "PathSyntaxError",
    "Script",
    "Segment",
    "Slice",
    "Wildcard",
    "function_arguments",
    "match_close",
    "number_value",
    "parse_filter",
    "parse_path",
    "path_error",
    "skip_quoted",
]
