"""JSONPath evaluation as Step Functions does it (Jayway's engine), and the path fields.

`select` evaluates a parsed path (`sfn_flows.asl.jsonpath`) against the state's data, the
context object (``$$``) or a variable (``$name``). A definite path (names and single
indexes only) returns the value itself and fails when it selects nothing, with Jayway's
own wording ("No results for path: $['a']", "Missing property in path $['a']"); an
indefinite one (wildcard, slice, union, filter, ``..``) returns the list of what it
selects, empty when nothing matches, as AWS does.

`apply_input_path`, `apply_output_path` and `apply_result_path` are the state fields, with
the causes AWS writes ("Invalid path '$.x' : No results for path: $['x']").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any, Final

from sfn_flows.asl.definition import ABSENT, Absent
from sfn_flows.asl.jsonpath import (
    Comparison,
    Descent,
    Field,
    Filter,
    FilterExpr,
    FilterSyntaxError,
    Function,
    Index,
    JsonPath,
    Logical,
    Not,
    Operand,
    PathSyntaxError,
    Script,
    Segment,
    Slice,
    Wildcard,
    function_arguments,
    parse_path,
)
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.json_text import compact_json

__all__ = [
    "PathNotFound",
    "apply_input_path",
    "apply_output_path",
    "apply_result_path",
    "json_equal",
    "path_root",
    "select",
]

# What Jayway names in "found '...'" (its default JSON provider's classes).
_PROVIDER = "com.jayway.jsonpath.spi.json.JsonSmartJsonProvider"
_INT_MAX = 2**31 - 1
_LONG_MAX = 2**63 - 1


class PathNotFound(StatesError):
    """A definite path that selects nothing. `detail` is Jayway's message, `searched` the
    value the path was evaluated on (the state's data, the context object or the
    variable): the fields word their causes from them."""

    def __init__(self, frame: Frame, path: str, detail: str, searched: Any) -> None:
        super().__init__(
            "States.Runtime",
            frame.runtime_error(f"Invalid path '{path}' : {detail}").cause,
        )
        self.path = path
        self.detail = detail
        self.searched = searched


class _Missing(Exception):
    """Internal: Jayway's PathNotFoundException, before it gets its StatesError."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def select(path: str | JsonPath, data: Any, frame: Frame) -> Any:
    """The value `path` selects: ``$`` is `data`, ``$$`` the context object, ``$name`` a
    variable. Definite paths return the value (`PathNotFound` if there is none),
    indefinite ones a list."""
    parsed = _parsed(path, frame)
    root = path_root(parsed, data, frame)
    try:
        return _evaluate(parsed, root, None)
    except _TooMuchWork:
        raise frame.runtime_error(
            f"The JSONPath '{parsed.text}' goes through more than {MAX_PATH_STEPS:,} values; "
            "the engine stops there (a path over a 256 KiB payload needs far fewer)."
        ) from None
    except _Missing as missing:
        raise PathNotFound(frame, parsed.text, missing.detail, root) from None
    except FilterSyntaxError as exc:
        raise frame.runtime_error(f"Invalid path '{parsed.text}' : {exc}") from None
    except RecursionError:
        raise frame.runtime_error(
            f"Invalid path '{parsed.text}' : the data is nested too deeply to compare"
        ) from None


def path_root(path: JsonPath, data: Any, frame: Frame) -> Any:
    """What ``$`` stands for in `path`."""
    if path.root == "input":
        return data
    if path.root == "context":
        return frame.context
    assert path.variable is not None
    variables = frame.variables
    if path.variable not in variables:
        raise PathNotFound(
            frame,
            path.text,
            f"The variable '{path.variable}' is not defined",
            dict(variables),
        )
    return variables[path.variable]


def _parsed(path: str | JsonPath, frame: Frame) -> JsonPath:
    if isinstance(path, JsonPath):
        return path
    try:
        return parse_path(path)
    except PathSyntaxError as exc:
        raise frame.runtime_error(f"Invalid path '{path}' : {exc}") from None


