"""The execution loop: virtual time, the history's numbering, limits, callbacks and the
machine timeout, on the in-process engine."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sfn_flows.engine import Engine, EngineUsageError, Pending, TaskAnswer, VirtualClock, simulate
from sfn_flows.engine.limits import MAX_HISTORY_EVENTS

START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def test_a_day_long_wait_passes_in_virtual_time_and_the_history_shows_it() -> None:
    definition = machine(
        {
            "Nap": {"Type": "Wait", "Seconds": 86_400, "Next": "Done"},
            "Done": {"Type": "Pass", "Parameters": {"at.$": "$$.State.EnteredTime"}, "End": True},
        }
    )
    result = simulate(definition, {}, clock=VirtualClock(START))
    assert result.succeeded
    assert result.output == {"at": "2025-01-03T03:04:05.000Z"}
    by_type = {e.type: e for e in result.events}
    assert by_type["WaitStateExited"].timestamp - by_type["WaitStateEntered"].timestamp == (
        timedelta(days=1)
    )


def test_events_are_numbered_and_chained_as_aws_numbers_them() -> None:
    definition = machine(
        {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Fail", "ErrorPath": "$.missing"},
        }
    )
    result = simulate(definition, {"x": 1})
    assert [(e.id, e.type, e.previous_id) for e in result.events] == [
        (1, "ExecutionStarted", None),
        (2, "PassStateEntered", 1),
        (3, "PassStateExited", 2),
        (4, "FailStateEntered", 3),
        (5, "ExecutionFailed", 4),
    ]
    assert result.error == "States.Runtime"
    assert result.cause is not None
    assert "(entered at the event id #4)" in result.cause


def test_history_in_get_execution_history_shape() -> None:
    execution = Engine(machine({"A": {"Type": "Pass", "Result": [1], "End": True}})).start(
        {"in": "put"}
    )
    execution.run()
    events = execution.history_events()
    assert events[0]["executionStartedEventDetails"]["input"] == '{"in":"put"}'
    assert events[1]["stateEnteredEventDetails"] == {
        "name": "A",
        "input": '{"in":"put"}',
        "inputDetails": {"truncated": False},
    }
    assert events[2]["stateExitedEventDetails"]["output"] == "[1]"
    assert events[-1]["executionSucceededEventDetails"]["output"] == "[1]"
    assert events[2]["previousEventId"] == 2


def test_the_machine_timeout_ends_the_execution_timed_out_at_its_deadline() -> None:
    definition = machine(
        {
            "Long": {"Type": "Wait", "Seconds": 60, "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        },
        TimeoutSeconds=5,
    )
    result = simulate(definition, {}, clock=VirtualClock(START))
    assert result.status == "TIMED_OUT"
    assert result.states == ["Long"]
    assert (result.error, result.cause) == (None, None)
    timed_out = result.events[-1]
    assert (timed_out.type, timed_out.error, timed_out.previous_id) == (
        "ExecutionTimedOut",
        "States.Timeout",
        None,
    )
    assert timed_out.timestamp == START + timedelta(seconds=5)


def test_an_endless_loop_fails_at_aws_history_limit() -> None:
    definition = machine(
        {
            "Ping": {"Type": "Pass", "Next": "Again"},
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Stop"}],
                "Default": "Ping",
            },
            "Stop": {"Type": "Succeed"},
        }
    )
    result = simulate(definition, {})
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert result.cause is not None and str(MAX_HISTORY_EVENTS) in result.cause
    assert result.cause == (
        f"The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."
    )
    last = result.events[-1]
    assert (last.id, last.type, last.previous_id) == (
        MAX_HISTORY_EVENTS,
        "ExecutionFailed",
        MAX_HISTORY_EVENTS - 1,
    )


def test_a_state_output_over_the_payload_limit_fails_with_aws_cause() -> None:
    definition = machine({"Big": {"Type": "Pass", "Result": "a" * 262_145, "End": True}})
    result = simulate(definition, {})
    assert result.error == "States.DataLimitExceeded"
    assert result.cause == (
        "The state/task 'Big' returned a result with a size exceeding the maximum number of "
        "bytes service limit."
    )


def _callback_machine(**task: Any) -> dict[str, Any]:
    return machine(
        {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"token.$": "$$.Task.Token"},
                "Next": "Done",
                **task,
            },
            "Done": {"Type": "Pass", "End": True},
        }
    )


def test_a_callback_task_waits_until_the_test_answers() -> None:
    seen: list[Any] = []

    def send(payload: Any) -> Pending:
        seen.append(payload)
        return Pending()

    execution = Engine(_callback_machine(), tasks={"Ask": send}).start({})
    paused = execution.run()
    assert paused.status == "RUNNING"
    assert execution.pending_tokens == [seen[0]["token"]]
    execution.send_task_success(seen[0]["token"], {"approved": True})
    result = execution.run()
    assert result.status == "SUCCEEDED"
    assert result.output == {"approved": True}
    assert [e.type for e in result.events if e.type.startswith("Task")] == [
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
    ]


def test_a_callback_failure_fails_the_task_with_its_error() -> None:
    execution = Engine(_callback_machine(), tasks={"Ask": lambda _: Pending()}).start({})
    execution.run()
    (token,) = execution.pending_tokens
    execution.send_task_failure(token, "Rejected", "no budget")
    result = execution.run()
    assert (result.status, result.error, result.cause) == ("FAILED", "Rejected", "no budget")


def test_a_heartbeat_keeps_a_callback_alive_and_its_absence_times_it_out() -> None:
    execution = Engine(
        _callback_machine(HeartbeatSeconds=10, TimeoutSeconds=100),
        tasks={"Ask": lambda _: Pending()},
        clock=VirtualClock(START),
    ).start({})
    execution.run()
    (token,) = execution.pending_tokens
    assert execution.advance(9).status == "RUNNING"
    execution.send_task_heartbeat(token)
    assert execution.advance(9).status == "RUNNING"
    result = execution.advance(2)
    # AWS reports a missed heartbeat as States.Timeout (see sfn_flows.asl.error_names).
    assert result.error == "States.Timeout"
    assert result.events[-2].type == "TaskTimedOut"
    assert result.events[-2].timestamp == START + timedelta(seconds=19)


def test_an_unanswered_callback_times_out_when_run_to_the_end() -> None:
    result = simulate(_callback_machine(TimeoutSeconds=30), {}, tasks={"Ask": lambda _: Pending()})
    assert result.error == "States.Timeout"


def test_an_unknown_token_is_a_usage_error() -> None:
    execution = Engine(_callback_machine(), tasks={"Ask": lambda _: Pending()}).start({})
    execution.run()
    with pytest.raises(EngineUsageError, match="no Task waits for the token 'nope'"):
        execution.send_task_success("nope", {})


def test_a_task_slower_than_its_timeout_fails_with_states_timeout_in_virtual_time() -> None:
    definition = machine(
        {
            "Slow": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "TimeoutSeconds": 10,
                "End": True,
            }
        }
    )
    result = simulate(
        definition,
        {},
        tasks={"Slow": lambda _: TaskAnswer({"ok": True}, simulated_seconds=3600)},
        clock=VirtualClock(START),
    )
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    timed_out = next(e for e in result.events if e.type == "TaskTimedOut")
    assert timed_out.timestamp == START + timedelta(seconds=10)


def test_importing_the_engine_loads_neither_pydantic_nor_boto3_nor_the_interpreter() -> None:
    code = (
        "import sys, sfn_flows.engine as e\n"
        "bad = [m for m in ('pydantic', 'boto3', 'jsonata', 'sfn_flows.engine.execution') "
        "if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_payload_sizes_are_the_compact_utf8_json_size() -> None:
    from sfn_flows.engine.limits import PayloadSizes

    sizes = PayloadSizes()
    shared = ["x" * 10, {"ü": 'quo"te'}]
    values: list[Any] = [
        {},
        [],
        None,
        True,
        1.5,
        -3,
        10**20,
        "tab\t",
        {"a": shared, "b": [shared, shared], "é": "ü\n"},
    ]
    for value in values:
        expected = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
        assert sizes.size(value) == expected


def test_a_run_cannot_change_what_the_next_run_of_the_same_definition_sees() -> None:
    definition = machine({"Give": {"Type": "Pass", "Result": {"items": [1]}, "End": True}})
    first = simulate(definition, {})
    first.output["items"].append(2)
    assert simulate(definition, {}).output == {"items": [1]}
    definition["States"]["Give"]["Next"] = "Nowhere"
    with pytest.raises(EngineUsageError):
        simulate(definition, {})


def test_the_events_are_a_read_only_sequence_that_compares_with_lists() -> None:
    result = simulate(machine({"A": {"Type": "Pass", "End": True}}), {"k": 1})
    events = list(result.events)
    assert result.events == events
    assert len(result.events) == 4
    assert result.events[1].details["input"] == '{"k":1}'


def test_a_real_clock_runs_the_same_machine_on_wall_time() -> None:
    from sfn_flows.engine import RealClock

    before = datetime.now(UTC)
    result = simulate(
        machine(
            {"Now": {"Type": "Pass", "Parameters": {"t.$": "$$.Execution.StartTime"}, "End": True}}
        ),
        {},
        clock=RealClock(),
    )
    started = datetime.fromisoformat(result.output["t"].replace("Z", "+00:00"))
    assert started >= before.replace(microsecond=before.microsecond // 1000 * 1000)


def test_stop_ends_a_running_execution_aborted_with_the_callers_error() -> None:
    execution = Engine(_callback_machine(), tasks={"Ask": lambda _: Pending()}).start({})
    execution.run()
    result = execution.stop("Manual", "probe")
    assert (result.status, result.error, result.cause) == ("ABORTED", "Manual", "probe")
    assert result.events[-1].type == "ExecutionAborted"
    assert execution.pending_tokens == []
    assert execution.run().status == "ABORTED"
