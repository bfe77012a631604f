"""JSONata as Step Functions evaluates it: `{% %}` templates, Choice conditions and
single-value fields, with `$states`, the variables in scope and the functions AWS adds.

Every failure is a `States.QueryEvaluationError` whose cause names the expression and the
field it was written in (`Output/result`, `Arguments/list[0]`, `Items`), as AWS writes it.
jsonata-python is imported on first use: it costs ~25 ms, and `import sfn_flows.engine` must
stay fast for definitions that never use JSONata.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.asl.jsonata import expression_text, is_jsonata, load_library
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.json_values import json_problem
from sfn_flows.engine.limits import MAX_JSON_DEPTH

if TYPE_CHECKING:
    from jsonata import Jsonata

QUERY_EVALUATION_ERROR: Final = "States.QueryEvaluationError"

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
# JavaScript's threshold for writing a whole number in exponent notation; below it an
# integral result prints as an integer, as AWS prints it.
_EXPONENT_THRESHOLD: Final = 1e21


@dataclass(frozen=True, slots=True)
class Bounds:
    """How far one expression may run before it fails the state.

    `max_depth`: nested evaluation steps (AWS refuses an expression nested past 100 levels).
    `timeout_seconds`: wall time of one expression; a tail-recursive loop never nests, so
    only the clock ends it. `max_value_bytes`: size of any one value an expression builds,
    counting a character as one byte and an array element as eight.
    """

    max_depth: int = 100
    timeout_seconds: float = 5.0
    max_value_bytes: int = 6_990_256


DEFAULT_BOUNDS: Final = Bounds()


def evaluate_template(
    value: Any,
    frame: Frame,
    states: Mapping[str, Any],
    *,
    field: str,
    bounds: Bounds = DEFAULT_BOUNDS,
) -> Any:
    """Evaluate every `{% %}` string inside `value` (at any depth); copy everything else.

    `field` names `value` in causes (`Output`, `Arguments`, `Assign`); nested strings are
    named below it: `Output/result`, `Output/list[0]`.
    """
    scope = _Scope(frame, states, bounds)
    return _walk(value, field, scope)


def evaluate_expression(
    value: Any,
    frame: Frame,
    states: Mapping[str, Any],
    *,
    field: str,
    expected: str | tuple[str, ...] = (),
    bounds: Bounds = DEFAULT_BOUNDS,
) -> Any:
    """Evaluate a single-value field (Items, Seconds, Timestamp, MaxConcurrency...).

    An expression's result must be of one of the `expected` JSON types ("array", "object",
    "string", "number", "integer", "boolean", "null"), else the state fails as AWS fails it:
    "... returned an unexpected result type. Expected 'array', but was 'number' for value: 1".
    A literal value is returned as it is (the validator has checked its type).
    """
    scope = _Scope(frame, states, bounds)
    if not is_jsonata(value):
        return _walk(value, field, scope)
    result = _evaluate(value, field, scope)
    kinds = (expected,) if isinstance(expected, str) else expected
    if kinds and not any(_is_kind(result, kind) for kind in kinds):
        raise _failure(
            frame,
            value,
            field,
            "returned an unexpected result type. "
            f"Expected '{kinds[0]}', but was '{json_type(result)}' for value: {_json(result)}",
        )
    return result


def evaluate_condition(
    value: Any,
    frame: Frame,
    states: Mapping[str, Any],
    *,
    field: str = "Condition",
    bounds: Bounds = DEFAULT_BOUNDS,
) -> bool:
    """A JSONata Choice rule's Condition: an expression (or a literal) that must be boolean."""
    result = evaluate_expression(
        value, frame, states, field=field, expected="boolean", bounds=bounds
    )
    if not isinstance(result, bool):
        raise frame.error(
            QUERY_EVALUATION_ERROR,
            f"The Condition field must be a boolean, but was '{json_type(result)}'.",
        )
    return result


