"""SQS intake end to end: a project with an `intake="sqs"` workflow deployed into the real
local stack and called over HTTP. The starter queues, the real event source mapping invokes
the real consumer Lambda, which starts the executions; poison ends in the dead-letter queue.

The burst: 500 requests through the local API, 50 of them sent twice with their
Idempotency-Key (a client retrying), give exactly one execution per request, each with its
request's input, and nothing in the dead-letter queue.
"""

from __future__ import annotations

import json
import textwrap
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from client.test_run_cli import sfn_flows  # tests/client: the real command in a subprocess
from e2e_deployment import build_and_deploy, call

from sfn_flows.aws import Target
from sfn_flows.runtime.intake import (
    DETAIL_ATTRIBUTE,
    NAME_ATTRIBUTE,
    QUEUED_AT_ATTRIBUTE,
    REASON_ATTRIBUTE,
    WORKFLOW_ATTRIBUTE,
)

STACK = "sfn-flows-intake-e2e"
WORKFLOWS = """
from pydantic import BaseModel, Field

from sfn_flows import Pass, Workflow


class Ticket(BaseModel):
    ticket_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    seats: int = Field(ge=1, le=10)


queued_tickets = Workflow(
    name="queued-tickets", start=Pass("Book"), timeout_seconds=60, input_model=Ticket,
    intake="sqs",
)
"""
BURST = 500
RETRIED = 50  # requests of the burst sent a second time with the same Idempotency-Key


class Deployed:
    def __init__(self, api: str, outputs: dict[str, str], target: Target) -> None:
        self.api = api
        self.queue = outputs["QueuedTicketsIntakeQueueUrl"]
        self.dead = outputs["QueuedTicketsIntakeDeadLetterQueueUrl"]
        self.machine = outputs["QueuedTicketsStateMachineArn"]
        self.sqs = target.client("sqs")
        self.sfn = target.client("stepfunctions")

    def executions(self) -> dict[str, dict[str, Any]]:
        """The state machine's executions by name (a name is unique per state machine, so
        a request started twice would show as two names for one request)."""
        pages = self.sfn.get_paginator("list_executions").paginate(stateMachineArn=self.machine)
        found: dict[str, dict[str, Any]] = {}
        for page in pages:
            for execution in page["executions"]:
                assert execution["name"] not in found, execution["name"]
                found[execution["name"]] = execution
        return found

    def dead_letters(self, wait: float) -> list[dict[str, Any]]:
        limit = time.monotonic() + wait
        while time.monotonic() < limit:
            answer = self.sqs.receive_message(
                QueueUrl=self.dead,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=1,
                MessageAttributeNames=["All"],
            )
            if answer.get("Messages"):
                messages: list[dict[str, Any]] = answer["Messages"]
                return messages
        return []


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, local_target: Target) -> Deployed:
    project = tmp_path_factory.mktemp("intake-e2e")
    (project / "workflows").mkdir()
    (project / "lambdas").mkdir()
    (project / "workflows" / "tickets.py").write_text(textwrap.dedent(WORKFLOWS))
    api, outputs = build_and_deploy(project, local_target, STACK)
    return Deployed(api, outputs, local_target)


def post(deployed: Deployed, body: Any, **headers: str) -> tuple[int, Any, dict[str, str]]:
    return call(
        "POST",
        f"{deployed.api}/queued-tickets/executions",
        json.dumps(body).encode(),
        {"Content-Type": "application/json", **headers},
    )


def wait_until(condition: Any, wait: float, what: str) -> Any:
    limit = time.monotonic() + wait
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < limit, f"{what} not within {wait} s"
        time.sleep(0.2)


def test_queued_then_started_then_succeeded(deployed: Deployed) -> None:
    ticket = {"ticket_id": "t-1", "seats": 2}
    status, accepted, headers = post(deployed, ticket)

    assert status == 202, accepted
    assert accepted["status"] == "QUEUED"
    assert headers["Location"] == accepted["statusUrl"]
    seen = set()

    def finished() -> dict[str, Any] | None:
        code, body, _ = call("GET", accepted["statusUrl"])
        assert code in (200, 202), body
        seen.add(body["status"])
        return dict(body) if code == 200 else None

    final = wait_until(finished, 60, "the queued request's execution")
    assert final["status"] == "SUCCEEDED" and final["output"] == ticket
    assert final["executionArn"] == accepted["executionArn"]
    assert seen <= {"QUEUED", "RUNNING", "SUCCEEDED"}


