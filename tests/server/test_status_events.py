"""EventBridge "Step Functions Execution Status Change" events: their shape (AWS's), their
delivery through the local stack's EventBridge (a rule to an SQS queue receives them), and a
sender that never makes an execution wait and never raises.

MiniStack, as AWS, takes events from an aws.* source only from its own services, so the
delivery tests send them under a test source; the refusal of aws.states is tested too."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.server.config import ConfigError, ServerConfig
from sfn_flows.server.status_events import (
    DETAIL_TYPE,
    StatusEvents,
    epoch_millis,
    status_change_entry,
)

EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:Orders:run-1"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:Orders"
STARTED = 1_700_000_000.25  # epoch seconds, as the server's executions describe dates
STOPPED = 1_700_000_003.5

RUNNING = {
    "executionArn": EXECUTION,
    "stateMachineArn": MACHINE,
    "name": "run-1",
    "status": "RUNNING",
    "startDate": STARTED,
    "input": '{"order":7}',
    "inputDetails": {"included": True},
}
SUCCEEDED = {
    **RUNNING,
    "status": "SUCCEEDED",
    "stopDate": STOPPED,
    "output": '{"charged":true}',
    "outputDetails": {"included": True},
}
FAILED = {
    **RUNNING,
    "status": "FAILED",
    "stopDate": STOPPED,
    "error": "PaymentDeclined",
    "cause": "card declined",
}


def detail_of(entry: dict[str, Any] | None) -> dict[str, Any]:
    assert entry is not None
    detail: dict[str, Any] = json.loads(entry["Detail"])
    return detail


# --- the event ----------------------------------------------------------------------------


def test_a_started_execution_has_aws_fields_with_nulls_for_what_it_has_not_yet() -> None:
    entry = status_change_entry(RUNNING)
    assert entry is not None
    assert entry["Source"] == "aws.states"
    assert entry["DetailType"] == "Step Functions Execution Status Change"
    assert entry["Resources"] == [EXECUTION]
    assert entry["EventBusName"] == "default"
    assert detail_of(entry) == {
        "executionArn": EXECUTION,
        "stateMachineArn": MACHINE,
        "name": "run-1",
        "status": "RUNNING",
        "startDate": 1_700_000_000_250,
        "stopDate": None,
        "input": '{"order":7}',
        "inputDetails": {"included": True},
        "output": None,
        "outputDetails": None,
        "redriveCount": 0,
        "redriveDate": None,
        "redriveStatus": "NOT_REDRIVABLE",
        "redriveStatusReason": "Execution is RUNNING and cannot be redriven",
        "error": None,
        "cause": None,
    }


def test_a_finished_execution_has_its_stop_date_output_or_error() -> None:
    succeeded = detail_of(status_change_entry(SUCCEEDED))
    assert succeeded["stopDate"] == 1_700_000_003_500
    assert (succeeded["output"], succeeded["outputDetails"]) == (
        '{"charged":true}',
        {"included": True},
    )
    assert succeeded["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    failed = detail_of(status_change_entry(FAILED))
    assert (failed["error"], failed["cause"], failed["output"]) == (
        "PaymentDeclined",
        "card declined",
        None,
    )
    assert (failed["redriveStatus"], failed["redriveStatusReason"]) == ("REDRIVABLE", None)


def test_an_express_execution_emits_nothing_as_on_aws() -> None:
    express = {**RUNNING, "executionArn": EXECUTION.replace(":execution:", ":express:")}
    assert status_change_entry(express) is None


def test_dates_are_read_from_seconds_datetimes_and_iso_text() -> None:
    import datetime

    moment = datetime.datetime(2024, 5, 6, 7, 8, 9, 500_000, tzinfo=datetime.UTC)
    assert epoch_millis(moment.timestamp()) == epoch_millis(moment) == 1_714_979_289_500
    assert epoch_millis("2024-05-06T07:08:09.500Z") == 1_714_979_289_500
    assert epoch_millis(None) is None and epoch_millis("not a date") is None


def test_status_events_need_an_eventbridge_to_send_to() -> None:
    with pytest.raises(ConfigError, match="set SFN_FLOWS_AWS_ENDPOINT"):
        StatusEvents(ServerConfig(status_events=True))


# --- the sender ---------------------------------------------------------------------------


class Blocked:
    """A PutEvents that holds every call until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()  # the sender holds a batch and waits here
        self.sent: list[dict[str, Any]] = []

    def __call__(self, entries: list[dict[str, Any]]) -> None:
        self.entered.set()
        if not self.release.wait(timeout=30):
            raise TimeoutError("never released")
        self.sent.extend(entries)


