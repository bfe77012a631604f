"""The SQS intake's handlers against real queues and state machines in the local stack: the
starter queues, the consumer starts (once), poison goes to the dead-letter queue with its
reason, the status route answers QUEUED within bounds.

The consumer is called with SQS events built from messages really received from the queue
(sqs_events.py); tests/e2e/test_intake.py runs the same through the real event source
mapping of a deployed stack.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.local.stack import free_port
from sfn_flows.runtime import make_starter_handler, make_status_handler
from sfn_flows.runtime.clients import reset_clients
from sfn_flows.runtime.config import (
    API_CONFIG_ENV,
    API_CONFIG_FILE,
    STATE_MACHINES_ENV,
    clear_config_cache,
)
from sfn_flows.runtime.consumer import make_consumer_handler
from sfn_flows.runtime.intake import (
    DETAIL_ATTRIBUTE,
    INTAKE_QUEUES_ENV,
    INTAKE_SOURCES_ENV,
    NAME_ATTRIBUTE,
    QUEUE_RETENTION_SECONDS,
    QUEUED_AT_ATTRIBUTE,
    REASON_ATTRIBUTE,
    SOURCE_MESSAGE_ATTRIBUTE,
    WORKFLOW_ATTRIBUTE,
    clear_intake_cache,
    input_digest,
    queued_execution_id,
)
from sfn_flows.runtime.intake_messages import NotAnSqsEvent
from sfn_flows.runtime.names import idempotent_execution_name

from .conftest import JobRequest, Machines
from .gateway_events import DOMAIN, start_http, status_http
from .slow_services import Stalled
from .sqs_events import esm_event, receive

JOB = {"job_id": "job-1", "items": ["a", "b"]}
DIGEST = input_digest(JOB)
EMPTY = input_digest({})


class LambdaContext:
    """What Lambda passes a handler: its remaining time and the invocation's id."""

    def __init__(self, milliseconds: int) -> None:
        self._end = time.monotonic() + milliseconds / 1000
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._end - time.monotonic()) * 1000))


@dataclass
class Queue:
    url: str
    arn: str


