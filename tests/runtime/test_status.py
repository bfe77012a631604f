"""The status handler against executions in MiniStack: running, succeeded, failed, foreign."""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from sfn_flows.runtime.status import retry_after_seconds

from .conftest import Api
from .gateway_events import start_http, status_http, status_rest

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
NOT_FOUND = {
    "error": "ExecutionNotFound",
    "message": "no such execution in this API; use the executionId the starter answered with "
    '("<workflow>~<execution name>") or the execution ARN.',
}


def read(api: Api, event: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    response = api.status(event, None)
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], response["headers"], json.loads(response["body"])


def start(api: Api, workflow: str, body: object) -> dict[str, Any]:
    return api.started(start_http(workflow, json.dumps(body)))


def test_running_execution_is_202_with_retry_after(api: Api) -> None:
    started = start(api, "slow", {"wait": True})

    status, headers, body = read(api, status_http(started["executionId"]))
    assert status == 202
    assert 1 <= int(headers["Retry-After"]) <= 5
    assert body["executionId"] == started["executionId"]
    assert body["executionArn"] == started["executionArn"]
    assert body["status"] == "RUNNING"
    assert body["output"] is None and body["stopDate"] is None
    assert body["error"] is None and body["cause"] is None
    assert ISO_UTC.match(body["startDate"])


def test_succeeded_execution_is_200_with_the_parsed_output(api: Api) -> None:
    job = {"job_id": "done", "items": ["a"]}
    started = start(api, "jobs", job)
    api.wait_until_stopped(started["executionArn"])

    status, headers, body = read(api, status_rest(started["executionId"]))
    assert status == 200
    assert "Retry-After" not in headers
    assert body["status"] == "SUCCEEDED"
    assert body["output"] == job  # the Pass state echoes its input
    assert ISO_UTC.match(body["startDate"]) and ISO_UTC.match(body["stopDate"])
    assert body["stopDate"] >= body["startDate"]


def test_failed_execution_is_200_with_error_and_cause(api: Api) -> None:
    started = start(api, "broken", {})
    api.wait_until_stopped(started["executionArn"])

    status, _, body = read(api, status_http(started["executionId"]))
    assert status == 200
    assert body["status"] == "FAILED"
    assert body["error"] == "JobFailed"
    assert body["cause"] == "the job broke"
    assert ISO_UTC.match(body["stopDate"])


def test_status_url_of_the_starter_leads_to_the_status(api: Api) -> None:
    started = start(api, "slow", {})
    execution_id = started["statusUrl"].rsplit("/", 1)[1]

    status, _, body = read(api, status_http(execution_id))
    assert status == 202
    assert body["executionId"] == started["executionId"]


@pytest.mark.parametrize("encode", [True, False])
def test_execution_arn_is_accepted_url_encoded_or_not(api: Api, encode: bool) -> None:
    started = start(api, "slow", {})
    arn = started["executionArn"]

    status, _, body = read(api, status_rest(quote(arn, safe="") if encode else arn))
    assert status == 202
    assert body["executionId"] == started["executionId"]


def test_id_is_read_from_the_path_without_path_parameters(api: Api) -> None:
    started = start(api, "slow", {})
    event = status_http(quote(started["executionArn"], safe=""))
    del event["pathParameters"]

    status, _, body = read(api, event)
    assert status == 202 and body["executionId"] == started["executionId"]


def foreign_ids(api: Api) -> list[str]:
    jobs = api.machines.jobs
    region_account = jobs.split(":")[3:5]
    foreign_name = api.machines.foreign.rsplit(":", 1)[1]
    jobs_name = jobs.rsplit(":", 1)[1]
    return [
        # an execution that exists, of a state machine this API is not configured for
        api.sfn.start_execution(stateMachineArn=api.machines.foreign)["executionArn"],
        f"arn:aws:states:{region_account[0]}:{region_account[1]}:execution:{foreign_name}:x",
        # the API's own state machine name, in another account, region or partition
        f"arn:aws:states:{region_account[0]}:999999999999:execution:{jobs_name}:x",
        f"arn:aws:states:eu-west-1:{region_account[1]}:execution:{jobs_name}:x",
        f"arn:aws-cn:states:{region_account[0]}:{region_account[1]}:execution:{jobs_name}:x",
        # not an execution ARN at all
        jobs,
        f"arn:aws:states:{region_account[0]}:{region_account[1]}:express:{jobs_name}:x:y",
        "arn:aws:states:::",
        # malformed or unknown "<workflow>~<name>"
        "nosuchworkflow~abc",
        "jobs",
        "jobs~",
        "~abc",
        "jobs~has space",
        "jobs~a:b",
        "jobs~" + "n" * 81,
        # well-formed, but no such execution
        f"jobs~{uuid.uuid4()}",
        f"slow~{uuid.uuid4()}",
    ]


def test_every_id_that_is_not_an_execution_of_this_api_gets_the_same_404(api: Api) -> None:
    for execution_id in foreign_ids(api):
        for event in (status_http(quote(execution_id, safe="~")), status_rest(execution_id)):
            status, _, body = read(api, event)
            assert (status, body) == (404, NOT_FOUND), execution_id


def test_missing_id_is_404(api: Api) -> None:
    event = status_http("x")
    event["pathParameters"] = {"id": ""}
    event["rawPath"] = "/executions/"

    status, _, body = read(api, event)
    assert (status, body) == (404, NOT_FOUND)


def test_status_logs_one_line_without_the_output(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    started = start(api, "jobs", {"job_id": "quiet", "items": ["private-value"]})
    api.wait_until_stopped(started["executionArn"])
    caplog.clear()  # the start's own line
    with caplog.at_level(logging.INFO, logger="sfn_flows.runtime"):
        read(api, status_http(started["executionId"], request_id="s-1"))
        read(api, status_http("nosuch~x", request_id="s-2"))

    found, missing = (json.loads(record.getMessage()) for record in caplog.records)
    assert found == {
        "event": "status",
        "requestId": "s-1",
        "workflow": "jobs",
        "execution": started["executionId"].split("~")[1],
        "status": 200,
    }
    assert missing == {
        "event": "status",
        "requestId": "s-2",
        "workflow": None,
        "execution": None,
        "status": 404,
        "error": "ExecutionNotFound",
    }
    assert "private-value" not in caplog.text


def test_post_is_405_with_allow(api: Api) -> None:
    status, headers, body = read(api, status_http("jobs~x", method="POST"))

    assert status == 405
    assert headers["Allow"] == "GET"
    assert body["message"] == (
        "POST is not allowed here; read an execution with GET /executions/<id>."
    )


def test_event_that_is_not_from_api_gateway_is_400(api: Api) -> None:
    status, _, body = read(api, {"executionId": "jobs~x"})

    assert status == 400
    assert body["message"].startswith("the status reader answers API Gateway proxy events")


def test_retry_after_grows_with_the_age_of_the_execution() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    assert retry_after_seconds(now - timedelta(seconds=3), now) == 1
    assert retry_after_seconds(now - timedelta(seconds=30), now) == 2
    assert retry_after_seconds(now - timedelta(minutes=10), now) == 5
    assert retry_after_seconds(None, now) == 2
