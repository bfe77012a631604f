"""The starter handler, called with REST (1.0) and HTTP API (2.0) events, against MiniStack."""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import uuid
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from sfn_flows.local.stack import free_port
from sfn_flows.runtime import make_starter_handler
from sfn_flows.runtime.clients import CLIENT_CONFIG
from sfn_flows.runtime.config import STATE_MACHINES_ENV
from sfn_flows.runtime.request_body import MAX_INPUT_BYTES

from .conftest import Api, WriteConfig
from .gateway_events import DOMAIN, start_http, start_rest

JOB = {"job_id": "job-1", "items": ["a", "b"], "notify": None}
UUID_NAME = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")


def call(api: Api, event: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    response = api.start(event, None)
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], response["headers"], json.loads(response["body"])


# -- starting ------------------------------------------------------------------------------


def test_http_api_event_starts_the_workflow_and_answers_202(api: Api) -> None:
    status, headers, body = call(api, start_http("jobs", json.dumps(JOB)))

    assert status == 202
    assert body["status"] == "RUNNING"
    workflow, name = body["executionId"].split("~")
    assert workflow == "jobs" and UUID_NAME.match(name)
    assert body["executionArn"] == api.machines.jobs.replace(":stateMachine:", ":execution:") + (
        f":{name}"
    )
    assert body["statusUrl"] == f"https://{DOMAIN}/executions/jobs~{name}"
    assert headers["Location"] == body["statusUrl"]
    described = api.sfn.describe_execution(executionArn=body["executionArn"])
    assert json.loads(described["input"]) == JOB


def test_rest_event_starts_the_workflow_with_the_stage_in_the_status_url(api: Api) -> None:
    status, headers, body = call(api, start_rest("jobs", json.dumps(JOB), stage="prod"))

    assert status == 202
    assert headers["Location"] == f"https://{DOMAIN}/prod/executions/{body['executionId']}"


def test_without_a_domain_name_the_status_url_is_a_path_under_the_stage(api: Api) -> None:
    _, headers, body = call(api, start_rest("jobs", json.dumps(JOB), stage="v1", domain=None))

    assert body["statusUrl"] == f"/v1/executions/{body['executionId']}"
    assert headers["Location"] == body["statusUrl"]


def test_http_api_named_stage_is_in_the_status_url(api: Api) -> None:
    _, _, body = call(api, start_http("jobs", json.dumps(JOB), stage="live"))

    assert body["statusUrl"] == f"https://{DOMAIN}/live/executions/{body['executionId']}"


def test_custom_domain_keeps_the_base_path_of_the_request(api: Api) -> None:
    # A REST API's `path` carries a custom domain's base path mapping ("v1" here).
    event = start_rest("jobs", json.dumps(JOB), domain="api.example.com")
    event["path"] = "/v1/jobs/executions"

    _, _, body = call(api, event)
    assert body["statusUrl"] == f"https://api.example.com/v1/executions/{body['executionId']}"


def test_local_gateway_host_keeps_its_port_and_plain_http(api: Api) -> None:
    domain = "a1b2c3d4.execute-api.localhost"
    event = start_http("jobs", json.dumps(JOB), domain=domain)
    event["headers"]["host"] = f"{domain}:4566"
    del event["headers"]["x-forwarded-proto"]  # only AWS's gateway adds it

    _, _, body = call(api, event)
    assert body["statusUrl"] == f"http://{domain}:4566/executions/{body['executionId']}"


def test_local_path_style_gateway_gets_a_path_style_status_url(api: Api) -> None:
    # Called as http://127.0.0.1:4566/_aws/execute-api/a1b2c3d4/prod/jobs/executions: the
    # event names the execute-api domain, the Host header the stack's own address.
    stack = os.environ["AWS_ENDPOINT_URL"].split("://", 1)[1]  # the stack's 127.0.0.1:<port>
    event = start_rest("jobs", json.dumps(JOB), domain="a1b2c3d4.execute-api.localhost")
    for headers in (event["headers"], event["multiValueHeaders"]):
        headers["Host"] = stack if headers is event["headers"] else [stack]
        del headers["X-Forwarded-Proto"]  # only AWS's gateway adds it

    _, headers, body = call(api, event)
    expected = f"http://{stack}/_aws/execute-api/a1b2c3d4/prod/executions/{body['executionId']}"
    assert body["statusUrl"] == headers["Location"] == expected