@dataclass
class Intake:
    sqs: Any
    sfn: Any
    machines: Machines
    jobs: Queue  # intake of "jobs" (Pass, JobRequest's schema)
    jobs_dead: Queue
    broken: Queue  # intake of "broken" (Fail, no schema)
    broken_dead: Queue

    def post(self, body: Any, **headers: str) -> tuple[int, dict[str, str], dict[str, Any]]:
        event = start_http("jobs", json.dumps(body), headers=headers)
        response = make_starter_handler()(event, None)
        return response["statusCode"], response["headers"], json.loads(response["body"])

    def status(
        self, execution_id: str, **headers: str
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        event = status_http(execution_id, headers=headers)
        response = make_status_handler()(event, None)
        return response["statusCode"], response["headers"], json.loads(response["body"])

    def long_poll_while_consumed(
        self, execution_id: str, event: dict[str, Any]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """A long poll of `execution_id` while the consumer starts `event`'s request."""
        consumer = threading.Timer(0.5, self.consume, args=(event,))
        consumer.start()
        try:
            return self.status(execution_id, Prefer="wait=15")
        finally:
            consumer.join()

    def deliver(self, queue: Queue | None = None, at_least: int = 1) -> dict[str, Any]:
        """The next messages of the queue (jobs' by default) as the mapping delivers them."""
        queue = queue or self.jobs
        return esm_event(receive(self.sqs, queue.url, at_least=at_least), queue.arn)

    def consume(self, event: dict[str, Any], milliseconds: int = 20_000) -> list[str]:
        """The consumer's batch item failures for `event`."""
        answer = make_consumer_handler()(event, LambdaContext(milliseconds))
        return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]

    def send(self, body: str, attributes: dict[str, str], queue: Queue | None = None) -> str:
        """A message as any sender with SendMessage on the queue may write it."""
        sent = self.sqs.send_message(
            QueueUrl=(queue or self.jobs).url,
            MessageBody=body,
            MessageAttributes={
                n: {"DataType": "String", "StringValue": v} for n, v in attributes.items()
            },
        )
        message_id: str = sent["MessageId"]
        return message_id

    def executions(self, machine: str, name: str) -> list[dict[str, Any]]:
        listed = self.sfn.list_executions(stateMachineArn=machine, maxResults=1000)["executions"]
        return [e for e in listed if e["name"] == name]


def _queue(sqs: Any, name: str, **attributes: str) -> Queue:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return Queue(url, arn["QueueArn"])


def _with_dead_letters(sqs: Any, name: str) -> tuple[Queue, Queue]:
    dead = _queue(sqs, f"{name}-dlq")
    redrive = json.dumps({"deadLetterTargetArn": dead.arn, "maxReceiveCount": 3})
    # A visibility timeout of 1 s lets a test receive again what a consumer did not delete.
    return _queue(sqs, name, RedrivePolicy=redrive, VisibilityTimeout="1"), dead


@pytest.fixture
def intake(
    aws_env: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    machines: Machines,
    sfn: Any,
    local_target: Target,
) -> Iterator[Intake]:
    sqs = local_target.client("sqs")
    suffix = uuid.uuid4().hex[:8]
    jobs, jobs_dead = _with_dead_letters(sqs, f"intake-jobs-{suffix}")
    broken, broken_dead = _with_dead_letters(sqs, f"intake-broken-{suffix}")
    config = tmp_path / API_CONFIG_FILE
    config.write_text(
        json.dumps(
            {
                "workflows": {
                    "jobs": {"input_schema": JobRequest.model_json_schema(), "intake": "sqs"},
                    "broken": {"input_schema": None, "intake": "sqs"},
                    "slow": {"input_schema": None},
                }
            }
        )
    )
    monkeypatch.setenv(API_CONFIG_ENV, str(config))
    monkeypatch.setenv(
        STATE_MACHINES_ENV,
        json.dumps({"jobs": machines.jobs, "broken": machines.broken, "slow": machines.slow}),
    )
    monkeypatch.setenv(INTAKE_QUEUES_ENV, json.dumps({"jobs": jobs.url, "broken": broken.url}))
    monkeypatch.setenv(
        INTAKE_SOURCES_ENV,
        json.dumps(
            {
                "jobs": {"queue": jobs.arn, "dlq": jobs_dead.url},
                "broken": {"queue": broken.arn, "dlq": broken_dead.url},
            }
        ),
    )
    clear_config_cache()
    clear_intake_cache()
    yield Intake(sqs, sfn, machines, jobs, jobs_dead, broken, broken_dead)
    clear_intake_cache()
    for queue in (jobs, jobs_dead, broken, broken_dead):
        sqs.delete_queue(QueueUrl=queue.url)


def execution_arn(machine: str, name: str) -> str:
    return f"{machine.replace(':stateMachine:', ':execution:')}:{name}"


# -- queued, then started ------------------------------------------------------------------


def test_post_queues_the_request_and_the_consumer_starts_it(intake: Intake) -> None:
    status, headers, accepted = intake.post(JOB)

    assert status == 202, accepted
    assert accepted["status"] == "QUEUED"
    name = accepted["requestId"]
    workflow, execution_name, stamp, digest = accepted["executionId"].split("~")
    assert (workflow, execution_name, digest) == ("jobs", name, DIGEST)
    assert abs(int(stamp, 36) - time.time() * 1000) < 60_000
    assert accepted["executionArn"] == execution_arn(intake.machines.jobs, name)
    assert accepted["statusUrl"] == f"https://{DOMAIN}/executions/{accepted['executionId']}"
    assert headers["Location"] == accepted["statusUrl"]
    # Nothing started yet: the status route says QUEUED, not 404.
    assert intake.executions(intake.machines.jobs, name) == []
    status, headers, queued = intake.status(accepted["executionId"])
    assert (status, queued["status"], queued["requestId"]) == (202, "QUEUED", name)
    assert int(headers["Retry-After"]) >= 1

    event = intake.deliver()
    (record,) = event["Records"]
    assert json.loads(record["body"]) == JOB
    assert record["messageAttributes"][WORKFLOW_ATTRIBUTE]["stringValue"] == "jobs"
    assert record["messageAttributes"][NAME_ATTRIBUTE]["stringValue"] == name
    assert int(record["messageAttributes"][QUEUED_AT_ATTRIBUTE]["stringValue"]) == int(stamp, 36)
    assert intake.consume(event) == []

    described = intake.sfn.describe_execution(executionArn=accepted["executionArn"])
    assert json.loads(described["input"]) == JOB
    status, _, final = intake.status(accepted["executionId"])
    assert status in (200, 202) and final["executionArn"] == accepted["executionArn"]
    assert final["status"] in ("RUNNING", "SUCCEEDED")


def test_the_same_message_delivered_twice_starts_one_execution(intake: Intake) -> None:
    _, _, accepted = intake.post(JOB)
    event = intake.deliver()

    assert intake.consume(event) == []
    assert intake.consume(event) == []  # SQS delivers at least once: here, twice

    assert len(intake.executions(intake.machines.jobs, accepted["requestId"])) == 1
    assert intake.sqs.receive_message(QueueUrl=intake.jobs_dead.url).get("Messages") is None


def test_a_retried_keyed_request_names_the_same_execution_and_starts_it_once(
    intake: Intake,
) -> None:
    key = f"order-{uuid.uuid4()}"
    first = intake.post(JOB, **{"Idempotency-Key": key})[2]
    second = intake.post(JOB, **{"Idempotency-Key": key})[2]

    name = idempotent_execution_name(key)  # the direct path's name for the same key
    assert first["requestId"] == second["requestId"] == name
    assert first["executionArn"] == second["executionArn"]
    event = intake.deliver(at_least=2)
    assert len(event["Records"]) == 2
    assert intake.consume(event) == []
    assert len(intake.executions(intake.machines.jobs, name)) == 1


def test_a_reused_key_with_another_body_is_dead_lettered(intake: Intake) -> None:
    key = f"order-{uuid.uuid4()}"
    intake.post(JOB, **{"Idempotency-Key": key})
    assert intake.consume(intake.deliver()) == []
    intake.post({**JOB, "job_id": "other"}, **{"Idempotency-Key": key})

    assert intake.consume(intake.deliver()) == []

    (dead,) = receive(intake.sqs, intake.jobs_dead.url)
    attributes = dead["MessageAttributes"]
    assert attributes[REASON_ATTRIBUTE]["StringValue"] == "ExecutionNameTaken"
    assert "Idempotency-Key" in attributes[DETAIL_ATTRIBUTE]["StringValue"]
    assert json.loads(dead["Body"])["job_id"] == "other"
    (execution,) = intake.executions(intake.machines.jobs, idempotent_execution_name(key))
    described = intake.sfn.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(described["input"]) == JOB  # the first request's execution, untouched


KEY_REUSED_MESSAGE = (
    "this Idempotency-Key was already used with a different body (execution jobs~{name}); "
    "use a new key for a new request."
)


def test_a_reused_keys_request_is_answered_409_never_the_first_ones_result(
    intake: Intake,
) -> None:
    """The same key, another body: both are queued (202), the second is dead-lettered, and
    its id answers the direct path's 409, not the first request's execution."""
    key = f"order-{uuid.uuid4()}"
    first = intake.post({**JOB, "job_id": "A"}, **{"Idempotency-Key": key})[2]
    assert intake.consume(intake.deliver()) == []
    status, _, second = intake.post({**JOB, "job_id": "B"}, **{"Idempotency-Key": key})
    assert (status, second["status"]) == (202, "QUEUED")
    assert second["executionId"] != first["executionId"]  # the digests differ
    assert intake.consume(intake.deliver()) == []  # dead-lettered: ExecutionNameTaken
    name = idempotent_execution_name(key)

    status, _, body = intake.status(second["executionId"])

    assert (status, body["error"]) == (409, "IdempotencyKeyReused")
    assert body["message"] == KEY_REUSED_MESSAGE.format(name=name)
    assert body["executionId"] == f"jobs~{name}" and "output" not in body
    # The direct path answers a reused key in the same words.
    event = start_http("slow", json.dumps({**JOB, "job_id": "B"}), headers={"Idempotency-Key": key})
    make_starter_handler()(event, None)
    event = start_http("slow", json.dumps({**JOB, "job_id": "C"}), headers={"Idempotency-Key": key})
    direct = json.loads(make_starter_handler()(event, None)["body"])
    assert direct["message"] == body["message"].replace("jobs~", "slow~")
    # The first request's id still reads its own execution, output and all.
    status, _, own = intake.status(first["executionId"], Prefer="wait=10")
    assert (status, own["status"], own["output"]) == (200, "SUCCEEDED", {**JOB, "job_id": "A"})
    # A retry of the first request (same key, same body) is the first request.
    retried = intake.post({**JOB, "job_id": "A"}, **{"Idempotency-Key": key})[2]
    assert intake.status(retried["executionId"])[2]["output"] == {**JOB, "job_id": "A"}


def test_a_long_poll_of_a_reused_keys_request_answers_409_when_the_other_starts(
    intake: Intake,
) -> None:
    key = f"order-{uuid.uuid4()}"
    intake.post({**JOB, "job_id": "A"}, **{"Idempotency-Key": key})
    event = intake.deliver()  # the first request, taken off the queue: it starts when consumed
    second = intake.post({**JOB, "job_id": "B"}, **{"Idempotency-Key": key})[2]
    status, _, body = intake.long_poll_while_consumed(second["executionId"], event)

    assert (status, body["error"]) == (409, "IdempotencyKeyReused"), body
    assert "output" not in body
    # And at once once the other execution exists.
    status, _, body = intake.status(second["executionId"], Prefer="wait=15")
    assert (status, body["error"]) == (409, "IdempotencyKeyReused")


def test_bad_requests_are_refused_before_anything_is_queued(intake: Intake) -> None:
    status, _, body = intake.post({"job_id": "x"})

    assert (status, body["error"]) == (400, "ValidationFailed")
    assert receive(intake.sqs, intake.jobs.url, wait=1) == []


def test_noncharacters_sqs_refuses_are_queued_escaped_and_start_the_same_input(
    intake: Intake,
) -> None:
    job = {"job_id": "nc", "items": ["a\uffffb", "\ufffe"]}
    status, _, accepted = intake.post(job)

    assert status == 202, accepted
    assert intake.consume(intake.deliver()) == []
    described = intake.sfn.describe_execution(executionArn=accepted["executionArn"])
    assert json.loads(described["input"]) == job


# -- poison --------------------------------------------------------------------------------


def request_attributes(workflow: str = "jobs", name: str | None = None) -> dict[str, str]:
    return {
        WORKFLOW_ATTRIBUTE: workflow,
        NAME_ATTRIBUTE: name or str(uuid.uuid4()),
        QUEUED_AT_ATTRIBUTE: str(int(time.time() * 1000)),
    }


POISON = [
    ("not-json", "{not json", request_attributes(), "InvalidJson", "not JSON"),
    ("nan", '{"n": NaN}', request_attributes(), "InvalidJson", "NaN"),
    (
        "unknown-workflow",
        json.dumps(JOB),
        request_attributes("no-such-workflow"),
        "UnknownWorkflow",
        "'no-such-workflow' is not one this consumer starts; it starts broken, jobs",
    ),
    (
        "direct-workflow",
        json.dumps(JOB),
        request_attributes("slow"),
        "UnknownWorkflow",
        "'slow' is not one this consumer starts",
    ),
    (
        "other-workflows-queue",
        json.dumps(JOB),
        request_attributes("broken"),
        "WrongQueue",
        "came from the queue of workflow 'jobs'",
    ),
    (
        "input-not-matching",
        json.dumps({"job_id": "bad id!", "items": []}),
        request_attributes(),
        "ValidationFailed",
        "job_id",
    ),
    (
        "invalid-name",
        json.dumps(JOB),
        request_attributes(name="has space/and slash"),
        "InvalidExecutionName",
        "not a valid execution name",
    ),
    (
        "name-too-long",
        json.dumps(JOB),
        request_attributes(name="n" * 81),
        "InvalidExecutionName",
        "1 to 80",
    ),
    (
        "no-attributes",
        json.dumps(JOB),
        {},
        "NotAnIntakeRequest",
        "sfn-flows.workflow, sfn-flows.execution-name",
    ),
]


@pytest.mark.parametrize(
    ("body", "attributes", "reason", "fragment"),
    [case[1:] for case in POISON],
    ids=[case[0] for case in POISON],
)
def test_poison_goes_to_the_dead_letter_queue_with_its_reason(
    intake: Intake,
    caplog: pytest.LogCaptureFixture,
    body: str,
    attributes: dict[str, str],
    reason: str,
    fragment: str,
) -> None:
    message_id = intake.send(body, attributes)
    event = intake.deliver()

    with caplog.at_level(logging.INFO, logger="sfn_flows.runtime"):
        failures = intake.consume(event)

    assert failures == []  # not retried: the mapping deletes it from the queue
    (dead,) = receive(intake.sqs, intake.jobs_dead.url)
    assert dead["Body"] == body  # as it was sent, for whoever fixes and redrives it
    found = {name: value["StringValue"] for name, value in dead["MessageAttributes"].items()}
    assert found[REASON_ATTRIBUTE] == reason
    assert fragment in found[DETAIL_ATTRIBUTE]
    assert found[SOURCE_MESSAGE_ATTRIBUTE] == message_id
    for name, value in attributes.items():
        assert found[name] == value  # the request's own attributes go along
    lines = [json.loads(r.getMessage()) for r in caplog.records if '"intake"' in r.getMessage()]
    assert [(line["outcome"], line["reason"]) for line in lines] == [("dead-lettered", reason)]
    assert body not in caplog.text  # the log never holds a body
    if NAME_ATTRIBUTE in attributes:
        machine = intake.machines.jobs
        assert intake.executions(machine, attributes[NAME_ATTRIBUTE]) == []


def test_only_the_poison_of_a_batch_is_dead_lettered(intake: Intake) -> None:
    good = [intake.post({**JOB, "job_id": f"batch-{n}"})[2] for n in range(3)]
    intake.send("{not json", request_attributes())

    event = intake.deliver(at_least=4)

    assert len(event["Records"]) == 4
    assert intake.consume(event) == []
    for accepted in good:
        assert len(intake.executions(intake.machines.jobs, accepted["requestId"])) == 1
    (dead,) = receive(intake.sqs, intake.jobs_dead.url)
    assert dead["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"] == "InvalidJson"


# -- retried, never lost -------------------------------------------------------------------


def test_step_functions_unreachable_is_retried_and_nothing_is_dead_lettered(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, accepted = intake.post(JOB)
    event = intake.deliver()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", f"http://127.0.0.1:{free_port()}")
    reset_clients()

    failures = intake.consume(event)

    assert failures == [event["Records"][0]["messageId"]]
    assert receive(intake.sqs, intake.jobs_dead.url, wait=1) == []
    # Once Step Functions answers again, the redelivered message starts the execution.
    monkeypatch.delenv("AWS_ENDPOINT_URL_SFN")
    reset_clients()
    redelivered = intake.deliver()
    assert [r["messageId"] for r in redelivered["Records"]] == failures
    assert intake.consume(redelivered) == []
    assert len(intake.executions(intake.machines.jobs, accepted["requestId"])) == 1


def test_records_left_when_the_deadline_nears_are_retried_untried(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        intake.post({**JOB, "job_id": f"late-{n}"})
    event = intake.deliver(at_least=3)
    stalled = Stalled()  # Step Functions that never answers
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", stalled.url)
    reset_clients()
    try:
        failures = intake.consume(event, milliseconds=2_500)
    finally:
        stalled.close()

    assert sorted(failures) == sorted(r["messageId"] for r in event["Records"])
    assert stalled.requests == 1  # the first call waited out the deadline; no other was made


def test_poison_the_dead_letter_queue_does_not_take_is_kept_for_a_retry(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake.send("{not json", request_attributes())
    event = intake.deliver()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", f"http://127.0.0.1:{free_port()}")
    reset_clients()

    assert intake.consume(event) == [event["Records"][0]["messageId"]]


def test_a_record_from_a_queue_the_consumer_does_not_know_is_retried(intake: Intake) -> None:
    intake.post(JOB)
    event = intake.deliver()
    event["Records"][0]["eventSourceARN"] = intake.jobs_dead.arn

    assert intake.consume(event) == [event["Records"][0]["messageId"]]


def test_an_invocation_that_is_not_an_sqs_event_fails_loudly(intake: Intake) -> None:
    with pytest.raises(NotAnSqsEvent, match="SQS events"):
        make_consumer_handler()({"body": "{}"}, LambdaContext(5_000))
    with pytest.raises(NotAnSqsEvent, match="no messageId"):
        make_consumer_handler()({"Records": [{"body": "{}"}]}, LambdaContext(5_000))


def test_a_misconfigured_consumer_retries_every_record(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake.post(JOB)
    event = intake.deliver()
    monkeypatch.setenv(INTAKE_SOURCES_ENV, "[not json")

    assert intake.consume(event) == [event["Records"][0]["messageId"]]


# -- the starter's side --------------------------------------------------------------------


def test_the_queue_unreachable_is_a_503_with_retry_after(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", f"http://127.0.0.1:{free_port()}")
    reset_clients()

    status, headers, body = intake.post(JOB)

    assert (status, body["error"]) == (503, "ServiceUnavailable")
    assert "SQS is unavailable for SendMessage" in body["message"]
    assert int(headers["Retry-After"]) > 0


def test_a_queue_that_never_answers_is_a_503_naming_the_request(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    stalled = Stalled()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", stalled.url)
    reset_clients()
    key = str(uuid.uuid4())
    event = start_http("jobs", json.dumps(JOB), headers={"Idempotency-Key": key})
    try:
        response = make_starter_handler()(event, LambdaContext(2_000))
    finally:
        stalled.close()
    body = json.loads(response["body"])

    assert (response["statusCode"], body["error"]) == (503, "QueueTimeout")
    assert body["executionId"].startswith(f"jobs~{idempotent_execution_name(key)}~")
    assert "retry in 5 s with the same Idempotency-Key" in body["message"]


def test_an_intake_workflow_without_its_queue_is_a_configuration_error(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(INTAKE_QUEUES_ENV, json.dumps({"broken": intake.broken.url}))

    status, _, body = intake.post(JOB)

    assert (status, body["error"]) == (500, "ConfigurationError")


# -- the status route's QUEUED -------------------------------------------------------------


def test_queued_is_bounded_by_the_queue_retention(intake: Intake) -> None:
    name = str(uuid.uuid4())  # never queued, never started
    now = int(time.time() * 1000)
    recent = queued_execution_id("jobs", name, now - 60_000, DIGEST)
    expired = queued_execution_id("jobs", name, now - (QUEUE_RETENTION_SECONDS + 60) * 1000, DIGEST)
    future = queued_execution_id("jobs", name, now + 3_600_000, DIGEST)

    assert intake.status(recent)[2]["status"] == "QUEUED"
    for execution_id in (expired, future, f"jobs~{name}", f"jobs~{name}~NOT-A-STAMP"):
        status, _, body = intake.status(execution_id)
        assert (status, body["error"]) == (404, "ExecutionNotFound"), execution_id


def test_queued_ids_never_reach_across_workflows(intake: Intake) -> None:
    # An execution of the direct workflow "slow": a queued id naming it is not the intake's.
    name = str(uuid.uuid4())
    intake.sfn.start_execution(stateMachineArn=intake.machines.slow, name=name, input="{}")
    now = int(time.time() * 1000)

    assert intake.status(queued_execution_id("slow", name, now, EMPTY))[0] == 404
    # The same name under the intake workflow "jobs" is jobs' (none): QUEUED, never slow's.
    status, _, body = intake.status(queued_execution_id("jobs", name, now, EMPTY))
    assert (status, body["status"]) == (202, "QUEUED")
    assert body["executionArn"] == execution_arn(intake.machines.jobs, name)


def test_a_long_poll_of_a_queued_request_waits_through_queued_to_the_end(
    intake: Intake,
) -> None:
    """The long poll holds a request still in its queue: the consumer starts it while the
    GET waits, and the one answer is the execution's result, not an early 202 QUEUED."""
    _, _, accepted = intake.post(JOB)
    event = intake.deliver()  # taken off the queue: nothing starts it until consumed
    status, headers, body = intake.long_poll_while_consumed(accepted["executionId"], event)

    assert (status, body["status"], body["output"]) == (200, "SUCCEEDED", JOB)
    assert body["executionArn"] == accepted["executionArn"]
    assert headers["Preference-Applied"] == "wait=15"


def test_a_long_poll_of_a_request_that_stays_queued_answers_queued_after_its_window(
    intake: Intake,
) -> None:
    name = str(uuid.uuid4())  # never queued, never started
    queued = queued_execution_id("jobs", name, int(time.time() * 1000), DIGEST)

    status, headers, body = intake.status(queued, Prefer="wait=1")

    assert (status, body["status"], body["requestId"]) == (202, "QUEUED", name)
    assert headers["Preference-Applied"] == "wait=1" and headers["Retry-After"] == "1"
    expired = int(time.time() * 1000) - (QUEUE_RETENTION_SECONDS + 60) * 1000
    status, _, body = intake.status(
        queued_execution_id("jobs", name, expired, DIGEST), Prefer="wait=1"
    )
    assert (status, body["error"]) == (404, "ExecutionNotFound")


def test_a_started_request_is_reported_whatever_its_stamp(intake: Intake) -> None:
    _, _, accepted = intake.post(JOB)
    assert intake.consume(intake.deliver()) == []
    expired = int(time.time() * 1000) - (QUEUE_RETENTION_SECONDS + 60) * 1000

    status, _, body = intake.status(
        queued_execution_id("jobs", accepted["requestId"], expired, DIGEST)
    )

    assert status in (200, 202) and body["status"] in ("RUNNING", "SUCCEEDED")
