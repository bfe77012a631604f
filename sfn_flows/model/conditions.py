"""Choice conditions, built with typed functions and combined with `&`, `|` and `~`.

    from sfn_flows.model import conditions as c
    c.string_equals("$.kind", "video") & ~c.is_null("$.size")

For JSONata states, pass the expression itself: `c.jsonata("$states.input.size > 10")`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_snake

from sfn_flows.asl.jsonata import expression_text, is_jsonata
from sfn_flows.errors import DeclarationError


class Condition(BaseModel):
    """A Choice rule's test. Subclasses write their own ASL."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    def to_asl(self) -> dict[str, Any]:
        raise NotImplementedError

    def python(self) -> str:
        """The condition as it is written in Python, for messages: `c.is_null('$.x', True)`."""
        raise NotImplementedError

    def __and__(self, other: Condition) -> Condition:
        pair = _jsonata_pair(self, other)
        if pair:
            return Jsonata(expression=f"({_body(pair[0])}) and ({_body(pair[1])})")
        return And(conditions=(*_flatten(self, And), *_flatten(other, And)))

    def __or__(self, other: Condition) -> Condition:
        pair = _jsonata_pair(self, other)
        if pair:
            return Jsonata(expression=f"({_body(pair[0])}) or ({_body(pair[1])})")
        return Or(conditions=(*_flatten(self, Or), *_flatten(other, Or)))

    def __invert__(self) -> Condition:
        if isinstance(self, Jsonata):
            return Jsonata(expression=f"$not({_body(self)})")
        return Not(condition=self)


class Comparison(Condition):
    variable: str
    operator: str
    value: Any

    def to_asl(self) -> dict[str, Any]:
        return {"Variable": self.variable, self.operator: self.value}

    def python(self) -> str:
        # Every builder below is named for its ASL operator in snake_case.
        return f"c.{to_snake(self.operator)}({self.variable!r}, {self.value!r})"


class And(Condition):
    conditions: tuple[Condition, ...]

    def to_asl(self) -> dict[str, Any]:
        return {"And": [c.to_asl() for c in self.conditions]}

    def python(self) -> str:
        return " & ".join(_operand(c) for c in self.conditions) or "c.all_of()"


class Or(Condition):
    conditions: tuple[Condition, ...]

    def to_asl(self) -> dict[str, Any]:
        return {"Or": [c.to_asl() for c in self.conditions]}

    def python(self) -> str:
        return " | ".join(_operand(c) for c in self.conditions) or "c.any_of()"


class Not(Condition):
    condition: Condition

    def to_asl(self) -> dict[str, Any]:
        return {"Not": self.condition.to_asl()}

    def python(self) -> str:
        return "~" + _operand(self.condition)


class Jsonata(Condition):
    """A JSONata `Condition` (only in JSONata states)."""

    expression: str

    def to_asl(self) -> dict[str, Any]:
        return {"Condition": jsonata_expression(self.expression)}

    def python(self) -> str:
        return f"c.jsonata({self.expression!r})"


class Raw(Condition):
    """A test written as it is, for one no builder writes (`sfn-flows import` keeps a
    Comment inside a nested rule, or a constant JSONata Condition, this way). The compiled
    definition is validated as a whole, so it is checked like any rule."""

    asl: dict[str, Any]

    def to_asl(self) -> dict[str, Any]:
        return copy.deepcopy(self.asl)

    def python(self) -> str:
        return f"c.raw({self.asl!r})"


def _operand(condition: Condition) -> str:
    text = condition.python()
    return f"({text})" if isinstance(condition, And | Or) else text


def _jsonata_pair(left: Condition, right: Condition) -> tuple[Jsonata, Jsonata] | None:
    """JSONata conditions combine inside one expression; ASL has no And/Or around them."""
    if isinstance(left, Jsonata) and isinstance(right, Jsonata):
        return left, right
    if isinstance(left, Jsonata) or isinstance(right, Jsonata):
        raise DeclarationError(
            "cannot combine a JSONata condition with a JSONPath comparison: a Choice state "
            "uses one query language. Write both in JSONata, e.g. "
            "jsonata('$states.input.a = 1') & jsonata('$states.input.b > 2')"
        )
    return None


def _body(condition: Jsonata) -> str:
    return expression_text(jsonata_expression(condition.expression))


def _flatten(condition: Condition, kind: type[And] | type[Or]) -> tuple[Condition, ...]:
    # a & b & c reads as one And of three, as a user would write it in ASL.
    if isinstance(condition, kind):
        return condition.conditions
    return (condition,)