def test_base64_encoded_body_is_decoded(api: Api) -> None:
    text = json.dumps({"job_id": "b64", "items": ["é"]}, ensure_ascii=False)
    body = api.started(start_http("jobs", text, base64_body=True))

    described = api.sfn.describe_execution(executionArn=body["executionArn"])
    assert json.loads(described["input"]) == {"job_id": "b64", "items": ["é"]}


def test_input_is_sent_compact_in_the_clients_key_order(api: Api) -> None:
    body = api.started(start_http("jobs", '{ "items" : ["x"],\n  "job_id": "order" }'))

    described = api.sfn.describe_execution(executionArn=body["executionArn"])
    assert described["input"] == '{"items":["x"],"job_id":"order"}'


@pytest.mark.parametrize("content_type", ["application/json; charset=UTF-8", "application/x+json"])
def test_json_media_types_are_accepted(api: Api, content_type: str) -> None:
    api.started(start_http("jobs", json.dumps(JOB), content_type=content_type))


@pytest.mark.parametrize("body", [None, "", "  \n"])
def test_no_body_is_the_input_empty_object_without_a_content_type(
    api: Api, body: str | None
) -> None:
    started = api.started(start_rest("slow", body, content_type=None))

    described = api.sfn.describe_execution(executionArn=started["executionArn"])
    assert described["input"] == "{}"


def test_no_body_is_still_checked_against_the_schema(api: Api) -> None:
    status, _, body = call(api, start_http("jobs", None, content_type=None))

    assert status == 400
    assert body["errors"] == [
        {"field": "job_id", "message": "is required"},
        {"field": "items", "message": "is required"},
    ]


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_get_405_with_allow(api: Api, method: str) -> None:
    status, headers, body = call(api, start_http("jobs", None, method=method))

    assert status == 405
    assert headers["Allow"] == "POST"
    assert body == {
        "error": "MethodNotAllowed",
        "message": f"{method} is not allowed here; start an execution with "
        "POST /<workflow>/executions.",
    }


def test_unknown_workflow_is_404_naming_the_known_ones(api: Api) -> None:
    status, _, body = call(api, start_http("nope", json.dumps(JOB)))

    assert status == 404
    assert body == {
        "error": "WorkflowNotFound",
        "message": "there is no workflow 'nope'; this API starts: broken, jobs, slow.",
    }


def test_the_workflow_is_read_from_the_path_when_no_path_parameter_is_given(api: Api) -> None:
    event = start_http("jobs", json.dumps(JOB), stage="live")
    del event["pathParameters"]  # e.g. a `$default` catch-all route

    assert api.start(event, None)["statusCode"] == 202


def test_a_path_without_a_workflow_is_404(api: Api) -> None:
    event = start_http("jobs", json.dumps(JOB))
    del event["pathParameters"]
    event["rawPath"] = "/somewhere/else"

    status, _, body = call(api, event)
    assert status == 404
    assert body["message"] == (
        "no workflow in the path; start an execution with POST /<workflow>/executions."
    )


def test_body_without_content_type_is_415(api: Api) -> None:
    status, _, body = call(api, start_http("jobs", json.dumps(JOB), content_type=None))

    assert status == 415
    assert body["message"] == (
        "the request has a body but no Content-Type; send it as application/json."
    )


def test_non_json_content_type_is_415(api: Api) -> None:
    status, _, body = call(api, start_rest("jobs", "job_id=1", content_type="text/plain"))

    assert status == 415
    assert body["message"] == (
        "Content-Type 'text/plain' is not accepted; send the body as application/json."
    )


def test_non_utf8_charset_is_415(api: Api) -> None:
    event = start_http("jobs", json.dumps(JOB), content_type="application/json; charset=latin-1")

    status, _, body = call(api, event)
    assert status == 415
    assert body["message"] == "charset 'latin-1' is not accepted; JSON bodies must be UTF-8."


