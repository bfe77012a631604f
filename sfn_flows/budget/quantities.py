"""Reading counts and durations out of untrusted JSON values without ever raising."""

from __future__ import annotations

import math


def as_int(value: object) -> int | None:
    # bool is a subclass of int, but JSON `true` is never a count or a duration.
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def as_non_negative_int(value: object) -> int | None:
    number = as_int(value)
    return number if number is not None and number >= 0 else None


def as_positive_int(value: object) -> int | None:
    number = as_int(value)
    return number if number is not None and number > 0 else None


def to_float(value: int) -> float:
    # JSON integers are unbounded; float() raises OverflowError past ~1.8e308.
    try:
        return float(value)
    except OverflowError:
        return math.inf


def times(seconds: float, count: int) -> float:
    """``seconds * count`` that neither raises on huge counts nor turns 0 * inf into NaN."""
    if seconds == 0 or count == 0:
        return 0.0
    return seconds * to_float(count)


def ceil_div(numerator: int, denominator: int) -> int:
    # Integer arithmetic: math.ceil(a / b) loses precision (or overflows) for huge JSON ints.
    return -(-numerator // denominator)
