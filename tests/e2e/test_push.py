"""WebSocket push on the embedded local stack: the project deployed with push=True workflows,
real WebSocket connections to MiniStack's API Gateway, the real socket and notifier Lambdas,
DynamoDB, and the status change events MiniStack's own Step Functions sends to EventBridge as
AWS's does (nothing is stubbed: the events come from the executions themselves).

Messages are counted, never timed: benchmarks/bench_push.py measures how late they come.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from e2e_deployment import build_and_deploy, call
from websockets.sync.client import ClientConnection, connect

from sfn_flows.aws import Target
from sfn_flows.client import ExecutionClient, WaitTimeout
from sfn_flows.deploy.naming import state_machine_output
from sfn_flows.deploy.outputs import reachable_push_url
from sfn_flows.local.stack import free_port
from sfn_flows.runtime.intake import input_digest, queued_execution_id
from sfn_flows.runtime.names import idempotent_execution_name

ROOT = Path(__file__).resolve().parents[2]
STACK = "sfn-flows-push-e2e"
PUSH_WORKFLOWS = """
from long_running_job import notify, process_data
from sfn_flows import Fail, LambdaInvoke, Pass, Wait, Workflow

pushed_job = Workflow(
    name="pushed-job",
    start=LambdaInvoke("Work", function=process_data, timeout_seconds=60)
    >> LambdaInvoke("Tell", function=notify, timeout_seconds=30),
    timeout_seconds=900,
    push=True,
)
pushed_failure = Workflow(
    name="pushed-failure",
    start=Fail("Broken", error="JobBroken", cause="the job broke on purpose"),
    timeout_seconds=60,
    push=True,
)
echo = Workflow(name="echo", start=Pass("Echo"), timeout_seconds=60, push=True)
queued_echo = Workflow(
    name="queued-echo",
    start=Wait("Hold", seconds=1) >> Pass("Echo"),
    timeout_seconds=60,
    intake="sqs",
    push=True,
)
"""
JOB = {"job_id": "push-1", "items": ["a", "b"]}


@dataclass(frozen=True)
class Pushed:
    target: Target
    push_url: str
    outputs: dict[str, str]
    api_url: str

    def machine(self, workflow: str) -> str:
        return self.outputs[state_machine_output(workflow)]

    def start(self, workflow: str, value: Any) -> str:
        """Start an execution with the test's own client: the ARN."""
        sfn = self.target.client("stepfunctions")
        answer = sfn.start_execution(
            stateMachineArn=self.machine(workflow), input=json.dumps(value)
        )
        return str(answer["executionArn"])

    def ended(self, arn: str) -> bool:
        sfn = self.target.client("stepfunctions")
        return str(sfn.describe_execution(executionArn=arn)["status"]) != "RUNNING"

    def client(self) -> ExecutionClient:
        return ExecutionClient(self.target, push_url=self.push_url)

    def table(self) -> str:
        found = self.target.client("cloudformation").describe_stack_resource(
            StackName=STACK, LogicalResourceId="PushSubscriptionsTable"
        )
        return str(found["StackResourceDetail"]["PhysicalResourceId"])

    def subscriptions(self) -> list[tuple[str, str]]:
        items = self.target.client("dynamodb").scan(TableName=self.table())["Items"]
        return [(i["executionArn"]["S"], i["connectionId"]["S"]) for i in items]


