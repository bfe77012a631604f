"""JSONPath Choice rules: does a rule match the state's input?

AWS's semantics, as recorded against the real service:
- a comparison whose `Variable` (or `...Path` operand) selects nothing fails the state with
  States.Runtime ("Invalid path '$.x': The choice state's condition path references an
  invalid value."); only `IsPresent` tests for a missing field;
- a value of the wrong type never matches (`NumericEquals` on "1" is false, not an error);
- numbers compare as numbers (1 == 1.0), booleans are not numbers;
- strings compare as Java's `String.compareTo` does: by UTF-16 code unit;
- timestamps are RFC 3339 with an uppercase `T` and `Z` (or a numeric offset) and compare as
  instants, to the nanosecond;
- `And`/`Or` stop at the first rule that decides them, so an `IsPresent` guard placed first
  protects the comparisons after it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonpath import PathNotFound, select

# Keys a rule may carry besides its test; they never name an operator.
_NOT_OPERATORS: Final = frozenset({"Variable", "Next", "Assign", "Comment", "Output"})

_ORDERINGS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}

# RFC 3339 as Step Functions reads it: uppercase T and Z, up to nanoseconds, +HH:MM offsets.
_TIMESTAMP: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))"
)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def parse_timestamp(text: str) -> tuple[int, int] | None:
    """The instant `text` names, as (seconds since the epoch, nanoseconds), or None when it
    is not a timestamp Step Functions accepts."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction, sign, offset_hours, offset_minutes = match.group(7, 8, 9, 10)
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:  # month 13, hour 25, February 30...
        return None
    if sign is not None:
        if int(offset_hours) > 18 or int(offset_minutes) > 59:
            return None
        offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
        moment = moment - offset if sign == "+" else moment + offset
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    whole = moment - _EPOCH
    return whole.days * 86_400 + whole.seconds, nanos


def _string_key(value: Any) -> bytes | None:
    # Big-endian UTF-16 bytes order exactly as Java compares strings (by UTF-16 code unit),
    # which differs from Python's code-point order above U+FFFF.
    return value.encode("utf-16-be", "surrogatepass") if isinstance(value, str) else None


def _number_key(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _boolean_key(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _timestamp_key(value: Any) -> tuple[int, int] | None:
    return parse_timestamp(value) if isinstance(value, str) else None


# Each kind of comparison reads both sides through its key; a side of the wrong type has no
# key and the comparison is false.
_KINDS: Final[dict[str, Callable[[Any], Any]]] = {
    "String": _string_key,
    "Numeric": _number_key,
    "Boolean": _boolean_key,
    "Timestamp": _timestamp_key,
}

# operator name -> (kind, ordering, operand is a path)
_COMPARISONS: Final[dict[str, tuple[str, str, bool]]] = {
    f"{kind}{ordering}{'Path' if by_path else ''}": (kind, ordering, by_path)
    for kind in _KINDS
    for ordering in (_ORDERINGS if kind != "Boolean" else ("Equals",))
    for by_path in (False, True)
}

_TYPE_TESTS: Final[dict[str, Callable[[Any], bool]]] = {
    "IsNull": lambda value: value is None,
    "IsNumeric": lambda value: _number_key(value) is not None,
    "IsString": lambda value: isinstance(value, str),
    "IsBoolean": lambda value: isinstance(value, bool),
    "IsTimestamp": lambda value: _timestamp_key(value) is not None,
}


def rule_matches(rule: Mapping[str, Any], data: Any, frame: Frame) -> bool:
    """Whether the JSONPath Choice rule `rule` holds for the state input `data`.

    Raises StatesError (States.Runtime) when a path the rule compares selects nothing.
    """
    if "And" in rule:
        return all(rule_matches(inner, data, frame) for inner in rule["And"])
    if "Or" in rule:
        return any(rule_matches(inner, data, frame) for inner in rule["Or"])
    if "Not" in rule:
        return not rule_matches(rule["Not"], data, frame)
    name, operand = _operator(rule, frame)
    variable = rule["Variable"]
    found, value = _lookup(variable, data, frame)
    if name == "IsPresent":
        return found is operand
    if not found:
        raise _invalid_path(variable, frame)
    if name == "StringMatches":
        return isinstance(value, str) and isinstance(operand, str) and _wildcard(operand, value)
    test = _TYPE_TESTS.get(name)
    if test is not None:
        return test(value) is operand
    kind, ordering, by_path = _COMPARISONS[name]
    if by_path:
        found, operand = _lookup(operand, data, frame)
        if not found:
            raise _invalid_path(rule[name], frame)
    key = _KINDS[kind]
    left, right = key(value), key(operand)
    if left is None or right is None:
        return False
    return _ORDERINGS[ordering](left, right)


def _operator(rule: Mapping[str, Any], frame: Frame) -> tuple[str, Any]:
    names = [key for key in rule if key not in _NOT_OPERATORS]
    if (
        len(names) != 1
        or "Variable" not in rule
        or not (
            names[0] in _COMPARISONS
            or names[0] in _TYPE_TESTS
            or names[0] in ("IsPresent", "StringMatches")
        )
    ):
        # The validator refuses such a rule before anything runs; this guards direct callers.
        raise EngineUsageError(
            f"Choice state {frame.state_name!r}: the rule {dict(rule)!r} needs a Variable and "
            "exactly one comparison operator (StringEquals, NumericLessThanPath, IsPresent, "
            "...), or And/Or/Not; validate the definition first."
        )
    return names[0], rule[names[0]]


def _invalid_path(path: Any, frame: Frame) -> StatesError:
    return frame.runtime_error(
        f"Invalid path '{path}': The choice state's condition path references an invalid value."
    )


def _lookup(path: Any, data: Any, frame: Frame) -> tuple[bool, Any]:
    """(True, value) for a path that selects something; (False, None) when it selects nothing."""
    if not isinstance(path, str):
        return False, None
    try:
        return True, select(path, data, frame)
    except PathNotFound:
        return False, None


def _wildcard(pattern: str, text: str) -> bool:
    """StringMatches: `*` matches any run of characters, `\\*` a literal asterisk and `\\\\`
    a literal backslash; nothing else is special."""
    # Literal pieces between the wildcards, matched left to right: linear in the text, where
    # a regular expression with many `.*` can backtrack for a very long time.
    pieces = _pattern_pieces(pattern)
    if len(pieces) == 1:
        return text == pieces[0]
    first, *middle, last = pieces
    if len(text) < len(first) + len(last) or not (text.startswith(first) and text.endswith(last)):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def _pattern_pieces(pattern: str) -> list[str]:
    """The literal text around each unescaped `*` (n wildcards give n + 1 pieces)."""
    pieces: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern) and pattern[index + 1] in "*\\":
            current.append(pattern[index + 1])
            index += 2
            continue
        if char == "*":
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    pieces.append("".join(current))
    return pieces
