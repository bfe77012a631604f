"""The intrinsic functions of JSONPath states (``States.Format(...)`` and the rest).

`call_intrinsic` evaluates a call tree parsed by `sfn_flows.asl.intrinsics`. Results are
the ones AWS gives, and where AWS prints a value it prints it as Java does, since the
service runs on the JVM: ``States.Format`` writes an object as ``{a=1, b=[]}`` and a
double as ``1.0`` or ``1.0E20`` (`format_value`), ``States.JsonToString`` writes compact
JSON with the same doubles (`java_json`). Wrong arguments fail with
``States.IntrinsicFailure``; a path argument that selects nothing raises the path's
`PathNotFound`, which the field evaluating the call words for itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Final

from sfn_flows.asl.intrinsics import (
    Argument,
    Call,
    IntrinsicSyntaxError,
    Literal,
    PathArgument,
    parse_intrinsic,
)
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.json_values import json_problem, min_text_length
from sfn_flows.engine.jsonpath import json_equal, select

__all__ = ["call_intrinsic", "format_value", "java_double", "java_json"]

# AWS's documented limits: Base64 input and output, hashed data, ArrayRange's result.
MAX_BASE64_CHARACTERS: Final = 10_000
MAX_HASH_CHARACTERS: Final = 10_000
MAX_RANGE_ITEMS: Final = 1_000
_HASHES: Final[dict[str, str]] = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
# The longest string States.Format and States.JsonToString build. AWS documents none; any
# result past the payload limit fails the state anyway, and only a string argument of
# Hash or Base64 (10,000 characters at most) or StringSplit could take one in. This is the
# most a JSONata expression may hold on AWS, so that a definition with thousands of
# references to a long input string fails here instead of filling the test's memory.
MAX_STRING_CHARACTERS: Final = 6_990_256
_INT_MIN: Final = -(2**31)
_INT_MAX: Final = 2**31 - 1


def call_intrinsic(
    text: str | Call, data: Any, frame: Frame, *, rng: random.Random | None = None
) -> Any:
    """Evaluate ``States.Fn(...)`` with ``$`` = `data`. `rng` makes ``MathRandom`` and
    ``UUID`` repeatable; without it they are random."""
    if isinstance(text, Call):
        call = text
    else:
        try:
            call = parse_intrinsic(text)
        except IntrinsicSyntaxError as exc:
            raise frame.runtime_error(
                f"The intrinsic function {text!r} is invalid: {exc.message}"
            ) from None
    try:
        return _Evaluation(data, frame, rng).call(call)
    except RecursionError:
        # Data nested deeper than Python's stack (JSON nested thousands deep).
        raise frame.error(
            "States.IntrinsicFailure",
            f"Invalid arguments in {call.name}: a value is nested too deeply",
        ) from None


class _Evaluation:
    def __init__(self, data: Any, frame: Frame, rng: random.Random | None) -> None:
        self.data = data
        self.frame = frame
        self.rng = rng

    def call(self, call: Call) -> Any:
        values = [self.argument(argument) for argument in call.arguments]
        function = _FUNCTIONS[call.name]
        return function(_Arguments(call, values, self))

    def argument(self, argument: Argument) -> Any:
        if isinstance(argument, Literal):
            return argument.value
        if isinstance(argument, PathArgument):
            return select(argument.path, self.data, self.frame)
        return self.call(argument)

    def random(self) -> random.Random:
        return self.rng if self.rng is not None else random.Random()


class _Arguments:
    """The evaluated arguments of one call, with checks that fail as AWS does."""

    def __init__(self, call: Call, values: list[Any], evaluation: _Evaluation) -> None:
        self.call = call
        self.values = values
        self.evaluation = evaluation

    def fail(self, reason: str) -> Exception:
        return self.evaluation.frame.error(
            "States.IntrinsicFailure", f"Invalid arguments in {self.call.name}: {reason}"
        )

    def _typed(self, position: int, wanted: str, ok: Callable[[Any], bool]) -> Any:
        value = self.values[position]
        if not ok(value):
            raise self.fail(
                f"the {_ordinal(position)} argument must be {wanted}, got {_describe(value)}"
            )
        return value

    def string(self, position: int) -> str:
        value: str = self._typed(position, "a string", lambda v: isinstance(v, str))
        return value

    def array(self, position: int) -> list[Any]:
        value: list[Any] = self._typed(position, "an array", lambda v: isinstance(v, list))
        return value

    def object(self, position: int) -> dict[str, Any]:
        value: dict[str, Any] = self._typed(position, "an object", lambda v: isinstance(v, dict))
        return value

    def boolean(self, position: int) -> bool:
        value: bool = self._typed(position, "a boolean", lambda v: isinstance(v, bool))
        return value

    def integer(self, position: int) -> int:
        """An integer; a number with a fraction is refused."""
        value = self._typed(position, "an integer", _is_integral)
        return int(value)

    def rounded(self, position: int) -> int:
        """Any number, rounded as Java's Math.round does (half up, also below zero)."""
        value = self._typed(position, "a number", _is_number)
        return value if isinstance(value, int) else math.floor(value + 0.5)


