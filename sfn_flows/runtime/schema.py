"""A small JSON Schema validator (standard library only) for the schemas pydantic v2 emits,
read as pydantic reads its model: the starter must accept exactly what the workflow's input
model accepts (lax mode, pydantic's default), and pydantic is too heavy for a Lambda's cold
start. So, unlike plain JSON Schema:
- a value is converted for its type as pydantic converts it (coercion.py: "12" and true
  for an integer, "1e3" for a number, "yes" for a boolean; 1e300 is no integer);
- `pattern` has Rust regex semantics (regex_dialect.py: `$` is the very end);
- a Literal (`enum`/`const` in place) compares the value as sent, with true == 1 == 1.0; an
  Enum class (`enum` behind a `$ref`) is looked up after its type's conversion;
- number bounds fail nan, and a float's `multipleOf` has pydantic's 1e-9 tolerance;
- `uniqueItems` (emitted for sets, which take repeated items) is not checked.
Not covered: strict models (`strict=True` leaves no mark in the schema), and formats beyond
the plainly wrong (see below).

Keywords: type (null, boolean, integer, number, string, array, object, or a list of them),
properties, required, additionalProperties, patternProperties, propertyNames,
minProperties/maxProperties, items, prefixItems, minItems/maxItems, minLength,
maxLength, pattern, format (date-time, date, time, uuid), minimum, maximum,
exclusiveMinimum, exclusiveMaximum, multipleOf, enum, const, anyOf, oneOf (with pydantic's
`discriminator`), allOf, not, $ref to "#/..." (e.g. "#/$defs/Model"), and boolean schemas.
Annotations (title, description, default, examples) are ignored: defaults are not filled in.

Every error names the field as a path in the request body: `lines[0].sku`, `items[3]`,
`["odd key"]`; the body itself is `(body)`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from itertools import repeat
from typing import Any, NamedTuple

from sfn_flows.runtime.coercion import (
    NOT_CONVERTED,
    is_float_multiple,
    to_boolean,
    to_integer,
    to_number,
)
from sfn_flows.runtime.deadline import DeadlineExceeded
from sfn_flows.runtime.regex_dialect import python_pattern

ROOT_FIELD = "(body)"
DEFAULT_MAX_ERRORS = 20
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TYPE_NAMES = {
    "null": "null",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "an object",
}

Path = tuple[str | int, ...]


class SchemaError(ValueError):
    """The schema itself cannot be used (a bad $ref or pattern): a deployment problem."""


class PatternTimeout(Exception):
    """A pattern's match was stopped (DeadlineExceeded) before it ended: which one, where.

    Python's `re` backtracks where pydantic's Rust regex runs in linear time, so a pattern
    such as `^(a+)+$` can keep it busy for days on a short text."""

    def __init__(self, field: str, pattern: str) -> None:
        super().__init__(f"{field}: the pattern {pattern} did not finish")
        self.field = field
        self.pattern = pattern


class FieldError(NamedTuple):
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def validate(
    instance: object, schema: object, *, max_errors: int = DEFAULT_MAX_ERRORS
) -> list[FieldError]:
    """The errors of `instance` against `schema` (at most `max_errors`; none when valid)."""
    if schema is None or schema is True:
        return []
    validator = _Validator(schema, max_errors)
    with contextlib.suppress(_Enough):
        validator.check(instance, schema, ())
    return validator.errors


def render_path(path: Path) -> str:
    parts: list[str] = []
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _IDENTIFIER.match(step):
            parts.append(f".{step}" if parts else step)
        else:
            parts.append(f"[{json.dumps(step, ensure_ascii=False)}]")
    return "".join(parts) or ROOT_FIELD


def json_type(value: object) -> str:
    """The JSON type name of a parsed JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def json_equal(a: object, b: object) -> bool:
    """Equality of JSON values: unlike Python's ==, true is not 1 and 1.0 equals 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


class _Enough(Exception):
    """Enough errors were collected; stop walking the instance."""


@functools.lru_cache(maxsize=256)
def _compiled_pattern(source: str) -> re.Pattern[str]:
    """`source` rewritten for `re` and compiled once per process, not once per request: the
    rewrite (regex_dialect) is most of a pattern check's cost, and a Lambda's schemas do not
    change between requests. A pattern that fails is not cached: it fails again."""
    try:
        return re.compile(python_pattern(source))
    except (re.error, ValueError) as exc:
        raise SchemaError(f"pattern {source!r} is not a valid regex: {exc}") from None


class _Validator:
    def __init__(self, root: object, max_errors: int) -> None:
        self.root = root
        self.max_errors = max_errors
        self.errors: list[FieldError] = []

    # -- plumbing ------------------------------------------------------------------------

    def fail(self, path: Path, message: str) -> None:
        self.errors.append(FieldError(render_path(path), message))
        if len(self.errors) >= self.max_errors:
            raise _Enough

    def collect(self, instance: object, schema: object, path: Path) -> list[FieldError]:
        """The errors of one subschema, without adding them to this validator's own."""
        sub = _Validator(self.root, self.max_errors)
        with contextlib.suppress(_Enough):
            sub.check(instance, schema, path)
        return sub.errors

    def resolve(self, ref: str) -> object:
        if not ref.startswith("#"):
            raise SchemaError(f"only local $ref ('#/...') is supported, not {ref!r}")
        node: object = self.root
        for token in ref[1:].split("/")[1:] if ref != "#" else []:
            key = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise SchemaError(f"$ref {ref!r} points at nothing in the schema")
        return node

    def search(self, source: str, text: str, path: Path) -> bool:
        compiled = _compiled_pattern(source)
        try:
            return compiled.search(text) is not None
        except DeadlineExceeded:
            raise PatternTimeout(render_path(path), source) from None

    # -- keywords ------------------------------------------------------------------------

    def check(self, instance: object, schema: object, path: Path, *, named: bool = False) -> None:
        """`named`: `schema` is a $ref's target, as pydantic's schema of an Enum class is."""
        if schema is True:
            return
        if schema is False:
            self.fail(path, "is not allowed")
            return
        if not isinstance(schema, dict):
            raise SchemaError(f"a schema must be an object or a boolean, not {schema!r}")
        if "$ref" in schema:
            self.check(instance, self.resolve(schema["$ref"]), path, named=True)
        value = instance
        if "type" in schema:
            value = self.check_type(instance, schema["type"], path)
            if value is NOT_CONVERTED:
                return  # the other keywords would only repeat the same mistake
        # A Literal compares the value as sent (1.0 and true equal 1, "1" does not); an Enum
        # class's members are looked up after the conversion of their type ("1" finds 1).
        compared = value if named else instance
        if "const" in schema and not _literal_equal(compared, schema["const"]):
            self.fail(path, f"must be {_show(schema['const'])}")
        if "enum" in schema and not any(_literal_equal(compared, v) for v in schema["enum"]):
            choices = ", ".join(_show(v) for v in schema["enum"])
            self.fail(path, f"must be one of: {choices}")
        if isinstance(value, str):
            self.check_string(value, schema, path)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self.check_number(value, schema, path)
        elif isinstance(value, list):
            self.check_array(value, schema, path)
        elif isinstance(value, dict):
            self.check_object(value, schema, path)
        for sub in schema.get("allOf", ()):
            self.check(instance, sub, path)
        if "anyOf" in schema:
            self.check_any_of(instance, schema["anyOf"], path)
        if "oneOf" in schema:
            self.check_one_of(instance, schema, path)
        if "not" in schema and not self.collect(instance, schema["not"], path):
            self.fail(path, "is not allowed here")

    def check_type(self, instance: object, expected: object, path: Path) -> object:
        """The value as pydantic converts it for the type, or NOT_CONVERTED (reported)."""
        names: list[Any] = expected if isinstance(expected, list) else [expected]
        for name in names:
            convert = _CONVERSIONS.get(name) if isinstance(name, str) else None
            value = convert(instance) if convert is not None else NOT_CONVERTED
            if value is not NOT_CONVERTED:
                return value
        wanted = " or ".join(_TYPE_NAMES.get(str(name), str(name)) for name in names)
        self.fail(path, f"must be {wanted}, not {_describe(instance)}")
        return NOT_CONVERTED

    def check_string(self, value: str, schema: Mapping[str, Any], path: Path) -> None:
        length = len(value)  # code points, as JSON Schema counts them
        if "minLength" in schema and length < schema["minLength"]:
            if length == 0 and schema["minLength"] == 1:
                self.fail(path, "must not be empty")
            else:
                self.fail(path, f"must be at least {_count(schema['minLength'], 'character')} long")
        if "maxLength" in schema and length > schema["maxLength"]:
            self.fail(path, f"must be at most {_count(schema['maxLength'], 'character')} long")
        if "pattern" in schema and not self.search(schema["pattern"], value, path):
            self.fail(path, f"must match the pattern {schema['pattern']}")
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS and not _FORMATS[fmt](value):
            self.fail(path, f"must be a valid {fmt} ({_FORMAT_HINTS[fmt]})")

    def check_number(self, value: float, schema: Mapping[str, Any], path: Path) -> None:
        # Written as "not within" so that nan (pydantic's float accepts "nan") fails them all.
        if "minimum" in schema and not value >= schema["minimum"]:
            self.fail(path, f"must be at least {_show(schema['minimum'])}")
        if "maximum" in schema and not value <= schema["maximum"]:
            self.fail(path, f"must be at most {_show(schema['maximum'])}")
        if "exclusiveMinimum" in schema and not value > schema["exclusiveMinimum"]:
            self.fail(path, f"must be greater than {_show(schema['exclusiveMinimum'])}")
        if "exclusiveMaximum" in schema and not value < schema["exclusiveMaximum"]:
            self.fail(path, f"must be less than {_show(schema['exclusiveMaximum'])}")
        step = schema.get("multipleOf")
        if isinstance(step, int | float) and step > 0 and not _is_multiple(value, step):
            self.fail(path, f"must be a multiple of {_show(step)}")

    def check_array(self, items: list[Any], schema: Mapping[str, Any], path: Path) -> None:
        if "minItems" in schema and len(items) < schema["minItems"]:
            if not items and schema["minItems"] == 1:
                self.fail(path, "must not be empty")
            else:
                self.fail(path, f"must have at least {_count(schema['minItems'], 'item')}")
        if "maxItems" in schema and len(items) > schema["maxItems"]:
            self.fail(path, f"must have at most {_count(schema['maxItems'], 'item')}")
        prefix = schema.get("prefixItems", [])
        for index, (item, sub) in enumerate(zip(items, prefix, strict=False)):
            self.check(item, sub, (*path, index))
        rest = schema.get("items", True)
        if rest is False and len(items) > len(prefix):
            self.fail(path, f"must have at most {_count(len(prefix), 'item')}")
        elif rest is not True:
            # Items of a type-only schema (`list[str]` -> {"type": "string"}) are tested with
            # one call each, or all at once at C speed; only a failing item goes through
            # check() for its message.
            test = _type_only_test(rest)
            kind = _TYPE_CLASSES.get(rest["type"]) if test is not None else None
            tail = items[len(prefix) :] if prefix else items
            if kind is None or not all(map(isinstance, tail, repeat(kind))):
                for index in range(len(prefix), len(items)):
                    if test is None or not test(items[index]):
                        self.check(items[index], rest, (*path, index))
        # uniqueItems is not checked: pydantic emits it for set and frozenset fields, which
        # accept repeated items (and keep one of each).

    def check_object(self, value: dict[str, Any], schema: Mapping[str, Any], path: Path) -> None:
        for name in schema.get("required", ()):
            if name not in value:
                self.fail((*path, name), "is required")
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            self.fail(path, f"must have at least {_count(schema['minProperties'], 'field')}")
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            self.fail(path, f"must have at most {_count(schema['maxProperties'], 'field')}")
        properties = schema.get("properties", {})
        for name, sub in properties.items():
            if name in value:
                self.check(value[name], sub, (*path, name))
        patterns = schema.get("patternProperties", {})
        additional = schema.get("additionalProperties", True)
        names_schema = schema.get("propertyNames")
        for name, item in value.items():
            if names_schema is not None:
                for error in self.collect(name, names_schema, ()):
                    self.fail((*path, name), f"is not an allowed field name: it {error.message}")
            matched = False
            for source, sub in patterns.items():
                if self.search(source, name, (*path, name)):
                    matched = True
                    self.check(item, sub, (*path, name))
            if name in properties or matched:
                continue
            if additional is False:
                self.fail((*path, name), "is not an allowed field")
            elif additional is not True:
                self.check(item, additional, (*path, name))

    def check_any_of(self, instance: object, options: list[Any], path: Path) -> None:
        # `str | None` and the like: a type test settles it without collecting errors.
        for option in options:
            test = _type_only_test(option)
            if test is not None and test(instance):
                return
        failures = []
        for option in options:
            errors = self.collect(instance, option, path)
            if not errors:
                return
            failures.append(errors)
        self.report_no_match(instance, options, failures, path)

    def check_one_of(self, instance: object, schema: Mapping[str, Any], path: Path) -> None:
        options: list[Any] = schema["oneOf"]
        discriminator = schema.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(instance, dict):
            prop = discriminator.get("propertyName")
            mapping = discriminator.get("mapping") or {}
            if isinstance(prop, str) and mapping:
                tag = instance.get(prop)
                if prop not in instance:
                    self.fail((*path, prop), "is required")
                elif not isinstance(tag, str) or tag not in mapping:
                    choices = ", ".join(_show(key) for key in mapping)
                    self.fail((*path, prop), f"must be one of: {choices}")
                else:
                    self.check(instance, {"$ref": mapping[tag]}, path)
                return
        failures = []
        for option in options:
            failures.append(self.collect(instance, option, path))
        matches = sum(1 for errors in failures if not errors)
        if matches == 1:
            return
        if matches > 1:
            self.fail(path, "matches more than one of the allowed shapes; make it unambiguous")
            return
        self.report_no_match(instance, options, failures, path)

    def report_no_match(
        self, instance: object, options: list[Any], failures: list[list[FieldError]], path: Path
    ) -> None:
        """Explain why no alternative matched, as precisely as the alternatives allow.

        When the value has the right type for exactly one alternative (an object for the one
        object-shaped option of `Model | None`), its errors are the useful ones; otherwise
        the message lists what the value could have been.
        """
        here = render_path(path)
        deeper = [errors for errors in failures if all(e.field != here for e in errors)]
        if len(deeper) == 1:
            for error in deeper[0]:
                self.errors.append(error)
                if len(self.errors) >= self.max_errors:
                    raise _Enough
            return
        shapes = _unique(self.shape(option) for option in options)
        self.fail(path, f"must be {' or '.join(shapes)}, not {_describe(instance)}")

    def shape(self, schema: object, depth: int = 0) -> str:
        """A few words for what a subschema accepts: "a string", "null", "a Cat object"."""
        if not isinstance(schema, dict) or depth > 8:
            return "a value of another shape"
        if "$ref" in schema:
            return self.shape(self.resolve(schema["$ref"]), depth + 1)
        if "const" in schema:
            return _show(schema["const"])
        if "enum" in schema:
            return "one of " + ", ".join(_show(v) for v in schema["enum"])
        kind = schema.get("type")
        title = schema.get("title")
        if kind == "object" and isinstance(title, str):
            return f"a {title} object"
        if isinstance(kind, str):
            return _TYPE_NAMES.get(kind, kind)
        if isinstance(kind, list):
            return " or ".join(_TYPE_NAMES.get(str(k), str(k)) for k in kind)
        return "a value of another shape"


