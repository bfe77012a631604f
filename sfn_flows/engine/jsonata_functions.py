"""What Step Functions changes in JSONata's function library, built on jsonata-python once
(on first use: importing it costs ~25 ms, and only JSONata definitions need it).

- Added, as AWS documents them: $partition, $range, $hash, $random (seeded as Java's
  Random), $uuid and $parse; $eval is taken away (a call to nothing, T1006).
- $now() and $millis() read the state's entered time, so they follow a virtual clock.
- Guarded: the built-ins that make a large string in one step from small arguments ($pad's
  width, $replace's replacement times its matches, $join of many references to one long
  string, $string of such an array) are refused before they build it, with AWS's "memory
  limit exceeded" failure; the evaluation's own bound sees each value only once it exists.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sfn_flows.asl.jsonata import load_library
from sfn_flows.engine.json_values import json_problem, min_text_length
from sfn_flows.engine.jsonata_values import to_jsonata
from sfn_flows.engine.limits import MAX_JSON_DEPTH

# Algorithms $hash accepts, by the names AWS documents (case-sensitive).
_HASHES: Final = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
# $range builds its whole array at once; past this many elements it refuses instead of
# filling memory (JSONata's own range operator stops at the same size).
MAX_RANGE_ITEMS: Final = 1_000_000
MEMORY_LIMIT_MESSAGE: Final = "Expression evaluation memory limit exceeded"


class Runaway(Exception):
    """An expression past its bounds (depth, time, size): raised from inside the evaluator."""


@dataclass(frozen=True)
class Library:
    """jsonata-python and what is built on it once."""

    JException: type[Exception]
    null: Any
    functions: Mapping[str, Any]
    runaway: Callable[[str], Exception]
    now_function: Callable[[int], Any]
    millis_function: Callable[[int], Any]


def build_library(max_value_bytes: int) -> Library:
    """The library, with the guards refusing values over `max_value_bytes`."""
    import hashlib
    import random
    import uuid

    load_library()
    import jsonata
    from jsonata.functions import Functions
    from jsonata.utils import Utils

    jexception = jsonata.JException

    class JsonataRunaway(jexception, Runaway):  # type: ignore[misc,valid-type]
        # A JException: the evaluator turns any other exception raised inside `and`/`or`
        # into a bare "Unexpected" error, and the message would be lost.
        def __init__(self, message: str) -> None:
            super().__init__("D1011", -1)
            self.args = (message,)

    class Native(jsonata.Jsonata.JFunctionCallable):  # type: ignore[misc]
        def __init__(self, name: str, implementation: Callable[..., Any], arity: int) -> None:
            self.name = name
            self.implementation = implementation
            self.arity = arity

        def call(self, input: Any, args: Any) -> Any:
            values = list(args or [])
            for index, value in enumerate(values, start=1):
                # The port's signatures let JSON null through where JSONata refuses it.
                if value is Utils.NULL_VALUE:
                    raise jexception("T0410", -1, index, self.name)
            values += [None] * (self.arity - len(values))
            return self.implementation(*values[: self.arity])

    class Guarded(jsonata.Jsonata.JNativeFunction):  # type: ignore[misc]
        """A built-in with its own name, signature and messages, checked before it runs."""

        def __init__(self, name: str, check: Callable[[list[Any]], int]) -> None:
            self.__dict__.update(jsonata.Jsonata.static_frame.lookup(name).__dict__)
            self.check = check

        def call(self, input: Any, args: Any) -> Any:
            if self.check(list(args or [])) > max_value_bytes:
                raise JsonataRunaway(MEMORY_LIMIT_MESSAGE)
            return super().call(input, args)

    def function(name: str, signature: str, arity: int, implementation: Callable[..., Any]) -> Any:
        return jsonata.Jsonata.JFunction(Native(name, implementation, arity), signature)

    def fail(message: str) -> Exception:
        # D3137 is JSONata's code for an error a function raises with its own message.
        error: Exception = jexception("D3137", -1, message)
        return error

    def partition(array: Any, size: Any) -> Any:
        if array is None or size is None:
            return None
        chunk = int(size)
        if chunk < 0:
            raise fail(f"The chunk size of $partition must be zero or greater, not {chunk}")
        if chunk == 0 or not array:
            return None
        items = list(array)
        return [items[start : start + chunk] for start in range(0, len(items), chunk)]

    def range_(start: Any, end: Any, step: Any) -> Any:
        if start is None or end is None or step is None:
            return None
        first, last, stride = int(start), int(end), int(step)
        if stride == 0 or (last - first) * stride < 0:
            return None
        count = (last - first) // stride + 1
        if count > MAX_RANGE_ITEMS:
            raise fail(f"$range would build {count} values; it builds at most {MAX_RANGE_ITEMS}")
        # A sequence, not an array: one value comes back as the bare number, as on AWS.
        return Utils.create_sequence_from_iter(first + i * stride for i in range(count))

    def hash_(value: Any, algorithm: Any) -> Any:
        if value is None or algorithm is None:
            return None
        name = _HASHES.get(algorithm)
        if name is None:
            raise fail(
                f"$hash does not support the algorithm '{algorithm}': use one of "
                + ", ".join(_HASHES)
            )
        return hashlib.new(name, str(value).encode("utf-8")).hexdigest()

    def random_(seed: Any) -> Any:
        if seed is None:
            return random.random()
        return _java_random_double(int(seed))

    def parse(text: Any) -> Any:
        if text is None:
            return None
        try:
            parsed = json.loads(text, parse_constant=_reject_constant)
            deep = json_problem(parsed) is not None
        except ValueError as exc:
            raise fail(f"$parse could not read its argument as JSON: {exc}") from None
        except RecursionError:
            deep = True
        if deep:
            raise fail(
                f"$parse read JSON nested more than {MAX_JSON_DEPTH} levels deep, deeper than "
                "the engine carries JSON"
            )
        return to_jsonata(parsed, Utils.NULL_VALUE)

    functions: dict[str, Any] = {
        "partition": function("partition", "<an:a>", 2, partition),
        "range": function("range", "<nnn?:a>", 3, range_),
        "hash": function("hash", "<ss?:s>", 2, hash_),
        "random": function("random", "<n?:n>", 1, random_),
        "uuid": function("uuid", "<:s>", 0, lambda: str(uuid.uuid4())),
        "parse": function("parse", "<s:x>", 1, parse),
        # AWS offers $parse instead of $eval; a call is a call to nothing (T1006).
        "eval": None,
        "pad": Guarded("pad", _padded_length),
        "replace": Guarded("replace", _replaced_length),
        "join": Guarded("join", _joined_length),
        "string": Guarded("string", lambda args: min_text_length(args[0] if args else None)),
    }

    def now_function(millis: int) -> Any:
        return function(
            "now",
            "<s?s?:s>",
            2,
            lambda picture, zone: Functions.datetime_from_millis(millis, picture, zone),
        )

    def millis_function(millis: int) -> Any:
        return function("millis", "<:n>", 0, lambda: millis)

    return Library(
        JException=jexception,
        null=Utils.NULL_VALUE,
        functions=functions,
        runaway=JsonataRunaway,
        now_function=now_function,
        millis_function=millis_function,
    )


# -- how long a guarded built-in's result would be (at least) ---------------------------------


def _padded_length(args: list[Any]) -> int:
    width = args[1] if len(args) > 1 else None
    if isinstance(width, bool) or not isinstance(width, int | float):
        return 0
    try:
        return int(abs(width))
    except (OverflowError, ValueError):  # an infinite width: JSONata refuses it itself
        return 0


def _replaced_length(args: list[Any]) -> int:
    """A lower bound: each match makes way for the replacement's own text (group references
    add more). Only a plain string pattern is counted; a regex or a function is left to the
    evaluation's own bounds."""
    text, pattern, replacement = ([*args, None, None, None])[:3]
    if not (isinstance(text, str) and isinstance(pattern, str) and pattern):
        return 0
    if not isinstance(replacement, str):
        return 0
    matches = text.count(pattern)
    limit = args[3] if len(args) > 3 else None
    if isinstance(limit, int | float) and not isinstance(limit, bool) and limit >= 0:
        matches = min(matches, int(limit))
    return len(text) + matches * (len(replacement) - len(pattern))


def _joined_length(args: list[Any]) -> int:
    strings = args[0] if args else None
    if not isinstance(strings, list):
        return 0
    separator = args[1] if len(args) > 1 and isinstance(args[1], str) else ""
    total = len(separator) * max(len(strings) - 1, 0)
    for item in strings:
        if isinstance(item, str):
            total += len(item)
    return total


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_JAVA_MULTIPLIER: Final = 0x5DEECE66D
_JAVA_MASK: Final = (1 << 48) - 1


def _java_random_double(seed: int) -> float:
    """`new java.util.Random(seed).nextDouble()`: a seeded $random repeats across runs."""
    state = (seed ^ _JAVA_MULTIPLIER) & _JAVA_MASK

    def next_bits(bits: int) -> int:
        nonlocal state
        state = (state * _JAVA_MULTIPLIER + 0xB) & _JAVA_MASK
        return state >> (48 - bits)

    high = next_bits(26)
    low = next_bits(27)
    return ((high << 27) + low) * 2.0**-53
