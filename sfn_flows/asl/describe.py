"""How a message names a JSON value it refuses (its kind, and a short form of its text), and
how a diagram labels a Choice rule."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def describe(value: Any) -> str:
    """The value as a message names it: null, the boolean true, the string 'abc', the number
    5, a JSON array, a JSON object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {quoted(value)}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"a JSON {'array' if isinstance(value, list) else 'object'}"


def quoted(text: str) -> str:
    """`text` quoted, cut to its first 40 characters: a long name would swamp the message."""
    return repr(text[:40])


# Comparison suffixes of the JSONPath Choice operators, as a reader writes them.
_ORDERINGS = (
    ("GreaterThanEquals", ">="),
    ("LessThanEquals", "<="),
    ("GreaterThan", ">"),
    ("LessThan", "<"),
    ("Equals", "=="),
)
# Type tests, read "<variable> is <what>" when true and "is not" when false.
_TESTS = {
    "IsNull": "null",
    "IsNumeric": "numeric",
    "IsString": "a string",
    "IsBoolean": "a boolean",
    "IsTimestamp": "a timestamp",
}
_RULE_EXTRAS = frozenset({"Next", "Assign", "Comment", "Output"})
# Beyond this depth an And/Or/Not tree is shown as "…": the text is cut far sooner anyway.
_RULE_DEPTH = 6


def rule_text(rule: Mapping[str, Any], limit: int = 60) -> str:
    """A Choice rule as a reader writes it, at most `limit` characters:
    `$.kind == "video" and $.size > 10`, `$.coupon is present`, or a JSONata Condition's
    expression. A rule of a shape the validator refuses reads as "?"."""
    return _cut(_rule(rule, 0), limit)


def _rule(rule: Any, depth: int) -> str:
    if not isinstance(rule, Mapping):
        return "?"
    if depth > _RULE_DEPTH:
        return "…"
    condition = rule.get("Condition")
    if isinstance(condition, str):
        return condition.removeprefix("{%").removesuffix("%}").strip()
    if isinstance(condition, bool):
        return str(condition).lower()
    for combinator in ("And", "Or"):
        parts = rule.get(combinator)
        if isinstance(parts, list):
            joined = f" {combinator.lower()} ".join(_grouped(p, depth) for p in parts)
            return joined or "?"
    if "Not" in rule:
        return f"not ({_rule(rule['Not'], depth + 1)})"
    return _comparison(rule)


def _grouped(rule: Any, depth: int) -> str:
    text = _rule(rule, depth + 1)
    combined = isinstance(rule, Mapping) and ("And" in rule or "Or" in rule)
    return f"({text})" if combined else text


def _comparison(rule: Mapping[str, Any]) -> str:
    variable = rule.get("Variable")
    operators = [key for key in rule if key not in _RULE_EXTRAS and key != "Variable"]
    if not isinstance(variable, str) or len(operators) != 1:
        return "?"
    name = operators[0]
    operand = rule[name]
    if name in _TESTS or name == "IsPresent":
        what = "present" if name == "IsPresent" else _TESTS[name]
        return f"{variable} is {'' if operand is True else 'not '}{what}"
    if name == "StringMatches":
        return f"{variable} matches {_value(operand)}"
    by_path = name.endswith("Path")
    stem = name.removesuffix("Path")
    for suffix, symbol in _ORDERINGS:
        if stem.endswith(suffix):
            shown = operand if by_path and isinstance(operand, str) else _value(operand)
            return f"{variable} {symbol} {shown}"
    return "?"


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
