"""The push socket's routes: `$connect`, `$disconnect`, `subscribe`, and `$default` for any
other message (push_messages.py has the protocol).

- `$connect` accepts every connection: it holds nothing until it subscribes.
- `subscribe` names an execution by id or ARN. The same rules as the status route decide which
  executions exist here (status.py): only executions of the state machines in
  SFN_FLOWS_STATE_MACHINES, which the template fills with the workflows built with
  `push=True`. Anything else (malformed, another workflow, another state machine, account or
  region, or no such execution) gets one `UnknownExecution` error and no subscription. A
  request an SQS-intake workflow queued ("<workflow>~<name>~<queued at>~<input digest>") is
  subscribed to while it may still be in its queue (`subscribed`, status QUEUED): its
  execution, once the consumer starts it, has that name. The subscription keeps the digest,
  so that an execution of that name started with another input (another request under the
  same Idempotency-Key) is not pushed to it: the answer is an `IdempotencyKeyReused` error,
  here when the execution exists already, from the notifier otherwise.
  The subscription is written before the execution is described, so an execution that ends
  meanwhile is not missed: when the description says it has ended, the subscription goes
  again and the answer is the final `status` itself (the notifier may send it too; a client
  keeps the first).
- `$disconnect` deletes the connection's subscriptions.

Answers go back on the socket through @connections (deploy/push.py says why), and the
route's own answer is an empty 200. A client's mistake is answered with an `error` message,
never with a 5xx; what fails on AWS's side is an `error` message too, saying to try again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from sfn_flows.runtime.clients import ClientFactory, stepfunctions_client
from sfn_flows.runtime.config import ConfigError, ConfigLoader, load_api_config
from sfn_flows.runtime.deadline import Deadline, DeadlineExceeded
from sfn_flows.runtime.events import request_id_of
from sfn_flows.runtime.execution_answers import execution_body
from sfn_flows.runtime.intake import QUEUED, still_queueable
from sfn_flows.runtime.key_reuse import KEY_REUSED, key_reused_message
from sfn_flows.runtime.logs import log_request, log_unexpected
from sfn_flows.runtime.names import execution_id
from sfn_flows.runtime.push_clients import connections_client, dynamodb_client
from sfn_flows.runtime.push_messages import (
    CONNECT,
    DISCONNECT,
    FINISHED,
    BadSubscription,
    error_message,
    requested_execution,
    status_message,
    subscribed_message,
)
from sfn_flows.runtime.push_store import TABLE_ENV, Subscriptions
from sfn_flows.runtime.queued_status import other_request, queued_request
from sfn_flows.runtime.service_errors import EXECUTION_NOT_FOUND_CODES, aws_error
from sfn_flows.runtime.status import resolve_execution

_UNKNOWN = (
    "no such execution of a workflow that pushes here: use the executionId the API answered "
    'with ("<workflow>~<execution name>") or the execution ARN, of a workflow built with '
    "push=True (poll GET /executions/<id> for the others)."
)

Response = dict[str, Any]
SocketHandler = Callable[[Any, Any], Response]


class _Answer(Exception):
    """Ends a subscription attempt with this message to the client (`code` for the log)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def make_push_socket_handler(
    *,
    sfn: ClientFactory = stepfunctions_client,
    dynamodb: ClientFactory = dynamodb_client,
    connections: ClientFactory = connections_client,
    config: ConfigLoader = load_api_config,
    clock: Callable[[], float] = time.time,
) -> SocketHandler:
    def handler(event: Any, context: Any = None) -> Response:
        deadline = Deadline.of(context)
        request = event.get("requestContext") if isinstance(event, dict) else None
        request = request if isinstance(request, dict) else {}
        route, connection = request.get("routeKey"), request.get("connectionId")
        record: dict[str, str | int | None] = {
            "requestId": request_id_of(event, context),
            "route": str(route),
        }

        def store() -> Subscriptions:
            return Subscriptions(dynamodb(), os.environ[TABLE_ENV], deadline, clock)

        try:
            if not isinstance(connection, str) or not connection:
                record["answer"] = "BadEvent"  # nowhere to answer: not a WebSocket event
                body = None
            elif route == CONNECT:
                body = None
            elif route == DISCONNECT:
                subscriptions = store()
                for arn in subscriptions.executions_of(connection):
                    subscriptions.remove(arn, connection)
                body = None
            else:
                body = _subscribe(
                    event.get("body"), connection, store(), sfn, config, deadline, clock, record
                )
        except Exception as exc:  # the last line of defence: an error message, not a traceback
            log_unexpected("push-socket-crashed", exc, requestId=str(record["requestId"]))
            body = error_message(
                "InternalError",
                f"the request failed unexpectedly; report request id {record['requestId']} to "
                "the API's operators, or poll GET /executions/<id> meanwhile.",
            )
            record["answer"] = "InternalError"
        if body is not None and route not in (CONNECT, DISCONNECT):
            _answer(connections, deadline, str(connection), body, record)
        log_request("push-socket", **record)
        return {"statusCode": 200}

    return handler


