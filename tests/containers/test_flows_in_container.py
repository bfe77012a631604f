"""The project's own workflows, run in the local stack inside a Docker container started by
testcontainers (the sfn_flows pytest plugin's fixtures), with their real Lambda handlers."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

import pytest

from sfn_flows.testing import FlowResult
from sfn_flows.testing.engines import LABEL

JOB = {"job_id": "c-1", "items": ["a", "b", "c"]}
ORDER = {
    "order_id": "o-1",
    "kind": "physical",
    "lines": [{"sku": f"sku-{n}", "quantity": n + 1} for n in range(25)],
    "total_cents": 1999,
}


def test_the_engine_runs_in_a_container(sfn_engine: Any) -> None:
    import docker

    containers = docker.from_env().containers.list(filters={"label": LABEL})
    assert [c.image.tags[0] for c in containers] == [sfn_engine.image]
    assert sfn_engine.endpoint_url.startswith("http://")


def test_long_running_job_succeeds(run_flow: Any) -> None:
    result: FlowResult = run_flow("long-running-job", JOB)
    assert result.succeeded, (result.error, result.cause)
    assert result.output == {"job_id": "c-1", "processed": 3, "notified": True}
    result.assert_path("ProcessData", "NotifyCompletion")


def test_worker_error_takes_the_catch_path(run_flow: Any) -> None:
    result = run_flow("long-running-job", {**JOB, "fail": True})
    assert (result.status, result.error) == ("FAILED", "JobFailed")
    result.assert_path("ProcessData", "NotifyFailure", "JobFailed")


def test_choice_routes_a_digital_order(run_flow: Any) -> None:
    digital = run_flow("order-fulfilment", {**ORDER, "kind": "digital"})
    assert digital.succeeded
    digital.assert_path("RouteByKind", "DeliverDigital", "Delivered")
    assert digital.output == {"order_id": "o-1", "delivered": True}


def test_through_the_api_route(sfn_deployed: Any) -> None:
    assert sfn_deployed.api_url
    request = urllib.request.Request(
        f"{sfn_deployed.api_url}/long-running-job/executions",
        data=json.dumps(JOB).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 202
        accepted = json.loads(answer.read())
    assert accepted["executionArn"].startswith("arn:aws:states:")


@pytest.mark.xfail(
    strict=True,
    reason="MiniStack 1.5.33 reports every Python exception of a Lambda as "
    "'Runtime.HandlerError' (lambda_svc.py), so a retrier on the worker's own error name "
    "never matches; AWS reports the exception's class name. Strict: passes once it is fixed.",
)
def test_a_retry_that_succeeds_on_the_second_attempt(run_flow: Any) -> None:
    order = {**ORDER, "order_id": f"busy-{uuid.uuid4().hex[:8]}", "busy_once": True}
    result = run_flow("order-fulfilment", order, timeout=180)
    assert result.succeeded, (result.error, result.cause)
    failures = [e for e in result.events if e.is_failure]
    # ChargePayment failed once with the worker's own error, the retrier ran it again.
    assert [e.error for e in failures] == ["PaymentProviderBusy"]
    assert result.output["prepared"][1] == {"charged_cents": 1999}
