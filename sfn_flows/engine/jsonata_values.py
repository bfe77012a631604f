"""JSON values in and out of jsonata-python's form.

JSONata tells JSON null (a value) from undefined (no value); jsonata-python writes the first
as its own null object and the second as None. Going in, JSON null becomes that object;
coming out, results become plain JSON again, with whole numbers as integers as AWS prints
them. Both walks are plain loops: a comprehension is a frame of its own, and two frames a
level would halve the depth the engine carries within Python's recursion limit.
"""

from __future__ import annotations

import math
from typing import Any, Final

# JavaScript's threshold for writing a whole number in exponent notation; below it an
# integral result prints as an integer, as AWS prints it.
_EXPONENT_THRESHOLD: Final = 1e21


class Unsupported(Exception):
    """A result JSON cannot hold (a function, a regex)."""


class TooDeep(Exception):
    """A result nested deeper than allowed (built level by level, e.g. by $reduce, without the
    recursion the evaluation's depth bound counts)."""


def to_jsonata(value: Any, null: Any, copies: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """A copy of a JSON value as JSONata reads it: JSON null is `null`, JSONata's null.
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
            built[key] = to_jsonata(child, null, copies)
    else:
        built = []
        for child in value:
            built.append(to_jsonata(child, null, copies))
    if copies is not None:
        copies[id(value)] = (value, built)
    return built


def from_jsonata(value: Any, null: Any, levels: int) -> Any:
    """A JSONata result as plain JSON: None for JSONata's `null`, whole floats as integers.
    `levels`: how many more objects and arrays may nest inside each other (TooDeep past it)."""
    if value is None or value is null:
        return None
    if isinstance(value, bool | str | int):
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
            raise TooDeep
        if isinstance(value, dict):
            built: dict[str, Any] = {}
            for key, child in value.items():
                built[str(key)] = from_jsonata(child, null, levels - 1)
            return built
        items = []
        for child in value:
            items.append(from_jsonata(child, null, levels - 1))
        return items
    raise Unsupported