def _answer(
    connections: ClientFactory,
    deadline: Deadline,
    connection: str,
    message: str,
    record: dict[str, str | int | None],
) -> None:
    """Post `message` to the connection; a failure is logged (the client, hearing nothing,
    falls back to polling), a connection that has gone needs nothing."""
    try:
        client = connections()
        deadline.run(partial(client.post_to_connection, ConnectionId=connection, Data=message))
    except Exception as exc:
        error = aws_error(exc)
        code = error.code if error else type(exc).__name__
        if code != "GoneException":
            record["postError"] = code


def _subscribe(
    body: object,
    connection: str,
    store: Subscriptions,
    sfn: ClientFactory,
    config: ConfigLoader,
    deadline: Deadline,
    clock: Callable[[], float],
    record: dict[str, str | int | None],
) -> str:
    try:
        raw = requested_execution(body)
        try:
            api = config()
        except ConfigError as exc:
            record["problem"] = str(exc)  # names the deployment's files: for the log only
            raise _Answer("ConfigurationError", "the push socket is misconfigured.") from None
        # A request an SQS-intake workflow queued: "<workflow>~<name>~<stamp>~<digest>".
        queued = queued_request(raw, api)
        found = (queued[0], queued[1].name) if queued else resolve_execution(raw, api)
        if found is None:
            raise _Answer("UnknownExecution", _UNKNOWN)
        target, name = found
        record["workflow"], record["execution"] = target.name, name
        arn = target.state_machine.execution_arn(name)
        # First the subscription, then the look: an end in between reaches the notifier.
        digest = queued[1].digest if queued else None
        _aws(lambda: store.add(arn, connection, digest), "DynamoDB")
        try:
            client = sfn()
            described = _aws(
                lambda: deadline.run(lambda: client.describe_execution(executionArn=arn)),
                "Step Functions",
            )
        except _Answer as answer:
            waiting = queued and still_queueable(queued[1].queued_at_ms, int(clock() * 1000))
            if answer.code == "UnknownExecution" and waiting:
                record["answer"] = "subscribed"  # its execution starts once it leaves the queue
                return subscribed_message(raw, arn, QUEUED)
            _forget(store, arn, connection)
            raise
        if described.get("stateMachineArn") != target.state_machine.base:
            _forget(store, arn, connection)
            raise _Answer("UnknownExecution", _UNKNOWN)
        if queued and other_request(queued[1], described):
            _forget(store, arn, connection)
            raise _Answer(KEY_REUSED, key_reused_message(execution_id(target.name, name)))
        status = str(described.get("status"))
        if status in FINISHED:
            _forget(store, arn, connection)
            record["answer"] = "status"
            return status_message(execution_body(target, name, arn, described))
        record["answer"] = "subscribed"
        return subscribed_message(execution_id(target.name, name), arn, status)
    except BadSubscription as exc:
        record["answer"] = exc.code
        return error_message(exc.code, str(exc))
    except _Answer as answer:
        record["answer"] = answer.code
        return error_message(answer.code, answer.message)


def _aws(call: Callable[[], Any], service: str) -> Any:
    """`call()`, or an _Answer the client can act on when the service fails."""
    try:
        return call()
    except DeadlineExceeded:
        message = f"{service} did not answer in time; subscribe again."
        raise _Answer("Unavailable", message) from None
    except Exception as exc:
        error = aws_error(exc)
        if error is None:
            raise
        if error.code in EXECUTION_NOT_FOUND_CODES:
            raise _Answer("UnknownExecution", _UNKNOWN) from None
        raise _Answer(
            "Unavailable", f"{service} failed ({error.code}); subscribe again in a few seconds."
        ) from None


def _forget(store: Subscriptions, arn: str, connection: str) -> None:
    """Best effort: a subscription left behind expires, and its connection gets one message
    more at most."""
    try:
        store.remove(arn, connection)
    except Exception as exc:
        log_unexpected("push-unsubscribe-failed", exc, execution=arn.rsplit(":", 1)[-1])
