"""The API handlers answer inside their own Lambda timeout when Step Functions is slow.

Step Functions is played by real endpoints on 127.0.0.1 (slow_services): one that never
answers, and a proxy that passes calls to the real local stack but holds the answers back.
The handlers are the real ones with their real boto3 clients, given a Lambda context whose
remaining time runs out in real time. The assertions are on the answers (status, headers,
body), never on elapsed time.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from pydantic import Field, TypeAdapter

from sfn_flows.runtime import make_starter_handler, make_status_handler
from sfn_flows.runtime.clients import reset_clients
from sfn_flows.runtime.names import idempotent_execution_name

from .conftest import Api, WriteConfig
from .gateway_events import start_http, status_http
from .slow_services import DelayingProxy, Stalled


class LambdaContext:
    """What the handlers read of Lambda's context object: the request id and a remaining
    time that counts down in real time, as Lambda's does (Lambda itself cannot run here)."""

    aws_request_id = "ctx-request"

    def __init__(self, remaining_ms: int) -> None:
        self._end = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._end - time.monotonic()) * 1000))


@pytest.fixture
def stalled(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stalled]:
    server = Stalled()
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    reset_clients()
    yield server
    server.close()


@pytest.fixture
def late(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[DelayingProxy]:
    # Answers arrive 5 s late, far beyond the 1 s the handlers are given below.
    proxy = DelayingProxy(os.environ["AWS_ENDPOINT_URL"], delay=5)
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    reset_clients()
    yield proxy
    proxy.close()


def answer(response: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], response["headers"], json.loads(response["body"])


def test_starter_answers_503_with_retry_after_when_step_functions_never_answers(
    stalled: Stalled,
) -> None:
    key = str(uuid.uuid4())
    event = start_http("slow", "{}", headers={"Idempotency-Key": key})

    status, headers, body = answer(make_starter_handler()(event, LambdaContext(2000)))

    assert status == 503
    assert int(headers["Retry-After"]) > 0
    assert body["error"] == "StepFunctionsTimeout"
    assert body["message"] == (
        "Step Functions did not answer StartExecution for workflow 'slow' in time; the "
        f"execution may have started: retry in {headers['Retry-After']} s with the same "
        "Idempotency-Key, which finds that execution instead of starting a second one."
    )
    assert body["executionId"] == f"slow~{idempotent_execution_name(key)}"
    assert stalled.requests >= 1  # the call was made, and its answer never came


def test_without_an_idempotency_key_the_503_names_the_execution_that_may_have_started(
    stalled: Stalled,
) -> None:
    status, headers, body = answer(
        make_starter_handler()(start_http("slow", "{}"), LambdaContext(2000))
    )

    assert status == 503 and "Retry-After" in headers
    assert body["error"] == "StepFunctionsTimeout"
    assert body["statusUrl"].endswith(f"/executions/{body['executionId']}")
    assert "send an Idempotency-Key" in body["message"]
    assert body["executionId"] in body["message"]


def test_no_call_is_made_when_too_little_time_is_left(stalled: Stalled) -> None:
    event = start_http("slow", "{}", headers={"Idempotency-Key": str(uuid.uuid4())})

    status, headers, body = answer(make_starter_handler()(event, LambdaContext(1100)))

    assert (status, body["error"]) == (503, "StepFunctionsTimeout")
    assert "Retry-After" in headers
    assert stalled.requests == 0  # nothing sent: nothing can have started


def test_an_answer_lost_to_the_deadline_is_found_by_the_retry_with_the_same_key(
    api: Api, late: DelayingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = str(uuid.uuid4())
    event = start_http("slow", '{"n": 1}', headers={"Idempotency-Key": key})

    status, headers, lost = answer(make_starter_handler()(event, LambdaContext(2000)))
    assert (status, lost["error"]) == (503, "StepFunctionsTimeout"), lost
    assert late.forwarded.wait(30)  # the execution did start behind the lost answer

    late.close()
    monkeypatch.setenv("AWS_ENDPOINT_URL", late.target.geturl())  # Step Functions recovered
    reset_clients()
    status, headers, retried = answer(make_starter_handler()(event, LambdaContext(10_000)))

    assert status == 202, retried
    assert headers["Idempotent-Replayed"] == "true"
    assert retried["executionId"] == lost["executionId"]
    described = api.sfn.describe_execution(executionArn=retried["executionArn"])
    assert json.loads(described["input"]) == {"n": 1}


def test_status_reader_answers_503_with_retry_after_when_step_functions_never_answers(
    stalled: Stalled,
) -> None:
    handler = make_status_handler()
    status, headers, body = answer(handler(status_http("slow~some-run"), LambdaContext(2000)))

    assert status == 503
    assert int(headers["Retry-After"]) > 0
    assert body["error"] == "StepFunctionsTimeout"
    assert body["message"].startswith(
        "Step Functions did not answer DescribeExecution for workflow 'slow' in time; retry in"
    )


def test_status_reader_does_not_wait_for_a_late_answer(late: DelayingProxy, api: Api) -> None:
    started = api.sfn.start_execution(stateMachineArn=api.machines.slow, name=str(uuid.uuid4()))
    execution_id = f"slow~{started['executionArn'].rsplit(':', 1)[1]}"
    late.delay = 5

    status, headers, body = answer(
        make_status_handler()(status_http(execution_id), LambdaContext(2000))
    )

    assert (status, body["error"]) == (503, "StepFunctionsTimeout")
    assert "Retry-After" in headers


def test_a_pattern_that_backtracks_for_ever_is_stopped_at_the_deadline(
    api: Api, write_config: WriteConfig
) -> None:
    # pydantic matches patterns with Rust's regex crate, in linear time; Python's `re`
    # backtracks, and on `^(a+)+$` each further "a" doubles its work (26 of them: seconds,
    # 40: days). The check shares the handler's deadline: the answer is a 400 that says so,
    # never the gateway's 502 at the Lambda timeout.
    write_config(
        {"coded": api.machines.jobs},
        {"coded": TypeAdapter(Annotated[str, Field(pattern=r"^(a+)+$")]).json_schema()},
    )
    body = json.dumps("a" * 27 + "!")

    status, _, answered = answer(
        make_starter_handler()(start_http("coded", body), LambdaContext(2000))
    )

    assert (status, answered["error"]) == (400, "InputCheckTimeout"), answered
    assert "^(a+)+$" in answered["message"] and "(body)" in answered["message"]