@pytest.fixture(scope="module")
def pushed(tmp_path_factory: pytest.TempPathFactory, local_target: Target) -> Pushed:
    project = tmp_path_factory.mktemp("push")
    for folder in ("workflows", "lambdas"):
        shutil.copytree(
            ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    (project / "workflows" / "push_workflows.py").write_text(PUSH_WORKFLOWS)
    api_url, outputs = build_and_deploy(project, local_target, STACK)
    url = reachable_push_url(local_target, outputs)
    assert url and url.startswith("ws://")
    return Pushed(local_target, url, outputs, api_url)


@pytest.fixture
def socket(pushed: Pushed) -> Iterator[ClientConnection]:
    with connect(pushed.push_url, open_timeout=10, ping_interval=None) as connection:
        yield connection


def subscribe(socket: ClientConnection, **fields: Any) -> dict[str, Any]:
    socket.send(json.dumps({"action": "subscribe", **fields}))
    return receive(socket)


def receive(socket: ClientConnection, timeout: float = 30) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(socket.recv(timeout=timeout))
    return message


def no_more_messages(socket: ClientConnection) -> bool:
    try:
        socket.recv(timeout=1.0)
    except TimeoutError:
        return True
    return False


def until(check: Any, deadline: float = 20.0) -> Any:
    limit = time.monotonic() + deadline
    while not (found := check()):
        assert time.monotonic() < limit, "the condition never held"
        time.sleep(0.1)
    return found


def test_completion_comes_as_one_message_and_the_client_describes_nothing(
    pushed: Pushed,
) -> None:
    client = pushed.client()
    execution = client.start(pushed.machine("pushed-job"), {**JOB, "simulate_seconds": 1})
    status = client.wait(execution.arn, timeout=60, push=True)
    assert status.status == "SUCCEEDED"
    assert status.output == {"job_id": "push-1", "processed": 2, "notified": True}
    assert status.stop_date is not None and status.start_date <= status.stop_date
    assert client.push_fallback is None
    # StartExecution only: neither DescribeExecution nor GetExecutionHistory.
    assert dict(client.calls) == {"StartExecution": 1}
    # One subscription sent; its acknowledgement and the one status message received.
    assert dict(client.push_traffic) == {"connections": 1, "sent": 1, "received": 2}
    # The notifier deletes the subscription it served.
    until(lambda: execution.arn not in [arn for arn, _ in pushed.subscriptions()])


def test_the_socket_gets_exactly_one_status_message(
    pushed: Pushed, socket: ClientConnection
) -> None:
    arn = pushed.start("pushed-job", {**JOB, "simulate_seconds": 1})
    execution_id = f"pushed-job~{arn.rsplit(':', 1)[-1]}"
    assert subscribe(socket, executionId=execution_id) == {
        "type": "subscribed",
        "executionId": execution_id,
        "executionArn": arn,
        "status": "RUNNING",
    }
    final = receive(socket)
    assert final["type"] == "status" and final["status"] == "SUCCEEDED"
    assert final["executionId"] == execution_id and final["outputIncluded"] is True
    assert final["output"]["processed"] == 2
    assert no_more_messages(socket)


def test_a_failed_execution_pushes_its_error_and_cause(pushed: Pushed) -> None:
    client = pushed.client()
    execution = client.start(pushed.machine("pushed-failure"), {})
    status = client.wait(execution.arn, timeout=60, push=True)
    assert (status.status, status.error, status.cause) == (
        "FAILED",
        "JobBroken",
        "the job broke on purpose",
    )
    assert client.calls["DescribeExecution"] == 0 and client.push_fallback is None


def test_an_execution_that_has_ended_is_answered_at_once(
    pushed: Pushed, socket: ClientConnection
) -> None:
    arn = pushed.start("echo", {"n": 1})
    until(lambda: pushed.ended(arn))
    answer = subscribe(socket, executionArn=arn)
    assert (answer["type"], answer["status"], answer["output"]) == ("status", "SUCCEEDED", {"n": 1})
    assert no_more_messages(socket)
    assert arn not in [execution for execution, _ in pushed.subscriptions()]


def test_bad_messages_get_an_error_and_subscribe_nothing(
    pushed: Pushed, socket: ClientConnection
) -> None:
    sfn = pushed.target.client("stepfunctions")
    # An execution of this project that does not push, and one of a state machine of the
    # same account that is not the project's: both real and running.
    quiet = pushed.start("long-running-job", {**JOB, "simulate_seconds": 30})
    foreign_machine = sfn.create_state_machine(
        name=f"not-this-project-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(
            {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 60, "End": True}}}
        ),
        roleArn="arn:aws:iam::000000000000:role/any",
    )["stateMachineArn"]
    foreign = sfn.start_execution(stateMachineArn=foreign_machine)["executionArn"]
    pushed_arn = pushed.machine("pushed-job").replace(":stateMachine:", ":execution:")
    other_account = f"{pushed_arn.replace(':000000000000:', ':111111111111:')}:{uuid.uuid4()}"
    cases = [
        ("not json", "NotJson"),
        ("", "EmptyMessage"),
        ("[1, 2]", "NotAnObject"),
        ('{"action": "unsubscribe", "executionId": "pushed-job~x"}', "UnknownAction"),
        ('{"executionId": "pushed-job~x"}', "UnknownAction"),
        ('{"action": "subscribe"}', "MissingExecution"),
        ('{"action": "subscribe", "executionId": 7}', "MissingExecution"),
        (
            json.dumps({"action": "subscribe", "executionId": "a~b", "executionArn": "c"}),
            "TwoExecutions",
        ),
        (
            json.dumps({"action": "subscribe", "executionId": "no-such-workflow~x"}),
            "UnknownExecution",
        ),
        (
            json.dumps({"action": "subscribe", "executionId": f"pushed-job~{uuid.uuid4()}"}),
            "UnknownExecution",
        ),
        (
            json.dumps({"action": "subscribe", "executionId": "pushed-job~bad name/"}),
            "UnknownExecution",
        ),
        (json.dumps({"action": "subscribe", "executionArn": quiet}), "UnknownExecution"),
        (
            json.dumps(
                {
                    "action": "subscribe",
                    "executionId": f"long-running-job~{quiet.rsplit(':', 1)[-1]}",
                }
            ),
            "UnknownExecution",
        ),
        (json.dumps({"action": "subscribe", "executionArn": foreign}), "UnknownExecution"),
        (json.dumps({"action": "subscribe", "executionArn": other_account}), "UnknownExecution"),
        (
            json.dumps({"action": "subscribe", "executionArn": "arn:aws:states:::"}),
            "UnknownExecution",
        ),
    ]
    for text, code in cases:
        socket.send(text)
        answer = receive(socket)
        assert (answer["type"], answer["error"]) == ("error", code), text
        assert "subscribe" in answer["message"] or "execution" in answer["message"], text
    assert no_more_messages(socket)
    subscribed = {execution for execution, _ in pushed.subscriptions()}
    assert not subscribed & {quiet, foreign, other_account}
    sfn.stop_execution(executionArn=quiet)
    sfn.stop_execution(executionArn=foreign)


