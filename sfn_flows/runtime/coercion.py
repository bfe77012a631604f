"""Pydantic's lax conversions of JSON values, which its JSON Schema does not show.

A model field `int` emits `{"type": "integer"}`, yet pydantic (lax mode, the default)
accepts `true`, `3.0` and `" +1_000 "` for it and refuses `1e300`. The starter must accept
exactly what the workflow's input model accepts, so the schema check converts a value the
way pydantic would before it checks the keywords: each function returns the converted value,
or NOT_CONVERTED. The rules were found by testing pydantic 2 (model_validate_json) and are
held to it by tests/runtime/test_schema_matches_pydantic.py.
"""

from __future__ import annotations

import math
import re
from typing import Final

NOT_CONVERTED: Final = object()

# pydantic turns a float into an int only inside i64's range, both ends excluded.
_I64_LIMIT = 2.0**63
# Rust's str::trim: Unicode White_Space (not \x1c-\x1f, which Python's str.strip removes).
_WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_DIGITS = r"[0-9](?:_?[0-9])*"  # ASCII digits, single underscores between them
_INT_TEXT = re.compile(rf"[+-]?{_DIGITS}(?:\.0+)?", re.ASCII)
_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_FLOAT_WORDS = frozenset({"inf", "infinity", "nan"})
_TRUE_TEXTS = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE_TEXTS = frozenset({"0", "off", "f", "false", "n", "no"})


def to_integer(value: object) -> object:
    """pydantic's `int`: integers, booleans, integral floats in i64's range, and text of an
    integer (ASCII digits, `_` between digits, `.0…` allowed, surrounding spaces)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and -_I64_LIMIT < value < _I64_LIMIT:
            return int(value)
        return NOT_CONVERTED
    if isinstance(value, str):
        text = value.strip(_WHITE_SPACE)
        if _INT_TEXT.fullmatch(text):
            return int(text.split(".", 1)[0].replace("_", ""))
    return NOT_CONVERTED


def to_number(value: object) -> object:
    """pydantic's `float`: numbers, booleans, and text of a number (including inf and nan,
    which pydantic allows by default)."""
    if isinstance(value, bool | int):
        try:
            return float(value)
        except OverflowError:  # an integer beyond a double: pydantic reads it as infinite
            return math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        if "_" in value:
            # Underscores go between any two other characters ("+_1", "1_.5", "1e_5"), and
            # text with underscores is not trimmed: " 1_0" is refused where " 10" is not.
            if value.startswith("_") or value.endswith("_") or "__" in value:
                return NOT_CONVERTED
            text = value.replace("_", "")
        else:
            text = value.strip(_WHITE_SPACE)
        unsigned = text[1:] if text[:1] in ("+", "-") else text
        if unsigned.lower() in _FLOAT_WORDS or _FLOAT_TEXT.fullmatch(text):
            return float(text)
    return NOT_CONVERTED


def to_boolean(value: object) -> object:
    """pydantic's `bool`: booleans, 0 and 1 (also as floats), and yes/no words in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.lower()
        if word in _TRUE_TEXTS:
            return True
        if word in _FALSE_TEXTS:
            return False
    return NOT_CONVERTED


def is_float_multiple(value: float, step: float) -> bool:
    """pydantic's test for a float's `multiple_of` (pydantic-core 2.21 on): the value within
    1e-9 of the nearest multiple, an absolute tolerance; nan and inf pass, as there.

    The nearest multiple is `round(value / step) * step` with Rust's rounding (halves away
    from zero); a quotient that overflows leaves no multiple near enough (1e300 of 1e-12).
    """
    if not math.isfinite(value):
        return True
    quotient = value / step
    nearest = _round_half_away(quotient) * step if math.isfinite(quotient) else math.inf
    return abs(value - nearest) <= 1e-9


def _round_half_away(number: float) -> float:
    whole = float(math.trunc(number))
    # number - whole is exact, so a half is seen as a half (floor(x + 0.5) is not exact).
    return whole + math.copysign(1.0, number) if abs(number - whole) >= 0.5 else whole