_CONVERSIONS: dict[str, Callable[[object], object]] = {
    "null": lambda value: None if value is None else NOT_CONVERTED,
    "boolean": to_boolean,
    "integer": to_integer,
    "number": to_number,
    "string": lambda value: value if isinstance(value, str) else NOT_CONVERTED,
    "array": lambda value: value if isinstance(value, list) else NOT_CONVERTED,
    "object": lambda value: value if isinstance(value, dict) else NOT_CONVERTED,
}
# Types that convert nothing: a plain isinstance tells whether a value has them.
_TYPE_CLASSES: dict[object, type] = {"string": str, "array": list, "object": dict}
# Keywords that never fail a value: a schema of "type" plus these is type-only.
_ANNOTATIONS = frozenset({"type", "title", "description", "default", "examples"})


def _type_only_test(schema: object) -> Callable[[object], bool] | None:
    if not isinstance(schema, dict) or not isinstance(schema.get("type"), str):
        return None
    convert = _CONVERSIONS.get(schema["type"])
    if convert is None or not _ANNOTATIONS.issuperset(schema):
        return None
    return lambda value: convert(value) is not NOT_CONVERTED


def _literal_equal(value: object, literal: object) -> bool:
    """pydantic's Literal and Enum lookup: text equals only text, null only null, and
    numbers and booleans by value (true == 1 == 1.0); arrays and objects as JSON values."""
    if isinstance(literal, str) or isinstance(value, str):
        return isinstance(literal, str) and isinstance(value, str) and literal == value
    if literal is None or value is None:
        return literal is None and value is None
    if isinstance(literal, int | float) and isinstance(value, int | float):
        return literal == value
    return json_equal(value, literal)