# --------------------------------------------------------------------------------------
# The path fields


def apply_input_path(path: str | Absent | None, data: Any, frame: Frame) -> Any:
    """InputPath: absent keeps the input, null gives ``{}``."""
    return _filter_field(path, data, frame)


def apply_output_path(path: str | Absent | None, data: Any, frame: Frame) -> Any:
    """OutputPath: absent keeps the output, null gives ``{}``."""
    return _filter_field(path, data, frame)


def _filter_field(path: str | Absent | None, data: Any, frame: Frame) -> Any:
    if path is ABSENT:
        return data
    if path is None:
        return {}
    assert isinstance(path, str)
    return select(path, data, frame)


def apply_result_path(
    result_path: str | Absent | None, state_input: Any, result: Any, frame: Frame
) -> Any:
    """ResultPath: absent (or ``$``) makes the result the output; null keeps the input;
    ``$.a.b`` writes the result into a copy of the input, creating the objects on the
    way. Nothing the state received is modified."""
    if result_path is ABSENT:
        return result
    if result_path is None:
        return state_input
    assert isinstance(result_path, str)
    parsed = _parsed(result_path, frame)
    if parsed.root != "input" or not parsed.is_reference:
        raise frame.runtime_error(
            f"Invalid path '{result_path}' : ResultPath must be a reference path on the "
            "state input, such as $.result"
        )
    if not parsed.segments:
        return result
    try:
        return _put(state_input, parsed.segments, result)
    except _Missing:
        # AWS's words (the error is not in the ASL spec's list, which names
        # States.ResultPathMatchFailure for this case).
        raise StatesError(
            "States.ReferencePathConflict",
            f"Unable to apply ReferencePath {result_path} to input {compact_json(state_input)}",
        ) from None


def _put(container: Any, segments: tuple[Segment, ...], value: Any) -> Any:
    """A copy of `container` with `value` at `segments`; only the objects and arrays on
    the way are copied."""
    segment, rest = segments[0], segments[1:]
    if isinstance(segment, Field) and isinstance(container, dict):
        name = segment.names[0]
        updated = dict(container)
        if rest:
            child = container.get(name, ABSENT)
            updated[name] = _put({} if child is ABSENT else child, rest, value)
        else:
            updated[name] = value
        return updated
    if isinstance(segment, Index) and isinstance(container, list):
        index = segment.indexes[0]
        if index < 0:
            index += len(container)
        if not 0 <= index < len(container):
            raise _Missing("index")
        items = list(container)
        items[index] = _put(items[index], rest, value) if rest else value
        return items
    raise _Missing("type")


# --------------------------------------------------------------------------------------
# Evaluation


# Values one path evaluation may go through (selected, descended into, compared in a
# filter). Without a bound, ``$..*..*..*..*`` over a chain 200 deep takes a minute and a
# filter comparing arrays item by item takes longer; no path over a real payload comes near.
MAX_PATH_STEPS: Final = 2_000_000


class _TooMuchWork(Exception):
    pass


