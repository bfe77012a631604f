"""SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat through boto3 against a real server
whose `.waitForTaskToken` Task invokes a function the server runs (the worker takes the token;
the test answers for it)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfn_flows.server.app import RunningServer
from tests.server.executions_support import (
    callback_task,
    create,
    ended,
    history,
    single,
    token,
    until,
    worker_server,
)

__all__ = ["worker_server"]  # the fixture, used by name


@pytest.fixture
def sfn(worker_server: Callable[..., RunningServer], sfn_for: Callable[..., Any]) -> Any:
    """A client of a server in virtual time (callbacks still wait in real time)."""
    return sfn_for(worker_server(virtual_time=True))


def _start(sfn: Any, task: dict[str, Any], given: Any = None) -> str:
    arn = create(sfn, single("Ask", task))
    execution_arn: str = sfn.start_execution(
        stateMachineArn=arn, input=json.dumps(given or {"order": 7})
    )["executionArn"]
    return execution_arn


def _code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return str(raised.value.response["Error"]["Code"])


def test_success_gives_the_task_its_output(sfn: Any) -> None:
    execution_arn = _start(sfn, callback_task(ResultPath="$.answer"))
    sfn.send_task_success(taskToken=token(sfn, execution_arn), output='{"approved": true}')
    described = ended(sfn, execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"order": 7, "answer": {"approved": True}}
    types = [e["type"] for e in history(sfn, execution_arn)]
    assert types[-4:] == ["TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]


def test_failure_fails_the_task_with_the_workers_error(sfn: Any) -> None:
    execution_arn = _start(sfn, callback_task())
    sfn.send_task_failure(taskToken=token(sfn, execution_arn), error="Declined", cause="no funds")
    described = ended(sfn, execution_arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Declined",
        "no funds",
    )
    failed = [e for e in history(sfn, execution_arn) if e["type"] == "TaskFailed"]
    assert failed[0]["taskFailedEventDetails"]["error"] == "Declined"


def test_a_caught_failure_goes_on(sfn: Any) -> None:
    catch = [{"ErrorEquals": ["Declined"], "ResultPath": "$.why", "Next": "Sorry"}]
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": callback_task(Catch=catch, End=True),
            "Sorry": {"Type": "Pass", "End": True},
        },
    }
    arn = create(sfn, definition)
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    sfn.send_task_failure(taskToken=token(sfn, execution_arn), error="Declined")
    described = ended(sfn, execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["why"]["Error"] == "Declined"


def test_heartbeats_keep_a_task_alive_past_its_heartbeat_seconds(sfn: Any) -> None:
    execution_arn = _start(sfn, callback_task(HeartbeatSeconds=3, TimeoutSeconds=600))
    task_token = token(sfn, execution_arn)
    # Five heartbeats a second apart: longer than HeartbeatSeconds in all.
    for _ in range(5):
        sfn.send_task_heartbeat(taskToken=task_token)
        time.sleep(1)
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=task_token, output="{}")
    assert ended(sfn, execution_arn)["status"] == "SUCCEEDED"


def test_a_task_without_heartbeats_times_out_and_then_its_token_has_timed_out(sfn: Any) -> None:
    execution_arn = _start(sfn, callback_task(HeartbeatSeconds=1, TimeoutSeconds=600))
    task_token = token(sfn, execution_arn)
    described = ended(sfn, execution_arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert "TaskTimedOut" in [e["type"] for e in history(sfn, execution_arn)]
    for send in (
        lambda: sfn.send_task_success(taskToken=task_token, output="{}"),
        lambda: sfn.send_task_failure(taskToken=task_token),
        lambda: sfn.send_task_heartbeat(taskToken=task_token),
    ):
        with pytest.raises(ClientError) as raised:
            send()
        assert _code(raised) == "TaskTimedOut"


def test_a_task_times_out_at_its_timeout_seconds(sfn: Any) -> None:
    execution_arn = _start(sfn, callback_task(TimeoutSeconds=1))
    described = ended(sfn, execution_arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    events = history(sfn, execution_arn)
    submitted = next(e for e in events if e["type"] == "TaskSubmitted")["timestamp"]
    timed_out = next(e for e in events if e["type"] == "TaskTimedOut")["timestamp"]
    assert (timed_out - submitted).total_seconds() >= 1


def test_a_token_answered_once_cannot_be_answered_again(sfn: Any) -> None:
    execution_arn = _start(sfn, callback_task())
    task_token = token(sfn, execution_arn)
    sfn.send_task_success(taskToken=task_token, output='"first"')
    with pytest.raises(ClientError) as raised:
        sfn.send_task_success(taskToken=task_token, output='"second"')
    assert _code(raised) == "TaskTimedOut"
    assert json.loads(ended(sfn, execution_arn)["output"]) == "first"


def test_stop_during_a_callback_wait_ends_at_once_and_closes_the_token(sfn: Any) -> None:
    execution_arn = _start(sfn, callback_task())
    task_token = token(sfn, execution_arn)
    sfn.stop_execution(executionArn=execution_arn, error="Cancelled")
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "ABORTED"
    with pytest.raises(ClientError) as raised:
        sfn.send_task_success(taskToken=task_token, output="{}")
    assert _code(raised) == "TaskTimedOut"


def test_parallel_callbacks_are_answered_each_by_its_token(sfn: Any) -> None:
    branches = [
        single(f"Ask{index}", callback_task(ResultSelector={"branch": index, "got.$": "$"}))
        for index in range(3)
    ]
    arn = create(sfn, single("All", {"Type": "Parallel", "Branches": branches}))
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    token(sfn, execution_arn, count=3)
    scheduled = [e for e in history(sfn, execution_arn) if e["type"] == "TaskScheduled"]
    by_branch = {}
    for event in scheduled:
        payload = json.loads(event["taskScheduledEventDetails"]["parameters"])["Payload"]
        by_branch[len(by_branch)] = payload["token"]
    for index, task_token in reversed(by_branch.items()):
        sfn.send_task_success(taskToken=task_token, output=json.dumps({"n": index}))
    output = json.loads(ended(sfn, execution_arn)["output"])
    assert sorted(item["got"]["n"] for item in output) == [0, 1, 2]


def test_a_wait_beside_a_callback_takes_no_time_in_virtual_time(sfn: Any) -> None:
    nap = {
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": 86_400, "End": True}},
    }
    arn = create(
        sfn, single("Both", {"Type": "Parallel", "Branches": [nap, single("Ask", callback_task())]})
    )
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    task_token = token(sfn, execution_arn)
    until(
        lambda: "WaitStateExited" in [e["type"] for e in history(sfn, execution_arn)],
        "the day's Wait ends while the Task waits for its callback",
    )
    sfn.send_task_success(taskToken=task_token, output='"answered"')
    assert ended(sfn, execution_arn)["status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("task_token", "code"),
    [
        ("not a token of ours", "InvalidToken"),
        ("someone-token-000001-0123456789abcdef", "TaskDoesNotExist"),
    ],
)
def test_a_token_nobody_issued_is_refused(sfn: Any, task_token: str, code: str) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.send_task_success(taskToken=task_token, output="{}")
    assert _code(raised) == code


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"output": "{not json"}, "InvalidOutput"),
        ({"output": json.dumps("é" * 140_000)}, "InvalidOutput"),
    ],
)
def test_a_bad_output_is_refused_and_the_task_still_waits(
    sfn: Any, fields: dict[str, Any], code: str
) -> None:
    execution_arn = _start(sfn, callback_task())
    task_token = token(sfn, execution_arn)
    with pytest.raises(ClientError) as raised:
        sfn.send_task_success(taskToken=task_token, **fields)
    assert _code(raised) == code
    sfn.send_task_success(taskToken=task_token, output="{}")
    assert ended(sfn, execution_arn)["status"] == "SUCCEEDED"


@pytest.mark.parametrize(("field", "size"), [("error", 257), ("cause", 32_769)])
def test_a_failure_with_a_field_too_long_is_refused(sfn: Any, field: str, size: int) -> None:
    execution_arn = _start(sfn, callback_task())
    task_token = token(sfn, execution_arn)
    with pytest.raises(ClientError) as raised:
        sfn.send_task_failure(taskToken=task_token, **{field: "x" * size})
    assert _code(raised) == "ValidationException"
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