def test_run_through_the_api_says_a_request_is_queued_and_follows_it(
    deployed: Deployed, tmp_path: Path
) -> None:
    ticket = '{"ticket_id": "cli-1", "seats": 1}'
    queued = sfn_flows(
        "run",
        "queued-tickets",
        "--api-url",
        deployed.api,
        "--no-wait",
        "--input",
        ticket,
        cwd=tmp_path,
    )
    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.startswith("queued arn:aws:states:"), queued.stdout

    result = sfn_flows(
        "run", "queued-tickets", "--api-url", deployed.api, "--input", ticket, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(ticket)
    assert "started " not in result.stderr  # "queued <id>", then its result


def test_bad_requests_are_refused_and_nothing_is_queued(deployed: Deployed) -> None:
    status, body, _ = post(deployed, {"ticket_id": "no spaces allowed", "seats": 0})
    assert (status, body["error"]) == (400, "ValidationFailed")
    assert {error["field"] for error in body["errors"]} == {"ticket_id", "seats"}


def test_a_burst_of_500_requests_starts_each_exactly_once(deployed: Deployed) -> None:
    before = set(deployed.executions())
    requests = [
        ({"ticket_id": f"burst-{n}", "seats": 1 + n % 10}, f"burst-{uuid.uuid4()}")
        for n in range(BURST)
    ]
    sends = requests + requests[:RETRIED]  # a client retrying 50 of them with the same key

    def send(request: tuple[dict[str, Any], str]) -> tuple[int, Any]:
        body, key = request
        status, answer, _ = post(deployed, body, **{"Idempotency-Key": key})
        return status, answer

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(send, sends))

    assert [status for status, _ in answers] == [202] * len(sends), answers
    by_name = {
        answer["requestId"]: body for (body, _), (_, answer) in zip(sends, answers, strict=True)
    }
    assert len(by_name) == BURST  # retried requests name the same execution as their first

    def all_started() -> dict[str, dict[str, Any]] | None:
        found = {n: e for n, e in deployed.executions().items() if n not in before}
        return found if len(found) >= BURST else None

    started = wait_until(all_started, 300, f"{BURST} executions")
    assert set(started) == set(by_name)  # none lost, none started twice, nothing else
    for name in list(by_name)[:: BURST // 20]:  # the input is the request's
        described = deployed.sfn.describe_execution(executionArn=started[name]["executionArn"])
        assert json.loads(described["input"]) == by_name[name]
    assert deployed.dead_letters(wait=2) == []


def test_poison_lands_in_the_dead_letter_queue_with_its_reason(deployed: Deployed) -> None:
    name = str(uuid.uuid4())
    deployed.sqs.send_message(
        QueueUrl=deployed.queue,
        MessageBody='{"ticket_id": "t-2", "seats": ',
        MessageAttributes={
            WORKFLOW_ATTRIBUTE: {"DataType": "String", "StringValue": "queued-tickets"},
            NAME_ATTRIBUTE: {"DataType": "String", "StringValue": name},
            QUEUED_AT_ATTRIBUTE: {"DataType": "String", "StringValue": "0"},
        },
    )

    (dead,) = deployed.dead_letters(wait=60)

    assert dead["Body"] == '{"ticket_id": "t-2", "seats": '
    assert dead["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"] == "InvalidJson"
    assert "not JSON" in dead["MessageAttributes"][DETAIL_ATTRIBUTE]["StringValue"]
    assert dead["MessageAttributes"][NAME_ATTRIBUTE]["StringValue"] == name
    deployed.sqs.delete_message(QueueUrl=deployed.dead, ReceiptHandle=dead["ReceiptHandle"])
    assert name not in deployed.executions()


def test_the_same_message_twice_starts_one_execution(deployed: Deployed) -> None:
    name = str(uuid.uuid4())
    attributes = {
        WORKFLOW_ATTRIBUTE: {"DataType": "String", "StringValue": "queued-tickets"},
        NAME_ATTRIBUTE: {"DataType": "String", "StringValue": name},
        QUEUED_AT_ATTRIBUTE: {"DataType": "String", "StringValue": str(int(time.time() * 1000))},
    }
    for _ in range(2):  # SQS's at-least-once delivery, as a duplicate send makes it
        deployed.sqs.send_message(
            QueueUrl=deployed.queue,
            MessageBody='{"ticket_id": "twice", "seats": 1}',
            MessageAttributes=attributes,
        )

    wait_until(lambda: name in deployed.executions(), 60, "the execution")
    wait_until(lambda: _queue_empty(deployed), 60, "both messages consumed")
    # The second delivery was taken for the same request: deleted, neither retried nor
    # dead-lettered (a name is unique per state machine, so it cannot have started again).
    assert deployed.dead_letters(wait=2) == []


def _queue_empty(deployed: Deployed) -> bool:
    attributes = deployed.sqs.get_queue_attributes(
        QueueUrl=deployed.queue,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return all(value == "0" for value in attributes.values())
