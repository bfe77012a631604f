"""The status URL built from the request: a local stack's path-style gateway gets a URL of
its own form, and on AWS a client-chosen Host header never shapes the URL."""

from __future__ import annotations

import pytest

from sfn_flows.runtime.events import parse_event
from sfn_flows.runtime.urls import status_url

from .gateway_events import DOMAIN, start_http

LOCAL_DOMAIN = "a1b2c3d4.execute-api.localhost"


def _url(host: str, domain: str = LOCAL_DOMAIN, *, aws_header: bool = False) -> str:
    event = start_http("jobs", "{}", domain=domain, headers={"host": host})
    if not aws_header:
        del event["headers"]["x-forwarded-proto"]  # only AWS's gateway adds it
    return status_url(parse_event(event), "", "jobs~run-1")


def test_path_style_on_a_local_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert (
        _url("127.0.0.1:4566")
        == "http://127.0.0.1:4566/_aws/execute-api/a1b2c3d4/$default/executions/jobs~run-1"
    )


def test_on_aws_a_foreign_host_header_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    # A private API reached with x-apigw-api-id, or a load balancer passing the client's
    # Host through: the URL stays on the API's own domain.
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert _url("evil.example", DOMAIN, aws_header=True) == (
        f"https://{DOMAIN}/executions/jobs~run-1"
    )


LOCAL_URL = "http://127.0.0.1:4566/_aws/execute-api/a1b2c3d4/$default/executions/jobs~run-1"


@pytest.mark.parametrize(
    "host",
    [
        "evil.example/x",
        "user@evil.example",
        "evil.example:443:1",
        "a b",
        "x" * 300,
        # Plain hosts, but not the stack's: never a URL that sends the client elsewhere.
        "evil.example",
        "evil.example:4566",
        "169.254.169.254",
    ],
)
def test_on_a_local_stack_only_its_own_host_shapes_the_url(
    monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert _url(host) == LOCAL_URL


@pytest.mark.parametrize(
    "host", ["localhost:4566", "127.0.0.1:4566", "LOCALHOST:4566", "localhost:49153"]
)
def test_a_loopback_name_of_the_stack_is_kept(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    # MiniStack tells its Lambdas "localhost"; a client may have called 127.0.0.1, or the
    # host port Docker published the stack's 4566 on.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    assert _url(host) == LOCAL_URL.replace("127.0.0.1:4566", host)


@pytest.mark.parametrize("proto", ["ftp", "javascript", "gopher, https", "", "HTTPS:"])
def test_only_http_or_https_comes_from_x_forwarded_proto(
    monkeypatch: pytest.MonkeyPatch, proto: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    event = start_http("jobs", "{}", domain=LOCAL_DOMAIN, headers={"host": "127.0.0.1:4566"})
    event["headers"]["x-forwarded-proto"] = proto
    assert status_url(parse_event(event), "", "jobs~run-1") == LOCAL_URL

    monkeypatch.delenv("AWS_ENDPOINT_URL")
    event = start_http("jobs", "{}", headers={"x-forwarded-proto": proto})
    assert status_url(parse_event(event), "", "jobs~run-1") == (
        f"https://{DOMAIN}/executions/jobs~run-1"
    )


def test_x_forwarded_proto_http_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    event = start_http("jobs", "{}", headers={"x-forwarded-proto": "HTTP"})
    assert status_url(parse_event(event), "", "jobs~run-1") == (
        f"http://{DOMAIN}/executions/jobs~run-1"
    )
