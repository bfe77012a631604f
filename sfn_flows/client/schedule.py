"""When to poll a running execution: decorrelated-jitter backoff under a lateness cap.

Pure functions, no I/O: the wait loop and the tests share them.

The schedule, with t_k the time of poll k since waiting began and d_k the sleep before it:

    d_1     = first                                          (1 s)
    d_{k+1} = min(cap(t_k), uniform(floor, growth * d_k))    (floor 1 s, growth 3)
    cap(t)  = max_lateness_base + max_lateness_fraction * t  (1 s + 10 % of t)

`uniform(floor, growth * d_k)` is the decorrelated jitter of the AWS Architecture Blog's
"Exponential Backoff And Jitter" (`sleep = min(cap, random_between(base, sleep * 3))`): the
delays grow exponentially in expectation and clients started together drift apart.

Why the cap grows with elapsed time: an execution that ends at T, just after poll k
(t_k < T), is noticed at the next poll t_{k+1} = t_k + d_{k+1} <= t_k + 1 + 0.1 t_k
< T + 1 + 0.1 T. So completion is noticed at most `1 s + 10 %` of the execution's
duration late (plus one request's latency), whatever T is, and `first <= 1 s` covers
executions that end before the first poll. A fixed cap would either make short executions
late or long ones expensive.

The price of that guarantee: poll k can come no later than 10 (1.1^k - 1) s, so no schedule
keeping it polls fewer than 15 times for a 30-second execution. Jitter at its top gives
exactly those 15 (t_k = 10 (1.1^k - 1) with these defaults); on average it costs one more.
A first poll earlier than 1 s would notice sub-second executions sooner for one more call.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class PollSchedule:
    first: float = 1.0
    floor: float = 1.0
    growth: float = 3.0
    max_lateness_base: float = 1.0
    max_lateness_fraction: float = 0.1

    def __post_init__(self) -> None:
        # Each of these would break the lateness guarantee or make the schedule degenerate.
        if not 0 < self.first <= self.max_lateness_base:
            raise ValueError("first must be in (0, max_lateness_base]")
        if not 0 < self.floor <= self.max_lateness_base:
            raise ValueError("floor must be in (0, max_lateness_base]")
        if self.growth < 1 or self.max_lateness_fraction < 0:
            raise ValueError("growth must be >= 1 and max_lateness_fraction >= 0")

    def cap(self, elapsed: float) -> float:
        """The longest sleep allowed after a poll made `elapsed` seconds into the wait."""
        return self.max_lateness_base + self.max_lateness_fraction * max(elapsed, 0.0)

    def max_lateness(self, duration: float) -> float:
        """The guaranteed bound on how late an execution of `duration` seconds is noticed."""
        return self.cap(duration)

    def next_delay(self, elapsed: float, previous: float, rng: random.Random) -> float:
        """The sleep before the next poll, given the previous sleep and the time of this poll."""
        jittered = rng.uniform(self.floor, max(self.floor, self.growth * previous))
        return min(self.cap(elapsed), jittered)

    def delays(self, rng: random.Random) -> Iterator[float]:
        """The sleeps of an undisturbed wait (each poll made right after its sleep)."""
        delay = self.first
        elapsed = 0.0
        while True:
            yield delay
            elapsed += delay
            delay = self.next_delay(elapsed, delay, rng)

    def poll_times(self, duration: float, rng: random.Random) -> list[float]:
        """Times of the polls that an execution ending at `duration` sees; the last notices it."""
        times: list[float] = []
        elapsed = 0.0
        for delay in self.delays(rng):
            elapsed += delay
            times.append(elapsed)
            if elapsed >= duration:
                return times
        raise AssertionError("unreachable: delays() never ends")  # pragma: no cover


DEFAULT_SCHEDULE = PollSchedule()
