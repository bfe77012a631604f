"""The server's time modes through boto3: virtual time (waits and retry intervals take no real
time, the clock jumps), WAIT_TIME_SCALE (they take that share of their length), real time; and
in every mode a callback's deadline and the execution's limit while only callbacks are left
count in real time. The history always shows the waits at their full length.

No test measures a duration: an hour's Wait that ends before the hang guard did not take an
hour."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from sfn_flows.server.app import RunningServer
from tests.server.executions_support import (
    callback_task,
    create,
    ended,
    history,
    single,
    token,
    worker_server,
)

__all__ = ["worker_server"]  # the fixture, used by name

HOUR = 3600


def _waits_then_stamps(seconds: int) -> dict[str, Any]:
    return {
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": seconds, "Next": "Stamp"},
            "Stamp": {
                "Type": "Pass",
                "Parameters": {"entered.$": "$$.State.EnteredTime"},
                "End": True,
            },
        },
    }


def _gap(events: list[dict[str, Any]], first: str, second: str) -> float:
    moments = {e["type"]: e["timestamp"] for e in events if e["type"] in (first, second)}
    return float((moments[second] - moments[first]).total_seconds())


def _lasted(seconds: float) -> Any:
    """A length as the execution's clock shows it: the real time the engine itself took
    (microseconds) comes on top."""
    return pytest.approx(seconds, abs=0.5)


def _client(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any], **settings: Any
) -> Any:
    return sfn_for(serve_with(**settings))


@pytest.mark.parametrize(
    "settings", [{"virtual_time": True}, {"wait_time_scale": 0.0}, {"wait_time_scale": 0.001}]
)
def test_an_hours_wait_ends_without_waiting_an_hour_and_shows_its_hour(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any], settings: dict[str, Any]
) -> None:
    sfn = _client(serve_with, sfn_for, **settings)
    execution_arn = sfn.start_execution(stateMachineArn=create(sfn, _waits_then_stamps(HOUR)))[
        "executionArn"
    ]
    described = ended(sfn, execution_arn)
    assert described["status"] == "SUCCEEDED"
    events = history(sfn, execution_arn)
    assert _gap(events, "WaitStateEntered", "WaitStateExited") == _lasted(HOUR)
    # The state after the Wait entered an hour after the start by the execution's clock (the
    # context object's time is in milliseconds).
    entered = datetime.fromisoformat(
        json.loads(described["output"])["entered"].replace("Z", "+00:00")
    )
    assert entered - described["startDate"] > timedelta(seconds=HOUR - 0.001)


def test_in_real_time_an_hours_wait_is_still_waiting(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    sfn = _client(serve_with, sfn_for)
    execution_arn = sfn.start_execution(stateMachineArn=create(sfn, _waits_then_stamps(HOUR)))[
        "executionArn"
    ]
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    assert "WaitStateExited" not in [e["type"] for e in history(sfn, execution_arn)]


def test_a_wait_until_a_timestamp_a_day_away_ends_at_once_in_virtual_time(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    sfn = _client(serve_with, sfn_for, virtual_time=True)
    tomorrow = (datetime.now().astimezone() + timedelta(days=1)).isoformat()
    definition = {
        "StartAt": "Until",
        "States": {"Until": {"Type": "Wait", "TimestampPath": "$.at", "End": True}},
    }
    execution_arn = sfn.start_execution(
        stateMachineArn=create(sfn, definition), input=json.dumps({"at": tomorrow})
    )["executionArn"]
    described = ended(sfn, execution_arn)
    assert described["status"] == "SUCCEEDED"
    assert described["stopDate"] >= datetime.fromisoformat(tomorrow) - timedelta(seconds=1)


def test_retry_intervals_take_no_real_time_in_virtual_time(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    sfn = _client(serve_with, sfn_for, virtual_time=True)
    failing = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Flaky"}}}
    retried = {
        "Type": "Parallel",
        "Branches": [failing],
        "Retry": [
            {"ErrorEquals": ["Flaky"], "IntervalSeconds": HOUR, "MaxAttempts": 2, "BackoffRate": 2}
        ],
    }
    execution_arn = sfn.start_execution(stateMachineArn=create(sfn, single("Try", retried)))[
        "executionArn"
    ]
    described = ended(sfn, execution_arn)
    assert (described["status"], described["error"]) == ("FAILED", "Flaky")
    starts = [
        e["timestamp"] for e in history(sfn, execution_arn) if e["type"] == "ParallelStateStarted"
    ]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(starts)]
    assert gaps == [_lasted(HOUR), _lasted(2 * HOUR)]


def test_a_callback_waits_in_real_time_even_in_virtual_time(
    worker_server: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    sfn = sfn_for(worker_server(virtual_time=True))
    arn = create(sfn, single("Ask", callback_task(TimeoutSeconds=HOUR)))
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    task_token = token(sfn, execution_arn)
    # Had the clock jumped to the Task's deadline, the execution would have failed by now.
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=task_token, output='"in time"')
    assert ended(sfn, execution_arn)["status"] == "SUCCEEDED"


def test_the_machines_timeout_while_only_a_callback_is_left_counts_in_real_time(
    worker_server: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    sfn = sfn_for(worker_server(virtual_time=True))
    definition = single("Ask", callback_task()) | {"TimeoutSeconds": 2}
    execution_arn = sfn.start_execution(stateMachineArn=create(sfn, definition))["executionArn"]
    token(sfn, execution_arn)
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    described = ended(sfn, execution_arn)
    assert described["status"] == "TIMED_OUT"
    assert (described["stopDate"] - described["startDate"]).total_seconds() == _lasted(2)


def test_the_machines_timeout_reached_through_a_wait_is_at_once_in_virtual_time(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    sfn = _client(serve_with, sfn_for, virtual_time=True)
    definition = _waits_then_stamps(HOUR) | {"TimeoutSeconds": 600}
    execution_arn = sfn.start_execution(stateMachineArn=create(sfn, definition))["executionArn"]
    described = ended(sfn, execution_arn)
    assert described["status"] == "TIMED_OUT"
    assert (described["stopDate"] - described["startDate"]).total_seconds() == _lasted(600)
