"""Retriers: their defaults, the limits AWS enforces on their fields, and the delay before
each retry.

The delay before retry n (0 for the first) is ``IntervalSeconds * BackoffRate**n``, capped at
``MaxDelaySeconds`` when there is one. ``JitterStrategy: FULL`` waits a random time between 0
and that delay instead; ``NONE`` (the default) waits the delay itself.

BackoffRate is at least 1.0: AWS's own ASL schema (aws/amazon-states-language-service,
src/json-schema/partial/common.json: ``"minimum": 1.0``, "A number (>= 1)") and the ASL spec
say so, so delays never shrink.
"""

from __future__ import annotations

import math
from typing import Final

from sfn_flows.asl.fields import MAX_SECONDS

DEFAULT_INTERVAL_SECONDS: Final = 1
DEFAULT_MAX_ATTEMPTS: Final = 3
DEFAULT_BACKOFF_RATE: Final = 2.0
MIN_BACKOFF_RATE: Final = 1.0
JITTER_STRATEGIES: Final = ("FULL", "NONE")
DEFAULT_JITTER_STRATEGY: Final = "NONE"
# The smallest value of each integer field of a retrier; the largest is MAX_SECONDS.
INTEGER_MINIMUMS: Final = {"IntervalSeconds": 1, "MaxAttempts": 0, "MaxDelaySeconds": 1}

# Beyond this many delays a closed form takes over, so MaxAttempts of 99,999,999 stays cheap.
_EXACT_STEPS = 1024


def retrier_integer(key: str, value: object) -> int | None:
    """`value` when AWS allows it for the retrier field `key` (IntervalSeconds, MaxAttempts,
    MaxDelaySeconds: an integer from its minimum to MAX_SECONDS), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if INTEGER_MINIMUMS[key] <= value <= MAX_SECONDS else None


def backoff_rate(value: object) -> float | None:
    """`value` as a float when AWS allows it as a BackoffRate (a number >= 1.0), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        rate = float(value)
    except OverflowError:  # a JSON integer too large for a float
        return None
    return rate if math.isfinite(rate) and rate >= MIN_BACKOFF_RATE else None


def retry_delay(
    interval: float, backoff_rate: float, retry: int, max_delay: float | None = None
) -> float:
    """Seconds before retry number `retry` (0 for the first), before any jitter."""
    if interval <= 0:
        return 0.0  # 0 * inf would be NaN once the power overflows
    delay = interval * _power(backoff_rate, retry)
    return delay if max_delay is None else min(delay, float(max_delay))


def jittered(delay: float, strategy: str, draw: float) -> float:
    """The wait for `delay` under `strategy`; `draw` is a uniform random number in [0, 1]."""
    return delay * draw if strategy == "FULL" else delay


def retrier_waits(attempts: int, interval: float, rate: float, cap: float | None) -> float:
    """Sum of the delays before `attempts` retries: the longest a retrier can wait in all
    (FULL jitter draws each delay between 0 and this one). Takes the values the rules above
    allow (``rate >= 1``, ``attempts <= MAX_SECONDS``)."""
    if attempts <= 0 or interval <= 0:
        return 0.0
    total = 0.0
    delay = interval
    step = 0
    while step < attempts and step < _EXACT_STEPS:
        if cap is not None and delay >= cap:
            # Delays never shrink again, so every remaining one is the cap.
            return total + cap * (attempts - step)
        total += delay
        delay *= rate
        step += 1
    if step == attempts:
        return total
    return total + _geometric_tail(delay, rate, cap, attempts - step)


def _geometric_tail(first: float, rate: float, cap: float | None, count: int) -> float:
    if not math.isfinite(first):
        return math.inf
    if rate == 1:
        return (first if cap is None else min(first, cap)) * count
    uncapped = count
    if cap is not None:
        # Difference of logs, not log(cap / first): the quotient overflows for tiny delays.
        steps = (math.log(cap) - math.log(first)) / math.log(rate)
        uncapped = min(count, max(0, math.ceil(steps)))
    growth = _power(rate, uncapped)
    if not math.isfinite(growth):
        return math.inf
    capped_part = cap * (count - uncapped) if cap is not None else 0.0
    return first * (growth - 1) / (rate - 1) + capped_part


def _power(base: float, exponent: int) -> float:
    # Exact for the small powers a run meets (2.0 ** 3 == 8.0); float ** int raises
    # OverflowError instead of returning inf. The base is >= 1 here.
    try:
        return float(base) ** exponent
    except OverflowError:
        return math.inf
