"""Execution status events: with `--sfn-status-events` (or SFN_FLOWS_STATUS_EVENTS=1) the
sfn-flows-local engine sends EventBridge "Step Functions Execution Status Change" events to the
local stack, where a rule routes them as on AWS: here to an SQS queue."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sfn_flows.testing.engines import LOCAL_STACK, SFN_FLOWS_LOCAL, EngineError, start_engine
from sfn_flows.testing.plugin import STATUS_EVENTS_ENV, engine_choice

pytest_plugins = ["pytester"]

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
PATTERN = {"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"]}


@pytest.fixture(scope="module")
def engine_with_events(sfn_engine: Any) -> Iterator[Any]:
    # sfn_engine: Docker runs and the images are built.
    engine = start_engine(SFN_FLOWS_LOCAL, sfn_engine.stack_image, status_events=True)
    yield engine
    engine.stop()


def test_a_rule_routes_the_events_of_a_finished_execution(engine_with_events: Any) -> None:
    local_stack = engine_with_events.local_stack.target()
    sqs, events = local_stack.client("sqs"), local_stack.client("events")
    queue = sqs.create_queue(QueueName=f"status-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    events.put_rule(Name="execution-status", EventPattern=json.dumps(PATTERN))
    events.put_targets(
        Rule="execution-status",
        Targets=[{"Id": "queue", "Arn": queue_arn["Attributes"]["QueueArn"]}],
    )
    sfn = engine_with_events.target().client("stepfunctions")
    machine = sfn.create_state_machine(
        name="notified",
        definition=json.dumps(PASS),
        roleArn="arn:aws:iam::000000000000:role/r",
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 1}')["executionArn"]

    seen: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + 30
    while "SUCCEEDED" not in seen and time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            event = json.loads(message["Body"])
            seen[event["detail"]["status"]] = event
    assert set(seen) == {"RUNNING", "SUCCEEDED"}, f"events received: {sorted(seen)}"
    done = seen["SUCCEEDED"]
    assert (done["source"], done["detail-type"]) == ("aws.states", PATTERN["detail-type"][0])
    assert done["resources"] == [execution]
    assert done["detail"]["executionArn"] == execution
    assert done["detail"]["stateMachineArn"] == machine
    assert json.loads(done["detail"]["output"]) == {"ok": True}
    assert seen["RUNNING"]["detail"]["stopDate"] is None


def test_the_option_and_the_variable_turn_them_on(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STATUS_EVENTS_ENV, raising=False)
    assert engine_choice(pytester.parseconfig()).status_events is False
    assert engine_choice(pytester.parseconfig("--sfn-status-events")).status_events is True
    monkeypatch.setenv(STATUS_EVENTS_ENV, "1")
    assert engine_choice(pytester.parseconfig()).status_events is True
    monkeypatch.setenv(STATUS_EVENTS_ENV, "maybe")
    with pytest.raises(EngineError, match="SFN_FLOWS_STATUS_EVENTS='maybe' is not a switch"):
        engine_choice(pytester.parseconfig())


def test_other_engines_refuse_them_with_the_fix() -> None:
    # Refused before anything starts: no Docker needed.
    with pytest.raises(EngineError) as raised:
        start_engine(LOCAL_STACK, "unused", status_events=True)
    assert str(raised.value) == (
        "the local-stack engine sends no execution status events; choose sfn-flows-local "
        "(--sfn-engine / SFN_FLOWS_ENGINE) or turn status events off (--sfn-status-events / "
        "SFN_FLOWS_STATUS_EVENTS)"
    )
