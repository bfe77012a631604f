"""Checks on the values a caller hands the engine (an execution's input, a callback's
output, a definition): JSON, with string keys, nested no deeper than the engine carries.

`json.dumps` alone would not do: it turns a key 1 into "1" (so {1: "a", "1": "b"} loses a
value), and it recurses, so a value nested 100,000 deep raises RecursionError instead of
being refused. The walk here is iterative and names the place of the first problem.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final, NamedTuple

from sfn_flows.asl.pointers import escape_pointer_token
from sfn_flows.engine.errors import EngineUsageError
from sfn_flows.engine.limits import MAX_JSON_DEPTH

# Python refuses to print an int of more than 4,300 digits (about 14,284 bits); JSON text
# cannot carry one that cannot be printed.
_MAX_INT_BITS: Final = 14_000
_SHOWN_POINTER: Final = 80


class JsonProblem(NamedTuple):
    """Where a value stops being JSON the engine carries (a JSON pointer) and what is there.
    `kind`: "depth", "key" or "value"."""

    pointer: str
    what: str
    kind: str

    def shown_pointer(self) -> str:
        """The pointer, cut short: one to a value 512 levels down is thousands of characters."""
        text = self.pointer or "/"
        return text if len(text) <= _SHOWN_POINTER else text[:_SHOWN_POINTER] + "..."


def json_text(value: Any, what: str) -> str:
    """`value` as compact JSON text, or EngineUsageError saying where it is not JSON the
    engine runs (`what` names the value: "input", ...)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        text = None
    # The common case costs two C-speed passes: fewer brackets than the depth bound cannot
    # nest past it, and a value that reads back equal has only string keys (json.dumps turns
    # a key 1 into "1"). Anything else is walked, which names the problem if there is one.
    if (
        text is not None
        and text.count("{") + text.count("[") <= MAX_JSON_DEPTH
        and json.loads(text) == value
    ):
        return text
    problem = json_problem(value)
    if problem is not None:
        raise EngineUsageError(
            f"the {what} is not JSON at {problem.shown_pointer()}: {problem.what}; use dicts "
            "with string keys, lists, strings, numbers, booleans and None, nested at most "
            f"{MAX_JSON_DEPTH} levels deep."
        )
    assert text is not None  # json.dumps refuses nothing the walk accepts
    return text


def json_problem(value: Any, *, max_depth: int = MAX_JSON_DEPTH) -> JsonProblem | None:
    """The first problem of `value` in document order, or None when it is JSON with string
    keys nested at most `max_depth` levels (a scalar is level 0, `{}` and `[]` level 1)."""
    # Each entry carries its place as a link to its parent's ((parent link, token)): the
    # pointer text is built only for the place of a problem.
    stack: list[tuple[Any, _Place, int]] = [(value, None, 1)]
    while stack:
        node, place, depth = stack.pop()
        if isinstance(node, dict):
            if depth > max_depth:
                return JsonProblem(_pointer(place), _too_deep(max_depth), "depth")
            children = []
            for key, child in node.items():
                if not isinstance(key, str):
                    what = f"the key {_short(key)} ({type(key).__name__}), not a string"
                    return JsonProblem(_pointer(place), what, "key")
                children.append((child, (place, key), depth + 1))
            stack.extend(reversed(children))
        elif isinstance(node, list | tuple):
            if depth > max_depth:
                return JsonProblem(_pointer(place), _too_deep(max_depth), "depth")
            stack.extend(
                (child, (place, index), depth + 1)
                for index, child in reversed(list(enumerate(node)))
            )
        elif node is None or isinstance(node, str | bool):
            continue
        elif isinstance(node, int):
            if node.bit_length() > _MAX_INT_BITS:
                what = f"an integer of {node.bit_length()} bits"
                return JsonProblem(_pointer(place), what, "value")
        elif isinstance(node, float):
            if not math.isfinite(node):
                shown = "NaN" if math.isnan(node) else ("Infinity" if node > 0 else "-Infinity")
                return JsonProblem(_pointer(place), f"the number {shown}", "value")
        else:
            what = f"a {type(node).__name__} ({_short(node)})"
            return JsonProblem(_pointer(place), what, "value")
    return None


_Place = tuple[Any, str | int] | None


def _pointer(place: _Place) -> str:
    tokens: list[str] = []
    while place is not None:
        place, token = place
        tokens.append(escape_pointer_token(token))
    return "".join("/" + token for token in reversed(tokens))


def _too_deep(max_depth: int) -> str:
    return f"a value nested more than {max_depth} levels deep"


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # a caller's object whose repr fails is named by its type alone
        return type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def min_text_length(value: Any) -> int:
    """A lower bound on the length of `value` written as compact JSON (exact but for escapes
    in strings and the digits of numbers, counted as one), from which a builder can refuse a
    text too long to write before writing it. Each object and array is measured once however
    often it is referred to: an array of 1,000 references to one long string costs 1,000
    steps, and its length counts the string 1,000 times, as the text would."""
    known: dict[int, int] = {}

    def length(node: Any) -> int:
        if isinstance(node, str):
            return len(node) + 2
        if not isinstance(node, dict | list):
            return 1
        seen = known.get(id(node))
        if seen is not None:
            return seen
        total = 1 + max(len(node), 1)  # the brackets and the commas between members
        if isinstance(node, dict):
            for key, child in node.items():
                total += len(str(key)) + 3 + length(child)
        else:
            for child in node:
                total += length(child)
        known[id(node)] = total
        return total

    return length(value)
