"""LAMBDA_ENDPOINT: functions the server does not run itself are invoked through a real Lambda
endpoint, the embedded local stack (MiniStack) with functions deployed into it.

The result is lambda:invoke's envelope (or the payload for a function ARN), a function error
is named by the errorType the endpoint reports (MiniStack's own is Runtime.HandlerError, which
is why the server runs the project's handlers itself), and an endpoint that refuses or never
answers fails the Task (Lambda.SdkClientException, States.Timeout) while the caller goes on.
"""

from __future__ import annotations

import base64
import io
import json
import socket
import textwrap
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.server.tasks import TaskSetups

from .test_tasks_setup import INVOKE, config, run, single, task

HANDLERS = textwrap.dedent(
    """\
    import os
    import time


    class PaymentDeclined(Exception):
        pass


    def echo(event, context):
        print("echo was called")
        return {"got": event, "colour": os.environ.get("COLOUR")}


    def decline(event, context):
        raise PaymentDeclined("card declined")


    def slow(event, context):
        time.sleep(20)
        return "late"
    """
)


@dataclass(frozen=True)
class Deployed:
    endpoint: str
    echo: str
    decline: str
    slow: str
    echo_arn: str


@pytest.fixture(scope="module")
def deployed(local_target: Target) -> Deployed:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", HANDLERS)
    client: Any = local_target.client("lambda")
    suffix = uuid.uuid4().hex[:8]
    arns = {}
    for handler in ("echo", "decline", "slow"):
        arns[handler] = client.create_function(
            FunctionName=f"endpoint-{handler}-{suffix}",
            Runtime="python3.11",
            Role="arn:aws:iam::000000000000:role/sfn-flows-tests",
            Handler=f"app.{handler}",
            Code={"ZipFile": code.getvalue()},
            Environment={"Variables": {"COLOUR": "blue"}},
            Timeout=30,
        )["FunctionArn"]
    assert local_target.endpoint_url is not None
    return Deployed(
        local_target.endpoint_url,
        f"endpoint-echo-{suffix}",
        f"endpoint-decline-{suffix}",
        f"endpoint-slow-{suffix}",
        arns["echo"],
    )


@pytest.fixture
def setups(deployed: Deployed) -> TaskSetups:
    return TaskSetups(config(lambda_endpoint=deployed.endpoint))


def test_lambda_invoke_returns_the_invoke_response_envelope(
    setups: TaskSetups, deployed: Deployed
) -> None:
    definition = single(
        task(INVOKE, {"FunctionName": deployed.echo, "Payload.$": "$", "LogType": "Tail"})
    )
    result = run(setups, definition, {"order": 7})
    assert result.status == "SUCCEEDED", result.cause
    output = result.output
    assert output["Payload"] == {"got": {"order": 7}, "colour": "blue"}
    assert (output["StatusCode"], output["ExecutedVersion"]) == (200, "$LATEST")
    request_id = output["SdkResponseMetadata"]["RequestId"]
    assert request_id and output["SdkHttpMetadata"]["HttpHeaders"]["x-amzn-RequestId"] == (
        request_id
    )
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert "echo was called" in base64.b64decode(output["LogResult"]).decode()


def test_a_function_arn_resource_returns_the_payload(
    setups: TaskSetups, deployed: Deployed
) -> None:
    result = run(setups, single(task(deployed.echo_arn)), {"order": 8})
    assert result.output == {"got": {"order": 8}, "colour": "blue"}


def test_a_function_error_is_named_by_the_error_type_the_endpoint_reports(
    setups: TaskSetups, deployed: Deployed
) -> None:
    result = run(setups, single(task(INVOKE, {"FunctionName": deployed.decline})))
    assert result.status == "FAILED"
    document = json.loads(result.cause or "")
    # MiniStack names every handler exception so; AWS would say PaymentDeclined.
    assert result.error == document["errorType"] == "Runtime.HandlerError"
    assert document["errorMessage"] == "card declined"


def test_a_project_function_runs_in_the_server_and_others_through_the_endpoint(
    tmp_path: Path, deployed: Deployed
) -> None:
    (tmp_path / "app.py").write_text(HANDLERS)
    setups = TaskSetups(config(lambda_endpoint=deployed.endpoint, lambdas_dir=tmp_path))
    setups.register_functions({deployed.decline: {"handler": "app.decline"}})
    in_server = run(setups, single(task(INVOKE, {"FunctionName": deployed.decline})))
    assert in_server.error == "PaymentDeclined"  # as Lambda names it
    through_endpoint = run(setups, single(task(INVOKE, {"FunctionName": deployed.echo})))
    assert through_endpoint.output["Payload"]["colour"] == "blue"


def test_a_function_the_endpoint_does_not_have_is_resource_not_found(
    setups: TaskSetups,
) -> None:
    result = run(setups, single(task(INVOKE, {"FunctionName": "no-such-function"})))
    assert result.error == "Lambda.ResourceNotFoundException"
    assert "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException;" in (
        result.cause or ""
    )


def test_a_task_timeout_ends_a_call_the_function_has_not_answered(
    setups: TaskSetups, deployed: Deployed
) -> None:
    definition = single(task(INVOKE, {"FunctionName": deployed.slow}, TimeoutSeconds=1))
    result = run(setups, definition)
    assert (result.status, result.error) == ("FAILED", "States.Timeout")


@pytest.fixture
def refusing_endpoint() -> str:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A port that takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_an_endpoint_that_refuses_fails_the_task_as_the_sdk_reports_it(
    refusing_endpoint: str,
) -> None:
    setups = TaskSetups(config(lambda_endpoint=refusing_endpoint))
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": task(
                INVOKE,
                {"FunctionName": "anything"},
                Catch=[{"ErrorEquals": ["Lambda.SdkClientException"], "Next": "Caught"}],
                Next="Done",
            ),
            "Caught": {"Type": "Pass", "End": True},
            "Done": {"Type": "Succeed"},
        },
    }
    result = run(setups, definition)
    assert result.status == "SUCCEEDED"
    assert result.output["Error"] == "Lambda.SdkClientException"
    assert result.output["Cause"].startswith("Unable to execute HTTP request: Connect to 127.0.0.1")


def test_an_endpoint_that_never_answers_is_bounded_by_the_tasks_timeout(
    silent_endpoint: str,
) -> None:
    setups = TaskSetups(config(lambda_endpoint=silent_endpoint))
    definition = single(task(INVOKE, {"FunctionName": "anything"}, TimeoutSeconds=1))
    result = run(setups, definition)
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