def test_body_over_256_kib_is_413(api: Api) -> None:
    big = json.dumps({"job_id": "big", "items": ["x" * MAX_INPUT_BYTES]})

    status, _, body = call(api, start_http("jobs", big))
    assert status == 413
    assert body["message"] == (
        f"the body is {len(big)} bytes; a workflow's input is limited to 262144 bytes "
        "(256 KiB, Step Functions' limit). Store large data in S3 and pass its key."
    )
    assert body["limitBytes"] == 262144


def test_multibyte_body_is_measured_in_utf8_bytes(api: Api) -> None:
    # 100,000 characters, 300,000 bytes: over the limit although shorter in characters.
    big = json.dumps({"job_id": "big", "items": ["€" * 100_000]}, ensure_ascii=False)

    status, _, body = call(api, start_http("jobs", big))
    assert status == 413
    assert body["message"].startswith(f"the body is {len(big.encode())} bytes;")


def test_base64_body_over_256_kib_is_413(api: Api) -> None:
    big = json.dumps({"job_id": "big", "items": ["x" * MAX_INPUT_BYTES]})

    status, _, body = call(api, start_http("jobs", big, base64_body=True))
    assert status == 413
    assert body["error"] == "PayloadTooLarge"


def test_body_exactly_at_the_limit_is_accepted(api: Api) -> None:
    padding = MAX_INPUT_BYTES - len(json.dumps({"a": ""}, separators=(",", ":")))
    text = json.dumps({"a": "x" * padding}, separators=(",", ":"))
    assert len(text) == MAX_INPUT_BYTES

    api.started(start_http("slow", text))


def test_invalid_json_is_400_with_the_position(api: Api) -> None:
    status, _, body = call(api, start_http("jobs", '{"job_id": "x",\n "items": [1,]}'))

    assert status == 400
    assert body == {
        "error": "InvalidJson",
        "message": "the body is not valid JSON: Expecting value at line 2, column 14 "
        "(character 29).",
        "position": {"line": 2, "column": 14, "offset": 29},
    }


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_400(api: Api, constant: str) -> None:
    status, _, body = call(api, start_http("slow", f'{{"x": {constant}}}'))

    assert status == 400
    assert body["message"] == (
        f"the body is not valid JSON: {constant} is not a JSON value (JSON has no NaN or Infinity)."
    )


def test_number_beyond_a_double_is_400(api: Api) -> None:
    status, _, body = call(api, start_http("slow", '{"x": 1e400}'))

    assert status == 400
    assert body["message"] == (
        "the body has a number too large for JSON (beyond 1.8e308); send it as a string."
    )


def test_invalid_base64_is_400(api: Api) -> None:
    event = start_http("slow", None)
    event.update(body="not base64!", isBase64Encoded=True)

    status, _, body = call(api, event)
    assert status == 400
    assert body["message"] == (
        "the body is marked base64-encoded (isBase64Encoded) but is not valid base64."
    )


def test_non_utf8_body_is_400_naming_the_byte(api: Api) -> None:
    status, _, body = call(api, start_http("slow", b'{"x": "\xff"}', base64_body=True))

    assert status == 400
    assert body == {
        "error": "InvalidBody",
        "message": "the body is not valid UTF-8: byte 7 (0xff) cannot be decoded; "
        "send the JSON body encoded as UTF-8.",
    }


def test_body_the_gateway_decoded_with_replacement_is_400(api: Api) -> None:
    # A gateway hands the body over as text after replacing undecodable bytes with U+FFFD:
    # the original bytes are lost, and starting with the replacement would corrupt the input.
    status, _, body = call(api, start_http("slow", '{"x": "a\ufffdb"}'))

    assert status == 400
    assert body == {
        "error": "InvalidBody",
        "message": "the body is not valid UTF-8: the gateway replaced undecodable bytes with "
        "U+FFFD (first at character 8); send the JSON body encoded as UTF-8, and write a "
        "literal U+FFFD as the JSON escape \\ufffd.",
    }


