"""Timeout budget of the loop ContinueUntilDone compiles to, in tests/unit/test_budget.py's
style: hand-written ASL and hand-computed worst cases. The count declared on a state of the
loop (the compiler declares it on the loop's Choice) bounds it to that many rounds of the
worker Task, each with the Task's retries; without it the loop is reported, never summed."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfn_flows.budget import compute_budget

CHECK = "WorkDone?"


def until_done(
    timeout: int = 60, retry: list[dict[str, Any]] | None = None, **loop: Any
) -> dict[str, Any]:
    """A machine with the loop's shape (see sfn_flows/model/until_done.py)."""
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "worker", "Payload": {"input.$": "$.input"}},
        "ResultSelector": {"done.$": "$.Payload.done"},
        "ResultPath": "$.step",
        "TimeoutSeconds": timeout,
        "Next": CHECK,
    }
    if retry is not None:
        task["Retry"] = retry
    branch = {
        "StartAt": "WorkStart",
        "States": {
            "WorkStart": {"Type": "Pass", "Next": "Work"},
            "Work": task,
            CHECK: {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.step.done", "BooleanEquals": True, "Next": "WorkFinished"},
                    {
                        "Variable": "$.iteration",
                        "NumericGreaterThanEquals": 3,
                        "Next": "WorkUnfinished",
                    },
                ],
                "Default": "WorkContinue",
            },
            "WorkContinue": {"Type": "Pass", "Next": "Work"},
            "WorkFinished": {"Type": "Pass", "End": True},
            "WorkUnfinished": {"Type": "Fail", "Error": "MaxIterationsExceeded"},
        },
    }
    state = {"Type": "Parallel", "Branches": [branch], "OutputPath": "$[0]", "Next": "After"}
    state.update(loop)
    return {
        "StartAt": "WorkUntilDone",
        "States": {"WorkUntilDone": state, "After": {"Type": "Pass", "End": True}},
    }


def test_the_declared_count_bounds_the_loop_to_that_many_rounds() -> None:
    budget = compute_budget(until_done(timeout=60), loop_max_iterations={CHECK: 3})
    assert budget.bounded and budget.unbounded == () and budget.loops == ()
    assert budget.seconds == pytest.approx(3 * 60)
    assert budget.critical_path == ("WorkUntilDone", "After")
    assert budget.state_seconds["WorkUntilDone"] == pytest.approx(180)
    assert budget.loop_bounds == (CHECK,)


def test_one_iteration_is_one_round() -> None:
    budget = compute_budget(until_done(timeout=45), loop_max_iterations={CHECK: 1})
    assert budget.seconds == pytest.approx(45)


def test_every_round_pays_for_the_workers_retries() -> None:
    # Lambda's retrier: 4 attempts of 60 s, 1 + 2 + 4 s between them; 5 rounds.
    retrier = {"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 1, "MaxAttempts": 3}
    budget = compute_budget(until_done(60, [retrier]), loop_max_iterations={CHECK: 5})
    assert budget.seconds == pytest.approx(5 * (4 * 60 + 7))


def test_a_retrier_on_the_loop_runs_all_its_rounds_again() -> None:
    # 2 runs of 4 rounds of 30 s, 10 s between the runs.
    retrier = {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 1}
    definition = until_done(30, Retry=[retrier])
    budget = compute_budget(definition, loop_max_iterations={CHECK: 4})
    assert budget.seconds == pytest.approx(2 * 4 * 30 + 10)


@pytest.mark.parametrize("declared_on", ["Work", CHECK, "WorkContinue"])
def test_any_state_of_the_loop_may_carry_the_count(declared_on: str) -> None:
    budget = compute_budget(until_done(timeout=20), loop_max_iterations={declared_on: 6})
    assert budget.bounded and budget.seconds == pytest.approx(6 * 20)
    assert budget.loop_bounds == (declared_on,)


@pytest.mark.parametrize("declared_on", ["WorkUntilDone", "WorkStart", "WorkFinished", "After"])
def test_a_count_on_a_state_outside_the_loop_bounds_nothing(declared_on: str) -> None:
    budget = compute_budget(until_done(timeout=20), loop_max_iterations={declared_on: 6})
    assert not budget.bounded
    assert budget.loops == (("Work", CHECK, "WorkContinue"),)
    assert budget.loop_bounds == ()


def test_without_a_count_the_loop_is_reported_not_summed() -> None:
    budget = compute_budget(until_done(timeout=20))
    assert not budget.bounded
    assert budget.loops == (("Work", CHECK, "WorkContinue"),)
    assert budget.seconds == pytest.approx(20)  # one pass, the bounded part only


@given(
    count=st.integers(min_value=1, max_value=1000),
    timeout=st.integers(min_value=1, max_value=900),
    attempts=st.integers(min_value=0, max_value=5),
    interval=st.integers(min_value=1, max_value=60),
)
def test_the_loop_costs_count_times_the_workers_worst_case(
    count: int, timeout: int, attempts: int, interval: int
) -> None:
    retrier = {
        "ErrorEquals": ["States.Timeout"],
        "IntervalSeconds": interval,
        "MaxAttempts": attempts,
        "BackoffRate": 1.0,
    }
    worker = compute_budget(until_done(timeout, [retrier]), loop_max_iterations={CHECK: 1})
    assert worker.seconds == pytest.approx(timeout * (1 + attempts) + interval * attempts)
    budget = compute_budget(until_done(timeout, [retrier]), loop_max_iterations={CHECK: count})
    assert budget.seconds == pytest.approx(count * worker.seconds)