def _describe(value: object) -> str:
    kind = json_type(value)
    return "null" if kind == "null" else _TYPE_NAMES.get(kind, kind)


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _count(number: object, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _is_multiple(value: float, step: float) -> bool:
    if isinstance(value, int) and isinstance(step, int):
        return value % step == 0
    return is_float_multiple(float(value), float(step))


def _unique(values: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(values))


# Formats are annotations in JSON Schema; these checks only catch what is plainly not a date,
# time or UUID, and accept everything pydantic's lax parsing accepts (numeric timestamps,
# a date for a date-time, 'Z' or an offset or none, UUIDs without dashes or in braces).
# datetime and uuid load on first use: most schemas have no formats, and every cold start
# would pay for the imports (uuid brings `platform`).
def _valid_date_time(value: str) -> bool:
    from datetime import datetime

    return _numeric(value) or _parses(datetime.fromisoformat, value.upper())


def _valid_date(value: str) -> bool:
    from datetime import date, datetime

    if _numeric(value):
        return True
    return _parses(date.fromisoformat, value) or (
        len(value) > 10 and _parses(datetime.fromisoformat, value.upper())
    )


def _valid_time(value: str) -> bool:
    from datetime import time

    return _parses(time.fromisoformat, value.upper())


def _valid_uuid(value: str) -> bool:
    from uuid import UUID

    return _parses(UUID, value)


def _numeric(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _parses(parser: Callable[[str], object], value: str) -> bool:
    try:
        parser(value)
    except ValueError:
        return False
    return True


_FORMATS = {
    "date-time": _valid_date_time,
    "date": _valid_date,
    "time": _valid_time,
    "uuid": _valid_uuid,
}
_FORMAT_HINTS = {
    "date-time": "e.g. 2024-05-01T12:00:00Z",
    "date": "e.g. 2024-05-01",
    "time": "e.g. 12:00:00",
    "uuid": "e.g. 123e4567-e89b-12d3-a456-426614174000",
}