def test_u_fffd_sent_as_an_escape_or_as_base64_utf8_is_accepted(api: Api) -> None:
    escaped = api.started(start_http("slow", '{"x": "\\ufffd"}'))
    encoded = api.started(start_http("slow", '{"x": "\ufffd"}'.encode(), base64_body=True))

    for started in (escaped, encoded):
        described = api.sfn.describe_execution(executionArn=started["executionArn"])
        assert json.loads(described["input"]) == {"x": "\ufffd"}


def test_unpaired_surrogate_is_400(api: Api) -> None:
    status, _, body = call(api, start_http("slow", '{"x": "\\ud800"}'))

    assert status == 400
    assert body["message"].startswith("the body has an unpaired surrogate escape")


def test_deeply_nested_body_is_400(api: Api) -> None:
    status, _, body = call(api, start_http("slow", "[" * 100_000 + "]" * 100_000))

    assert status == 400
    assert body["message"] == "the body nests arrays or objects too deeply to be parsed."


def test_schema_failures_are_400_with_one_error_per_field(api: Api) -> None:
    bad = {"job_id": "has space", "items": [1, "ok", None], "notify": 5, "extra": True}

    status, _, body = call(api, start_http("jobs", json.dumps(bad)))
    assert status == 400
    assert body == {
        "error": "ValidationFailed",
        "message": "the body does not match the input of workflow 'jobs': 4 problem(s), "
        "see errors (field: where in the body).",
        "errors": [
            {"field": "job_id", "message": "must match the pattern ^[A-Za-z0-9_-]+$"},
            {"field": "items[0]", "message": "must be a string, not an integer"},
            {"field": "items[2]", "message": "must be a string, not null"},
            {"field": "notify", "message": "must be a string or null, not an integer"},
        ],
    }


def test_body_of_the_wrong_type_is_400_at_the_root(api: Api) -> None:
    status, _, body = call(api, start_http("jobs", "[1, 2]"))

    assert status == 400
    assert body["errors"] == [{"field": "(body)", "message": "must be an object, not an array"}]


def test_event_that_is_not_from_api_gateway_is_400(api: Api) -> None:
    response = api.start({"job_id": "direct invoke"}, None)

    assert response["statusCode"] == 400
    assert json.loads(response["body"])["message"] == (
        "the starter answers API Gateway proxy events (REST or HTTP API): the event has "
        "neither httpMethod (payload 1.0) nor version 2.0."
    )


# -- idempotency ---------------------------------------------------------------------------


def executions_named(api: Api, machine: str, name: str) -> list[dict[str, Any]]:
    listed = api.sfn.list_executions(stateMachineArn=machine)["executions"]
    return [execution for execution in listed if execution["name"] == name]


