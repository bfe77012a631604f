"""ExecutionClient against the real MiniStack: start, describe, wait, history, errors."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfn_flows.aws import Target
from sfn_flows.client import (
    DEFAULT_SCHEDULE,
    MAX_INPUT_BYTES,
    ExecutionClient,
    ExecutionInputError,
    ExecutionNotFound,
    HistoryEvent,
    StateMachineNotFound,
    StepFunctionsError,
    WaitTimeout,
    states_entered,
)
from sfn_flows.local.stack import free_port

from .conftest import Machines

WAIT = 30.0  # a deadline for waits expected to finish within a few seconds


@pytest.fixture(scope="module")
def client(local_target: Target) -> ExecutionClient:
    return ExecutionClient(local_target)


@pytest.fixture
def long_running(client: ExecutionClient, machines: Machines, sfn: Any) -> Iterator[str]:
    """A running execution that outlives the test; stopped afterwards."""
    arn = client.start(machines["wait-long"], {}).arn
    yield arn
    sfn.stop_execution(executionArn=arn)


class FakeClock:
    """Simulated time: sleeping advances it at once and records how long."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_start_and_wait_for_success(client: ExecutionClient, machines: Machines) -> None:
    execution = client.start(machines["pass-wait"], {"order": 7}, name="ok-1")
    assert execution.name == "ok-1"
    assert execution.arn == machines["pass-wait"].replace(":stateMachine:", ":execution:") + ":ok-1"
    status = client.wait(execution.arn, timeout=WAIT)
    assert status.status == "SUCCEEDED" and status.succeeded and status.finished
    assert status.output == {"x": 1}
    assert status.input == {"order": 7}
    assert status.error is None and status.cause is None
    assert isinstance(status.start_date, datetime) and isinstance(status.stop_date, datetime)
    assert status.duration is not None and status.duration >= 1.0  # the Wait of 1 s
    document = status.as_dict()
    assert document["status"] == "SUCCEEDED" and document["output"] == {"x": 1}
    assert document["startDate"].endswith("+00:00") and document["executionArn"] == execution.arn


def test_wait_for_a_failure_gives_error_and_cause(
    client: ExecutionClient, machines: Machines
) -> None:
    status = client.wait(client.start(machines["fail"], {}).arn, timeout=WAIT)
    assert status.status == "FAILED" and not status.succeeded and status.finished
    assert (status.error, status.cause) == ("Boom", "it broke")


def test_a_failing_task_shows_in_status_and_history(
    client: ExecutionClient, machines: Machines
) -> None:
    arn = client.start(machines["task-fail"], {}).arn
    status = client.wait(arn, timeout=WAIT)
    assert status.status == "FAILED"
    assert status.error == "Lambda.ResourceNotFoundException"
    failures = [e for e in client.history(arn) if e.is_failure]
    assert [e.type for e in failures] == ["TaskFailed", "ExecutionFailed"]
    assert all(e.error == "Lambda.ResourceNotFoundException" for e in failures)
    assert failures[0].cause is not None and "sfn-flows-tests-no-such-function" in failures[0].cause


