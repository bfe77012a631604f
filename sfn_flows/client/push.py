"""Waiting for an execution's end on the stack's push socket (deploy/push.py) instead of
polling: `ExecutionClient(target, push_url=...).wait(arn, timeout=..., push=True)`.

The client connects, subscribes to the execution, and waits for its one `status` message
(runtime/push_messages.py): no DescribeExecution while it waits. It falls back to polling,
for the time that is left, whenever push cannot answer:

- there is no push socket (no URL: the stack has no workflow built with push=True), the
  websockets library is not installed, or the socket cannot be reached;
- the subscription is refused (an `error` message: e.g. the workflow does not push), or not
  answered within ANSWER_SECONDS;
- the connection closes before the end comes (API Gateway ends a connection after 2 hours);
- no `status` has come by the deadline: the fallback is then the one poll at the deadline
  that any wait makes.

While it waits it subscribes again every KEEPALIVE_SECONDS: API Gateway closes a connection
that has been idle for 10 minutes, and the answer to a subscription to an execution that has
ended is its final status, which also covers an event EventBridge did not deliver (its
delivery of Step Functions' events is best effort). An output too large for a message is read
with one DescribeExecution.

websockets is imported on the first push wait only (the client's import stays standard
library and boto3); `pip install 'sfn-flows[push]'` installs it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_flows.client.execution import ExecutionStatus, execution_name
from sfn_flows.runtime.push_messages import ERROR, STATUS, SUBSCRIBE_ACTION, SUBSCRIBED

if TYPE_CHECKING:
    from sfn_flows.client.client import ExecutionClient

CONNECT_SECONDS = 5.0
ANSWER_SECONDS = 10.0
KEEPALIVE_SECONDS = 300.0
# Below this much time left there is no point in connecting: the deadline's poll comes first.
MIN_PUSH_SECONDS = 0.5


@dataclass(frozen=True)
class PushOutcome:
    status: ExecutionStatus | None  # None: push did not tell; poll for the time left
    fallback: str | None = None  # why push did not tell


def wait_for_push(
    client: ExecutionClient, arn: str, *, timeout: float, clock: Callable[[], float]
) -> PushOutcome:
    """The execution's final status from the push socket, or why there is none."""
    url = client.push_url
    if not url:
        return PushOutcome(None, "the stack has no push socket (no workflow has push=True)")
    if timeout < MIN_PUSH_SECONDS:
        return PushOutcome(None, "too little time left to connect to the push socket")
    try:
        from websockets.exceptions import ConnectionClosed, InvalidHandshake
        from websockets.sync.client import connect
    except ImportError:
        return PushOutcome(
            None, "the websockets library is not installed (pip install 'sfn-flows[push]')"
        )
    end = clock() + timeout
    try:
        with connect(url, open_timeout=min(CONNECT_SECONDS, timeout), ping_interval=None) as socket:
            client.push_traffic["connections"] += 1
            return _follow(client, socket, arn, end, clock)
    except ConnectionClosed:
        return PushOutcome(None, "the push socket closed the connection")
    except (OSError, InvalidHandshake) as exc:  # refused, DNS, TLS, timeouts, a 4xx/5xx
        return PushOutcome(None, f"cannot connect to the push socket {url}: {exc}")


def _follow(
    client: ExecutionClient, socket: Any, arn: str, end: float, clock: Callable[[], float]
) -> PushOutcome:
    subscribe = json.dumps({"action": SUBSCRIBE_ACTION, "executionArn": arn})
    answered = False
    while True:
        socket.send(subscribe)
        client.push_traffic["sent"] += 1
        sent = clock()
        while True:
            limit = min(end, sent + (KEEPALIVE_SECONDS if answered else ANSWER_SECONDS))
            try:
                text = socket.recv(timeout=max(limit - clock(), 0.0))
            except TimeoutError:
                if clock() >= end:
                    return PushOutcome(None, "no message from the push socket by the deadline")
                if not answered:
                    return PushOutcome(
                        None, f"the push socket did not answer within {ANSWER_SECONDS:g} s"
                    )
                break  # time to subscribe again
            client.push_traffic["received"] += 1
            message = _parsed(text)
            kind = message.get("type")
            if kind == ERROR:
                return PushOutcome(None, f"the push socket refused: {message.get('message')}")
            if message.get("executionArn") != arn:
                continue  # not about this execution
            if kind == SUBSCRIBED:
                answered = True
            elif kind == STATUS:
                return PushOutcome(_final_status(client, message, arn))


def _final_status(client: ExecutionClient, message: dict[str, Any], arn: str) -> ExecutionStatus:
    if message.get("outputIncluded") is False and message.get("status") == "SUCCEEDED":
        return client.describe(arn)  # too large for a message: read it once
    try:
        return _status_of(message, arn)
    except (TypeError, ValueError):
        return client.describe(arn)  # a message we cannot read: ask Step Functions once


def _status_of(message: dict[str, Any], arn: str) -> ExecutionStatus:
    return ExecutionStatus(
        arn=arn,
        # arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>
        state_machine_arn=arn.rsplit(":", 1)[0].replace(":execution:", ":stateMachine:", 1),
        name=execution_name(arn),
        status=str(message.get("status")),
        start_date=_date(message.get("startDate")),
        stop_date=_date(message.get("stopDate")) if message.get("stopDate") else None,
        input=None,  # the message does not carry it
        output=message.get("output"),
        error=message.get("error"),
        cause=message.get("cause"),
    )


def _parsed(text: str | bytes) -> dict[str, Any]:
    try:
        message = json.loads(text)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


def _date(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"the push socket sent a status without a date ({value!r})")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