class _Work:
    """What is left of one evaluation's MAX_PATH_STEPS."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_PATH_STEPS

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            raise _TooMuchWork


def _evaluate(path: JsonPath, root: Any, work: _Work | None) -> Any:
    """`work`: the budget of the evaluation this one is part of (a filter's inner path), or
    None to start one when the path needs it."""
    if path.keys is not None:
        # The common case, names and indexes only: a direct walk, and Jayway's walk with
        # its messages only when it finds nothing.
        current = root
        for key in path.keys:
            if isinstance(key, str):
                if isinstance(current, dict) and key in current:
                    current = current[key]
                    continue
            elif isinstance(current, list) and -len(current) <= key < len(current):
                current = current[key]
                continue
            return _definite(path, root)
        return current
    if path.definite:
        value = _definite(path, root)
        return value if path.function is None else _function(path.function, value, root, True)
    found = _collect(path.segments, root, root, work or _Work())
    return found if path.function is None else _function(path.function, found, root, False)


def _definite(path: JsonPath, root: Any) -> Any:
    """Jayway's walk of a path of names and single indexes, with its messages."""
    current = root
    last = len(path.segments) - 1
    for position, segment in enumerate(path.segments):
        here = path.jayway(position)
        if isinstance(segment, Field):
            if not isinstance(current, dict):
                raise _Missing(
                    f"Expected to find an object with property {_fragment(segment)} in path "
                    f"{here} but found '{_java_class(current)}'. This is not a json object "
                    f"according to the JsonProvider: '{_PROVIDER}'."
                )
            if len(segment.names) > 1:
                # Only at the end (else the path is indefinite): the present ones, merged.
                return {name: current[name] for name in segment.names if name in current}
            name = segment.names[0]
            if name not in current:
                if position == last:
                    raise _Missing(f"No results for path: {path.jayway()}")
                raise _Missing(f"Missing property in path {path.jayway(position + 1)}")
            current = current[name]
            continue
        if current is None:
            raise _Missing(f"The path {here} is null")
        if not isinstance(current, list):
            raise _Missing(
                f"Filter: {_fragment(segment)} can only be applied to arrays. Current context "
                f"is: {_java_text(current)}"
            )
        if isinstance(segment, Script):
            index = _script_index(segment, current)
        else:
            assert isinstance(segment, Index)
            index = segment.indexes[0]
        if index < 0:
            index += len(current)
        if not 0 <= index < len(current):
            raise _Missing(f"No results for path: {path.jayway()}")
        current = current[index]
    return current


def _fragment(segment: Segment) -> str:
    return JsonPath("", "input", None, (segment,)).jayway()[1:]


def _java_class(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        if abs(value) <= _INT_MAX:
            return "java.lang.Integer"
        return "java.lang.Long" if abs(value) <= _LONG_MAX else "java.math.BigInteger"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, list):
        return "net.minidev.json.JSONArray"
    return "net.minidev.json.JSONObject"


def _java_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return compact_json(value)


def _collect(segments: tuple[Segment, ...], current: Any, root: Any, work: _Work) -> list[Any]:
    """Everything an indefinite path selects: what does not match is skipped."""
    nodes = [current]
    last = len(segments) - 1
    for position, segment in enumerate(segments):
        merge = position == last
        hits: list[Any] = []
        for node in nodes:
            found = len(hits)
            hits.extend(_step(segment, node, root, merge, work))
            work.spend(len(hits) - found + 1)
        nodes = hits
        if not nodes:
            break
    return nodes


def _step(segment: Segment, node: Any, root: Any, at_end: bool, work: _Work) -> Iterator[Any]:
    if isinstance(segment, Field):
        if not isinstance(node, dict):
            return
        if len(segment.names) > 1 and at_end:
            yield {name: node[name] for name in segment.names if name in node}
            return
        for name in segment.names:
            if name in node:
                yield node[name]
    elif isinstance(segment, Wildcard):
        if isinstance(node, dict):
            yield from node.values()
        elif isinstance(node, list):
            yield from node
    elif isinstance(segment, Index):
        if isinstance(node, list):
            for index in segment.indexes:
                position = index + len(node) if index < 0 else index
                if 0 <= position < len(node):
                    yield node[position]
    elif isinstance(segment, Slice):
        if isinstance(node, list):
            yield from node[segment.start : segment.stop : segment.step or None]
    elif isinstance(segment, Filter):
        tree = segment.tree
        if isinstance(node, list):
            yield from (item for item in node if _holds(tree, item, root, work))
        elif isinstance(node, dict) and _holds(tree, node, root, work):
            yield node
    elif isinstance(segment, Script):
        if isinstance(node, list):
            index = _script_index(segment, node)
            position = index + len(node) if index < 0 else index
            if 0 <= position < len(node):
                yield node[position]
    else:
        assert isinstance(segment, Descent)
        for inner in _descendants(node, work):
            yield from _step(segment.selector, inner, root, at_end, work)


def _descendants(node: Any, work: _Work) -> Iterator[Any]:
    """`node` and everything inside it, depth first, parents before children (Jayway's
    order); iterative, so deep documents cannot exhaust the stack."""
    stack = [node]
    while stack:
        current = stack.pop()
        work.spend(1)
        yield current
        if isinstance(current, dict):
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))


