"""The wait window end to end: tests/e2e/wait_project built and deployed into the real local
stack, called over HTTP through its HTTP API (real starter, status and worker Lambdas, real
state machines). Assertions are on what the client sees: 200 or 202, bodies, headers and the
number of requests, never on time."""

from __future__ import annotations

import json
import shutil
import socket
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from client.test_run_cli import sfn_flows  # tests/client: the real command in a subprocess
from e2e_deployment import build_and_deploy
from e2e_deployment import call as e2e_call

from sfn_flows.aws import Target
from sfn_flows.client import ApiClient, ApiError, WaitTimeout
from sfn_flows.local.stack import free_port

PROJECT = Path(__file__).resolve().parent / "wait_project"
STACK = "sfn-flows-e2e-wait"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, local_target: Target) -> str:
    project = tmp_path_factory.mktemp("wait-window")
    for folder in ("workflows", "lambdas"):
        shutil.copytree(
            PROJECT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    url, _ = build_and_deploy(project, local_target, STACK)
    return url


def call(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    """e2e_deployment.call with a JSON body."""
    if body is None:
        return e2e_call(method, url, None, headers)
    data = json.dumps(body).encode()
    return e2e_call(method, url, data, {"Content-Type": "application/json", **(headers or {})})


def test_a_2_s_job_is_answered_200_with_its_output_in_one_request(api: str) -> None:
    client = ApiClient(api)
    answer = client.start("quick-job", {"seconds": 2}, wait=10)

    assert answer.http_status == 200
    assert answer.body["status"] == "SUCCEEDED"
    assert answer.body["output"] == {"worked": 2.0, "input": {"seconds": 2}}
    assert answer.headers["preference-applied"] == "wait=10"
    assert client.requests == {"POST": 1}  # no poll


def test_a_60_s_job_gets_202_after_the_window(api: str, local_target: Target) -> None:
    status, body, headers = call("POST", f"{api}/long-job/executions", {}, {"Prefer": "wait=2"})

    assert status == 202
    assert set(body) == {"executionArn", "executionId", "status", "statusUrl"}
    assert body["status"] == "RUNNING"
    assert headers["Preference-Applied"] == "wait=2" and headers["Location"] == body["statusUrl"]
    sfn = local_target.client("stepfunctions")
    assert sfn.describe_execution(executionArn=body["executionArn"])["status"] == "RUNNING"
    sfn.stop_execution(executionArn=body["executionArn"])


@pytest.mark.parametrize(
    ("prefer", "fragment"),
    [
        ("wait=abc", "not a whole number of seconds"),
        ("wait=-5", "not a whole number of seconds"),
        ("wait=30", "more than the 20 s this API waits"),
    ],
)
def test_a_malformed_or_out_of_range_wait_gets_a_400_naming_the_header(
    api: str, prefer: str, fragment: str
) -> None:
    for method, url, body in (
        ("POST", f"{api}/quick-job/executions", {}),
        ("GET", f"{api}/executions/quick-job~any-execution", None),
    ):
        status, document, _ = call(method, url, body, {"Prefer": prefer})
        assert status == 400, (method, document)
        assert document["error"] == "InvalidPrefer"
        assert "Prefer header" in document["message"] and fragment in document["message"]


def test_the_workflows_default_window_needs_no_header(api: str) -> None:
    status, body, headers = call("POST", f"{api}/waiting-job/executions", {"seconds": 1})

    assert status == 200 and body["output"]["worked"] == 1.0
    assert "Preference-Applied" not in headers
    status, body, headers = call(
        "POST", f"{api}/waiting-job/executions", {"seconds": 1}, {"Prefer": "respond-async"}
    )
    assert (status, body["status"], headers["Preference-Applied"]) == (
        202,
        "RUNNING",
        "respond-async",
    )


def test_a_failing_job_within_the_window_is_200_with_its_error(api: str) -> None:
    status, body, _ = call(
        "POST", f"{api}/quick-job/executions", {"fail": True}, {"Prefer": "wait=10"}
    )

    assert status == 200
    assert body["status"] == "FAILED" and body["error"]


def test_an_express_job_that_fits_is_answered_by_start_sync_execution(api: str) -> None:
    client = ApiClient(api)
    answer = client.start("express-job", {"seconds": 1})

    assert answer.http_status == 200
    assert answer.body["output"] == {"worked": 1.0, "input": {"seconds": 1}}
    assert "preference-applied" not in answer.headers  # no preference: the budget decides
    assert client.requests == {"POST": 1}


def test_the_status_route_long_polls(api: str) -> None:
    status, started, _ = call("POST", f"{api}/quick-job/executions", {"seconds": 2})
    assert (status, started["status"]) == (202, "RUNNING")  # no window: at once

    status, body, headers = call("GET", started["statusUrl"], headers={"Prefer": "wait=10"})
    assert status == 200 and body["output"]["worked"] == 2.0
    assert headers["Preference-Applied"] == "wait=10"


def test_the_client_runs_a_long_job_with_long_polls_until_its_timeout(
    api: str, local_target: Target
) -> None:
    client = ApiClient(api)
    with pytest.raises(WaitTimeout) as caught:
        client.run("long-job", {}, timeout=3)

    assert caught.value.status == "RUNNING"
    # One POST (its window ran out) and long polls, never a poll a second.
    assert client.requests["POST"] == 1 and 1 <= client.requests["GET"] <= 2
    execution_id = caught.value.arn
    assert execution_id.startswith("long-job~")
    arn = f"{client.status(execution_id).body['executionArn']}"
    local_target.client("stepfunctions").stop_execution(executionArn=arn)


def test_the_client_reports_what_the_api_refused(api: str) -> None:
    client = ApiClient(api)
    with pytest.raises(ApiError) as caught:
        client.start("no-such-workflow", {})
    assert caught.value.status == 404 and "quick-job" in str(caught.value)


def test_a_client_that_disconnects_mid_wait_costs_nothing(api: str, local_target: Target) -> None:
    """The client hangs up after half a second of a 10 s window: the execution runs on, the
    retry with the same Idempotency-Key gets its result (200) without starting another."""
    key = f"disconnect-{uuid.uuid4()}"
    headers = {"Prefer": "wait=10", "Idempotency-Key": key, "Content-Type": "application/json"}
    request = urllib.request.Request(
        f"{api}/quick-job/executions",
        data=json.dumps({"seconds": 2}).encode(),
        method="POST",
        headers=headers,
    )
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        urllib.request.urlopen(request, timeout=0.5)

    status, body, answer_headers = call(
        "POST", f"{api}/quick-job/executions", {"seconds": 2}, headers
    )
    assert status == 200 and body["output"]["worked"] == 2.0
    assert answer_headers["Idempotent-Replayed"] == "true"
    sfn = local_target.client("stepfunctions")
    machine = deployed_machine(sfn, "quick-job")
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]]
    assert names.count(body["executionArn"].rsplit(":", 1)[1]) == 1


