"""The stdlib JSON Schema validator: each keyword's message, and agreement with pydantic."""

from __future__ import annotations

import enum
import json
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sfn_flows.runtime.schema import SchemaError, json_equal, render_path, validate


def errors(instance: object, schema: object) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in validate(instance, schema)]


# -- messages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "instance", "expected"),
    [
        ({"type": "string"}, 1, "must be a string, not an integer"),
        ({"type": "integer"}, 1.5, "must be an integer, not a number"),
        ({"type": "integer"}, 1e300, "must be an integer, not a number"),  # beyond i64
        ({"type": "integer"}, "1.5", "must be an integer, not a string"),
        ({"type": "number"}, "one", "must be a number, not a string"),
        ({"type": "boolean"}, 2, "must be a boolean, not an integer"),
        ({"type": "boolean"}, "true ", "must be a boolean, not a string"),
        ({"pattern": "^a+$"}, "aa\n", "must match the pattern ^a+$"),  # $: the very end
        ({"type": "number", "minimum": 0}, "nan", "must be at least 0"),
        ({"type": "null"}, {}, "must be null, not an object"),
        ({"type": "object"}, [], "must be an object, not an array"),
        ({"type": "array"}, None, "must be an array, not null"),
        ({"type": ["string", "null"]}, 1, "must be a string or null, not an integer"),
        ({"minLength": 1}, "", "must not be empty"),
        ({"minLength": 3}, "ab", "must be at least 3 characters long"),
        ({"maxLength": 1}, "ab", "must be at most 1 character long"),
        ({"pattern": "^a+$"}, "ab", "must match the pattern ^a+$"),
        ({"minimum": 1}, 0, "must be at least 1"),
        ({"maximum": 1.5}, 2, "must be at most 1.5"),
        ({"exclusiveMinimum": 0}, 0, "must be greater than 0"),
        ({"exclusiveMaximum": 10}, 10, "must be less than 10"),
        ({"multipleOf": 3}, 7, "must be a multiple of 3"),
        ({"multipleOf": 0.1}, 0.35, "must be a multiple of 0.1"),
        ({"minItems": 1}, [], "must not be empty"),
        ({"minItems": 2}, [1], "must have at least 2 items"),
        ({"maxItems": 1}, [1, 2], "must have at most 1 item"),
        ({"enum": ["a", 1, None]}, 2, 'must be one of: "a", 1, null'),
        ({"enum": [1, 2], "type": "integer"}, "1", "must be one of: 1, 2"),  # a Literal
        ({"const": "only"}, "other", 'must be "only"'),
        ({"minProperties": 1}, {}, "must have at least 1 field"),
        ({"maxProperties": 1}, {"a": 1, "b": 2}, "must have at most 1 field"),
        (
            {"format": "date-time"},
            "yesterday",
            "must be a valid date-time (e.g. 2024-05-01T12:00:00Z)",
        ),
        ({"format": "date"}, "2024-02-30", "must be a valid date (e.g. 2024-05-01)"),
        (
            {"format": "uuid"},
            "not-a-uuid",
            "must be a valid uuid (e.g. 123e4567-e89b-12d3-a456-426614174000)",
        ),
        ({"not": {"type": "string"}}, "x", "is not allowed here"),
        (False, 1, "is not allowed"),
    ],
)
def test_keyword_messages(schema: object, instance: object, expected: str) -> None:
    assert errors(instance, schema) == [("(body)", expected)]


def test_valid_values_of_each_keyword_pass() -> None:
    cases: list[tuple[object, object]] = [
        # pydantic's lax conversions (its default mode), which its JSON Schema does not show
        ({"type": "integer"}, 2.0),
        ({"type": "integer"}, True),
        ({"type": "integer"}, " +1_000 "),
        ({"type": "number"}, 2),
        ({"type": "number"}, "1e3"),
        ({"type": "boolean"}, "Yes"),
        ({"type": "boolean"}, 0),
        ({"enum": ["a", 1, None]}, True),  # a Literal: true equals 1
        ({"$ref": "#/$defs/Level", "$defs": {"Level": {"enum": [1], "type": "integer"}}}, "1"),
        ({"uniqueItems": True}, [1, 1]),  # pydantic's sets take repeated items
        ({"multipleOf": 0.1}, 0.3),
        ({"format": "date-time"}, "2024-05-01T12:00:00+02:00"),
        ({"format": "date-time"}, "1714564800"),  # pydantic accepts timestamps
        ({"format": "email"}, "anything"),  # unknown formats are annotations
        ({"enum": [1]}, 1.0),
        ({"title": "T", "description": "d", "default": 3, "examples": [1]}, "x"),
        (True, None),
        (None, "no schema at all"),
    ]
    for schema, instance in cases:
        assert errors(instance, schema) == [], (schema, instance)