_SCRIPT = re.compile(r"@\.length\s*(?:([-+])\s*(\d+))?\Z")


def _script_index(segment: Script, items: list[Any]) -> int:
    """``(@.length-1)``: the one script form paths use; anything else is refused."""
    m = _SCRIPT.match(segment.expression)
    if m is None:
        raise FilterSyntaxError(
            f"the script ({segment.expression}) is not supported: only (@.length-N) is"
        )
    offset = int(m.group(2) or 0)
    return len(items) + (-offset if m.group(1) == "-" else offset)


# --------------------------------------------------------------------------------------
# Filters


def _holds(expr: FilterExpr, item: Any, root: Any, work: _Work) -> bool:
    if isinstance(expr, Logical):
        if expr.op == "&&":
            return all(_holds(operand, item, root, work) for operand in expr.operands)
        return any(_holds(operand, item, root, work) for operand in expr.operands)
    if isinstance(expr, Not):
        return not _holds(expr.operand, item, root, work)
    return _compare(expr, item, root, work)


_UNDEFINED: Any = object()


def _operand_value(operand: Operand, item: Any, root: Any, work: _Work) -> Any:
    if operand.path is None:
        return operand.value
    base = item if operand.relative else root
    try:
        return _evaluate(operand.path, base, work)
    except _Missing:
        return _UNDEFINED


def _compare(expr: Comparison, item: Any, root: Any, work: _Work) -> bool:
    left = _operand_value(expr.left, item, root, work)
    if expr.op == "exists":
        return left is not _UNDEFINED
    assert expr.right is not None
    if expr.op == "=~":
        pattern = expr.right.regex
        if pattern is None:
            raise FilterSyntaxError("=~ needs a regular expression such as /abc.*/i")
        return isinstance(left, str) and pattern.fullmatch(left) is not None
    right = _operand_value(expr.right, item, root, work)
    work.spend(_comparisons(expr.op, left, right))
    if left is _UNDEFINED or right is _UNDEFINED:
        return expr.op == "!="
    return bool(_RELATIONS[expr.op](left, right))


def _comparisons(op: str, left: Any, right: Any) -> int:
    """How many values a relation compares: the list ones go item by item."""
    if op in ("subsetof", "anyof", "noneof"):
        if isinstance(left, list) and isinstance(right, list):
            return len(left) * len(right) + 1
    elif op in ("in", "nin") and isinstance(right, list):
        return len(right) + 1
    elif op == "contains" and isinstance(left, list):
        return len(left) + 1
    return 1


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_equal(left: Any, right: Any, *, java_types: bool = False) -> bool:
    """Equality of JSON values; booleans are never numbers. ``1`` equals ``1.0`` as filters
    compare them, unless `java_types` asks for Java's equals on parsed JSON (what
    ArrayContains and ArrayUnique use), where an integer never equals a double."""
    if not java_types and _is_number(left) and _is_number(right):
        return bool(left == right)
    if type(left) is not type(right):
        return False
    if isinstance(left, list):
        return len(left) == len(right) and all(
            json_equal(a, b, java_types=java_types) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(
            json_equal(left[k], right[k], java_types=java_types) for k in left
        )
    return bool(left == right)


def _ordered(op: str) -> Any:
    def relation(left: Any, right: Any) -> bool:
        if (_is_number(left) and _is_number(right)) or (
            isinstance(left, str) and isinstance(right, str)
        ):
            if op == "<":
                return bool(left < right)
            if op == "<=":
                return bool(left <= right)
            if op == ">":
                return bool(left > right)
            return bool(left >= right)
        return False

    return relation


def _contains(container: Any, value: Any) -> bool:
    if isinstance(container, str) and isinstance(value, str):
        return value in container
    return isinstance(container, list) and any(json_equal(value, item) for item in container)


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | dict) else None


