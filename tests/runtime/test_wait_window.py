"""The wait window (Prefer: wait=N) of the starter and the status reader: the real handlers,
in-process, against real state machines in the local stack (MiniStack runs Wait states in
real time). Assertions are on the answers (200 or 202, bodies, headers), never on time."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from sfn_flows.runtime import make_starter_handler, make_status_handler
from sfn_flows.runtime.names import idempotent_execution_name
from sfn_flows.runtime.responses import Handler

from .conftest import Api, JobRequest, Machines, WriteConfig
from .gateway_events import start_http, start_rest, status_http, status_rest
from .test_deadlines import LambdaContext

JOB = {"job_id": "job-1", "items": ["a"]}
STARTED_KEYS = {"executionArn", "executionId", "status", "statusUrl"}
RESULT_KEYS = {
    "executionArn",
    "executionId",
    "status",
    "output",
    "error",
    "cause",
    "startDate",
    "stopDate",
    "statusUrl",
}


@pytest.fixture
def api(aws_env: None, write_config: WriteConfig, machines: Machines, sfn: Any) -> Api:
    path = write_config(
        {
            "jobs": machines.jobs,
            "slow": machines.slow,
            "broken": machines.broken,
            "brief": machines.brief,
            "brief-waits": machines.brief,
            "express": machines.express,
            "express-broken": machines.express_broken,
        },
        {
            "jobs": JobRequest.model_json_schema(),
            "slow": None,
            "broken": None,
            "brief": None,
            "brief-waits": None,
            "express": None,
            "express-broken": None,
        },
        {
            "brief-waits": {"wait_seconds": 10},
            "express": {"sync": True},
            "express-broken": {"sync": True},
        },
    )
    return Api(make_starter_handler(), make_status_handler(), machines, sfn, path)


def answer(response: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], response["headers"], json.loads(response["body"])


def post(
    handler: Handler, workflow: str, body: object, context: object = None, **headers: str
) -> tuple[int, dict[str, str], dict[str, Any]]:
    return answer(handler(start_http(workflow, json.dumps(body), headers=headers), context))


# -- POST with Prefer: wait=N ------------------------------------------------------------------


def test_a_job_that_ends_within_the_window_is_answered_200_with_its_output(api: Api) -> None:
    status, headers, body = post(api.start, "brief", {"n": 1}, Prefer="wait=10")

    assert status == 200
    assert headers["Preference-Applied"] == "wait=10"
    assert set(body) == RESULT_KEYS
    assert (body["status"], body["output"]) == ("SUCCEEDED", {"n": 1})
    assert body["stopDate"] and body["statusUrl"].endswith(f"/executions/{body['executionId']}")
    assert "Location" not in headers and "Retry-After" not in headers
    # The answer is the execution's own record.
    described = api.sfn.describe_execution(executionArn=body["executionArn"])
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"n": 1}


def test_a_job_that_outlasts_the_window_gets_the_usual_202(api: Api) -> None:
    status, headers, body = post(api.start, "slow", {}, Prefer="wait=1")

    assert status == 202
    assert set(body) == STARTED_KEYS and body["status"] == "RUNNING"
    assert headers["Location"] == body["statusUrl"]
    assert headers["Preference-Applied"] == "wait=1"
    described = api.sfn.describe_execution(executionArn=body["executionArn"])
    assert described["status"] == "RUNNING"  # still running: the wait ended, the job did not


def test_a_failed_execution_within_the_window_is_200_with_its_error(api: Api) -> None:
    status, _, body = post(api.start, "broken", {}, Prefer="wait=10")

    assert status == 200
    assert (body["status"], body["error"], body["cause"]) == (
        "FAILED",
        "JobFailed",
        "the job broke",
    )


def test_several_preferences_in_any_case_through_a_rest_api(api: Api) -> None:
    event = start_rest(
        "jobs", json.dumps(JOB), headers={"PREFER": 'return=minimal; x="a,b", WAIT = 10'}
    )
    status, headers, body = answer(api.start(event, None))

    assert status == 200 and body["output"] == JOB
    assert headers["Preference-Applied"] == "wait=10"


def test_the_workflows_default_wait_applies_without_a_header(api: Api) -> None:
    status, headers, body = post(api.start, "brief-waits", {"n": 2})

    assert (status, body["output"]) == (200, {"n": 2})
    assert "Preference-Applied" not in headers  # the client preferred nothing


@pytest.mark.parametrize("prefer", ["respond-async", "wait=0"])
def test_respond_async_or_wait_0_answers_at_once_despite_the_default(api: Api, prefer: str) -> None:
    status, headers, body = post(api.start, "brief-waits", {"n": 3}, Prefer=prefer)

    assert status == 202 and body["status"] == "RUNNING"
    assert headers["Preference-Applied"] == prefer


def test_respond_async_beside_wait_waits_as_rfc_7240_reads_the_pair(api: Api) -> None:
    status, headers, _ = post(api.start, "brief", {}, Prefer="respond-async, wait=10")

    assert status == 200
    assert headers["Preference-Applied"] == "wait=10"


@pytest.mark.parametrize(
    ("prefer", "fragment"),
    [
        ("wait=abc", "wait='abc', which is not a whole number of seconds"),
        ("wait=-1", "not a whole number"),
        ("wait=2.5", "not a whole number"),
        ("wait=", "wait without a value"),
        ("wait=21", "more than the 20 s this API waits"),
        ("wait=99999999999999999999999", "more than the 20 s"),
    ],
)
def test_a_malformed_or_out_of_range_wait_is_a_400_naming_the_header_and_starts_nothing(
    api: Api, prefer: str, fragment: str
) -> None:
    key = f"prefer-{uuid.uuid4()}"
    status, _, body = post(api.start, "jobs", JOB, Prefer=prefer, **{"Idempotency-Key": key})

    assert status == 400
    assert body["error"] == "InvalidPrefer"
    assert "Prefer header" in body["message"] and fragment in body["message"]
    assert "from 0 to 20" in body["message"] or "wait=20 or less" in body["message"]
    arn = api.machines.jobs.replace(":stateMachine:", ":execution:")
    arn += f":{idempotent_execution_name(key)}"
    with pytest.raises(api.sfn.exceptions.ExecutionDoesNotExist):
        api.sfn.describe_execution(executionArn=arn)


def test_the_wait_ends_before_the_lambdas_deadline(api: Api) -> None:
    """A window longer than the time the Lambda has left is cut at its deadline: the answer
    is the usual 202, not a 503 and never Lambda's own timeout."""
    context = LambdaContext(remaining_ms=2500)
    status, _, body = post(api.start, "slow", {}, context, Prefer="wait=20")

    assert status == 202 and body["status"] == "RUNNING"


