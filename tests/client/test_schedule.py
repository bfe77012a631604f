"""The poll schedule as a pure function, on a simulated clock: no sleeping, no service."""

from __future__ import annotations

import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_flows.client import DEFAULT_SCHEDULE, PollSchedule


class HighestDraw(random.Random):
    """Jitter always at its top: the sparsest schedule the formula allows."""

    def uniform(self, a: float, b: float) -> float:
        return b


class LowestDraw(random.Random):
    """Jitter always at its bottom: the densest schedule the formula allows."""

    def uniform(self, a: float, b: float) -> float:
        return a


def test_sparsest_schedule_polls_exactly_at_the_lateness_cap() -> None:
    delays = DEFAULT_SCHEDULE.delays(HighestDraw())
    got = [next(delays) for _ in range(6)]
    # d1 = 1; then each sleep is the cap 1 + 0.1 t after a poll at t: t_k = 10 (1.1^k - 1).
    assert got == pytest.approx([1.0, 1.1, 1.21, 1.331, 1.4641, 1.61051])
    times = DEFAULT_SCHEDULE.poll_times(30, HighestDraw())
    assert times == pytest.approx([10 * (1.1**k - 1) for k in range(1, 16)])


def test_densest_schedule_never_polls_more_often_than_the_floor() -> None:
    delays = DEFAULT_SCHEDULE.delays(LowestDraw())
    assert [next(delays) for _ in range(5)] == pytest.approx([1.0, 1.0, 1.0, 1.0, 1.0])


def test_each_sleep_stays_within_the_cap_and_the_decorrelated_range() -> None:
    rng = random.Random(1234)
    elapsed = 0.0
    previous: float | None = None
    for delay in DEFAULT_SCHEDULE.delays(rng):
        if previous is None:
            assert delay == DEFAULT_SCHEDULE.first
        else:
            assert delay <= DEFAULT_SCHEDULE.cap(elapsed) + 1e-12
            assert min(1.0, DEFAULT_SCHEDULE.cap(elapsed)) <= delay <= max(1.0, 3 * previous)
        elapsed += delay
        previous = delay
        if elapsed > 3600:
            break


@settings(max_examples=300, deadline=None)
@given(
    duration=st.floats(min_value=0.001, max_value=3600),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_completion_is_noticed_at_most_1s_plus_10_percent_late(duration: float, seed: int) -> None:
    polls = DEFAULT_SCHEDULE.poll_times(duration, random.Random(seed))
    lateness = polls[-1] - duration
    assert 0 <= lateness <= 1 + 0.1 * duration
    assert all(t < duration for t in polls[:-1])  # the last poll is the first to see it


def test_polls_for_a_30_second_execution() -> None:
    counts = [len(DEFAULT_SCHEDULE.poll_times(30, random.Random(seed))) for seed in range(500)]
    # 15 is the fewest polls any schedule keeping the 1 s + 10 % bound can make by 30 s:
    # the k-th poll can come no later than 10 (1.1^k - 1) s. The sparsest draw reaches it.
    assert len(DEFAULT_SCHEDULE.poll_times(30, HighestDraw())) == 15
    assert min(counts) >= 15
    assert 15 <= statistics.mean(counts) <= 17
    # Against the fixed one-second poller (30 polls), about half the calls.
    assert statistics.mean(counts) / 30 < 0.6


def test_a_looser_lateness_bound_buys_fewer_polls() -> None:
    loose = PollSchedule(max_lateness_fraction=0.2)
    counts = [len(loose.poll_times(30, random.Random(seed))) for seed in range(500)]
    assert statistics.mean(counts) <= 14
    assert len(loose.poll_times(30, HighestDraw())) == 11


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"first": 0}, "first must be in"),
        ({"first": 2}, "first must be in"),
        ({"floor": 1.5}, "floor must be in"),
        ({"growth": 0.5}, "growth must be >= 1"),
        ({"max_lateness_fraction": -0.1}, "max_lateness_fraction >= 0"),
    ],
)
def test_schedules_that_would_break_the_bound_are_refused(
    options: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        PollSchedule(**options)
