"""The clock of an execution in the server (sfn_flows/server/clocks.py), on a wall clock the
test moves: a pause takes `scale` times its length in real time, and the execution's time has
moved by the whole length when it ends; a pause cut short ends where it got to."""

from __future__ import annotations

import math

import pytest

from sfn_flows.server.clocks import ExecutionClock

T0 = 1_700_000_000.0


class Wall:
    """The real clock, moved by the test."""

    def __init__(self) -> None:
        self.now = T0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _clock(scale: float) -> tuple[ExecutionClock, Wall]:
    wall = Wall()
    return ExecutionClock(scale, wall=wall, sleep=wall.sleep), wall


def test_between_pauses_the_execution_keeps_the_wall_clocks_pace() -> None:
    clock, wall = _clock(1.0)
    assert clock.now() == T0
    wall.now += 2.5
    assert clock.now() == T0 + 2.5


@pytest.mark.parametrize(
    ("scale", "real_seconds"), [(1.0, 3600.0), (0.01, 36.0), (2.0, 7200.0), (0.0, 0.0)]
)
def test_a_pause_takes_scale_times_its_length(scale: float, real_seconds: float) -> None:
    clock, _ = _clock(scale)
    assert clock.begin_pause(T0 + 3600) == pytest.approx(real_seconds)


def test_during_a_scaled_pause_the_execution_runs_faster_and_ends_at_the_pause_end() -> None:
    clock, wall = _clock(0.01)
    clock.begin_pause(T0 + 3600)
    wall.now += 18  # half of the 36 real seconds
    assert clock.now() == pytest.approx(T0 + 1800)
    wall.now += 18
    clock.end_pause(completed=True)
    assert clock.now() == T0 + 3600
    # After the pause, the execution's time goes on at the wall clock's pace.
    wall.now += 5
    assert clock.now() == pytest.approx(T0 + 3605)


def test_a_pause_cut_short_ends_where_it_got_to() -> None:
    clock, wall = _clock(0.01)
    clock.begin_pause(T0 + 3600)
    wall.now += 9
    clock.end_pause(completed=False)
    assert clock.now() == pytest.approx(T0 + 900)
    wall.now += 1
    assert clock.now() == pytest.approx(T0 + 901)


def test_virtual_time_jumps_to_the_pause_end_at_once() -> None:
    clock, wall = _clock(0.0)
    assert clock.begin_pause(T0 + 86_400) == 0
    assert clock.now() == T0 + 86_400
    clock.end_pause(completed=True)
    wall.now += 1
    assert clock.now() == T0 + 86_401


def test_a_slowed_pause_runs_the_execution_slower_than_the_wall() -> None:
    clock, wall = _clock(2.0)
    clock.begin_pause(T0 + 10)
    wall.now += 10
    assert clock.now() == pytest.approx(T0 + 5)
    wall.now += 10
    clock.end_pause(completed=True)
    assert clock.now() == T0 + 10


def test_a_moment_that_has_come_starts_no_pause() -> None:
    clock, wall = _clock(0.5)
    wall.now += 10
    assert clock.begin_pause(T0 + 5) == 0
    clock.end_pause(completed=True)
    assert clock.now() == T0 + 10


def test_sleep_until_sleeps_the_scaled_time_and_reaches_the_moment() -> None:
    clock, wall = _clock(0.1)
    clock.sleep_until(T0 + 100)
    assert wall.slept == [pytest.approx(10.0)]
    assert clock.now() == T0 + 100


def test_the_engine_may_run_to_the_time_limit_on_it() -> None:
    # The driver advances executions only to moments that have come: reaching the time
    # limit is real, so the engine must not refuse it as an endless real wait.
    clock, _ = _clock(1.0)
    assert clock.virtual is True


@pytest.mark.parametrize("scale", [-1, math.nan, math.inf])
def test_a_scale_that_is_not_a_finite_number_of_0_or_more_is_refused(scale: float) -> None:
    with pytest.raises(ValueError, match="finite number of 0 or more"):
        ExecutionClock(scale)


def test_a_scale_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(TypeError, match="give a number"):
        ExecutionClock(True)
