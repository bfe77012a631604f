"""API Gateway events of both payload formats read into one request shape."""

from __future__ import annotations

import pytest

from sfn_flows.runtime.events import NotAnHttpEvent, parse_event, request_id_of

from .gateway_events import DOMAIN, http_api_event, rest_event


def test_rest_event() -> None:
    event = rest_event(
        "POST",
        "/jobs/executions",
        resource="/{workflow}/executions",
        path_parameters={"workflow": "jobs"},
        body='{"a": 1}',
        headers={"Content-Type": "application/json", "Idempotency-Key": "k1"},
    )
    event["multiValueHeaders"]["X-Repeated"] = ["one", "two"]

    request = parse_event(event)
    assert request.payload_version == "1.0"
    assert request.method == "POST"
    assert request.path == "/jobs/executions"
    assert request.header("content-type") == "application/json"
    assert request.header("IDEMPOTENCY-KEY") == "k1"
    assert request.header("x-repeated") == "one,two"  # joined like payload 2.0 does
    assert request.body == '{"a": 1}' and request.is_base64 is False
    assert request.path_parameter("workflow") == "jobs"
    assert (request.stage, request.domain_name) == ("prod", DOMAIN)
    assert request.request_id == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def test_http_api_event() -> None:
    event = http_api_event(
        "get",
        "/executions/jobs~n1",
        route_key="GET /executions/{id}",
        path_parameters={"id": "arn%3Aaws%3Astates"},
        stage="live",
    )

    request = parse_event(event)
    assert request.payload_version == "2.0"
    assert request.method == "GET"
    assert request.path == "/live/executions/jobs~n1"  # rawPath carries a named stage
    assert request.body is None
    assert request.path_parameter("id") == "arn:aws:states"
    assert request.path_parameter("missing") is None
    assert request.stage == "live"


def test_http_api_payload_1_0_event() -> None:
    # An HTTP API with payload format 1.0 sends the REST shape with version "1.0".
    event = rest_event("GET", "/x", resource="$default", path_parameters=None, stage="$default")
    event["version"] = "1.0"

    request = parse_event(event)
    assert request.payload_version == "1.0" and request.path_parameters == {}


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ([], "the event is not a JSON object"),
        ({"Records": []}, "the event has neither httpMethod (payload 1.0) nor version 2.0"),
        ({"httpMethod": None, "path": "/"}, "the event lacks its HTTP method or path"),
    ],
)
def test_other_events_are_refused(event: object, reason: str) -> None:
    with pytest.raises(NotAnHttpEvent) as caught:
        parse_event(event)
    assert str(caught.value) == reason


class LambdaContext:
    aws_request_id = "lambda-request-id"


def test_request_id_prefers_api_gateway_then_lambda() -> None:
    event = http_api_event("GET", "/", route_key="$default", path_parameters=None)

    assert request_id_of(event, LambdaContext()) == "JKJaXmPLvHcESHA="
    assert request_id_of({}, LambdaContext()) == "lambda-request-id"
    assert len(request_id_of({}, None)) == 36