def _is_number(value: Any) -> bool:
    # An int is always finite, and math.isfinite() cannot take one past a double's range.
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _is_integral(value: Any) -> bool:
    return _is_number(value) and (isinstance(value, int) or float(value).is_integer())


def _ordinal(position: int) -> str:
    return ("first", "second", "third")[position] if position < 3 else f"argument {position + 1}"


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {java_json(value)}"
    if isinstance(value, int | float):
        return f"the number {java_json(value)}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {json.dumps(shown, ensure_ascii=False)}"
    return "an array" if isinstance(value, list) else "an object"


# --------------------------------------------------------------------------------------
# Java's way of printing values


def java_double(value: float) -> str:
    """`value` as Java's Double.toString writes it: ``1.0``, ``0.001``, ``1.0E7``,
    ``1.234E-5``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    sign = "-" if value < 0 else ""
    if 1e-3 <= magnitude < 1e7:
        text = repr(magnitude)
        return sign + (text if "." in text else text + ".0")
    digits_tuple, exponent = Decimal(repr(magnitude)).as_tuple()[1:]
    digits = "".join(str(d) for d in digits_tuple).rstrip("0") or "0"
    assert isinstance(exponent, int)
    power = len(digits_tuple) - 1 + exponent
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{power}"


# The two writers below recurse with plain loops: a generator expression is a frame of its
# own, and two frames a level would halve the depth they can write.


def java_json(value: Any) -> str:
    """Compact JSON as Jackson writes it: no spaces, non-ASCII kept, Java doubles."""
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, dict):
        members = []
        for key, item in value.items():
            members.append(f"{json.dumps(str(key), ensure_ascii=False)}:{java_json(item)}")
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        items = []
        for item in value:
            items.append(java_json(item))
        return "[" + ",".join(items) + "]"
    return json.dumps(value, ensure_ascii=False)


def format_value(value: Any) -> str:
    """A value in ``States.Format``'s output: strings as they are, objects and arrays as
    Java's maps and lists print (``{a=1, b=[x, y]}``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        members = []
        for key, item in value.items():
            members.append(f"{key}={format_value(item)}")
        return "{" + ", ".join(members) + "}"
    if isinstance(value, list):
        items = []
        for item in value:
            items.append(format_value(item))
        return "[" + ", ".join(items) + "]"
    return java_json(value)


# --------------------------------------------------------------------------------------
# The functions


def _format(args: _Arguments) -> str:
    first = args.call.arguments[0]
    if isinstance(first, Literal) and isinstance(first.value, str):
        pieces: Sequence[str] = first.pieces
    else:
        pieces = args.string(0).split("{}")
    values = args.values[1:]
    if len(pieces) - 1 != len(values):
        raise args.fail(
            f"the template has {len(pieces) - 1} '{{}}' placeholders for {len(values)} values"
        )
    # About the length: Java's map style writes a few characters a member fewer than JSON.
    written = sum(len(piece) for piece in pieces) + sum(min_text_length(v) - 2 for v in values)
    _check_length(args, written)
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        out.append(format_value(value))
        out.append(piece)
    return "".join(out)


def _check_length(args: _Arguments, characters: int) -> None:
    if characters > MAX_STRING_CHARACTERS:
        raise args.fail(
            f"the result would have {characters} characters or more; the engine builds at "
            f"most {MAX_STRING_CHARACTERS}"
        )


def _json_to_string(args: _Arguments) -> str:
    value = args.values[0]
    _check_length(args, min_text_length(value))
    return java_json(value)