def deployed_machine(sfn: Any, workflow: str) -> str:
    machines = sfn.list_state_machines()["stateMachines"]
    return str(next(m["stateMachineArn"] for m in machines if m["name"] == f"{STACK}-{workflow}"))


# -- `sfn-flows run --api`: the real command, through the API --------------------------------


def test_run_through_the_api_url(api: str, tmp_path: Path) -> None:
    result = sfn_flows(
        "run", "quick-job", "--api-url", api, "--input", '{"seconds": 1}', "--json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "SUCCEEDED"
    assert document["output"] == {"worked": 1.0, "input": {"seconds": 1}}
    assert document["executionId"].startswith("quick-job~") and document["stopDate"]


def test_run_through_the_stacks_api(local_target: Target, api: str, tmp_path: Path) -> None:
    assert local_target.endpoint_url
    result = sfn_flows(
        "run",
        "quick-job",
        "--api",
        "--stack",
        STACK,
        "--endpoint-url",
        local_target.endpoint_url,
        "--input",
        '{"fail": true}',
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "FAILED in" in result.stderr and "error: " in result.stderr


def test_run_through_the_api_long_polls_until_its_timeout(
    api: str, tmp_path: Path, local_target: Target
) -> None:
    result = sfn_flows("run", "long-job", "--api-url", api, "--timeout", "2", cwd=tmp_path)
    assert result.returncode == 2
    assert "gave up waiting for execution long-job~" in result.stderr
    said = " ".join(result.stderr.split())
    assert "follow it with: curl -H 'Prefer: wait=20'" in said
    assert f"{api}/executions/long-job~" in said
    execution_id = result.stderr.split("started ", 1)[1].split()[0]
    arn = ApiClient(api).status(execution_id).body["executionArn"]
    local_target.client("stepfunctions").stop_execution(executionArn=arn)


def test_run_through_the_api_without_waiting(api: str, tmp_path: Path) -> None:
    result = sfn_flows("run", "quick-job", "--api-url", api, "--no-wait", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "RUNNING" and document["statusUrl"]


def test_run_through_the_api_with_an_idempotency_key(api: str, tmp_path: Path) -> None:
    key = f"cli-{uuid.uuid4()}"
    runs = [
        sfn_flows(
            "run", "quick-job", "--api-url", api, "--idempotency-key", key, "--json", cwd=tmp_path
        )
        for _ in range(2)
    ]
    first, second = (json.loads(run.stdout) for run in runs)
    assert first["executionArn"] == second["executionArn"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--api", "--name", "n1"], "--name names a Step Functions execution"),
        (["--idempotency-key", "k1"], "--idempotency-key is a header of the HTTP API"),
    ],
)
def test_run_refuses_options_of_the_other_way(
    args: list[str], fragment: str, tmp_path: Path
) -> None:
    result = sfn_flows("run", "quick-job", *args, cwd=tmp_path)
    assert result.returncode == 1
    assert fragment in " ".join(result.stderr.split())


def test_run_through_an_api_that_is_not_there(tmp_path: Path) -> None:
    port = free_port()
    result = sfn_flows("run", "quick-job", "--api-url", f"http://127.0.0.1:{port}", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot reach the API at" in " ".join(result.stderr.split())