_RELATIONS: dict[str, Any] = {
    "==": json_equal,
    "!=": lambda left, right: not json_equal(left, right),
    "<": _ordered("<"),
    "<=": _ordered("<="),
    ">": _ordered(">"),
    ">=": _ordered(">="),
    "in": lambda left, right: _contains(right, left),
    "nin": lambda left, right: isinstance(right, list) and not _contains(right, left),
    "contains": _contains,
    "subsetof": lambda left, right: (
        isinstance(left, list)
        and isinstance(right, list)
        and all(_contains(right, item) for item in left)
    ),
    "anyof": lambda left, right: (
        isinstance(left, list)
        and isinstance(right, list)
        and any(_contains(right, item) for item in left)
    ),
    "noneof": lambda left, right: (
        isinstance(left, list)
        and isinstance(right, list)
        and not any(_contains(right, item) for item in left)
    ),
    "size": lambda left, right: _size(left) is not None and json_equal(_size(left), right),
    "empty": lambda left, right: (
        _size(left) is not None and isinstance(right, bool) and (_size(left) == 0) == right
    ),
}


# --------------------------------------------------------------------------------------
# Trailing functions: ``$.items.length()``


def _function(function: Function, value: Any, root: Any, definite: bool) -> Any:
    name = function.name
    items = value if isinstance(value, list) else None
    arguments = list(function_arguments(function.arguments))
    if name == "length":
        if isinstance(value, list | dict | str):
            return len(value)
        raise _Missing("length() can only be applied to an array, an object or a string")
    if name == "keys":
        if isinstance(value, dict):
            return list(value)
        raise _Missing("keys() can only be applied to an object")
    if name in ("first", "last"):
        if not items:
            raise _Missing(f"{name}() can only be applied to a non-empty array")
        return items[0] if name == "first" else items[-1]
    if name == "concat":
        texts = items if items is not None else [value]
        parts = [item for item in texts if isinstance(item, str)]
        return "".join(parts + [str(arg) for arg in arguments])
    if name == "append":
        return [*(items if items is not None else [value]), *arguments]
    if name in ("sum", "min", "max", "avg", "stddev"):
        numbers = [item for item in (items or []) if _is_number(item)]
        numbers += [arg for arg in arguments if _is_number(arg)]
        if not numbers:
            raise _Missing("Aggregation function attempted to calculate value using empty array")
        result = _aggregate(name, numbers)
        if not math.isfinite(result):
            # JSON has no number for it (Java would carry Infinity on).
            raise _Missing(f"{name}() of these numbers is beyond the range of a double")
        return result
    raise _Missing(f"Function with name: {name} does not exist.")


def _aggregate(name: str, numbers: list[Any]) -> float:
    """As Jayway computes them: in doubles, summed one after the other."""
    try:
        doubles = [float(number) for number in numbers]
    except OverflowError:  # an integer past a double's range
        return math.inf
    if name == "min":
        return min(doubles)
    if name == "max":
        return max(doubles)
    # Added one by one, as Java adds doubles (Python 3.12's sum() compensates for rounding).
    total = squares = 0.0
    for number in doubles:
        total += number
        squares += number * number
    count = len(doubles)
    if name == "sum":
        return total
    if name == "avg":
        return total / count
    # Jayway's one-pass formula; rounding can take it just below zero, where Java's sqrt
    # gives NaN (Python's raises).
    variance = squares / count - total * total / count / count
    return math.sqrt(variance) if variance >= 0 else math.nan