def test_object_errors_name_the_field_path() -> None:
    schema = {
        "type": "object",
        "properties": {
            "lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}},
            "odd key": {"type": "integer"},
        },
        "required": ["lines", "id"],
        "additionalProperties": False,
        "$defs": {
            "Line": {
                "type": "object",
                "properties": {"sku": {"type": "string"}},
                "required": ["sku"],
            }
        },
    }
    instance = {"lines": [{"sku": "a"}, {}, {"sku": 3}], "odd key": "x", "extra": 1}

    assert errors(instance, schema) == [
        ("id", "is required"),
        ("lines[1].sku", "is required"),
        ("lines[2].sku", "must be a string, not an integer"),
        ('["odd key"]', "must be an integer, not a string"),
        ("extra", "is not an allowed field"),
    ]


def test_additional_properties_schema_and_property_names() -> None:
    schema = {
        "type": "object",
        "additionalProperties": {"type": "integer"},
        "propertyNames": {"maxLength": 3},
    }

    assert errors({"ok": 1, "long": 2, "bad": "x"}, schema) == [
        ("long", "is not an allowed field name: it must be at most 3 characters long"),
        ("bad", "must be an integer, not a string"),
    ]


def test_pattern_properties() -> None:
    schema = {"patternProperties": {"^n_": {"type": "number"}}, "additionalProperties": False}

    assert errors({"n_a": 1, "n_b": "x", "z": 1}, schema) == [
        ("n_b", "must be a number, not a string"),
        ("z", "is not an allowed field"),
    ]


def test_prefix_items_and_closed_tuples() -> None:
    schema = {"prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False}

    assert errors([1, 2], schema) == [("[1]", "must be a string, not an integer")]
    assert errors([1, "a", 3], schema) == [("(body)", "must have at most 2 items")]


def test_any_of_reports_the_errors_of_the_alternative_of_the_right_type() -> None:
    schema = {
        "properties": {"pet": {"anyOf": [{"$ref": "#/$defs/Cat"}, {"type": "null"}]}},
        "$defs": {
            "Cat": {
                "type": "object",
                "title": "Cat",
                "properties": {"lives": {"type": "integer", "maximum": 9}},
            }
        },
    }

    assert errors({"pet": {"lives": 10}}, schema) == [("pet.lives", "must be at most 9")]
    assert errors({"pet": "cat"}, schema) == [("pet", "must be a Cat object or null, not a string")]
    assert errors({"pet": None}, schema) == []


def test_one_of_with_discriminator_checks_the_chosen_model() -> None:
    schema = {
        "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"cat": "#/$defs/Cat", "dog": "#/$defs/Dog"},
        },
        "$defs": {
            "Cat": {
                "type": "object",
                "properties": {"kind": {"const": "cat"}, "lives": {"type": "integer"}},
                "required": ["kind", "lives"],
            },
            "Dog": {
                "type": "object",
                "properties": {"kind": {"const": "dog"}},
                "required": ["kind"],
            },
        },
    }

    assert errors({"kind": "cat"}, schema) == [("lives", "is required")]
    assert errors({"kind": "cow"}, schema) == [("kind", 'must be one of: "cat", "dog"')]
    assert errors({}, schema) == [("kind", "is required")]
    assert errors({"kind": "dog"}, schema) == []


def test_one_of_without_discriminator_needs_exactly_one_match() -> None:
    schema = {"oneOf": [{"type": "integer"}, {"type": "number"}]}

    assert errors(1.5, schema) == []
    assert errors(1, schema) == [
        ("(body)", "matches more than one of the allowed shapes; make it unambiguous")
    ]
    assert errors("x", schema) == [("(body)", "must be an integer or a number, not a string")]


def test_all_of_and_recursive_refs() -> None:
    schema = {
        "$ref": "#/$defs/Node",
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
                "allOf": [{"required": ["value"]}],
            }
        },
    }

    assert errors({"value": 1, "children": [{"value": 2, "children": [{}]}]}, schema) == [
        ("children[0].children[0].value", "is required")
    ]


