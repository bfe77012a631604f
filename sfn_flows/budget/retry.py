"""Worst-case cost of a state's ``Retry`` field."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from sfn_flows.budget.model import Unbounded, child_pointer
from sfn_flows.budget.quantities import (
    as_non_negative_int,
    as_non_negative_number,
    times,
)

_T = TypeVar("_T")

DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_INTERVAL_SECONDS = 1.0
DEFAULT_BACKOFF_RATE = 2.0

# States.ALL cannot match these and a run that raises them ends at once, so a retrier
# naming only them never adds an attempt.
TERMINAL_ERRORS = frozenset({"States.Runtime", "States.DataLimitExceeded"})

# Beyond this many delays a closed form takes over, so MaxAttempts of 99,999,999 stays cheap.
_EXACT_STEPS = 1024


@dataclass(frozen=True)
class RetryCost:
    """Extra attempts and back-off waits that the retriers of one state can add."""

    extra_attempts: int
    wait_seconds: float
    unbounded: tuple[Unbounded, ...]

    def apply(self, body_seconds: float) -> float:
        """Worst case of the state: every attempt runs the full body, plus every wait."""
        return times(body_seconds, 1 + self.extra_attempts) + self.wait_seconds


NO_RETRY = RetryCost(extra_attempts=0, wait_seconds=0.0, unbounded=())


def retrier_waits(attempts: int, interval: float, rate: float, cap: float | None) -> float:
    """Sum of ``min(interval * rate**k, cap)`` for k in ``range(attempts)``.

    JitterStrategy FULL draws each delay between 0 and this value, so the un-jittered
    sum is the upper bound for both FULL and NONE.
    """
    if attempts <= 0 or interval <= 0:
        return 0.0
    total = 0.0
    delay = interval
    step = 0
    while step < attempts and step < _EXACT_STEPS:
        if cap is not None and delay >= cap and rate >= 1:
            # Delays never shrink again, so every remaining one is the cap.
            return total + times(cap, attempts - step)
        total += delay if cap is None else min(delay, cap)
        delay *= rate
        step += 1
    if step == attempts:
        return total
    return total + _geometric_tail(delay, rate, cap, attempts - step)


def _geometric_tail(first: float, rate: float, cap: float | None, count: int) -> float:
    if not math.isfinite(first):
        return math.inf
    if first <= 0:
        return 0.0
    if rate == 1:
        return times(first if cap is None else min(first, cap), count)
    if rate < 1:
        # Shrinking delays: capped while above the cap, then a plain geometric series.
        capped = 0
        if cap is not None and first > cap:
            steps = (math.log(first) - math.log(cap)) / -math.log(rate)
            capped = min(count, max(0, math.ceil(steps)))
        rest = first * _power(rate, capped)
        capped_part = times(cap, capped) if cap is not None else 0.0
        return capped_part + rest * (1 - _power(rate, count - capped)) / (1 - rate)
    uncapped = count
    if cap is not None:
        # Difference of logs, not log(cap / first): the quotient overflows for tiny delays.
        steps = (math.log(cap) - math.log(first)) / math.log(rate)
        uncapped = min(count, max(0, math.ceil(steps)))
    growth = _power(rate, uncapped)
    if not math.isfinite(growth):
        return math.inf
    capped_part = times(cap, count - uncapped) if cap is not None else 0.0
    return first * (growth - 1) / (rate - 1) + capped_part


def _power(base: float, exponent: int) -> float:
    # float ** int raises OverflowError instead of returning inf (or 0 for a shrinking base).
    if base <= 0:
        return 0.0
    try:
        return math.exp(exponent * math.log(base))
    except OverflowError:
        return math.inf if base > 1 else 0.0


def _never_fires(error_equals: object) -> bool:
    if not isinstance(error_equals, list) or not error_equals:
        return False
    return all(isinstance(name, str) and name in TERMINAL_ERRORS for name in error_equals)


def retry_cost(retry: object, state: str, pointer: str) -> RetryCost:
    """Cost of the ``Retry`` value found at ``pointer`` (``None`` when the field is absent)."""
    if retry is None:
        return NO_RETRY
    if not isinstance(retry, list):
        reason = "Retry is not a list of retriers, so its attempts cannot be counted"
        return RetryCost(0, 0.0, (Unbounded(pointer, state, reason),))
    extra_attempts = 0
    waits = 0.0
    problems: list[Unbounded] = []
    for index, retrier in enumerate(retry):
        retrier_pointer = child_pointer(pointer, index)
        if not isinstance(retrier, Mapping):
            reason = "Retrier is not an object, so its attempts cannot be counted"
            problems.append(Unbounded(retrier_pointer, state, reason))
            continue
        if _never_fires(retrier.get("ErrorEquals")):
            continue
        parsed = _parse_retrier(retrier, state, retrier_pointer)
        if isinstance(parsed, Unbounded):
            problems.append(parsed)
            continue
        attempts, interval, rate, cap = parsed
        retrier_wait = retrier_waits(attempts, interval, rate, cap)
        if not math.isfinite(retrier_wait):
            reason = "Retrier back-off grows beyond any representable duration"
            problems.append(Unbounded(retrier_pointer, state, reason))
            continue
        extra_attempts += attempts
        waits += retrier_wait
    return RetryCost(extra_attempts, waits, tuple(problems))


def _parse_retrier(
    retrier: Mapping[object, object], state: str, pointer: str
) -> tuple[int, float, float, float | None] | Unbounded:
    def invalid(key: str, expected: str) -> Unbounded:
        reason = f"{key} is not {expected}, so this retrier's cost is unknown"
        return Unbounded(child_pointer(pointer, key), state, reason)

    attempts = _read(retrier, "MaxAttempts", DEFAULT_MAX_ATTEMPTS, as_non_negative_int)
    if attempts is None:
        return invalid("MaxAttempts", "a non-negative integer")
    interval = _read(retrier, "IntervalSeconds", DEFAULT_INTERVAL_SECONDS, as_non_negative_number)
    if interval is None:
        return invalid("IntervalSeconds", "a non-negative number")
    rate = _read(retrier, "BackoffRate", DEFAULT_BACKOFF_RATE, as_non_negative_number)
    if rate is None:
        return invalid("BackoffRate", "a non-negative number")
    if "MaxDelaySeconds" not in retrier:
        return attempts, interval, rate, None
    cap = as_non_negative_number(retrier["MaxDelaySeconds"])
    if cap is None or cap == 0:
        return invalid("MaxDelaySeconds", "a positive number")
    return attempts, interval, rate, cap


def _read(
    retrier: Mapping[object, object],
    key: str,
    default: _T,
    parse: Callable[[object], _T | None],
) -> _T | None:
    return parse(retrier[key]) if key in retrier else default