def repeat(count: int, description: dict[str, Any], events: StatusEvents) -> Callable[[], None]:
    def send() -> None:
        for _ in range(count):
            events.execution_changed(description)

    return send


def finishes(action: Callable[[], None], deadline: float = 10.0) -> bool:
    thread = threading.Thread(target=action, daemon=True)
    thread.start()
    thread.join(deadline)
    return not thread.is_alive()


def test_an_execution_never_waits_for_eventbridge() -> None:
    blocked = Blocked()
    events = StatusEvents(ServerConfig(), blocked)
    assert finishes(repeat(3, RUNNING, events))
    assert blocked.sent == []
    blocked.release.set()
    events.close()
    assert [json.loads(e["Detail"])["status"] for e in blocked.sent] == ["RUNNING"] * 3


def test_a_full_queue_drops_events_without_raising() -> None:
    blocked = Blocked()
    events = StatusEvents(ServerConfig(), blocked, queue_size=2)
    # First the sender takes one event and is held in PutEvents, so that what follows meets a
    # queue nobody empties (otherwise how many it takes per batch depends on the timing).
    events.execution_changed(RUNNING)
    assert blocked.entered.wait(10)
    assert finishes(repeat(6, RUNNING, events))
    assert events.dropped == 4  # two fit in the queue
    blocked.release.set()
    events.close()
    assert len(blocked.sent) == 3


def test_a_failing_eventbridge_or_a_bad_description_never_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def failing(entries: list[dict[str, Any]]) -> None:
        raise ConnectionError("EventBridge is down")

    events = StatusEvents(ServerConfig(), failing)
    with caplog.at_level(logging.WARNING, logger="sfn_flows.server"):
        events.execution_changed(RUNNING)
        events.execution_changed({"startDate": object()})  # no ARN: nothing to send
        events.execution_changed(None)  # type: ignore[arg-type]
        events.close()
    assert "PutEvents failed: EventBridge is down" in caplog.text


def test_a_silent_eventbridge_delays_neither_executions_nor_close() -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
        events = StatusEvents(ServerConfig(aws_endpoint=endpoint, status_events=True))
        assert finishes(lambda: events.execution_changed(RUNNING))
        assert finishes(lambda: events.close(deadline_seconds=1.0))


# --- through the local stack --------------------------------------------------------------


@dataclass(frozen=True)
class Listening:
    endpoint: str
    source: str
    queue_url: str
    sqs: Any

    def received(self, count: int, deadline: float = 20.0) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        limit = time.monotonic() + deadline
        while len(found) < count and time.monotonic() < limit:
            answer = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            )
            found.extend(json.loads(m["Body"]) for m in answer.get("Messages", []))
        return found


def listen(target: Target, source: str) -> Listening:
    """An EventBridge rule for status changes of `source`, delivering to a new SQS queue."""
    suffix = uuid.uuid4().hex[:8]
    sqs: Any = target.client("sqs")
    events: Any = target.client("events")
    queue_url = sqs.create_queue(QueueName=f"status-{suffix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    rule = f"status-{suffix}"
    pattern = {"source": [source], "detail-type": [DETAIL_TYPE]}
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "queue", "Arn": queue_arn}])
    assert target.endpoint_url is not None
    return Listening(target.endpoint_url, source, queue_url, sqs)


def test_a_rule_to_a_queue_receives_the_started_and_finished_events(
    local_target: Target,
) -> None:
    listening = listen(local_target, f"sfn-flows.test.{uuid.uuid4().hex[:8]}")
    config = ServerConfig(aws_endpoint=listening.endpoint, status_events=True)
    events = StatusEvents(config, source=listening.source)
    events.execution_changed(RUNNING)
    events.execution_changed(FAILED)
    events.close()
    received = listening.received(2)
    assert [event["detail"]["status"] for event in received] == ["RUNNING", "FAILED"]
    for event in received:
        assert event["source"] == listening.source
        assert event["detail-type"] == DETAIL_TYPE
        assert event["resources"] == [EXECUTION]
    assert received[1]["detail"] == detail_of(status_change_entry(FAILED))


def test_the_local_stack_refuses_aws_states_from_callers_and_the_server_says_why(
    local_target: Target, caplog: pytest.LogCaptureFixture
) -> None:
    assert local_target.endpoint_url is not None
    config = ServerConfig(aws_endpoint=local_target.endpoint_url, status_events=True)
    events = StatusEvents(config)
    with caplog.at_level(logging.WARNING, logger="sfn_flows.server"):
        events.execution_changed(RUNNING)
        events.close()
    assert "NotAuthorizedForSourceException" in caplog.text
    assert "aws.* sources from its own services only" in caplog.text
