"""JSONata as Step Functions evaluates it: `{% %}` templates, Choice conditions and
single-value fields, with `$states`, the variables in scope and the functions AWS adds.

Every failure is a `States.QueryEvaluationError` whose cause names the expression and the
field it was written in (`Output/result`, `Arguments/list[0]`, `Items`), as AWS writes it.
jsonata-python is imported on first use: it costs ~25 ms, and `import sfn_flows.engine` must
stay fast for definitions that never use JSONata.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.asl.jsonata import expression_text, is_jsonata, load_library
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.json_text import compact_json
from sfn_flows.engine.jsonata_functions import (
    MEMORY_LIMIT_MESSAGE,
    Library,
    Runaway,
    build_library,
)
from sfn_flows.engine.jsonata_values import TooDeep, Unsupported, from_jsonata, to_jsonata
from sfn_flows.engine.limits import MAX_JSON_DEPTH

if TYPE_CHECKING:
    from jsonata import Jsonata

QUERY_EVALUATION_ERROR: Final = "States.QueryEvaluationError"


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
            f"Expected '{kinds[0]}', but was '{json_type(result)}' "
            f"for value: {compact_json(result)}",
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
    except Runaway as exc:
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
        return from_jsonata(raw, runtime.null, MAX_JSON_DEPTH)
    except Unsupported:
        raise _failure(scope.frame, source, field, "returned an unsupported result type.") from None
    except TooDeep:
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
        return to_jsonata(value, null, self.frame.jsonata_values)


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
            raise _runaway(MEMORY_LIMIT_MESSAGE)


def _runaway(message: str) -> Exception:
    return _runtime().runaway(message)


@lru_cache(maxsize=1)
def _runtime() -> Library:
    return build_library(DEFAULT_BOUNDS.max_value_bytes)


@lru_cache(maxsize=2048)
def _compile(text: str) -> Jsonata:
    load_library()
    import jsonata

    expression = jsonata.Jsonata(text)
    # Undefined and null stay apart: undefined fails the field, null is a value.
    expression.set_output_convert_nulls(False)
    return expression
