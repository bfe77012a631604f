"""The retry rules every consumer shares: field limits, the delay formula, jitter, the
worst-case sum the budget uses, and which errors a retrier or catcher can match."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_flows.asl.error_names import (
    PREDEFINED_ERRORS,
    TERMINAL_ERRORS,
    can_match,
    error_matches,
    is_reserved,
)
from sfn_flows.asl.retry import (
    backoff_rate,
    jittered,
    retrier_integer,
    retrier_waits,
    retry_delay,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1.0), (1.0, 1.0), (2.5, 2.5), (0.999, None), (0, None), (-2, None), (True, None)],
)
def test_backoff_rate_is_a_number_of_at_least_one(value: object, expected: float | None) -> None:
    assert backoff_rate(value) == expected


def test_backoff_rate_refuses_what_json_cannot_hold_as_a_float() -> None:
    assert backoff_rate(math.inf) is None
    assert backoff_rate(math.nan) is None
    assert backoff_rate(10**400) is None
    assert backoff_rate("2") is None


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("IntervalSeconds", 1, True),
        ("IntervalSeconds", 0, False),
        ("MaxAttempts", 0, True),
        ("MaxAttempts", -1, False),
        ("MaxDelaySeconds", 99_999_999, True),
        ("MaxDelaySeconds", 100_000_000, False),
        ("MaxAttempts", 2.0, False),
        ("MaxAttempts", False, False),
    ],
)
def test_retrier_integers_have_aws_limits(key: str, value: object, allowed: bool) -> None:
    assert (retrier_integer(key, value) is not None) is allowed


def test_delay_grows_by_the_backoff_rate_and_stops_at_the_cap() -> None:
    # IntervalSeconds 3, BackoffRate 2, MaxDelaySeconds 5: 3, 5 (6 capped), 5, ...
    assert [retry_delay(3, 2.0, n, 5) for n in range(4)] == [3.0, 5.0, 5.0, 5.0]
    assert [retry_delay(1, 2.0, n) for n in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert retry_delay(1, 1.0, 50) == 1.0
    # Past any float the delay is infinite, not an OverflowError.
    assert retry_delay(1, 2.0, 10**6) == math.inf
    assert retry_delay(1, 2.0, 10**6, 30) == 30.0


def test_full_jitter_draws_between_zero_and_the_delay() -> None:
    assert jittered(8.0, "FULL", 0.0) == 0.0
    assert jittered(8.0, "FULL", 0.25) == 2.0
    assert jittered(8.0, "FULL", 1.0) == 8.0
    assert jittered(8.0, "NONE", 0.25) == 8.0


def test_huge_max_attempts_uses_closed_form() -> None:
    # 1 + 2 + 4 + 8, then every remaining delay is capped at 10.
    # (How fast the closed form is, is measured in benchmarks/bench_build.py, not asserted.)
    attempts = 99_999_999
    expected = 15 + 10 * (attempts - 4)
    assert retrier_waits(attempts, 1.0, 2.0, 10.0) == pytest.approx(expected)
    # Uncapped slow growth past the exact-step window: geometric series 1.001^k
    assert retrier_waits(5000, 1.0, 1.001, None) == pytest.approx((1.001**5000 - 1) / 0.001)
    assert retrier_waits(99_999_999, 1.0, 2.0, None) == math.inf


@settings(max_examples=200, deadline=None)
@given(
    attempts=st.integers(0, 3000),
    interval=st.integers(0, 20),
    rate=st.sampled_from([1.0, 1.001, 1.5, 2.0, 3.0]),
    cap=st.none() | st.integers(1, 10_000),
)
def test_retrier_waits_is_the_sum_of_the_delays(
    attempts: int, interval: int, rate: float, cap: int | None
) -> None:
    # Past 1,024 delays a closed form takes over; it must agree with the formula summed.
    expected = sum(retry_delay(interval, rate, n, cap) for n in range(attempts))
    assert retrier_waits(attempts, interval, rate, cap) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("terminal", sorted(TERMINAL_ERRORS))
def test_terminal_errors_are_matched_by_nothing(terminal: str) -> None:
    # Recorded against AWS (conformance corpus): a Catch on ["States.Runtime"] does not
    # catch it.
    assert not error_matches(["States.ALL"], terminal)
    assert not error_matches([terminal], terminal)
    assert not error_matches(["States.TaskFailed"], terminal)
    assert not can_match(terminal)
    assert error_matches(["States.ALL"], "States.Timeout")
    assert error_matches(["States.ALL"], "ValueError")


def test_data_limit_exceeded_is_caught_like_any_error() -> None:
    # AWS's page calls it terminal, but the executions recorded against AWS catch it both
    # with ["States.ALL"] and with ["States.DataLimitExceeded"].
    assert error_matches(["States.ALL"], "States.DataLimitExceeded")
    assert error_matches(["States.DataLimitExceeded"], "States.DataLimitExceeded")
    assert can_match("States.DataLimitExceeded")


def test_task_failed_matches_every_error_but_a_timeout() -> None:
    assert error_matches(["States.TaskFailed"], "Lambda.Unknown")
    assert error_matches(["States.TaskFailed"], "S3.NoSuchBucketException")
    assert not error_matches(["States.TaskFailed"], "States.Timeout")
    assert error_matches(["States.TaskFailed", "States.Timeout"], "States.Timeout")


def test_reserved_names_outside_the_predefined_ones_match_nothing() -> None:
    assert is_reserved("States.NoSuchError") and not can_match("States.NoSuchError")
    assert all(can_match(name) for name in PREDEFINED_ERRORS - {"States.Runtime"})
    assert can_match("MyError") and not is_reserved("MyError")
    assert not error_matches(["Other"], "MyError")
