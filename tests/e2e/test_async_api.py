"""The async API deployed into the real local stack and called over HTTP: real starter and
status Lambdas, real worker Lambdas, real state machines."""

from __future__ import annotations

import json
import shutil
import textwrap
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from e2e_deployment import build_and_deploy, call

from sfn_flows.aws import Target

ROOT = Path(__file__).resolve().parents[2]
STACK = "sfn-flows-e2e"

# A workflow whose Task timeout (2 s) is shorter than the worker's simulated work (5 s).
TIMEOUT_PROBE = """
from long_running_job import notify_failure_fn, process_data
from sfn_flows import Fail, LambdaInvoke, Workflow

slow = LambdaInvoke(
    "SlowWork", function=process_data, timeout_seconds=2, retry_on_service_errors=False
)
tell = LambdaInvoke("TellFailure", function=notify_failure_fn, timeout_seconds=10)
slow.add_catch(tell)
tell >> Fail("TimedOut", error="JobTimedOut")
timeout_probe = Workflow(name="timeout-probe", start=slow, timeout_seconds=120)
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, local_target: Target) -> str:
    project = tmp_path_factory.mktemp("async-api")
    for folder in ("workflows", "lambdas"):
        shutil.copytree(
            ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    (project / "workflows" / "timeout_probe.py").write_text(textwrap.dedent(TIMEOUT_PROBE))
    return build_and_deploy(project, local_target, STACK)[0]


def post(api: str, workflow: str, body: Any, **headers: str) -> tuple[int, Any, dict[str, str]]:
    return call(
        "POST",
        f"{api}/{workflow}/executions",
        json.dumps(body).encode(),
        {"Content-Type": "application/json", **headers},
    )


def wait_for(api: str, execution_id: str, deadline: float = 60) -> dict[str, Any]:
    limit = time.monotonic() + deadline
    while True:
        status, body, headers = call("GET", f"{api}/executions/{execution_id}")
        if status == 200:
            return dict(body)
        assert status == 202 and body["status"] == "RUNNING" and "Retry-After" in headers
        assert time.monotonic() < limit, f"{execution_id} still running"
        time.sleep(0.2)


JOB = {"job_id": "e2e-1", "items": ["a", "b"]}


def test_202_then_the_result(api: str) -> None:
    status, accepted, headers = post(api, "long-running-job", JOB)
    assert status == 202
    assert accepted["status"] == "RUNNING" and accepted["executionArn"].startswith(
        "arn:aws:states:"
    )
    assert headers["Location"] == accepted["statusUrl"]
    final = wait_for(api, accepted["executionId"])
    assert final["status"] == "SUCCEEDED"
    assert final["output"] == {"job_id": "e2e-1", "processed": 2, "notified": True}
    assert final["startDate"] and final["stopDate"]


def test_worker_that_raises_goes_through_the_catch(api: str) -> None:
    _, accepted, _ = post(api, "long-running-job", {**JOB, "fail": True})
    final = wait_for(api, accepted["executionId"])
    assert (final["status"], final["error"]) == ("FAILED", "JobFailed")


def test_worker_slower_than_its_task_timeout(api: str, local_target: Target) -> None:
    _, accepted, _ = post(api, "timeout-probe", {**JOB, "simulate_seconds": 5})
    final = wait_for(api, accepted["executionId"])
    assert (final["status"], final["error"]) == ("FAILED", "JobTimedOut")
    history = local_target.client("stepfunctions").get_execution_history(
        executionArn=accepted["executionArn"]
    )["events"]
    assert "States.Timeout" in json.dumps(history, default=str)


def test_idempotency_key_starts_one_execution(api: str) -> None:
    key = {"Idempotency-Key": "order 42/retry"}
    first = post(api, "long-running-job", JOB, **key)
    second = post(api, "long-running-job", JOB, **key)
    assert first[0] == 202 and second[0] == 202
    assert first[1]["executionArn"] == second[1]["executionArn"]
    status, body, _ = post(api, "long-running-job", {**JOB, "job_id": "other"}, **key)
    assert status == 409 and "Idempotency-Key" in json.dumps(body)


def test_status_route_refuses_executions_of_other_state_machines(
    api: str, local_target: Target
) -> None:
    sfn = local_target.client("stepfunctions")
    foreign = sfn.create_state_machine(
        name="not-this-api",
        definition=json.dumps(
            {
                "StartAt": "P",
                "States": {"P": {"Type": "Pass", "Result": {"secret": 1}, "End": True}},
            }
        ),
        roleArn="arn:aws:iam::000000000000:role/any",
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=foreign, input="{}")["executionArn"]
    for ref in (
        urllib.parse.quote(execution, safe=""),
        "not-this-api~" + execution.rsplit(":", 1)[1],
    ):
        status, body, _ = call("GET", f"{api}/executions/{ref}")
        assert status == 404
        assert "secret" not in json.dumps(body)
    status, _, _ = call("GET", f"{api}/executions/long-running-job~does-not-exist")
    assert status == 404


@pytest.mark.parametrize(
    ("path", "body", "headers", "expected_status", "fragment"),
    [
        ("long-running-job", b"{not json", {"Content-Type": "application/json"}, 400, "JSON"),
        (
            "long-running-job",
            b"job_id=1",
            {"Content-Type": "application/x-www-form-urlencoded"},
            415,
            "application/json",
        ),
        (
            "long-running-job",
            b'{"job_id": "' + b"x" * 270_000 + b'"}',
            {"Content-Type": "application/json"},
            413,
            "262144",
        ),
        (
            "long-running-job",
            b'{"job_id": "x"}',
            {"Content-Type": "application/json"},
            400,
            "items",
        ),
        ("no-such-workflow", b"{}", {"Content-Type": "application/json"}, 404, "long-running-job"),
    ],
    ids=[
        "invalid-json",
        "wrong-content-type",
        "too-large",
        "fails-input-model",
        "unknown-workflow",
    ],
)
def test_bad_requests_get_a_json_4xx(
    api: str, path: str, body: bytes, headers: dict[str, str], expected_status: int, fragment: str
) -> None:
    status, document, _ = call("POST", f"{api}/{path}/executions", body, headers)
    assert status == expected_status
    assert fragment in json.dumps(document)