def jsonata_expression(expression: str) -> str:
    """Wrap a JSONata expression in `{% %}` unless it already is."""
    text = expression.strip()
    if is_jsonata(text):
        return text
    return "{% " + text + " %}"


def jsonata(expression: str) -> Condition:
    return Jsonata(expression=expression)


def raw(asl: dict[str, Any]) -> Condition:
    """A rule's test as ASL, written as it is: `c.raw({"Condition": True})`."""
    return Raw(asl=asl)


def all_of(*conditions: Condition) -> Condition:
    return And(conditions=conditions)


def any_of(*conditions: Condition) -> Condition:
    return Or(conditions=conditions)


def not_(condition: Condition) -> Condition:
    return Not(condition=condition)


def _timestamp(value: str | datetime) -> str:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _string_op(operator: str) -> Callable[[str, str], Condition]:
    def build(variable: str, value: str) -> Condition:
        return Comparison(variable=variable, operator=operator, value=value)

    build.__name__ = operator
    return build


def _numeric_op(operator: str) -> Callable[[str, float], Condition]:
    def build(variable: str, value: float) -> Condition:
        return Comparison(variable=variable, operator=operator, value=value)

    build.__name__ = operator
    return build


def _timestamp_op(operator: str) -> Callable[[str, str | datetime], Condition]:
    def build(variable: str, value: str | datetime) -> Condition:
        return Comparison(variable=variable, operator=operator, value=_timestamp(value))

    build.__name__ = operator
    return build


class TypeTest(Protocol):
    """`is_present("$.x")` or `is_present("$.x", False)`: the value defaults to true."""

    def __call__(self, variable: str, value: bool = True) -> Condition: ...


def _test_op(operator: str) -> TypeTest:
    def build(variable: str, value: bool = True) -> Condition:
        return Comparison(variable=variable, operator=operator, value=value)

    build.__name__ = operator
    return build


string_equals = _string_op("StringEquals")
string_less_than = _string_op("StringLessThan")
string_greater_than = _string_op("StringGreaterThan")
string_less_than_equals = _string_op("StringLessThanEquals")
string_greater_than_equals = _string_op("StringGreaterThanEquals")
string_matches = _string_op("StringMatches")
numeric_equals = _numeric_op("NumericEquals")
numeric_less_than = _numeric_op("NumericLessThan")
numeric_greater_than = _numeric_op("NumericGreaterThan")
numeric_less_than_equals = _numeric_op("NumericLessThanEquals")
numeric_greater_than_equals = _numeric_op("NumericGreaterThanEquals")
timestamp_equals = _timestamp_op("TimestampEquals")
timestamp_less_than = _timestamp_op("TimestampLessThan")
timestamp_greater_than = _timestamp_op("TimestampGreaterThan")
timestamp_less_than_equals = _timestamp_op("TimestampLessThanEquals")
timestamp_greater_than_equals = _timestamp_op("TimestampGreaterThanEquals")
# Comparisons against another path of the input: the second argument is a reference path.
string_equals_path = _string_op("StringEqualsPath")
string_less_than_path = _string_op("StringLessThanPath")
string_greater_than_path = _string_op("StringGreaterThanPath")
string_less_than_equals_path = _string_op("StringLessThanEqualsPath")
string_greater_than_equals_path = _string_op("StringGreaterThanEqualsPath")
numeric_equals_path = _string_op("NumericEqualsPath")
numeric_less_than_path = _string_op("NumericLessThanPath")
numeric_greater_than_path = _string_op("NumericGreaterThanPath")
numeric_less_than_equals_path = _string_op("NumericLessThanEqualsPath")
numeric_greater_than_equals_path = _string_op("NumericGreaterThanEqualsPath")
boolean_equals_path = _string_op("BooleanEqualsPath")
timestamp_equals_path = _string_op("TimestampEqualsPath")
timestamp_less_than_path = _string_op("TimestampLessThanPath")
timestamp_greater_than_path = _string_op("TimestampGreaterThanPath")
timestamp_less_than_equals_path = _string_op("TimestampLessThanEqualsPath")
timestamp_greater_than_equals_path = _string_op("TimestampGreaterThanEqualsPath")
is_null = _test_op("IsNull")
is_present = _test_op("IsPresent")
is_numeric = _test_op("IsNumeric")
is_string = _test_op("IsString")
is_boolean = _test_op("IsBoolean")
is_timestamp = _test_op("IsTimestamp")


def boolean_equals(variable: str, value: bool) -> Condition:
    return Comparison(variable=variable, operator="BooleanEquals", value=value)