def test_a_closed_connection_loses_its_subscriptions(pushed: Pushed) -> None:
    arn = pushed.start("pushed-job", {**JOB, "simulate_seconds": 10})
    with connect(pushed.push_url, open_timeout=10, ping_interval=None) as socket:
        assert subscribe(socket, executionArn=arn)["type"] == "subscribed"
        assert arn in [execution for execution, _ in pushed.subscriptions()]
    until(lambda: arn not in [execution for execution, _ in pushed.subscriptions()])


def test_the_notifier_drops_connections_that_have_gone(pushed: Pushed) -> None:
    """A subscription whose connection API Gateway no longer knows (410 GoneException on the
    post) is deleted; one that fails otherwise would be kept."""
    arn = pushed.start("pushed-job", {**JOB, "simulate_seconds": 2})
    pushed.target.client("dynamodb").put_item(
        TableName=pushed.table(),
        Item={
            "executionArn": {"S": arn},
            "connectionId": {"S": "gone0connection0"},
            "expiresAt": {"N": str(int(time.time()) + 3600)},
        },
    )
    until(lambda: pushed.ended(arn))
    until(lambda: (arn, "gone0connection0") not in pushed.subscriptions())


def test_an_output_too_large_for_a_message_comes_without_it(
    pushed: Pushed, socket: ClientConnection
) -> None:
    big = {"blob": "x" * 200_000}  # Step Functions carries it; a 128 KB message cannot
    client = pushed.client()
    execution = client.start(pushed.machine("echo"), big)
    # The raw socket: the status alone, saying where the output is.
    answer = subscribe(socket, executionArn=execution.arn)
    if answer["type"] == "subscribed":
        answer = receive(socket)
    assert (answer["type"], answer["status"]) == ("status", "SUCCEEDED")
    assert answer["output"] is None and answer["outputIncluded"] is False
    assert "GET /executions/echo~" in answer["note"]
    assert len(json.dumps(answer)) < 128_000
    # The client reads the output with one DescribeExecution.
    status = client.wait(execution.arn, timeout=60, push=True)
    assert status.output == big
    assert client.calls["DescribeExecution"] == 1 and client.push_fallback is None