def _string_to_json(args: _Arguments) -> Any:
    text = args.string(0).strip()
    if not text:
        return None
    try:
        # Like Jackson's readTree: the first JSON value, NaN and Infinity refused.
        value, _ = json.JSONDecoder(parse_constant=_refuse_constant).raw_decode(text)
    except ValueError as exc:
        raise args.fail(f"the string is not JSON ({exc})") from None
    if json_problem(value) is not None:
        # Python's own stack would refuse it deeper still; the bound keeps the answer the same.
        raise args.fail("a value is nested too deeply")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _array_partition(args: _Arguments) -> list[list[Any]]:
    items = args.array(0)
    size = args.integer(1)
    if size <= 0:
        raise args.fail(f"the chunk size must be greater than 0, got {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _array_contains(args: _Arguments) -> bool:
    items = args.array(0)
    wanted = args.values[1]
    return any(json_equal(item, wanted, java_types=True) for item in items)


def _array_range(args: _Arguments) -> list[int]:
    start, end, step = args.integer(0), args.integer(1), args.integer(2)
    if step == 0:
        raise args.fail("the step must not be 0")
    count = max(0, (end - start) // step + 1)
    if count > MAX_RANGE_ITEMS:
        raise args.fail(f"the range has {count} items; at most {MAX_RANGE_ITEMS} are allowed")
    return [start + i * step for i in range(count)]


def _array_get_item(args: _Arguments) -> Any:
    items = args.array(0)
    index = args.integer(1)
    if not 0 <= index < len(items):
        raise args.fail(f"the index {index} is out of bounds for an array of {len(items)} items")
    return items[index]


def _array_unique(args: _Arguments) -> list[Any]:
    # Hashed, so that an array of 40,000 items takes 40,000 steps rather than 800 million
    # comparisons.
    unique: list[Any] = []
    seen: set[Any] = set()
    for item in args.array(0):
        key = _java_equality_key(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _java_equality_key(value: Any) -> Any:
    """A hashable key equal for two values exactly when json_equal(java_types=True) holds:
    same types all the way down (an integer never equals a double), objects compared as sets
    of members."""
    kind = type(value)
    if kind is list:
        items = []
        for item in value:
            items.append(_java_equality_key(item))
        return (list, tuple(items))
    if kind is dict:
        members = []
        for name, item in value.items():
            members.append((name, _java_equality_key(item)))
        return (dict, frozenset(members))
    return (kind, value)


def _base64_encode(args: _Arguments) -> str:
    text = args.string(0)
    if len(text) > MAX_BASE64_CHARACTERS:
        raise args.fail(
            f"the input has {len(text)} characters; at most {MAX_BASE64_CHARACTERS} are allowed"
        )
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(args: _Arguments) -> str:
    text = args.string(0)
    if len(text) > MAX_BASE64_CHARACTERS:
        raise args.fail(
            f"the input has {len(text)} characters; at most {MAX_BASE64_CHARACTERS} are allowed"
        )
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise args.fail("the input is not Base64") from None
    return raw.decode("utf-8", errors="replace")


def _hash(args: _Arguments) -> str:
    text = args.string(0)
    if len(text) > MAX_HASH_CHARACTERS:
        raise args.fail(
            f"the data has {len(text)} characters; at most {MAX_HASH_CHARACTERS} are allowed"
        )
    algorithm = args.string(1)
    if algorithm not in _HASHES:
        raise args.fail(
            f"the algorithm {algorithm!r} is not supported; use one of {', '.join(_HASHES)}"
        )
    return hashlib.new(_HASHES[algorithm], text.encode("utf-8")).hexdigest()


def _json_merge(args: _Arguments) -> dict[str, Any]:
    first, second = args.object(0), args.object(1)
    if args.boolean(2):
        raise args.fail("only the shallow merge is supported: the third argument must be false")
    return {**first, **second}


def _math_random(args: _Arguments) -> int:
    start, end = args.rounded(0), args.rounded(1)
    if end <= start:
        raise args.fail(f"the end ({end}) must be greater than the start ({start})")
    seeded = len(args.values) > 2
    generator = random.Random(args.rounded(2)) if seeded else args.evaluation.random()
    return generator.randrange(start, end)


def _math_add(args: _Arguments) -> int:
    # AWS takes 32-bit integers (and rounds other numbers to one).
    first, second = args.rounded(0), args.rounded(1)
    for value in (first, second):
        if not _INT_MIN <= value <= _INT_MAX:
            raise args.fail(f"{value} is outside the range {_INT_MIN} to {_INT_MAX}")
    return first + second


def _string_split(args: _Arguments) -> list[str]:
    # Java's StringTokenizer: every character of the second argument is a delimiter, and
    # empty pieces are dropped.
    text, delimiters = args.string(0), args.string(1)
    pieces: list[str] = []
    current: list[str] = []
    for char in text:
        if char in delimiters:
            if current:
                pieces.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        pieces.append("".join(current))
    return pieces


def _uuid(args: _Arguments) -> str:
    if args.evaluation.rng is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=args.evaluation.rng.getrandbits(128), version=4))


_FUNCTIONS: Final[dict[str, Callable[[_Arguments], Any]]] = {
    "States.Format": _format,
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": lambda args: list(args.values),
    "States.ArrayPartition": _array_partition,
    "States.ArrayContains": _array_contains,
    "States.ArrayRange": _array_range,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayLength": lambda args: len(args.array(0)),
    "States.ArrayUnique": _array_unique,
    "States.Base64Encode": _base64_encode,
    "States.Base64Decode": _base64_decode,
    "States.Hash": _hash,
    "States.JsonMerge": _json_merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _string_split,
    "States.UUID": _uuid,
}
