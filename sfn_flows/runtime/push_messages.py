"""What goes over the push socket (deploy/push.py), both ways. Pure: no I/O, standard library.

A client sends one kind of message, a subscription:

    {"action": "subscribe", "executionId": "<workflow>~<execution name>"}

(`executionId` takes an execution ARN too, as the status route does; `executionArn` is the
same field under the name a client holding an ARN expects). The server answers with JSON
objects told apart by `type`:

- `subscribed`: the execution is running; its end comes as one `status` message.
- `status`: the execution has ended, with the fields of the status route's 200 body
  (executionId, executionArn, status, output, error, cause, startDate, stopDate) and
  `outputIncluded`. API Gateway carries at most 128 KB in a message (in frames of at most
  32 KB, which it splits itself); a status that would not fit goes without its output
  (`outputIncluded: false` and a `note` saying where to read it).
- `error`: `error` (a code) and `message` (what is wrong and how to fix it). Nothing was
  subscribed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

SUBSCRIBE_ACTION = "subscribe"
# The WebSocket API's route keys (deploy/push.py): `subscribe` is the action above.
CONNECT, DISCONNECT, SUBSCRIBE, DEFAULT = "$connect", "$disconnect", SUBSCRIBE_ACTION, "$default"
SUBSCRIBED = "subscribed"
STATUS = "status"
ERROR = "error"
# API Gateway's quota on a WebSocket message, PostToConnection's data and a route's answer
# alike ("Message payload size: 128 KB"). Read as 128,000 bytes, the smaller of its readings.
MAX_MESSAGE_BYTES = 128_000
FINISHED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})
_ID_FIELDS = ("executionId", "executionArn")
_USAGE = (
    'send {"action": "subscribe", "executionId": "<workflow>~<execution name>"} (or the '
    "execution ARN), as the API's POST answered it"
)


class BadSubscription(ValueError):
    """A client's message that subscribes to nothing: `code` for machines, the text for
    people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def requested_execution(body: object) -> str:
    """The execution reference (an id or an ARN) a subscribe message names, or
    BadSubscription saying what is wrong with the message."""
    if not isinstance(body, str) or not body.strip():
        raise BadSubscription("EmptyMessage", f"the message is empty; {_USAGE}.")
    try:
        message = json.loads(body)
    except ValueError:
        raise BadSubscription("NotJson", f"the message is not JSON; {_USAGE}.") from None
    if not isinstance(message, dict):
        raise BadSubscription("NotAnObject", f"the message is not a JSON object; {_USAGE}.")
    action = message.get("action")
    if action != SUBSCRIBE_ACTION:
        said = "has no action" if action is None else f"has action {_quoted(action)}"
        raise BadSubscription(
            "UnknownAction",
            f"the message {said}; the one action is {SUBSCRIBE_ACTION!r}: {_USAGE}.",
        )
    named = [field for field in _ID_FIELDS if field in message]
    if len(named) != 1:
        raise BadSubscription(
            "MissingExecution" if not named else "TwoExecutions",
            f"name one execution, in executionId or executionArn; {_USAGE}.",
        )
    value = message[named[0]]
    if not isinstance(value, str) or not value:
        raise BadSubscription(
            "MissingExecution", f"{named[0]} must be a non-empty string; {_USAGE}."
        )
    return value


def subscribed_message(execution_id: str, execution_arn: str, status: str) -> str:
    return _text(
        {
            "type": SUBSCRIBED,
            "executionId": execution_id,
            "executionArn": execution_arn,
            "status": status,
        }
    )


def error_message(code: str, message: str) -> str:
    return _text({"type": ERROR, "error": code, "message": message})


def status_message(body: Mapping[str, Any], *, output_left_out: str | None = None) -> str:
    """The `status` message of an ended execution (`body`: the status route's 200 body),
    within MAX_MESSAGE_BYTES. `output_left_out`: why the output is missing already (Step
    Functions left it out of its event)."""
    message = {"type": STATUS, **body, "outputIncluded": output_left_out is None}
    if output_left_out is not None:
        message["note"] = output_left_out
    text = _text(message)
    if len(text.encode()) <= MAX_MESSAGE_BYTES:
        return text
    message.update(outputIncluded=False, output=None, note=_too_large("output", body))
    text = _text(message)
    if len(text.encode()) <= MAX_MESSAGE_BYTES:
        return text
    # Only a cause of many multi-byte characters gets here (Step Functions keeps 32,768).
    message.update(cause=None, causeIncluded=False, note=_too_large("output and cause", body))
    return _text(message)


def described_from_event(detail: Mapping[str, Any]) -> dict[str, Any]:
    """A "Step Functions Execution Status Change" event's detail in DescribeExecution's
    shape (dates as datetimes), as the status route's body is built from."""
    described = {
        key: detail.get(key)
        for key in ("executionArn", "stateMachineArn", "name", "status", "output", "error", "cause")
    }
    described["outputDetails"] = detail.get("outputDetails") or {}
    for key in ("startDate", "stopDate"):
        described[key] = _from_epoch_millis(detail.get(key))
    return described


def output_left_out(detail: Mapping[str, Any]) -> str | None:
    """Why a status event carries no output although the execution succeeded: Step Functions
    leaves out an output over its event size limit (outputDetails.included false)."""
    details = detail.get("outputDetails")
    if isinstance(details, dict) and details.get("included") is False:
        return (
            "Step Functions left the output out of its status event (it is too large for "
            "one); read it with GET /executions/<executionId>."
        )
    return None


def _too_large(what: str, body: Mapping[str, Any]) -> str:
    return (
        f"the {what} would make this message larger than API Gateway's {MAX_MESSAGE_BYTES:,} "
        f"bytes; read it with GET /executions/{body.get('executionId')}."
    )


def _from_epoch_millis(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value / 1000, UTC)


def _quoted(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(message: Mapping[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
