"""`sfn-flows status <arn|id>` through the real command against the real MiniStack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.client import ExecutionClient
from sfn_flows.runtime.intake import input_digest, queued_execution_id

from .conftest import DEMO_WORKFLOW, Machines
from .test_run_cli import sfn_flows


@pytest.fixture(scope="module")
def endpoint(local_target: Target) -> list[str]:
    assert local_target.endpoint_url
    return ["--endpoint-url", local_target.endpoint_url]


@pytest.fixture(scope="module")
def finished(local_target: Target, machines: Machines) -> dict[str, str]:
    client = ExecutionClient(local_target)
    arns = {
        "ok": client.start(machines["echo"], {"done": True}).arn,
        "failed": client.start(machines["fail"], {}).arn,
    }
    for arn in arns.values():
        client.wait(arn, timeout=30)
    return arns


def test_status_of_a_succeeded_execution(finished: dict[str, str], endpoint: list[str]) -> None:
    result = sfn_flows("status", finished["ok"], *endpoint)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"arn        {finished['ok']}"
    assert lines[1] == "status     SUCCEEDED"
    assert lines[2].startswith("started    20") and lines[2].endswith("+00:00")
    assert lines[3].startswith("stopped    20") and " (after " in lines[3]
    assert lines[4] == "output"
    assert json.loads("\n".join(lines[5:])) == {"done": True}


def test_status_of_a_failed_execution(finished: dict[str, str], endpoint: list[str]) -> None:
    result = sfn_flows("status", finished["failed"], *endpoint)
    assert result.returncode == 0, result.stderr
    assert "status     FAILED" in result.stdout
    assert "error      Boom" in result.stdout and "cause      it broke" in result.stdout


def test_status_as_json(finished: dict[str, str], endpoint: list[str]) -> None:
    result = sfn_flows("status", finished["ok"], *endpoint, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["executionArn"] == finished["ok"] and document["executionId"] is None
    assert document["status"] == "SUCCEEDED" and document["output"] == {"done": True}
    assert document["startDate"] <= document["stopDate"]
    assert document["error"] is None and document["cause"] is None


def test_status_of_a_running_execution(
    local_target: Target, machines: Machines, endpoint: list[str], sfn: Any
) -> None:
    arn = ExecutionClient(local_target).start(machines["wait-long"], {}).arn
    try:
        result = sfn_flows("status", arn, *endpoint)
    finally:
        sfn.stop_execution(executionArn=arn)
    assert result.returncode == 0, result.stderr
    assert "status     RUNNING" in result.stdout
    assert "stopped" not in result.stdout and "output" not in result.stdout


def run_named(machines: Machines, endpoint: list[str], name: str, value: Any) -> None:
    """`sfn-flows run` of the demo workflow as execution `name` with input `value`."""
    run = sfn_flows(
        "run",
        DEMO_WORKFLOW,
        "--stack",
        machines.stack,
        *endpoint,
        "--name",
        name,
        "--input",
        json.dumps(value),
    )
    assert run.returncode == 0, run.stderr


def test_status_by_workflow_id(machines: Machines, endpoint: list[str]) -> None:
    run_named(machines, endpoint, "for-status", {"id": 1})
    execution_id = f"{DEMO_WORKFLOW}~for-status"
    result = sfn_flows("status", execution_id, "--stack", machines.stack, *endpoint, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["executionId"] == execution_id
    assert (
        document["executionArn"].endswith(":for-status")
        and ":execution:" in (document["executionArn"])
    )
    assert document["output"] == {"id": 1}
    text = sfn_flows("status", execution_id, "--stack", machines.stack, *endpoint)
    assert text.stdout.splitlines()[0] == f"execution  {execution_id}"


def test_status_of_a_missing_execution(
    machines: Machines, endpoint: list[str], local_target: Target
) -> None:
    arn = machines["echo"].replace(":stateMachine:", ":execution:") + ":nope"
    result = sfn_flows("status", arn, *endpoint)
    assert result.returncode == 1
    assert (
        f"error: no execution {arn} on the local stack at {local_target.endpoint_url}; "
        "check the ARN or id." in result.stderr
    )
    by_id = sfn_flows("status", f"{DEMO_WORKFLOW}~nope", "--stack", machines.stack, *endpoint)
    assert by_id.returncode == 1
    assert "error: no execution arn:aws:states:" in by_id.stderr
    assert ":nope on the local stack at" in by_id.stderr


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "not-an-id",
            "error: 'not-an-id' is neither an execution ARN nor an id "
            "'<workflow>~<execution name>'; pass one of those",
        ),
        ("~name", "is neither an execution ARN nor an id"),
        (
            "arn:aws:states:us-east-1:000000000000:stateMachine:x",
            "error: arn:aws:states:us-east-1:000000000000:stateMachine:x is a state machine "
            "ARN; pass an execution ARN (with ':execution:')",
        ),
    ],
)
def test_status_of_something_else(given: str, message: str, endpoint: list[str]) -> None:
    result = sfn_flows("status", given, *endpoint)
    assert result.returncode == 1
    assert message in result.stderr


def test_status_of_an_id_with_an_impossible_execution_name(endpoint: list[str]) -> None:
    result = sfn_flows("status", f"{DEMO_WORKFLOW}~has space", *endpoint)
    assert result.returncode == 1
    assert (
        f"error: {DEMO_WORKFLOW + '~has space'!r}: 'has space' is not a valid execution name "
        "(' ' at position 4);"
    ) in result.stderr


def test_status_by_a_queued_id_once_the_execution_started(
    machines: Machines, endpoint: list[str]
) -> None:
    # The SQS intake answers "<workflow>~<name>~<queued at>~<input digest>"; once its
    # consumer has started the execution, the id reads it like "<workflow>~<name>".
    body = {"order": 7}
    run_named(machines, endpoint, "was-queued", body)
    queued_id = queued_execution_id(
        DEMO_WORKFLOW, "was-queued", 1_764_500_000_000, input_digest(body)
    )
    result = sfn_flows("status", queued_id, "--stack", machines.stack, *endpoint, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["executionId"] == queued_id
    assert document["executionArn"].endswith(f"-{DEMO_WORKFLOW}:was-queued")
    assert ":execution:" in document["executionArn"]


def test_status_by_the_queued_id_of_a_request_whose_key_another_body_took(
    machines: Machines, endpoint: list[str]
) -> None:
    """The name is the Idempotency-Key's, the execution another request's: its status and
    output are not this request's to read."""
    run_named(machines, endpoint, "key-taken", {"who": "A"})
    reused = queued_execution_id(
        DEMO_WORKFLOW, "key-taken", 1_764_500_000_000, input_digest({"who": "B"})
    )

    result = sfn_flows("status", reused, "--stack", machines.stack, *endpoint, "--json")

    assert result.returncode == 1 and result.stdout == ""
    assert f"error: execution {reused} is not the execution of that request: " in result.stderr
    assert "with a different body under the same Idempotency-Key" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_by_a_queued_id_before_the_execution_started(
    machines: Machines, endpoint: list[str]
) -> None:
    queued_id = queued_execution_id(
        DEMO_WORKFLOW, "still-queued", 1_764_500_000_000, input_digest({})
    )
    result = sfn_flows("status", queued_id, "--stack", machines.stack, *endpoint)
    assert result.returncode == 1
    assert f"error: execution {queued_id} has not started on the local stack at " in result.stderr
    assert "was queued at 2025-11-30T10:53:20+00:00" in result.stderr
    assert f"intake queue of workflow {DEMO_WORKFLOW!r}" in result.stderr
