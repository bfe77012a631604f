"""The starter's schema check accepts exactly what the workflow's input model accepts.

Hypothesis generates JSON bodies shaped like each model's input, near misses included
(numbers as text, trailing newlines, Unicode letters, marks and spaces, values at the
bounds, missing and extra fields), and compares two verdicts on the same JSON text: the
starter's (runtime/schema.py, from the model's JSON Schema, as the build manifest carries
it) and pydantic's own (`Model.model_validate_json`, lax mode, the default). The body is
JSON, so pydantic's JSON mode is the reference: its Python mode differs only on values JSON
decoding produces differently (an integer beyond a double for a float field).
"""

from __future__ import annotations

import enum
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sfn_flows.runtime.schema import validate

ROOT = Path(__file__).resolve().parents[2]


def _project_module(name: str) -> Any:
    """A workflow module of the project, loaded from workflows/ (not a package)."""
    spec = importlib.util.spec_from_file_location(f"_inputs_{name}", ROOT / "workflows" / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


JobRequest = _project_module("long_running_job.py").JobRequest
Order = _project_module("order_fulfilment.py").Order


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 3


class Numbers(BaseModel):
    count: int = Field(ge=-5, le=100, multiple_of=5)
    ratio: float = Field(gt=0, lt=1000.5, multiple_of=0.25)
    big: int
    price: float
    flag: bool
    maybe: int | None = None


class Texts(BaseModel):
    code: str = Field(pattern=r"^[a-z]{2}\d{2}$")
    word: str = Field(pattern=r"^\w+$", max_length=6)
    pair: str = Field(pattern=r"^\S+\s\S+$")
    name: str = Field(min_length=2, max_length=4)
    line: str = Field(pattern=r"(?m)^ok$")
    inner: str = Field(pattern=r"b+")
    bounded: str = Field(pattern=r"\bid\b")
    letters: str = Field(pattern=r"^\p{L}+\z")


class Choices(BaseModel):
    letter: Literal["a", "b"]
    number: Literal[1, 2]
    yes: Literal[True]
    colour: Colour
    level: Level


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=3)
    qty: int = Field(ge=1)


class Nested(BaseModel):
    part: Part
    parts: list[Part] = Field(default_factory=list, max_length=2)
    spare: Part | None = None
    tags: set[int] = Field(default_factory=set)
    weights: dict[str, float] = Field(default_factory=dict)
    pair: tuple[int, str] | None = None


MODELS: list[type[BaseModel]] = [JobRequest, Order, Numbers, Texts, Choices, Nested]
SCHEMAS = {model: json.loads(json.dumps(model.model_json_schema())) for model in MODELS}

# -- values ----------------------------------------------------------------------------------

numeric_texts = st.from_regex(
    r"[ \t\n\xa0\x1c]?[+-]?[0-9_]{1,5}(\.[0-9_]{0,3})?([eE][+-]?_?[0-9]{1,3})?[ \n]?",
    fullmatch=True,
)
words = st.sampled_from(
    [
        *("", "a", "b", "ab12", "ab12\n", "\nab12", "AB12", "ab\u0661\u0662", "x y", "x\ty"),
        "x\x1cy",
        *("ok", "no\nok", "ok\n", "bbb", "abc", "id", "an id", "idx", "é", "e\u0301", "x²"),
        *("true", "TRUE", "yes", "Off", "t", "n", "1", "0", "1.0", "on ", "inf", "-Infinity"),
        *("nan", "NaN", "1e3", "1_000", "1__0", "_1", "12.00", "12.", " 7 ", "0x10", "red"),
        *("RED", "blue", "3", "Ⓐ", "a\u200db", "x‿y", "a\u00a0b", "\u2028"),
    ]
)
texts = st.one_of(words, numeric_texts, st.text(max_size=6))
numbers = st.one_of(
    st.integers(-10, 110),
    st.sampled_from([2**63 - 1, 2**63, -(2**63), 10**20, 10**400]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, 5.0, 2.5, 0.25, 0.75, 1e300, 9.2e18, 9.3e18, -9.3e18]),
    st.sampled_from([1000.5, 1000.25, 123456789.25, 123456789.1, 1e-10]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
    max_leaves=6,
)


