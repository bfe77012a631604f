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


@pytest.mark.parametrize(
    "host", ["evil.example/x", "user@evil.example", "evil.example:443:1", "a b", "x" * 300]
)
def test_a_host_header_that_is_not_a_plain_host_is_never_copied(
    monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert _url(host) == f"https://{LOCAL_DOMAIN}/executions/jobs~run-1"
