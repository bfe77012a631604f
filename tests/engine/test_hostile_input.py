"""What a careless or hostile caller hands the engine (the input, the definition, the
callback answers, the clock, the set-up) is refused before anything runs, with a usage
error that names the problem, never a bare Python exception."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hostile_machines import CALLBACK, machine, nested

from sfn_flows.engine import (
    Engine,
    EngineUsageError,
    Pending,
    RealClock,
    TaskAnswer,
    VirtualClock,
    simulate,
)
from sfn_flows.engine.limits import MAX_JSON_DEPTH

PASS = machine({"P": {"Type": "Pass", "End": True}})
SQS = "arn:aws:states:::sqs:sendMessage"


def waiting_execution() -> Any:
    execution = Engine(CALLBACK, tasks={"Ask": lambda payload: Pending()}).start({})
    execution.run()
    assert execution.pending_tokens
    return execution


# -- the execution input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "named"),
    [
        (object(), "object"),
        ({1, 2}, "set"),
        ({"a": float("nan")}, "NaN"),
        ({"a": math.inf}, "Infinity"),
        (b"bytes", "bytes"),
        ({"a": 10**5000}, "integer"),
    ],
)
def test_an_input_that_is_not_json_is_a_usage_error_naming_the_value(
    value: Any, named: str
) -> None:
    with pytest.raises(EngineUsageError, match="not JSON") as raised:
        simulate(PASS, value)
    assert named.lower() in str(raised.value).lower()


def test_an_object_key_that_is_not_a_string_is_refused_not_silently_renamed() -> None:
    # json.dumps would write {1: "a", "1": "b"} as two "1" keys, and the run would see one.
    with pytest.raises(EngineUsageError, match=r"/inner.*key 1 .*int"):
        simulate(PASS, {"inner": {1: "a", "1": "b"}})


@pytest.mark.parametrize("as_list", [False, True])
def test_an_input_nested_100_000_deep_is_refused_with_the_bound(as_list: bool) -> None:
    with pytest.raises(EngineUsageError, match=f"more than {MAX_JSON_DEPTH} levels"):
        simulate(PASS, nested(100_000, as_list=as_list))


def test_an_input_nested_to_the_bound_runs() -> None:
    value = nested(MAX_JSON_DEPTH, leaf=1)
    result = simulate(PASS, value)
    assert result.succeeded
    assert result.output == value
    assert [event.details for event in result.events]  # the history can be read as well


# -- the definition ------------------------------------------------------------------------


def test_a_definition_nested_100_000_deep_is_refused_with_the_place() -> None:
    definition = machine({"P": {"Type": "Pass", "Parameters": nested(100_000), "End": True}})
    with pytest.raises(EngineUsageError, match=r"/States/P/Parameters/a/a/a"):
        simulate(definition, {})


def test_a_definition_aws_would_refuse_never_starts() -> None:
    definition = machine({"P": {"Type": "Pass", "Next": "Nowhere"}})
    with pytest.raises(EngineUsageError, match=r"/States/P/Next.*'Nowhere'"):
        simulate(definition, {})


# -- callback answers ----------------------------------------------------------------------


def test_a_callback_failure_with_an_error_that_is_not_a_string_is_a_usage_error() -> None:
    execution = waiting_execution()
    token = execution.pending_tokens[0]
    with pytest.raises(EngineUsageError, match="error"):
        execution.send_task_failure(token, error=123)  # type: ignore[arg-type]
    with pytest.raises(EngineUsageError, match="cause"):
        execution.send_task_failure(token, cause={"a": 1})  # type: ignore[arg-type]
    # Refused before anything changed: the Task still waits and a proper answer is taken.
    assert execution.pending_tokens == [token]
    execution.send_task_failure(token, error="Boom", cause="why")
    result = execution.run()
    assert (result.status, result.error, result.cause) == ("FAILED", "Boom", "why")


def test_a_callback_output_nested_too_deeply_is_a_usage_error() -> None:
    execution = waiting_execution()
    with pytest.raises(EngineUsageError, match=f"more than {MAX_JSON_DEPTH} levels"):
        execution.send_task_success(execution.pending_tokens[0], nested(5_000))


@pytest.mark.parametrize("seconds", [math.nan, -5.0])
def test_advancing_time_by_a_negative_or_nan_amount_is_a_usage_error(seconds: float) -> None:
    execution = waiting_execution()
    with pytest.raises(EngineUsageError, match="advance"):
        execution.advance(seconds)


# -- the clock and the set-up --------------------------------------------------------------


def test_a_clock_that_is_not_a_clock_is_a_usage_error() -> None:
    with pytest.raises(EngineUsageError, match="clock"):
        simulate(PASS, {}, clock=object())  # type: ignore[arg-type]


@pytest.mark.parametrize("start", [math.nan, math.inf, 1e300, -1e12])
def test_a_virtual_clock_starting_outside_the_calendar_is_a_usage_error(start: float) -> None:
    with pytest.raises(EngineUsageError, match="VirtualClock"):
        VirtualClock(start)


@pytest.mark.parametrize("tasks", [[1], "S", 5])
def test_tasks_that_are_not_a_mapping_are_a_usage_error(tasks: Any) -> None:
    with pytest.raises(EngineUsageError, match="tasks"):
        simulate(PASS, {}, tasks=tasks)


@pytest.mark.parametrize("lambdas", [5, ["f"]])
def test_lambdas_that_are_not_a_mapping_are_a_usage_error(lambdas: Any) -> None:
    with pytest.raises(EngineUsageError, match="lambdas"):
        simulate(PASS, {}, lambdas=lambdas)


def test_run_to_end_on_a_real_clock_refuses_to_wait_a_year_for_an_unanswerable_callback() -> None:
    # Nothing can answer while run_to_end runs, and the machine has no TimeoutSeconds: on a
    # real clock the only thing left would be AWS's one-year limit, a year of sleep.
    execution = Engine(CALLBACK, tasks={"Ask": lambda payload: Pending()}, clock=RealClock()).start(
        {}
    )
    with pytest.raises(EngineUsageError, match="send_task_success"):
        execution.run_to_end()
    assert execution.status == "RUNNING"
    execution.send_task_success(execution.pending_tokens[0], {"ok": True})
    assert execution.run_to_end().output == {"ok": True}


def test_running_the_execution_from_inside_one_of_its_tasks_is_a_usage_error() -> None:
    definition = machine(
        {"Call": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}}
    )
    started: list[Any] = []
    engine = Engine(definition, tasks={"Call": lambda payload: started[0].run().status})
    started.append(engine.start({}))
    with pytest.raises(EngineUsageError, match="running already"):
        started[0].run()


def test_a_task_callable_may_answer_another_tasks_callback() -> None:
    # A worker double that finishes the job the callback Task waits for.
    waiting = {**CALLBACK["States"]["Ask"], "End": None}
    del waiting["End"]
    definition = machine(
        {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    machine({"Ask": {**waiting, "End": True}}),
                    machine(
                        {
                            "Work": {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::sqs:sendMessage",
                                "End": True,
                            }
                        }
                    ),
                ],
                "End": True,
            }
        }
    )
    started: list[Any] = []

    def work(payload: Any) -> Any:
        execution = started[0]
        execution.send_task_success(execution.pending_tokens[0], {"done": True})
        return "worked"

    engine = Engine(definition, tasks={"Ask": lambda payload: Pending(), "Work": work})
    started.append(engine.start({}))
    result = started[0].run()
    assert result.output == [{"done": True}, "worked"]


@pytest.mark.parametrize("seconds", ["5", None, math.nan, -5, True])
def test_a_task_answer_taking_a_time_that_is_not_seconds_is_a_usage_error(seconds: Any) -> None:
    definition = machine({"Call": {"Type": "Task", "Resource": SQS, "End": True}})
    with pytest.raises(EngineUsageError, match="simulated_seconds"):
        simulate(definition, {}, tasks={"Call": lambda payload: TaskAnswer({}, seconds)})