def json_type(value: Any) -> str:
    """The JSON type name AWS uses in its causes."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_kind(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return json_type(value) == kind


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# The recursive walkers below use plain loops: a comprehension is a frame of its own, and two
# frames a level would halve the depth the engine carries within Python's recursion limit.


def _walk(node: Any, field: str, scope: _Scope) -> Any:
    # Rebuilt, never shared: the template belongs to the definition and must not be aliased
    # into an execution's data.
    if isinstance(node, str):
        return _evaluate(node, field, scope) if is_jsonata(node) else node
    if isinstance(node, dict):
        built: dict[str, Any] = {}
        for key, child in node.items():
            built[key] = _walk(child, f"{field}/{key}", scope)
        return built
    if isinstance(node, list):
        items = []
        for index, child in enumerate(node):
            items.append(_walk(child, f"{field}[{index}]", scope))
        return items
    return node


def _failure(frame: Frame, source: str, field: str, problem: str) -> StatesError:
    return frame.error(
        QUERY_EVALUATION_ERROR,
        f"The JSONata expression '{expression_text(source)}' specified for the field "
        f"'{field}' {problem}",
    )


def _evaluate(source: str, field: str, scope: _Scope) -> Any:
    """One `{% %}` string's value as JSON, or the failure AWS reports for it."""
    runtime = _runtime()
    try:
        compiled = _compile(expression_text(source))
        budget = _Budget(scope.bounds)
        bindings = scope.bindings(source)
        bindings["__evaluate_entry"] = budget.enter
        bindings["__evaluate_exit"] = budget.leave
        raw = compiled.evaluate(None, bindings)
    except _Runaway as exc:
        raise _failure(
            scope.frame, source, field, f"threw an error during evaluation. {exc}"
        ) from None
    except runtime.JException as exc:
        detail = f"{getattr(exc, 'error', 'D0000')}: {_message(exc)}"
        raise _failure(
            scope.frame, source, field, f"threw an error during evaluation. {detail}"
        ) from None
    except RecursionError:
        # The depth bound normally stops first; this guards a deep input or a deep call chain.
        detail = "Stack overflow error: the expression or its data nests too deeply."
        raise _failure(
            scope.frame, source, field, f"threw an error during evaluation. {detail}"
        ) from None
    except (ZeroDivisionError, OverflowError):
        # JavaScript's JSONata gets Infinity here; jsonata-python cannot carry it on.
        detail = "D1001: Number out of range: Infinity"
        raise _failure(
            scope.frame, source, field, f"threw an error during evaluation. {detail}"
        ) from None
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        raise _failure(
            scope.frame, source, field, f"threw an error during evaluation. {detail}"
        ) from None
    if raw is None:
        raise _failure(scope.frame, source, field, "returned nothing (undefined).")
    try:
        return _from_jsonata(raw, runtime, MAX_JSON_DEPTH)
    except _Unsupported:
        raise _failure(scope.frame, source, field, "returned an unsupported result type.") from None
    except _TooDeep:
        raise _failure(
            scope.frame,
            source,
            field,
            f"returned a value nested more than {MAX_JSON_DEPTH} levels deep, deeper than the "
            "engine carries JSON.",
        ) from None


# JSONata names an array's element type in words ("must be an array of numbers").
_ARRAY_TYPES: Final = {
    "a": "arrays",
    "b": "booleans",
    "f": "functions",
    "n": "numbers",
    "o": "objects",
    "s": "strings",
}


def _message(exc: Exception) -> str:
    text = str(exc)
    # The Python port renders JSONata's word "function" as "Object" in its message catalogue
    # (e.g. T0410 "Argument 1 of Object uppercase does not match Object signature") and the
    # element type of T0412 as its signature letter.
    text = re.sub(r"\bObject\b", "function", text)
    code = getattr(exc, "error", None)
    if code == "D1001":
        text = re.sub(r"\binf\b", "Infinity", text)
    elif code == "T0412":
        text = re.sub(r"array of (\w)$", lambda m: "array of " + _ARRAY_TYPES.get(m[1], m[1]), text)
    return text


class _Scope:
    """What one field's expressions see: `$states`, the variables and the functions."""

    __slots__ = ("_bindings", "_clock", "bounds", "frame", "states")

    def __init__(self, frame: Frame, states: Mapping[str, Any], bounds: Bounds) -> None:
        self.frame = frame
        self.states = states
        self.bounds = bounds
        self._bindings: dict[str, Any] | None = None
        self._clock: dict[str, Any] | None = None

    def bindings(self, source: str) -> dict[str, Any]:
        """A fresh dict per expression (the caller adds its own budget callbacks)."""
        runtime = _runtime()
        if self._bindings is None:
            bound: dict[str, Any] = dict(runtime.functions)
            # A variable may shadow a function name, as it does on AWS.
            for name, value in self.frame.variables.items():
                bound[name] = self._converted(value, runtime.null)
            states = {}
            for name, value in self.states.items():
                states[name] = self._converted(value, runtime.null)
            bound["states"] = states
            self._bindings = bound
        bindings = dict(self._bindings)
        if "$now" in source or "$millis" in source:
            if self._clock is None:
                millis = _evaluation_millis(self.frame.context)
                self._clock = {
                    "now": runtime.now_function(millis),
                    "millis": runtime.millis_function(millis),
                }
            # Under the variables: a variable named `now` still shadows the function.
            bindings = {**self._clock, **bindings}
        return bindings

    def _converted(self, value: Any, null: Any) -> Any:
        # Each object and array copied once per frame: a Map's 1,000 ItemSelector evaluations
        # share one copy of the state's input and of the execution input in the context.
        return _to_jsonata(value, null, self.frame.jsonata_values)


