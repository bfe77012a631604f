"""The starter's SQS intake: a checked request goes to its workflow's queue, 202 QUEUED.

The starter has checked the request as for any workflow (route, Idempotency-Key, body,
schema) and named the execution; here it sends the input to the workflow's queue with the
workflow, the name and the time as message attributes (intake.py), and answers, with an id
that carries the time and a digest of the input,
`202 {"requestId", "executionId", "executionArn", "status": "QUEUED", "statusUrl"}`. The
consumer (consumer.py) starts the execution; the status route answers QUEUED meanwhile.

No Step Functions call is made here: under a burst the queue absorbs what StartExecution
would throttle. A retried keyed request is queued again and names the same execution, which
the consumer starts once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping

from sfn_flows.runtime.clients import ClientFactory, sqs_client
from sfn_flows.runtime.config import ConfigError, WorkflowTarget
from sfn_flows.runtime.deadline import Deadline, DeadlineExceeded
from sfn_flows.runtime.events import HttpRequest
from sfn_flows.runtime.intake import (
    INTAKE_QUEUES_ENV,
    NAME_ATTRIBUTE,
    QUEUED,
    QUEUED_AT_ATTRIBUTE,
    WORKFLOW_ATTRIBUTE,
    input_digest,
    intake_queues,
    queued_execution_id,
)
from sfn_flows.runtime.request_body import JsonBody
from sfn_flows.runtime.responses import Response, configuration_error, error_response, json_response
from sfn_flows.runtime.service_errors import UNAVAILABLE_RETRY_AFTER, aws_error, failure_response
from sfn_flows.runtime.urls import status_url

# Noncharacters SQS refuses in a message; JSON may carry them raw inside strings, and their
# escapes are the same JSON value (control characters are escaped by json.dumps already).
_SQS_REFUSED = re.compile("[\ufffe\uffff]")


def enqueue(
    request: HttpRequest,
    prefix: str,
    target: WorkflowTarget,
    name: str,
    body: JsonBody,
    *,
    idempotent: bool,
    deadline: Deadline,
    request_id: str,
    client: ClientFactory = sqs_client,
    queues: Callable[[], Mapping[str, str]] = intake_queues,
    clock: Callable[[], float] = time.time,
) -> Response:
    """Queue the request of `target` named `name`: 202 QUEUED, or the 503/5xx that says why not."""
    try:
        url = queues().get(target.name)
    except ConfigError as exc:
        return configuration_error(exc, request_id)
    if url is None:
        problem = ConfigError(
            f"workflow {target.name!r} takes its requests through SQS (intake='sqs') but "
            f"{INTAKE_QUEUES_ENV} names no queue for it; deploy the stack and the Lambda "
            "package from the same build."
        )
        return configuration_error(problem, request_id)
    queued_at = int(clock() * 1000)
    identifier = queued_execution_id(target.name, name, queued_at, input_digest(body.value))
    attributes = {
        WORKFLOW_ATTRIBUTE: target.name,
        NAME_ATTRIBUTE: name,
        QUEUED_AT_ATTRIBUTE: str(queued_at),
    }
    sqs = client()
    try:
        deadline.run(
            lambda: sqs.send_message(
                QueueUrl=url,
                MessageBody=sqs_safe(body.text),
                MessageAttributes=string_attributes(attributes),
            )
        )
    except DeadlineExceeded as exc:
        return _unanswered(request, prefix, target, identifier, idempotent, sent=exc.sent)
    except Exception as exc:
        error = aws_error(exc)
        if error is None:
            raise
        if error.kind == "timeout":
            return _unanswered(request, prefix, target, identifier, idempotent, sent=True)
        return failure_response(
            error, "SendMessage", f"the queue of workflow {target.name!r}", service="SQS"
        )
    location = status_url(request, prefix, identifier)
    return json_response(
        202,
        {
            "requestId": name,
            "executionId": identifier,
            "executionArn": target.state_machine.execution_arn(name),
            "status": QUEUED,
            "statusUrl": location,
        },
        {"Location": location},
    )


def sqs_safe(text: str) -> str:
    """`text` (compact JSON) with the characters SQS refuses written as JSON escapes."""
    return _SQS_REFUSED.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def string_attributes(values: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """SendMessage's MessageAttributes for string values."""
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items()}


def _unanswered(
    request: HttpRequest,
    prefix: str,
    target: WorkflowTarget,
    identifier: str,
    idempotent: bool,
    *,
    sent: bool,
) -> Response:
    """503 when SQS did not answer in time: a sent message may be queued, so the answer
    says how to find it, or to retry with the same key (which names the same execution)."""
    retry = str(UNAVAILABLE_RETRY_AFTER)
    what = f"SendMessage to the queue of workflow {target.name!r}"
    if not sent:
        return error_response(
            503,
            "QueueTimeout",
            f"too little time was left to call SQS ({what}); nothing was queued: retry in "
            f"{retry} s.",
            headers={"Retry-After": retry},
        )
    if idempotent:
        advice = (
            "retry in {retry} s with the same Idempotency-Key: it names the same execution, "
            "which is started once."
        )
    else:
        advice = (
            "check its statusUrl before retrying, and send an Idempotency-Key with every "
            "request, so that a retry names the same execution instead of a second one."
        )
    return error_response(
        503,
        "QueueTimeout",
        f"SQS did not answer {what} in time; the request may have been queued as "
        f"{identifier}: " + advice.format(retry=retry),
        headers={"Retry-After": retry},
        executionId=identifier,
        statusUrl=status_url(request, prefix, identifier),
    )