# A body each model accepts: the generated bodies change one or two of its fields, so that
# each field's verdict decides (a body wrong everywhere tells nothing about any one rule).
VALID: dict[type[BaseModel], dict[str, Any]] = {
    JobRequest: {"job_id": "j1", "items": ["a"]},
    Order: {
        "order_id": "o1",
        "kind": "digital",
        "lines": [{"sku": "s", "quantity": 1}],
        "total_cents": 0,
    },
    Numbers: {"count": 5, "ratio": 1.5, "big": 1, "price": 1.0, "flag": True},
    Texts: {
        "code": "ab12",
        "word": "w",
        "pair": "a b",
        "name": "nm",
        "line": "ok",
        "inner": "abc",
        "bounded": "an id",
        "letters": "é",
    },
    Choices: {"letter": "a", "number": 1, "yes": True, "colour": "red", "level": 1},
    Nested: {"part": {"sku": "a", "qty": 1}},
}
parts = st.fixed_dictionaries(
    {"sku": st.sampled_from(["a", "abc", "abcd", ""]), "qty": numbers | texts},
    optional={"extra": scalars},
)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "part": parts | values,
    "spare": parts | values,
    "parts": st.lists(parts, max_size=3) | values,
    "tags": st.lists(numbers | texts, max_size=3) | values,
    "weights": st.dictionaries(texts, scalars, max_size=2) | values,
    "pair": st.tuples(numbers | texts, texts | numbers).map(list) | values,
    "lines": st.lists(
        st.fixed_dictionaries({"sku": texts, "quantity": numbers | texts}), max_size=2
    )
    | values,
    "items": st.lists(texts | numbers, max_size=2) | values,
}


@st.composite
def body_of(draw: st.DrawFn, model: type[BaseModel]) -> Any:
    """The model's valid body with one or two fields replaced by anything (biased to near
    misses of their type) or left out, sometimes an unknown field added; now and then a
    body that is not an object at all."""
    if draw(st.integers(0, 19)) == 0:
        return draw(values)
    body = dict(VALID[model])
    names = [*SCHEMAS[model]["properties"], "unknown"]
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)):
        if draw(st.integers(0, 5)) == 0:
            body.pop(name, None)
        else:
            body[name] = draw(FIELD_VALUES.get(name, scalars | values))
    return body


def pydantic_accepts(model: type[BaseModel], text: str) -> bool:
    try:
        model.model_validate_json(text)
    except ValidationError:
        return False
    return True


def starter_accepts(model: type[BaseModel], text: str) -> bool:
    return validate(json.loads(text), SCHEMAS[model]) == []


def agree(model: type[BaseModel], body: Any) -> None:
    text = json.dumps(body, ensure_ascii=False)
    assert starter_accepts(model, text) == pydantic_accepts(model, text), (
        text,
        validate(json.loads(text), SCHEMAS[model]),
    )


# -- the comparison ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_starter_accepts_exactly_what_the_input_model_accepts(
    model: type[BaseModel], data: st.DataObject
) -> None:
    agree(model, data.draw(body_of(model)))


# The cases, and what hypothesis found on the way, kept as fixed examples.
@pytest.mark.parametrize(
    "body",
    [
        {"job_id": "j1\n", "items": ["a"]},  # Python's `$` matches before a final newline
        {"job_id": "j1", "items": ["a"], "notify": None},
    ],
)
def test_job_request_examples(body: dict[str, Any]) -> None:
    agree(JobRequest, body)


@pytest.mark.parametrize(
    "body",
    [
        {"count": 1e300},  # not an i64: pydantic refuses it
        {"count": 5.0},  # integral float: pydantic accepts it
        {"count": " +1_0 "},
        {"count": "10.00"},
        {"count": True},
        {"ratio": "nan"},  # nan fails every bound
        {"ratio": "inf"},
        {"ratio": 123456789.1},
        # pydantic's float multiple_of: |value - round(value / step) * step| <= 1e-9, an
        # absolute tolerance (hypothesis found the first; a relative one accepted the last)
        {"ratio": 2.3760096850621745e-289},
        {"ratio": 1e-10},
        {"ratio": 999.75 + 1e-7},
        {"ratio": 0.25 * 3 + 1.1e-9},
        {"flag": "YES"},
        {"flag": 1.0},
        {"flag": 2},
        {"price": 10**400},  # beyond a double: infinite in pydantic's JSON mode
        # Float text with underscores: between any two other characters, and never trimmed
        {"price": "0E_0 "},
        {"price": " 1_0"},
        {"price": "+_1"},
        {"price": "1_.5"},
        {"price": "1e_+5"},
        {"big": 9.3e18},
    ],
)
def test_number_examples(body: dict[str, Any]) -> None:
    full = {"count": 5, "ratio": 1.5, "big": 1, "price": 1.0, "flag": True, **body}
    agree(Numbers, full)