def test_history_is_typed_and_in_order(client: ExecutionClient, machines: Machines) -> None:
    arn = client.start(machines["pass-wait"], {"a": 1}).arn
    client.wait(arn, timeout=WAIT)
    events = client.history(arn)
    assert all(isinstance(e, HistoryEvent) for e in events)
    assert [e.type for e in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "WaitStateEntered",
        "WaitStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert [e.id for e in events] == list(range(1, 9))
    assert [e.state_name for e in events if e.is_state_exited] == ["A", "W", "B"]
    assert events[0].state_name is None and events[0].details["input"] == '{"a":1}'
    assert all(isinstance(e.timestamp, datetime) for e in events)
    assert events[-1].timestamp >= events[0].timestamp
    assert states_entered(events) == ["A", "W", "B"] == client.states_entered(arn)


def test_history_pages_are_joined(client: ExecutionClient, machines: Machines) -> None:
    arn = client.start(machines["chain"], {}).arn
    client.wait(arn, timeout=WAIT)
    before = client.calls["GetExecutionHistory"]
    paged = client.history(arn, page_size=3)
    assert client.calls["GetExecutionHistory"] - before == 6  # 16 events, 3 per page
    assert paged == client.history(arn)
    assert states_entered(paged) == [f"S{i}" for i in range(1, 8)]


def test_events_after_reads_only_newer_events(client: ExecutionClient, machines: Machines) -> None:
    arn = client.start(machines["chain"], {}).arn
    client.wait(arn, timeout=WAIT)
    everything = client.history(arn)
    newer = client.events_after(arn, 5, page_size=4)
    assert [e.id for e in newer] == [e.id for e in everything if e.id > 5]
    assert [e.type for e in newer] == [e.type for e in everything[5:]]
    assert client.events_after(arn, everything[-1].id) == []
    # Without execution data: progress needs names, not 256 KiB payloads.
    assert "input" not in newer[0].details and newer[0].state_name == "S3"


def test_wait_reports_each_event_once_in_order(client: ExecutionClient, machines: Machines) -> None:
    seen: list[HistoryEvent] = []
    arn = client.start(machines["pass-wait"], {}).arn
    client.wait(arn, timeout=WAIT, on_event=seen.append)
    assert [e.id for e in seen] == list(range(1, 9))
    assert states_entered(seen) == ["A", "W", "B"]


def test_wait_deadline_on_a_simulated_clock(client: ExecutionClient, long_running: str) -> None:
    clock = FakeClock()
    before = client.calls["DescribeExecution"]
    with pytest.raises(WaitTimeout) as raised:
        client.wait(long_running, timeout=30, clock=clock, sleep=clock.sleep, rng=random.Random(5))
    message = str(raised.value)
    assert long_running in message
    assert "after 30.0 s" in message and "still RUNNING" in message
    assert raised.value.waited == 30 and raised.value.status == "RUNNING"
    # The sleeps are the schedule's, the last one cut short at the deadline.
    planned = DEFAULT_SCHEDULE.poll_times(30, random.Random(5))
    times = [0.0, *planned[:-1], 30.0]
    assert clock.sleeps == pytest.approx([b - a for a, b in itertools.pairwise(times)])
    assert sum(clock.sleeps) == pytest.approx(30)
    assert client.calls["DescribeExecution"] - before == len(planned) == len(clock.sleeps)


def test_wait_with_no_time_left_polls_once(client: ExecutionClient, long_running: str) -> None:
    before = client.calls["DescribeExecution"]
    with pytest.raises(WaitTimeout, match=re.escape("after 0.0 s: it is still RUNNING")):
        client.wait(long_running, timeout=0)
    assert client.calls["DescribeExecution"] - before == 1


def test_describe_of_a_missing_execution_names_it_and_the_target(
    client: ExecutionClient, machines: Machines, local_target: Target
) -> None:
    arn = machines["echo"].replace(":stateMachine:", ":execution:") + ":never-started"
    expected = (
        f"no execution {arn} on the local stack at {local_target.endpoint_url}; "
        "check the ARN or id."
    )
    for call in (client.describe, client.history, client.states_entered):
        with pytest.raises(ExecutionNotFound) as raised:
            call(arn)
        assert str(raised.value) == expected
    with pytest.raises(ExecutionNotFound, match="no execution garbage on the local stack"):
        client.wait("garbage", timeout=WAIT)


def test_start_of_a_missing_state_machine(client: ExecutionClient, machines: Machines) -> None:
    arn = machines["echo"] + "-missing"
    with pytest.raises(StateMachineNotFound, match=f"no state machine {arn} on the local stack"):
        client.start(arn, {})


def test_input_over_256_kib_is_refused_before_calling_aws(
    client: ExecutionClient, machines: Machines
) -> None:
    before = client.calls["StartExecution"]
    with pytest.raises(ExecutionInputError, match="accepts at most 262,144 bytes"):
        client.start(machines["echo"], {"blob": "x" * MAX_INPUT_BYTES})
    with pytest.raises(ExecutionInputError, match="input is not JSON"):
        client.start(machines["echo"], {"when": datetime.now()})
    with pytest.raises(ExecutionInputError, match="input is not JSON"):
        client.start(machines["echo"], float("nan"))
    assert client.calls["StartExecution"] == before


def test_any_json_value_is_an_input(client: ExecutionClient, machines: Machines) -> None:
    values = ([1, "two"], "text", 3.5, None, {"ü": "ok"})
    started = [client.start(machines["echo"], value).arn for value in values]
    assert [client.wait(arn, timeout=WAIT).output for arn in started] == list(values)


def test_a_used_execution_name_is_a_clear_error(
    client: ExecutionClient, machines: Machines
) -> None:
    client.start(machines["echo"], {}, name="same-name")
    with pytest.raises(StepFunctionsError, match="an execution named 'same-name' already exists"):
        client.start(machines["echo"], {}, name="same-name")


def test_an_invalid_execution_name_is_refused_before_the_call(
    client: ExecutionClient, machines: Machines, sfn: Any
) -> None:
    # MiniStack takes any name; AWS refuses these, so the client refuses them first.
    before = len(sfn.list_executions(stateMachineArn=machines["echo"])["executions"])
    calls = client.calls["StartExecution"]
    for name in ("two words", "x" * 81, "a:b", "\x7f", ""):
        with pytest.raises(ExecutionInputError, match="is not a valid execution name"):
            client.start(machines["echo"], {}, name=name)
    assert client.calls["StartExecution"] == calls
    assert len(sfn.list_executions(stateMachineArn=machines["echo"])["executions"]) == before


def test_an_unreachable_endpoint_is_a_clear_error() -> None:
    target = Target(endpoint_url=f"http://127.0.0.1:{free_port()}")
    client = ExecutionClient(target.client("stepfunctions", retries={"max_attempts": 1}))
    with pytest.raises(StepFunctionsError, match="cannot reach the Step Functions endpoint http"):
        client.describe("arn:aws:states:us-east-1:000000000000:execution:x:y")


class ThrottlingFirst:
    """The real client, but the first `times` DescribeExecution calls are throttled.

    A stand-in only for throttling, which MiniStack never does; every other call is real.
    """

    def __init__(self, real: Any, times: int) -> None:
        self.real = real
        self.meta = real.meta
        self.left = times

    def describe_execution(self, **params: Any) -> Any:
        if self.left > 0:
            self.left -= 1
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
                "DescribeExecution",
            )
        return self.real.describe_execution(**params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_throttling_is_retried_within_the_deadline(sfn: Any, machines: Machines) -> None:
    real = ExecutionClient(sfn)
    arn = real.start(machines["echo"], {"n": 1}).arn
    real.wait(arn, timeout=WAIT)
    throttled = ExecutionClient(ThrottlingFirst(sfn, times=3))
    clock = FakeClock()
    status = throttled.wait(arn, timeout=60, clock=clock, sleep=clock.sleep)
    assert status.output == {"n": 1}
    assert throttled.calls["DescribeExecution"] == 4
    # Throttled until the end: the deadline still holds, and the message says so.
    always = ExecutionClient(ThrottlingFirst(sfn, times=10**6))
    clock = FakeClock()
    with pytest.raises(WaitTimeout, match=re.escape("after 5.0 s: it is still RUNNING")):
        always.wait(arn, timeout=5, clock=clock, sleep=clock.sleep)


def test_a_boto3_client_works_as_well_as_a_target(sfn: Any, machines: Machines) -> None:
    client = ExecutionClient(sfn)
    status = client.wait(client.start(machines["echo"], {"k": "v"}).arn, timeout=WAIT)
    assert status.output == {"k": "v"}
    with pytest.raises(
        ExecutionNotFound, match="on the Step Functions endpoint http://127\\.0\\.0\\.1"
    ):
        client.describe("arn:aws:states:us-east-1:000000000000:execution:x:none")


def test_a_wait_timeout_says_where_a_queued_request_waits() -> None:
    queued = str(WaitTimeout("jobs~name~mx3mc1d2", 3.0, "QUEUED"))
    running = str(WaitTimeout("jobs~name", 3.0, "RUNNING"))

    assert "still QUEUED. The request waits in its queue" in queued
    assert "keeps running" not in queued
    assert "still RUNNING. The execution keeps running" in running