def test_without_a_push_socket_the_client_polls(pushed: Pushed) -> None:
    client = ExecutionClient(pushed.target, push_url=None)
    execution = client.start(pushed.machine("echo"), {"n": 2})
    status = client.wait(execution.arn, timeout=60, push=True)
    assert status.output == {"n": 2}
    assert client.push_fallback is not None and "no push socket" in client.push_fallback
    assert client.calls["DescribeExecution"] >= 1 and not client.push_traffic


def test_a_socket_that_refuses_connections_means_polling(pushed: Pushed) -> None:
    client = ExecutionClient(pushed.target, push_url=f"ws://127.0.0.1:{free_port()}/nobody")
    execution = client.start(pushed.machine("echo"), {"n": 3})
    status = client.wait(execution.arn, timeout=60, push=True)
    assert status.output == {"n": 3}
    assert client.push_fallback is not None and "cannot connect" in client.push_fallback
    assert client.calls["DescribeExecution"] >= 1


def test_a_workflow_that_does_not_push_is_polled(pushed: Pushed) -> None:
    client = pushed.client()
    execution = client.start(pushed.machine("long-running-job"), JOB)
    status = client.wait(execution.arn, timeout=60, push=True)
    assert status.status == "SUCCEEDED"
    assert client.push_fallback is not None
    assert "no such execution of a workflow that pushes here" in client.push_fallback
    assert client.calls["DescribeExecution"] >= 1


def test_no_message_by_the_deadline_ends_with_one_poll(pushed: Pushed) -> None:
    client = pushed.client()
    execution = client.start(pushed.machine("pushed-job"), {**JOB, "simulate_seconds": 30})
    with pytest.raises(WaitTimeout) as caught:
        client.wait(execution.arn, timeout=2, push=True)
    assert caught.value.status == "RUNNING"
    assert client.push_fallback == "no message from the push socket by the deadline"
    assert client.calls["DescribeExecution"] == 1  # the deadline's own poll
    pushed.target.client("stepfunctions").stop_execution(executionArn=execution.arn)


