"""Worst-case cost of a state's ``Retry`` field."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sfn_flows.asl.error_names import can_match
from sfn_flows.asl.fields import MAX_SECONDS
from sfn_flows.asl.pointers import child_pointer
from sfn_flows.asl.retry import (
    DEFAULT_BACKOFF_RATE,
    DEFAULT_INTERVAL_SECONDS,
    DEFAULT_MAX_ATTEMPTS,
    INTEGER_MINIMUMS,
    MIN_BACKOFF_RATE,
    backoff_rate,
    retrier_integer,
    retrier_waits,
)
from sfn_flows.budget.model import Unbounded
from sfn_flows.budget.quantities import times


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


def _never_fires(error_equals: object) -> bool:
    """A retrier whose every name matches no error a run raises (States.Runtime, an unknown
    States.* name) never adds an attempt."""
    if not isinstance(error_equals, list) or not error_equals:
        return False
    return not any(isinstance(name, str) and can_match(name) for name in error_equals)


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
    """The retrier's numbers, read with the rules AWS enforces (asl.retry): a value AWS
    would refuse leaves the retrier's cost unknown."""

    def invalid(key: str) -> Unbounded:
        expected = (
            f"a number >= {MIN_BACKOFF_RATE}"
            if key == "BackoffRate"
            else f"an integer from {INTEGER_MINIMUMS[key]} to {MAX_SECONDS}"
        )
        reason = f"{key} is not {expected}, so this retrier's cost is unknown"
        return Unbounded(child_pointer(pointer, key), state, reason)

    attempts = retrier_integer("MaxAttempts", retrier.get("MaxAttempts", DEFAULT_MAX_ATTEMPTS))
    if attempts is None:
        return invalid("MaxAttempts")
    interval = retrier_integer(
        "IntervalSeconds", retrier.get("IntervalSeconds", DEFAULT_INTERVAL_SECONDS)
    )
    if interval is None:
        return invalid("IntervalSeconds")
    rate = backoff_rate(retrier.get("BackoffRate", DEFAULT_BACKOFF_RATE))
    if rate is None:
        return invalid("BackoffRate")
    if "MaxDelaySeconds" not in retrier:
        return attempts, float(interval), rate, None
    cap = retrier_integer("MaxDelaySeconds", retrier["MaxDelaySeconds"])
    if cap is None:
        return invalid("MaxDelaySeconds")
    return attempts, float(interval), rate, float(cap)