def test_a_retry_after_a_client_went_away_finds_the_same_execution(api: Api) -> None:
    """The first request's client gave up (a short window stands for it): its execution
    runs on, and the retry with the same Idempotency-Key waits for that one instead of
    starting another."""
    key = {"Idempotency-Key": f"order-{uuid.uuid4()}"}
    first = post(api.start, "brief", {"n": 4}, Prefer="wait=0", **key)
    retry = post(api.start, "brief", {"n": 4}, Prefer="wait=10", **key)

    assert first[0] == 202
    assert retry[0] == 200 and retry[1]["Idempotent-Replayed"] == "true"
    assert retry[2]["executionArn"] == first[2]["executionArn"]
    assert retry[2]["output"] == {"n": 4}
    name = first[2]["executionArn"].rsplit(":", 1)[1]
    executions = api.sfn.list_executions(stateMachineArn=api.machines.brief)["executions"]
    assert [e["name"] for e in executions].count(name) == 1


# -- EXPRESS workflows whose budget fits: StartSyncExecution --------------------------------


def test_an_express_workflow_that_fits_is_answered_by_start_sync_execution(
    api: Api, sfn: Any
) -> None:
    def never() -> Any:
        pytest.fail("the synchronous path called StartExecution or DescribeExecution")

    handler = make_starter_handler(client=never)
    status, headers, body = post(handler, "express", {"n": 5})

    assert status == 200
    assert (body["status"], body["output"]) == ("SUCCEEDED", {"n": 5})
    assert body["executionId"].startswith("express~")
    assert "Preference-Applied" not in headers and "Location" not in headers


