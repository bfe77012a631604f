"""Who answers Tasks, through the real HTTP server with boto3 as the client: StartExecution on
`<arn>#<TestCase>` with SFN_MOCK_CONFIG, SfnFlows.RegisterFunctions then the handler run in the
server, states:startExecution children in the same server, the local stack's services, and the
status events of the server's executions."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.server import status_events
from sfn_flows.server.app import RunningServer
from sfn_flows.server.status_events import DETAIL_TYPE

from .conftest import ROLE_ARN
from .test_status_events import listen
from .test_tasks_setup import CHARGE, INVOKE, MOCKS, single, task

STATES = "arn:aws:states:::"


def create(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    arn: str = sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE_ARN
    )["stateMachineArn"]
    return arn


def finished(sfn: Any, execution_arn: str, deadline: float = 30.0) -> dict[str, Any]:
    limit = time.monotonic() + deadline
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING" or time.monotonic() > limit:
            return described
        time.sleep(0.02)


def run(sfn: Any, arn: str, payload: Any = None) -> dict[str, Any]:
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload or {}))
    return finished(sfn, started["executionArn"])


def test_start_execution_on_arn_hash_test_case_uses_the_mock_config(
    tmp_path: Path, serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    mock_file = tmp_path / "MockConfigFile.json"
    mock_file.write_text(json.dumps(MOCKS))
    sfn = sfn_for(serve_with(mock_config=mock_file))
    arn = create(sfn, "Orders", CHARGE)
    happy = run(sfn, arn + "#HappyPath")
    assert (happy["status"], json.loads(happy["output"])) == ("SUCCEEDED", {"charged": 42})
    retried = run(sfn, arn + "#RetryPath")
    assert json.loads(retried["output"]) == {"charged": "at last"}
    unknown = run(sfn, arn + "#NoSuchCase")
    assert (unknown["status"], unknown["error"]) == ("FAILED", "States.Runtime")
    assert "no test case 'NoSuchCase' for state machine 'Orders'" in unknown["cause"]


def register(server: RunningServer, functions: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        server.url,
        data=json.dumps({"functions": functions}).encode(),
        headers={
            "X-Amz-Target": "SfnFlows.RegisterFunctions",
            "Content-Type": "application/x-amz-json-1.0",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_registered_functions_run_in_the_server_with_lambdas_error_names(
    tmp_path: Path, serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    (tmp_path / "payments.py").write_text(
        "import os\n\n\nclass PaymentDeclined(Exception):\n    pass\n\n\n"
        "def charge(event, context):\n"
        "    if event.get('decline'):\n"
        "        raise PaymentDeclined(os.environ['WHY'])\n"
        "    return {'charged': event['total']}\n"
    )
    server = serve_with(lambdas_dir=tmp_path)
    status, answer = register(
        server, {"charge": {"handler": "payments.charge", "environment": {"WHY": "no funds"}}}
    )
    assert (status, answer) == (200, {"registered": ["charge"]})
    sfn = sfn_for(server)
    arn = create(sfn, "Pay", single(task(INVOKE, {"FunctionName": "charge", "Payload.$": "$"})))
    paid = run(sfn, arn, {"total": 3})
    assert json.loads(paid["output"])["Payload"] == {"charged": 3}
    declined = run(sfn, arn, {"decline": True})
    assert (declined["error"], json.loads(declined["cause"])["errorMessage"]) == (
        "PaymentDeclined",
        "no funds",
    )
    status, refused = register(server, {"charge": {"handler": "a.b", "runtime": "python3.12"}})
    assert (status, refused["__type"]) == (400, "ValidationException")
    assert "unknown field runtime" in refused["message"]


def test_start_execution_tasks_run_their_child_in_the_same_server(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    sfn = sfn_for(serve_with(virtual_time=True))
    child = create(
        sfn,
        "Child",
        {
            "StartAt": "Check",
            "States": {
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.fail", "IsPresent": True, "Next": "Boom"}],
                    "Default": "Done",
                },
                "Boom": {"Type": "Fail", "Error": "ChildFailed", "Cause": "asked to"},
                "Done": {"Type": "Pass", "Result": {"child": "done"}, "End": True},
            },
        },
    )

    def parent(pattern: str, child_input: Any, arn: str = child) -> str:
        parameters = {"StateMachineArn": arn, "Input": child_input, "Name": uuid.uuid4().hex}
        return create(
            sfn, f"Parent{uuid.uuid4().hex[:8]}", single(task(STATES + pattern, parameters))
        )

    started = json.loads(run(sfn, parent("states:startExecution", {"go": 1}))["output"])
    assert set(started) == {"ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"}
    assert isinstance(started["StartDate"], int)
    assert finished(sfn, started["ExecutionArn"])["status"] == "SUCCEEDED"

    synced = json.loads(run(sfn, parent("states:startExecution.sync", {"go": 1}))["output"])
    assert (synced["Status"], synced["Output"], synced["Input"]) == (
        "SUCCEEDED",
        '{"child":"done"}',
        '{"go":1}',
    )
    assert synced["InputDetails"] == {"Included": True}
    assert list(synced) == sorted(synced)
    synced2 = json.loads(run(sfn, parent("states:startExecution.sync:2", {"go": 1}))["output"])
    assert (synced2["Output"], synced2["Input"]) == ({"child": "done"}, {"go": 1})

    failed = run(sfn, parent("states:startExecution.sync", {"fail": True}))
    assert failed["error"] == "States.TaskFailed"
    cause = json.loads(failed["cause"])
    assert (cause["Status"], cause["Error"], cause["Cause"]) == (
        "FAILED",
        "ChildFailed",
        "asked to",
    )

    missing = run(sfn, parent("states:startExecution", {}, arn=child + "Missing"))
    assert missing["error"] == "StepFunctions.StateMachineDoesNotExistException"
    assert missing["cause"].startswith("State Machine Does Not Exist: ")
    assert "(Service: AWSStepFunctions; Status Code: 400; " in missing["cause"]


def test_service_tasks_reach_the_local_stack_through_the_server(
    local_target: Target,
    serve_with: Callable[..., RunningServer],
    sfn_for: Callable[..., Any],
) -> None:
    sqs: Any = local_target.client("sqs")
    queue_url = sqs.create_queue(QueueName=f"served-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    sfn = sfn_for(serve_with(aws_endpoint=local_target.endpoint_url))
    arn = create(
        sfn,
        "Notify",
        single(
            task(
                STATES + "sqs:sendMessage.waitForTaskToken",
                {"QueueUrl": queue_url, "MessageBody": {"token.$": "$$.Task.Token"}},
            )
        ),
    )
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)["Messages"]
    token = json.loads(messages[0]["Body"])["token"]
    sfn.send_task_success(taskToken=token, output='{"approved":true}')
    done = finished(sfn, execution)
    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", {"approved": True})


def test_the_servers_executions_emit_status_events(
    local_target: Target,
    serve_with: Callable[..., RunningServer],
    sfn_for: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # MiniStack takes aws.* sources from its own services only: a test source stands in.
    listening = listen(local_target, f"sfn-flows.test.{uuid.uuid4().hex[:8]}")
    monkeypatch.setattr(status_events, "SOURCE", listening.source)
    server = serve_with(status_events=True, aws_endpoint=local_target.endpoint_url)
    sfn = sfn_for(server)
    arn = create(sfn, "Announced", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    done = run(sfn, arn, {"hello": 1})
    assert done["status"] == "SUCCEEDED"
    received = listening.received(2)
    assert [event["detail"]["status"] for event in received] == ["RUNNING", "SUCCEEDED"]
    for event in received:
        assert event["detail-type"] == DETAIL_TYPE
        assert event["resources"] == [done["executionArn"]]
        assert event["detail"]["input"] == json.dumps({"hello": 1})  # as it was given
    assert received[1]["detail"]["output"] == '{"hello":1}'
    assert received[1]["detail"]["stopDate"] >= received[1]["detail"]["startDate"]


def test_a_sync_child_is_waited_for_no_longer_than_the_tasks_timeout(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    sfn = sfn_for(serve_with())  # real time: the child's hour-long Wait takes an hour
    child = create(
        sfn,
        "Sleeper",
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}},
    )
    parent = create(
        sfn,
        "Impatient",
        single(
            task(
                STATES + "states:startExecution.sync:2",
                {"StateMachineArn": child},
                TimeoutSeconds=1,
            )
        ),
    )
    result = run(sfn, parent)
    assert (result["status"], result["error"]) == ("FAILED", "States.Timeout")
