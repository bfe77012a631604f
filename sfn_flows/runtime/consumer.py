"""The SQS intake's consumer: queued requests -> StartExecution, once each.

Invoked by the event source mapping of each intake queue with a batch of records; answers
`{"batchItemFailures": [...]}` (ReportBatchItemFailures), so that only the records named
there come back, and the others are deleted from the queue. For each record:

- started: StartExecution with the request's name and input. SQS delivers at least once and
  a retried keyed request is queued again; a name that exists with the same input is that
  same request, started already: success, no second execution (ExecutionAlreadyExists, or
  StartExecution's own idempotent answer while the first one runs).
- poison (intake_messages.py: not an intake request, not JSON, an unknown or foreign
  workflow, an input that does not match the schema, a name Step Functions refuses, a name
  already taken by another input): sent to the workflow's dead-letter queue by the consumer,
  with the reason in its attributes (sfn-flows.poison-reason, sfn-flows.poison-detail) and in
  the log, then deleted from the queue; never retried, since nothing would change.
- retried (a batch item failure): throttling, an outage, no answer before the deadline, a
  dead-letter queue that did not take a poison message, a configuration problem. SQS
  delivers it again after the visibility timeout and, after maxReceiveCount receives, moves
  it to the dead-letter queue itself.

Every call has a deadline before the Lambda's timeout (deadline.py); records left when too
little time remains are reported as failures without being tried. The log has one line per
record (its message id, workflow, execution name, outcome and reason code), never a body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sfn_flows.runtime.clients import ClientFactory, sqs_client, stepfunctions_client
from sfn_flows.runtime.config import ApiConfig, ConfigError, ConfigLoader, load_api_config
from sfn_flows.runtime.deadline import MIN_CALL_SECONDS, Deadline, DeadlineExceeded
from sfn_flows.runtime.enqueue import string_attributes
from sfn_flows.runtime.events import request_id_of
from sfn_flows.runtime.intake import IntakeSource, intake_sources
from sfn_flows.runtime.intake_messages import (
    Poison,
    QueuedRequest,
    Record,
    UnknownSource,
    dead_letter_attributes,
    read_request,
    records_of,
)
from sfn_flows.runtime.logs import log_request, log_unexpected
from sfn_flows.runtime.request_body import JsonBody
from sfn_flows.runtime.schema import PatternTimeout, SchemaError, validate
from sfn_flows.runtime.service_errors import aws_error
from sfn_flows.runtime.starter import same_input

ConsumerHandler = Callable[[Any, Any], dict[str, list[dict[str, str]]]]
SourceLoader = Callable[[], Mapping[str, IntakeSource]]
# Step Functions' answers that say the request itself is wrong: a retry gets the same answer.
POISON_CODES = frozenset({"InvalidName", "InvalidExecutionInput", "ValidationException"})
STARTED, DUPLICATE, POISONED, RETRY = "started", "duplicate", "dead-lettered", "retry"


class Retry(Exception):
    """The record could not be handled now; SQS delivers it again. `reason`: why."""

    def __init__(self, reason: str, aws: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.aws = aws


def make_consumer_handler(
    *,
    client: ClientFactory = stepfunctions_client,
    queue_client: ClientFactory = sqs_client,
    config: ConfigLoader = load_api_config,
    sources: SourceLoader = intake_sources,
) -> ConsumerHandler:
    """The Lambda handler; the keywords are how tests and benchmarks swap the dependencies."""

    def handler(event: Any, context: Any = None) -> dict[str, list[dict[str, str]]]:
        deadline = Deadline.of(context)  # first: the clock runs from the invocation's start
        invocation = request_id_of(None, context)
        records = records_of(event)  # NotAnSqsEvent: a wrong invocation fails loudly
        try:
            api, known = config(), sources()
        except ConfigError as exc:
            log_request("consumer-configuration-error", requestId=invocation, problem=str(exc))
            return _failures(record.message_id for record in records)
        batch = _Batch(client, queue_client, api, known, deadline, invocation)
        return _failures(r.message_id for r in records if not batch.handle(r))

    return handler


def _failures(message_ids: Iterable[str]) -> dict[str, list[dict[str, str]]]:
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in message_ids]}


class _Batch:
    def __init__(
        self,
        client: ClientFactory,
        queue_client: ClientFactory,
        api: ApiConfig,
        sources: Mapping[str, IntakeSource],
        deadline: Deadline,
        invocation: str,
    ) -> None:
        self.client = client
        self.queue_client = queue_client
        self.api = api
        self.sources = sources
        self.deadline = deadline
        self.invocation = invocation

    def handle(self, record: Record) -> bool:
        """Whether the record is done with (started, a duplicate, or dead-lettered)."""
        fields: dict[str, str | int | None] = {"messageId": record.message_id}
        try:
            if self.deadline.remaining() < MIN_CALL_SECONDS:
                raise Retry("DeadlineReached")
            request = read_request(record, self.sources, self.api)
            fields.update(workflow=request.target.name, execution=request.name)
            self.check_input(request)
            outcome = self.start(request)
        except Poison as poison:
            fields.update(reason=poison.reason)
            outcome = self.dead_letter(record, poison, fields)
        except Retry as retry:
            fields.update(reason=retry.reason, awsError=retry.aws)
            outcome = RETRY
        except UnknownSource:
            fields.update(reason="UnknownSource", source=record.source_arn)
            outcome = RETRY
        except Exception as exc:  # one broken record never fails the others
            log_unexpected("intake-crashed", exc, requestId=self.invocation, **fields)
            outcome = RETRY
        log_request("intake", requestId=self.invocation, outcome=outcome, **fields)
        return outcome != RETRY

    def check_input(self, request: QueuedRequest) -> None:
        """The input against the workflow's schema as deployed now (it may have changed
        since the request was queued). At most a third of the time left: the rest is for
        StartExecution."""
        schema = request.target.input_schema
        try:
            errors = self.deadline.run_here(
                lambda: validate(request.value, schema), self.deadline.remaining() / 3
            )
        except SchemaError:
            raise Retry("SchemaError") from None  # the deployment's problem, not the message's
        except PatternTimeout as exc:
            raise Poison(
                "InputCheckTimeout",
                f"{exc.field} could not be checked against the pattern {exc.pattern} in time.",
            ) from None
        except DeadlineExceeded:
            raise Retry("DeadlineReached") from None
        except RecursionError:
            raise Poison("InvalidJson", "the body nests too deeply to be checked.") from None
        if errors:
            problems = "; ".join(f"{e.field}: {e.message}" for e in errors)
            raise Poison(
                "ValidationFailed",
                f"the input does not match the input of workflow {request.target.name!r}: "
                f"{problems}",
            )

    def start(self, request: QueuedRequest) -> str:
        sfn = self.client()
        machine = request.target.state_machine
        try:
            self.deadline.run(
                lambda: sfn.start_execution(
                    stateMachineArn=machine.arn, name=request.name, input=request.text
                )
            )
        except DeadlineExceeded:
            raise Retry("DeadlineReached") from None  # sent or not: the retry finds it
        except Exception as exc:
            code = self.service_code(exc)
            if code == "ExecutionAlreadyExists":
                return self.existing(request)
            if code in POISON_CODES:
                raise Poison(code, f"Step Functions refused StartExecution: {code}.") from None
            raise Retry("StartExecutionFailed", code) from None
        return STARTED

    def existing(self, request: QueuedRequest) -> str:
        """The name is taken: by this same request (a redelivery, a retry), or by another."""
        sfn = self.client()
        arn = request.target.state_machine.execution_arn(request.name)
        try:
            described = self.deadline.run(lambda: sfn.describe_execution(executionArn=arn))
        except DeadlineExceeded:
            raise Retry("DeadlineReached") from None
        except Exception as exc:
            raise Retry("DescribeExecutionFailed", self.service_code(exc)) from None
        if same_input(described, JsonBody(request.value, request.text)):
            return DUPLICATE
        raise Poison(
            "ExecutionNameTaken",
            f"execution {request.name!r} of workflow {request.target.name!r} exists with "
            "another input: the Idempotency-Key was used before for a different request; "
            "send a new key for a new request.",
        )

    def dead_letter(
        self, record: Record, poison: Poison, fields: dict[str, str | int | None]
    ) -> str:
        source = self.sources.get(record.source_arn)
        if source is None:  # read_request checks the source before any Poison
            return RETRY
        sqs = self.queue_client()
        attributes = string_attributes(dead_letter_attributes(record, poison))
        try:
            self.deadline.run(
                lambda: sqs.send_message(
                    QueueUrl=source.dead_letter_url,
                    MessageBody=record.body,
                    MessageAttributes=attributes,
                )
            )
        except DeadlineExceeded:
            fields.update(deadLetter="DeadlineReached")
            return RETRY
        except Exception as exc:
            fields.update(deadLetter=self.service_code(exc))
            return RETRY
        return POISONED

    @staticmethod
    def service_code(exc: Exception) -> str:
        error = aws_error(exc)
        if error is None:
            raise exc
        return error.code