def test_same_idempotency_key_twice_starts_one_execution(api: Api) -> None:
    key = f"order-{uuid.uuid4()}"
    first = api.start(start_http("slow", '{"n": 1}', headers={"Idempotency-Key": key}), None)
    second = api.start(start_rest("slow", '{"n": 1}', headers={"IDEMPOTENCY-KEY": key}), None)

    assert first["statusCode"] == second["statusCode"] == 202
    one, two = json.loads(first["body"]), json.loads(second["body"])
    assert one["executionArn"] == two["executionArn"]
    assert one["executionId"] == two["executionId"]
    assert two["status"] == "RUNNING"
    assert second["headers"]["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first["headers"]
    name = one["executionId"].split("~")[1]
    assert len(executions_named(api, api.machines.slow, name)) == 1


def test_idempotency_key_becomes_a_safe_deterministic_name(api: Api) -> None:
    key = f"Über key/with spaces & {uuid.uuid4()}"
    body = api.started(start_http("slow", "{}", headers={"idempotency-key": key}))

    name = body["executionId"].split("~")[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,80}", name)
    assert name.startswith("ber-key-with-spaces-")


def test_same_key_with_reordered_keys_is_the_same_request(api: Api) -> None:
    key = str(uuid.uuid4())
    first = api.started(
        start_http("slow", '{"a": 1, "b": [true]}', headers={"Idempotency-Key": key})
    )
    second = api.started(
        start_http("slow", '{"b": [true], "a": 1.0}', headers={"Idempotency-Key": key})
    )

    assert first["executionArn"] == second["executionArn"]


def test_same_key_with_a_different_body_is_409(api: Api) -> None:
    key = str(uuid.uuid4())
    first = api.started(start_http("slow", '{"n": 1}', headers={"Idempotency-Key": key}))

    status, _, body = call(api, start_http("slow", '{"n": 2}', headers={"Idempotency-Key": key}))
    assert status == 409
    assert body == {
        "error": "IdempotencyKeyReused",
        "message": "this Idempotency-Key was already used with a different body (execution "
        f"{first['executionId']}); use a new key for a new request.",
        "executionId": first["executionId"],
    }
    name = first["executionId"].split("~")[1]
    assert len(executions_named(api, api.machines.slow, name)) == 1


def test_key_of_a_finished_execution_answers_with_that_execution(api: Api) -> None:
    key = str(uuid.uuid4())
    first = api.started(start_http("jobs", json.dumps(JOB), headers={"Idempotency-Key": key}))
    api.wait_until_stopped(first["executionArn"])

    again = api.start(start_http("jobs", json.dumps(JOB), headers={"Idempotency-Key": key}), None)
    assert again["statusCode"] == 202
    replay = json.loads(again["body"])
    assert replay["executionArn"] == first["executionArn"]
    assert replay["status"] == "SUCCEEDED"
    assert again["headers"]["Idempotent-Replayed"] == "true"

    other = {**JOB, "job_id": "another"}
    status, _, body = call(
        api, start_http("jobs", json.dumps(other), headers={"Idempotency-Key": key})
    )
    assert status == 409
    assert body["error"] == "IdempotencyKeyReused"


def test_same_key_on_two_workflows_starts_one_execution_each(api: Api) -> None:
    key = str(uuid.uuid4())
    slow = api.started(start_http("slow", "{}", headers={"Idempotency-Key": key}))
    broken = api.started(start_http("broken", "{}", headers={"Idempotency-Key": key}))

    assert slow["executionArn"] != broken["executionArn"]


def test_empty_idempotency_key_is_400(api: Api) -> None:
    status, _, body = call(api, start_http("slow", "{}", headers={"Idempotency-Key": "  "}))

    assert status == 400
    assert body == {
        "error": "InvalidIdempotencyKey",
        "message": "Idempotency-Key is empty; send a value unique to the operation (a UUID), "
        "or leave the header out.",
    }


def test_overlong_idempotency_key_is_400(api: Api) -> None:
    status, _, body = call(api, start_http("slow", "{}", headers={"Idempotency-Key": "k" * 256}))

    assert status == 400
    assert body["message"] == (
        "Idempotency-Key is 256 characters long; at most 255 are accepted (a UUID is 36)."
    )


# -- Step Functions failures ---------------------------------------------------------------


def test_missing_state_machine_is_502_naming_the_aws_error(
    api: Api, write_config: WriteConfig
) -> None:
    gone = api.machines.jobs.rsplit(":", 1)[0] + ":deleted-machine"
    write_config({"gone": gone}, {"gone": None})

    status, _, body = call(api, start_http("gone", "{}"))
    assert status == 502
    assert body == {
        "error": "StepFunctionsError",
        "message": "Step Functions refused StartExecution for workflow 'gone' with "
        "StateMachineDoesNotExist; check the deployment (the state machine and the Lambda's "
        "permissions).",
        "awsError": "StateMachineDoesNotExist",
    }


def test_unreachable_step_functions_is_503_with_retry_after(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    # One attempt: the SDK's retries of a refused connection would only make the test slow.
    monkeypatch.setitem(CLIENT_CONFIG, "retries", {"max_attempts": 1, "mode": "standard"})

    status, headers, body = call(api, start_http("slow", "{}"))
    assert status == 503
    assert headers["Retry-After"] == "5"
    assert body == {
        "error": "ServiceUnavailable",
        "message": "Step Functions is unavailable for StartExecution on workflow 'slow' "
        "(EndpointConnectionError); retry in 5 s.",
        "awsError": "EndpointConnectionError",
    }


@pytest.mark.parametrize(
    ("code", "http_status", "expected", "retry_after"),
    [
        ("ThrottlingException", 400, 429, "2"),
        ("TooManyRequestsException", 429, 429, "2"),
        ("ExecutionLimitExceeded", 400, 429, "2"),
        ("ServiceUnavailable", 503, 503, "5"),
        ("InternalFailure", 500, 503, "5"),
    ],
)
def test_throttling_and_outages_are_429_or_503_with_retry_after(
    api: Api, code: str, http_status: int, expected: int, retry_after: str
) -> None:
    # MiniStack never throttles: a Stubber (a fake answer on a real client) stands in for the
    # errors only AWS produces. Everything else in the handler runs for real.
    client = boto3.client("stepfunctions")
    stubber = Stubber(client)
    stubber.add_client_error(
        "start_execution", service_error_code=code, http_status_code=http_status
    )
    with stubber:
        response = make_starter_handler(client=lambda: client)(start_http("slow", "{}"), None)

    assert response["statusCode"] == expected
    assert response["headers"]["Retry-After"] == retry_after
    body = json.loads(response["body"])
    assert body["awsError"] == code
    verb = "throttling" if expected == 429 else "unavailable for"
    assert verb in body["message"] and "workflow 'slow'" in body["message"]


def test_unexpected_exception_is_500_with_the_request_id_and_no_body_in_the_log(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_client() -> Any:
        raise RuntimeError("secret-in-message")  # a bug stand-in: nothing real fails this way

    handler = make_starter_handler(client=broken_client)
    event = start_http("slow", '{"password": "hunter2"}', request_id="req-123")
    with caplog.at_level(logging.INFO, logger="sfn_flows.runtime"):
        response = handler(event, None)

    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {
        "error": "InternalError",
        "message": "the request failed unexpectedly; report request id req-123 to the API's "
        "operators.",
        "requestId": "req-123",
    }
    assert "RuntimeError" in caplog.text and "req-123" in caplog.text
    assert "hunter2" not in caplog.text and "secret-in-message" not in caplog.text


def test_one_log_line_per_request_with_workflow_execution_and_status_never_the_body(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    secret = {"job_id": "j", "items": ["card-4111111111111111"]}
    with caplog.at_level(logging.INFO, logger="sfn_flows.runtime"):
        body = api.started(start_http("jobs", json.dumps(secret), request_id="r-1"))
        call(api, start_http("jobs", json.dumps({"items": ["card-4111111111111111"]})))

    started, refused = (json.loads(record.getMessage()) for record in caplog.records)
    assert started == {
        "event": "start",
        "requestId": "r-1",
        "workflow": "jobs",
        "execution": body["executionId"].split("~")[1],
        "status": 202,
    }
    assert refused["status"] == 400 and refused["error"] == "ValidationFailed"
    assert "4111111111111111" not in caplog.text


# -- configuration -------------------------------------------------------------------------


def test_missing_state_machines_variable_is_500_with_the_reason_in_the_log(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(STATE_MACHINES_ENV)
    with caplog.at_level(logging.INFO, logger="sfn_flows.runtime"):
        status, _, body = call(api, start_http("jobs", json.dumps(JOB), request_id="r-9"))

    assert status == 500
    assert body == {
        "error": "ConfigurationError",
        "message": "the API is misconfigured; its operators find the reason in the function's "
        "log under request id r-9.",
        "requestId": "r-9",
    }
    assert "SFN_FLOWS_STATE_MACHINES is not set" in caplog.text


def test_base64_of_plain_json_is_the_same_input(api: Api) -> None:
    text = json.dumps(JOB)
    event = start_http("jobs", None)
    event.update(body=base64.b64encode(text.encode()).decode(), isBase64Encoded=True)

    body = api.started(event)
    described = api.sfn.describe_execution(executionArn=body["executionArn"])
    assert json.loads(described["input"]) == JOB
