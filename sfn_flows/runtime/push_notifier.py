"""The push notifier: an EventBridge rule hands it the "Step Functions Execution Status
Change" events of the project's push workflows as they end; it posts one `status` message
(push_messages.py) to every connection subscribed to that execution, through API Gateway's
@connections API, and deletes each subscription it served.

- The output travels in the message when it fits API Gateway's 128 KB; otherwise the message
  says it was left out and where to read it. An output Step Functions itself left out of the
  event (over the event's size limit) is said to be left out the same way: the notifier reads
  no execution, it needs no more than the event.
- A connection that has gone (GoneException: the client closed it, or API Gateway did after
  2 hours) loses its subscription; a post that fails otherwise is logged and the rest go on.
- A subscription to a request the SQS intake queued keeps that request's input digest
  (push_store.py): when the event's input has another (the execution is another request's,
  under the same Idempotency-Key), that connection gets an `IdempotencyKeyReused` error
  instead of the status; when the event carries no input to compare, an error saying to read
  the status route, which can.
- An event of a state machine that is not one of SFN_FLOWS_STATE_MACHINES is ignored: the
  rule matches only the project's, so one arriving here is someone else's mistake.

A failure to read the subscriptions raises, so that Lambda's asynchronous retries (EventBridge
invokes it asynchronously) try the event again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from sfn_flows.runtime.clients import ClientFactory
from sfn_flows.runtime.config import ConfigLoader, load_api_config
from sfn_flows.runtime.deadline import Deadline
from sfn_flows.runtime.execution_answers import execution_body
from sfn_flows.runtime.intake import recorded_digest
from sfn_flows.runtime.key_reuse import KEY_REUSED, key_reused_message
from sfn_flows.runtime.logs import log_request
from sfn_flows.runtime.names import parse_execution_arn
from sfn_flows.runtime.push_clients import connections_client, dynamodb_client
from sfn_flows.runtime.push_messages import (
    FINISHED,
    described_from_event,
    error_message,
    output_left_out,
    status_message,
)
from sfn_flows.runtime.push_store import TABLE_ENV, Subscriptions
from sfn_flows.runtime.service_errors import aws_error

STATUS_CHANGE = "Step Functions Execution Status Change"
SOURCE = "aws.states"

Summary = dict[str, Any]


def make_push_notifier_handler(
    *,
    dynamodb: ClientFactory = dynamodb_client,
    connections: ClientFactory = connections_client,
    config: ConfigLoader = load_api_config,
    clock: Callable[[], float] = time.time,
) -> Callable[[Any, Any], Summary]:
    def handler(event: Any, context: Any = None) -> Summary:
        deadline = Deadline.of(context)
        detail = _status_change(event)
        if detail is None:
            return _done("ignored", reason="not an ended execution's status change")
        arn = str(detail.get("executionArn"))
        parsed = parse_execution_arn(arn)
        api = config()
        workflow = parsed and api.by_state_machine(
            parsed.partition, parsed.region, parsed.account, parsed.state_machine
        )
        if parsed is None or workflow is None:
            return _done("ignored", reason="not an execution of this project's push workflows")
        target = api.workflows[workflow]
        body = execution_body(target, parsed.name, arn, described_from_event(detail))
        message = status_message(body, output_left_out=output_left_out(detail))
        store = Subscriptions(dynamodb(), os.environ[TABLE_ENV], deadline, clock)
        subscribers = store.connections_of(arn)
        sent, gone, failed = 0, 0, 0
        digest = recorded_digest(detail)
        if subscribers:
            client = connections()
            for connection, wanted in subscribers:
                if wanted is None or wanted == digest:
                    outcome = _post(client, deadline, connection, message, body)
                else:
                    outcome = _post_only(client, deadline, connection, _not_theirs(body, digest))
                sent += outcome == "sent"
                gone += outcome == "gone"
                failed += outcome == "failed"
                if outcome != "failed":  # a failed post keeps its subscription: nothing to do
                    store.remove(arn, connection)
        return _done(
            "notified",
            workflow=workflow,
            execution=parsed.name,
            status=body["status"],
            sent=sent,
            gone=gone,
            failed=failed,
        )

    return handler


def _status_change(event: object) -> Mapping[str, Any] | None:
    """The detail of an ended execution's status change event; None for anything else."""
    if not isinstance(event, dict) or event.get("detail-type") != STATUS_CHANGE:
        return None
    detail = event.get("detail")
    if event.get("source") != SOURCE or not isinstance(detail, dict):
        return None
    return detail if detail.get("status") in FINISHED else None


def _not_theirs(body: Mapping[str, Any], digest: str | None) -> str:
    """The message for a queued request's subscriber whose request this execution is not
    (or cannot be shown to be)."""
    if digest is None:
        return error_message(
            "StatusNotPushed",
            "the status event carries no input to match with your request; read the status "
            "with GET on the statusUrl the API answered with.",
        )
    return error_message(KEY_REUSED, key_reused_message(str(body["executionId"])))


def _post(client: Any, deadline: Deadline, connection: str, message: str, body: Any) -> str:
    """ "sent", "gone" (the connection is closed) or "failed" (logged)."""
    # The status alone, should API Gateway count 128 KB less generously than we do.
    alone = status_message({**body, "output": None}, output_left_out=_REFUSED_AS_TOO_LARGE)
    return _post_only(client, deadline, connection, message, alone)


def _post_only(client: Any, deadline: Deadline, connection: str, *texts: str) -> str:
    """Post the first of `texts` API Gateway takes: "sent", "gone" or "failed" (logged)."""
    for text in texts:
        try:
            deadline.run(partial(client.post_to_connection, ConnectionId=connection, Data=text))
            return "sent"
        except Exception as exc:
            error = aws_error(exc)
            code = error.code if error else type(exc).__name__
            if code == "GoneException":
                return "gone"
            if code != "PayloadTooLargeException":
                log_request("push-post-failed", connection=connection, error=code)
                return "failed"
    log_request("push-post-failed", connection=connection, error="PayloadTooLargeException")
    return "failed"


_REFUSED_AS_TOO_LARGE = (
    "API Gateway refused the message with the output as too large; read it with "
    "GET /executions/<executionId>."
)


def _done(outcome: str, **fields: Any) -> Summary:
    log_request("push-notifier", outcome=outcome, **fields)
    return {"outcome": outcome, **fields}