def test_a_request_still_in_its_queue_can_be_subscribed_to(
    pushed: Pushed, socket: ClientConnection
) -> None:
    """push=True with intake="sqs": the id a queued request answers with is subscribed to
    before its execution exists, and its end comes as for any other."""
    body = {"order": 42}
    status, accepted, _ = call(
        "POST",
        f"{pushed.api_url}/queued-echo/executions",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    assert (status, accepted["status"]) == (202, "QUEUED")
    answer = subscribe(socket, executionId=accepted["executionId"])
    assert answer["type"] == "subscribed" and answer["status"] in ("QUEUED", "RUNNING")
    assert answer["executionArn"] == accepted["executionArn"]
    final = receive(socket)
    assert (final["type"], final["status"], final["output"]) == ("status", "SUCCEEDED", body)
    assert no_more_messages(socket)


def post_queued(pushed: Pushed, body: Any, key: str) -> dict[str, Any]:
    status, accepted, _ = call(
        "POST",
        f"{pushed.api_url}/queued-echo/executions",
        json.dumps(body).encode(),
        {"Content-Type": "application/json", "Idempotency-Key": key},
    )
    assert (status, accepted["status"]) == (202, "QUEUED"), accepted
    return accepted


def test_a_reused_keys_request_subscribed_before_the_execution_gets_no_ones_status(
    pushed: Pushed, socket: ClientConnection
) -> None:
    """Subscribed while nothing of that name exists, a request whose key another body took
    first hears IdempotencyKeyReused from the notifier, never the other request's end."""
    key = f"push-{uuid.uuid4()}"
    name = idempotent_execution_name(key)
    # The id the API answers the second request with (B), subscribed to before any of it.
    reused = queued_execution_id(
        "queued-echo", name, int(time.time() * 1000), input_digest({"who": "B"})
    )
    answer = subscribe(socket, executionId=reused)
    assert (answer["type"], answer["status"]) == ("subscribed", "QUEUED"), answer
    first = post_queued(pushed, {"who": "A"}, key)  # A takes the name, and runs
    with connect(pushed.push_url, open_timeout=10, ping_interval=None) as own:
        mine = subscribe(own, executionId=first["executionId"])
        if mine["type"] == "subscribed":
            mine = receive(own)
    assert (mine["type"], mine["status"], mine["output"]) == ("status", "SUCCEEDED", {"who": "A"})

    final = receive(socket)

    assert (final["type"], final["error"]) == ("error", "IdempotencyKeyReused"), final
    assert f"(execution queued-echo~{name})" in final["message"] and "output" not in final
    assert no_more_messages(socket)


def test_a_reused_keys_request_subscribed_after_the_execution_is_refused_at_once(
    pushed: Pushed, socket: ClientConnection
) -> None:
    key = f"push-{uuid.uuid4()}"
    first = post_queued(pushed, {"who": "A"}, key)
    until(lambda: pushed.ended(first["executionArn"]) if _exists(pushed, first) else False)
    second = post_queued(pushed, {"who": "B"}, key)

    answer = subscribe(socket, executionId=second["executionId"])

    assert (answer["type"], answer["error"]) == ("error", "IdempotencyKeyReused"), answer
    assert "output" not in answer
    assert no_more_messages(socket)
    assert all(arn != first["executionArn"] for arn, _ in pushed.subscriptions())
    # The first request's own id still gets its status.
    mine = subscribe(socket, executionId=first["executionId"])
    assert (mine["type"], mine["output"]) == ("status", {"who": "A"})


def _exists(pushed: Pushed, accepted: dict[str, Any]) -> bool:
    sfn = pushed.target.client("stepfunctions")
    try:
        sfn.describe_execution(executionArn=accepted["executionArn"])
    except sfn.exceptions.ExecutionDoesNotExist:
        return False
    return True


def test_sfn_flows_run_push_waits_on_the_socket(
    pushed: Pushed, tmp_path: Path, local_stack: Any
) -> None:
    """The command as users run it: `sfn-flows run <workflow> --push`."""
    command = [
        sys.executable,
        "-m",
        "sfn_flows",
        "run",
        "--endpoint-url",
        local_stack.endpoint_url,
        "--stack",
        STACK,
        "--push",
        "--input",
        json.dumps(JOB),
    ]
    pushing = subprocess.run(
        [*command[:4], "pushed-job", *command[4:]], cwd=tmp_path, capture_output=True, text=True
    )
    assert pushing.returncode == 0, pushing.stderr
    assert json.loads(pushing.stdout) == {"job_id": "push-1", "processed": 2, "notified": True}
    assert "push could not tell" not in pushing.stderr  # it did not fall back to polling
    # A workflow that does not push: polled instead, and said so.
    polled = subprocess.run(
        [*command[:4], "long-running-job", *command[4:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert polled.returncode == 0, polled.stderr
    assert "push could not tell" in polled.stderr and "polled Step Functions" in polled.stderr
    assert "Traceback" not in pushing.stderr + polled.stderr
