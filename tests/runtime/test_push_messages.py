"""The push socket's messages (pure), the @connections address, and the notifier's refusal of
events that are not its own. The whole path runs for real in tests/e2e/test_push.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from sfn_flows.runtime.config import ApiConfig, WorkflowTarget
from sfn_flows.runtime.names import parse_state_machine_arn
from sfn_flows.runtime.push_clients import connections_endpoint
from sfn_flows.runtime.push_messages import (
    MAX_MESSAGE_BYTES,
    BadSubscription,
    described_from_event,
    output_left_out,
    requested_execution,
    status_message,
)
from sfn_flows.runtime.push_notifier import make_push_notifier_handler

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:app-echo"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:app-echo:run-1"
BODY = {
    "executionId": "echo~run-1",
    "executionArn": EXECUTION,
    "status": "SUCCEEDED",
    "output": {"n": 1},
    "error": None,
    "cause": None,
    "startDate": "2026-01-01T00:00:00.000Z",
    "stopDate": "2026-01-01T00:00:01.000Z",
}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (None, "EmptyMessage"),
        ("  ", "EmptyMessage"),
        ("subscribe me", "NotJson"),
        ('"echo~run-1"', "NotAnObject"),
        ('{"executionId": "echo~run-1"}', "UnknownAction"),
        ('{"action": "SUBSCRIBE", "executionId": "echo~run-1"}', "UnknownAction"),
        ('{"action": "subscribe"}', "MissingExecution"),
        ('{"action": "subscribe", "executionArn": ""}', "MissingExecution"),
        ('{"action": "subscribe", "executionId": ["echo~run-1"]}', "MissingExecution"),
        ('{"action": "subscribe", "executionId": "a~b", "executionArn": "x"}', "TwoExecutions"),
    ],
)
def test_a_message_that_subscribes_to_nothing_says_why(body: Any, code: str) -> None:
    with pytest.raises(BadSubscription) as caught:
        requested_execution(body)
    assert caught.value.code == code
    assert '"action": "subscribe"' in str(caught.value)  # and how to write one


def test_the_execution_is_named_by_id_or_arn() -> None:
    assert requested_execution('{"action": "subscribe", "executionId": "echo~run-1"}') == (
        "echo~run-1"
    )
    assert requested_execution(json.dumps({"action": "subscribe", "executionArn": EXECUTION})) == (
        EXECUTION
    )


def test_an_unknown_action_is_quoted_short() -> None:
    with pytest.raises(BadSubscription, match=r'has action "x{36}\.\.\.;'):
        requested_execution(json.dumps({"action": "x" * 500}))


def test_a_status_that_fits_carries_its_output() -> None:
    message = json.loads(status_message(BODY))
    assert message == {"type": "status", **BODY, "outputIncluded": True}


def test_an_output_over_the_message_limit_is_left_out_and_said_where_to_read() -> None:
    body = {**BODY, "output": {"blob": "é" * 70_000}}  # 140,000 bytes in UTF-8
    text = status_message(body)
    message = json.loads(text)
    assert len(text.encode()) <= MAX_MESSAGE_BYTES
    assert (message["output"], message["outputIncluded"]) == (None, False)
    assert "GET /executions/echo~run-1" in message["note"]
    assert message["status"] == "SUCCEEDED" and message["stopDate"] == BODY["stopDate"]


def test_a_cause_over_the_limit_goes_too() -> None:
    body = {**BODY, "status": "FAILED", "output": None, "error": "E", "cause": "😀" * 32_768}
    text = status_message(body)
    message = json.loads(text)
    assert len(text.encode()) <= MAX_MESSAGE_BYTES
    assert (message["cause"], message["causeIncluded"], message["error"]) == (None, False, "E")


def test_an_output_the_event_left_out_is_said_so() -> None:
    detail = {"status": "SUCCEEDED", "output": None, "outputDetails": {"included": False}}
    reason = output_left_out(detail)
    assert reason is not None and "GET /executions/" in reason
    message = json.loads(status_message({**BODY, "output": None}, output_left_out=reason))
    assert (message["outputIncluded"], message["note"]) == (False, reason)
    assert output_left_out({"outputDetails": {"included": True}}) is None


def test_an_events_detail_reads_as_a_description() -> None:
    detail = {
        "executionArn": EXECUTION,
        "stateMachineArn": MACHINE,
        "name": "run-1",
        "status": "FAILED",
        "startDate": 1767225600000,
        "stopDate": 1767225601500,
        "output": None,
        "outputDetails": None,
        "error": "JobBroken",
        "cause": "it broke",
    }
    described = described_from_event(detail)
    assert described["startDate"] == datetime(2026, 1, 1, tzinfo=UTC)
    assert described["stopDate"] == datetime(2026, 1, 1, 0, 0, 1, 500_000, tzinfo=UTC)
    assert (described["error"], described["cause"], described["outputDetails"]) == (
        "JobBroken",
        "it broke",
        {},
    )
    assert described_from_event({**detail, "stopDate": None})["stopDate"] is None


def test_the_connections_address_on_aws_and_on_a_local_stack() -> None:
    aws = "https://abc123.execute-api.eu-west-1.amazonaws.com/push"
    assert connections_endpoint({"SFN_FLOWS_PUSH_ENDPOINT": aws}) == aws
    local = {"SFN_FLOWS_PUSH_ENDPOINT": aws, "AWS_ENDPOINT_URL": "http://127.0.0.1:4566/"}
    assert connections_endpoint(local) == "http://127.0.0.1:4566/_aws/execute-api/abc123/push"
    for wrong in ({}, {"SFN_FLOWS_PUSH_ENDPOINT": "https://example.com/push"}):
        with pytest.raises(ValueError, match="SFN_FLOWS_PUSH_ENDPOINT"):
            connections_endpoint(wrong)


def _notifier_of_echo() -> Any:
    machine = parse_state_machine_arn(MACHINE)
    assert machine is not None
    config = ApiConfig({"echo": WorkflowTarget("echo", machine, None)})

    def unreachable() -> Any:
        raise AssertionError("an ignored event reads no subscription and posts nothing")

    return make_push_notifier_handler(
        dynamodb=unreachable, connections=unreachable, config=lambda: config
    )


@pytest.mark.parametrize(
    "event",
    [
        {},
        "not an event",
        {"source": "aws.states", "detail-type": "Other", "detail": {"status": "SUCCEEDED"}},
        {"source": "my.app", "detail-type": "Step Functions Execution Status Change"},
        {
            "source": "aws.states",
            "detail-type": "Step Functions Execution Status Change",
            "detail": {"status": "RUNNING", "executionArn": EXECUTION},
        },
        {
            "source": "aws.states",
            "detail-type": "Step Functions Execution Status Change",
            "detail": {
                "status": "SUCCEEDED",
                "executionArn": EXECUTION.replace("app-echo", "someone-elses"),
            },
        },
        {
            "source": "aws.states",
            "detail-type": "Step Functions Execution Status Change",
            "detail": {"status": "SUCCEEDED", "executionArn": "arn:aws:states:::"},
        },
    ],
)
def test_the_notifier_ignores_what_is_not_an_end_of_its_own_executions(event: Any) -> None:
    assert _notifier_of_echo()(event, None)["outcome"] == "ignored"