def _evaluation_millis(context: Mapping[str, Any]) -> int:
    """$now() and $millis(): the state's entered time, so they follow a virtual clock."""
    state = context.get("State")
    entered = state.get("EnteredTime") if isinstance(state, Mapping) else None
    if isinstance(entered, str):
        try:
            return int(datetime.fromisoformat(entered.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            pass
    return int(time.time() * 1000)


def _to_jsonata(value: Any, null: Any, copies: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """A copy of a JSON value as JSONata reads it: JSON null is JSONata's null, not undefined.
    `copies`: objects and arrays already copied, by identity, reused (jsonata-python leaves
    its bindings unchanged)."""
    if value is None:
        return null
    if not isinstance(value, dict | list):
        return value
    if copies is not None:
        known = copies.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
    built: Any
    if isinstance(value, dict):
        built = {}
        for key, child in value.items():
            built[key] = _to_jsonata(child, null, copies)
    else:
        built = []
        for child in value:
            built.append(_to_jsonata(child, null, copies))
    if copies is not None:
        copies[id(value)] = (value, built)
    return built


class _Unsupported(Exception):
    """A result JSON cannot hold (a function, a regex)."""


class _TooDeep(Exception):
    """A result nested deeper than the engine carries JSON (built level by level, e.g. by
    $reduce, without the recursion the depth bound counts)."""


def _from_jsonata(value: Any, runtime: _Runtime, levels: int) -> Any:
    """A JSONata result as plain JSON: null for JSONata null, whole floats as integers.
    `levels`: how many more objects and arrays may nest inside each other."""
    if value is None or value is runtime.null:
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            # JSON has no literal for these; AWS writes JavaScript's name for them.
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        if value.is_integer() and abs(value) < _EXPONENT_THRESHOLD:
            return int(value)
        return value
    if isinstance(value, dict | list):
        if levels <= 0:
            raise _TooDeep
        if isinstance(value, dict):
            built: dict[str, Any] = {}
            for key, child in value.items():
                built[str(key)] = _from_jsonata(child, runtime, levels - 1)
            return built
        items = []
        for child in value:
            items.append(_from_jsonata(child, runtime, levels - 1))
        return items
    raise _Unsupported


class _Runaway(Exception):
    """An expression past its bounds: raised from inside the evaluator."""


class _Budget:
    """Depth, time and size bounds of one evaluation, checked on every step."""

    __slots__ = ("bounds", "deadline", "depth")

    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds
        self.depth = 0
        self.deadline = time.monotonic() + bounds.timeout_seconds

    def enter(self, expr: Any, input: Any, env: Any) -> None:
        if env.is_parallel_call:
            return
        self.depth += 1
        if self.depth > self.bounds.max_depth:
            raise _runaway(
                "Stack overflow error: Check for non-terminating recursive function.  "
                f"Consider rewriting as tail-recursive. Depth={self.depth} "
                f"max={self.bounds.max_depth}"
            )
        if time.monotonic() > self.deadline:
            raise _runaway("Expression evaluation timeout: Check for infinite loop")

    def leave(self, expr: Any, input: Any, env: Any, result: Any) -> None:
        if env.is_parallel_call:
            return
        self.depth -= 1
        if isinstance(result, str):
            size = len(result)
        elif isinstance(result, list):
            size = 8 * len(result)
        else:
            return
        if size > self.bounds.max_value_bytes:
            raise _runaway("Expression evaluation memory limit exceeded")


def _runaway(message: str) -> Exception:
    # Raised as a JException subclass: the evaluator turns any other exception raised inside
    # `and`/`or` into a bare "Unexpected" error and the message would be lost.
    return _runtime().runaway(message)


@dataclass(frozen=True)
class _Runtime:
    """jsonata-python and what is built on it once: imported on first use."""

    JException: type[Exception]
    null: Any
    functions: Mapping[str, Any]
    runaway: Callable[[str], Exception]
    now_function: Callable[[int], Any]
    millis_function: Callable[[int], Any]


@lru_cache(maxsize=1)
def _runtime() -> _Runtime:
    # Imported here with the library: only JSONata definitions need them.
    import hashlib
    import random
    import uuid

    load_library()
    import jsonata
    from jsonata.functions import Functions
    from jsonata.utils import Utils

    jexception = jsonata.JException

    class Runaway(jexception, _Runaway):  # type: ignore[misc,valid-type]
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
        return _to_jsonata(parsed, Utils.NULL_VALUE)

    functions: dict[str, Any] = {
        "partition": function("partition", "<an:a>", 2, partition),
        "range": function("range", "<nnn?:a>", 3, range_),
        "hash": function("hash", "<ss?:s>", 2, hash_),
        "random": function("random", "<n?:n>", 1, random_),
        "uuid": function("uuid", "<:s>", 0, lambda: str(uuid.uuid4())),
        "parse": function("parse", "<s:x>", 1, parse),
        # AWS offers $parse instead of $eval; a call is a call to nothing (T1006).
        "eval": None,
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

    return _Runtime(
        JException=jexception,
        null=Utils.NULL_VALUE,
        functions=functions,
        runaway=Runaway,
        now_function=now_function,
        millis_function=millis_function,
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@lru_cache(maxsize=2048)
def _compile(text: str) -> Jsonata:
    load_library()
    import jsonata

    expression = jsonata.Jsonata(text)
    # Undefined and null stay apart: undefined fails the field, null is a value.
    expression.set_output_convert_nulls(False)
    return expression


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