def test_errors_stop_at_the_limit() -> None:
    found = validate(list(range(100)), {"items": {"type": "string"}}, max_errors=5)

    assert [e.field for e in found] == ["[0]", "[1]", "[2]", "[3]", "[4]"]


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"$ref": "#/$defs/Missing"}, "$ref '#/$defs/Missing' points at nothing in the schema"),
        ({"$ref": "other.json#/x"}, "only local $ref ('#/...') is supported, not 'other.json#/x'"),
        ({"pattern": "("}, "pattern '(' is not a valid regex: missing ), unterminated subpattern"),
        ({"items": 3}, "a schema must be an object or a boolean, not 3"),
    ],
)
def test_unusable_schemas_raise_schema_error(schema: dict[str, Any], problem: str) -> None:
    instance = "x" if "pattern" in schema else ["x"]
    with pytest.raises(SchemaError) as caught:
        validate(instance, schema)
    assert str(caught.value).startswith(problem)


def test_render_path() -> None:
    assert render_path(()) == "(body)"
    assert render_path(("a", 0, "b_c", "d-e", 2)) == 'a[0].b_c["d-e"][2]'
    assert render_path((0,)) == "[0]"


def test_json_equal_distinguishes_booleans_from_numbers() -> None:
    assert json_equal({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert not json_equal(True, 1)
    assert not json_equal([0], [False])
    assert not json_equal({"a": 1}, {"a": 1, "b": 2})


# -- agreement with pydantic ---------------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Line(BaseModel):
    sku: str = Field(min_length=1, max_length=8, pattern=r"^[A-Z0-9-]+$")
    quantity: int = Field(ge=1, le=100, multiple_of=1)


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int = Field(ge=0, le=9)


class Dog(BaseModel):
    kind: Literal["dog"]
    weight: float = Field(gt=0, lt=100)


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(min_length=1, max_length=12)
    colour: Colour
    lines: list[Line] = Field(min_length=1, max_length=3)
    pet: Annotated[Cat | Dog, Field(discriminator="kind")]
    gift: Line | None = None
    tags: dict[str, int] = {}
    pair: tuple[int, str] | None = None


ORDER_SCHEMA = Order.model_json_schema()

texts = st.sampled_from(["", "A", "AB-1", "ab", "TOOLONGSKU", "x y", "red", "cat", "dog"])
numbers = st.one_of(
    st.integers(min_value=-5, max_value=120),
    st.floats(min_value=-5, max_value=120),
)
# JSON values of every type.
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
anything = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
    max_leaves=5,
)


def mostly(valid: st.SearchStrategy[Any], *wrong: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Nine times in ten a valid value, else a wrong one: near misses or anything at all."""
    wrong_value = st.one_of(*wrong, anything)
    return st.integers(0, 9).flatmap(lambda n: wrong_value if n == 9 else valid)


skus = mostly(st.sampled_from(["A", "AB-1", "X9"]), st.sampled_from(["", "ab", "TOOLONGSKU"]))
quantities = mostly(st.integers(1, 100), st.sampled_from([0, 101, 2.5, "3"]))
lines = st.fixed_dictionaries({"sku": skus, "quantity": quantities})
cats = st.fixed_dictionaries({"kind": st.just("cat"), "lives": mostly(st.integers(0, 9))})
dogs = st.fixed_dictionaries(
    {"kind": st.just("dog"), "weight": mostly(st.floats(0.5, 99.5), st.sampled_from([0, 100]))}
)
pets = mostly(st.one_of(cats, dogs), st.fixed_dictionaries({"kind": texts}))
plain_orders = st.fixed_dictionaries(
    {
        "order_id": mostly(st.sampled_from(["o-1", "A"]), st.just(""), st.just("x" * 13)),
        "colour": mostly(st.sampled_from(["red", "blue"]), texts),
        "lines": mostly(st.lists(lines, min_size=1, max_size=3), st.lists(lines, max_size=5)),
        "pet": pets,
    },
    optional={
        "gift": mostly(st.one_of(st.none(), lines)),
        "tags": mostly(st.dictionaries(texts, st.integers(0, 9), max_size=2)),
        "pair": mostly(st.tuples(st.integers(0, 9), texts).map(list), st.lists(scalars)),
    },
)
orders = mostly(
    plain_orders, st.builds(lambda o, v: {**o, "unexpected": v}, plain_orders, anything)
)


@settings(max_examples=400, deadline=None)
@given(orders)
def test_verdicts_agree_with_pydantic(instance: dict[str, Any]) -> None:
    try:
        Order.model_validate_json(json.dumps(instance))
        accepted = True
    except ValidationError:
        accepted = False

    found = validate(instance, ORDER_SCHEMA)
    assert (found == []) == accepted, found