def test_a_failing_express_workflow_is_answered_200_with_its_error(api: Api) -> None:
    status, _, body = post(api.start, "express-broken", {})

    assert status == 200
    assert (body["status"], body["error"]) == ("FAILED", "JobFailed")


def test_respond_async_starts_an_express_workflow_without_waiting(api: Api) -> None:
    status, headers, body = post(api.start, "express", {"n": 6}, Prefer="respond-async")

    assert status == 202 and set(body) == STARTED_KEYS
    assert headers["Preference-Applied"] == "respond-async"


# -- GET /executions/{id} with Prefer: wait=N: a long poll -------------------------------------


def test_the_status_route_answers_a_long_poll_when_the_execution_ends(api: Api) -> None:
    _, _, started = post(api.start, "brief", {"n": 7})  # no window: 202 at once
    assert started["status"] == "RUNNING"

    status, headers, body = answer(
        api.status(status_http(started["executionId"], headers={"Prefer": "wait=10"}), None)
    )
    assert status == 200
    assert headers["Preference-Applied"] == "wait=10"
    assert (body["status"], body["output"]) == ("SUCCEEDED", {"n": 7})
    assert "statusUrl" not in body  # the status route's own body, as without the header


def test_the_status_route_answers_202_after_the_window(api: Api) -> None:
    _, _, started = post(api.start, "slow", {})

    status, headers, body = answer(
        api.status(status_rest(started["executionId"], headers={"Prefer": "wait=1"}), None)
    )
    assert status == 202 and body["status"] == "RUNNING"
    assert headers["Preference-Applied"] == "wait=1" and int(headers["Retry-After"]) >= 1


def test_the_status_route_answers_a_finished_execution_at_once(api: Api) -> None:
    _, _, done = post(api.start, "jobs", JOB, Prefer="wait=10")
    assert done["status"] == "SUCCEEDED"

    status, _, body = answer(
        api.status(status_http(done["executionId"], headers={"Prefer": "wait=20"}), None)
    )
    assert (status, body["output"]) == (200, JOB)


def test_the_status_route_refuses_a_malformed_wait(api: Api) -> None:
    _, _, started = post(api.start, "jobs", JOB)

    status, _, body = answer(
        api.status(status_http(started["executionId"], headers={"Prefer": "wait=30"}), None)
    )
    assert status == 400 and body["error"] == "InvalidPrefer"
    assert "Prefer header" in body["message"]


def test_a_long_poll_of_an_unknown_execution_is_404_at_once(api: Api) -> None:
    status, _, _ = answer(
        api.status(status_http("jobs~no-such-execution", headers={"Prefer": "wait=20"}), None)
    )
    assert status == 404


def test_the_long_poll_ends_before_the_lambdas_deadline(api: Api) -> None:
    _, _, started = post(api.start, "slow", {})
    context = LambdaContext(remaining_ms=2500)

    status, _, body = answer(
        api.status(status_http(started["executionId"], headers={"Prefer": "wait=20"}), context)
    )
    assert status == 202 and body["status"] == "RUNNING"


def test_without_a_header_the_status_route_still_answers_at_once(api: Api) -> None:
    _, _, started = post(api.start, "slow", {})

    status, headers, _ = answer(api.status(status_http(started["executionId"]), None))
    assert status == 202 and "Preference-Applied" not in headers
