"""The push client's ways of not getting an answer, against a real WebSocket server in this
process that plays a push socket badly (silent, closing, chatty). The real socket on the local
stack is tests/e2e/test_push.py's; these need no AWS: `wait_for_push` answers before any poll.
"""

from __future__ import annotations

import builtins
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from websockets.sync.server import ServerConnection, serve

from sfn_flows.aws import Target
from sfn_flows.client import ExecutionClient
from sfn_flows.client import push as push_module
from sfn_flows.client.push import wait_for_push

ARN = "arn:aws:states:us-east-1:123456789012:execution:app-echo:run-1"
STATUS = {
    "type": "status",
    "executionId": "echo~run-1",
    "executionArn": ARN,
    "status": "SUCCEEDED",
    "output": {"n": 1},
    "error": None,
    "cause": None,
    "startDate": "2026-01-01T00:00:00.000Z",
    "stopDate": "2026-01-01T00:00:01.250Z",
    "outputIncluded": True,
}
SUBSCRIBED = {"type": "subscribed", "executionArn": ARN, "status": "RUNNING"}

Behaviour = Callable[[ServerConnection, list[dict[str, Any]]], None]


@pytest.fixture
def socket_server() -> Iterator[Callable[[Behaviour], tuple[str, list[dict[str, Any]]]]]:
    """Starts a server whose connections run `behaviour`; yields its URL and what it got."""
    servers: list[Any] = []

    def start(behaviour: Behaviour) -> tuple[str, list[dict[str, Any]]]:
        received: list[dict[str, Any]] = []

        def handle(connection: ServerConnection) -> None:
            behaviour(connection, received)

        server = serve(handle, "127.0.0.1", 0, ping_interval=None)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"ws://127.0.0.1:{server.socket.getsockname()[1]}", received

    yield start
    for server in servers:
        server.shutdown()


def client_for(url: str | None) -> ExecutionClient:
    # Nothing here reaches Step Functions: push answers, or says why not, before any poll.
    return ExecutionClient(Target(endpoint_url="http://127.0.0.1:9"), push_url=url)


def subscriptions(connection: ServerConnection, received: list[dict[str, Any]]) -> Iterator[None]:
    for text in connection:
        received.append(json.loads(text))
        yield None


def test_the_status_after_other_chatter_is_the_answer(socket_server: Any) -> None:
    def chatty(connection: ServerConnection, received: list[dict[str, Any]]) -> None:
        for _ in subscriptions(connection, received):
            connection.send(json.dumps(SUBSCRIBED))
            connection.send("not json")
            connection.send(json.dumps({**STATUS, "executionArn": ARN + "-another"}))
            connection.send(json.dumps(STATUS))

    url, received = socket_server(chatty)
    client = client_for(url)
    outcome = wait_for_push(client, ARN, timeout=10, clock=time.monotonic)
    assert outcome.fallback is None and outcome.status is not None
    status = outcome.status
    assert (status.status, status.output, status.name) == ("SUCCEEDED", {"n": 1}, "run-1")
    assert status.state_machine_arn == "arn:aws:states:us-east-1:123456789012:stateMachine:app-echo"
    assert status.duration == 1.25
    assert received == [{"action": "subscribe", "executionArn": ARN}]
    assert dict(client.push_traffic) == {"connections": 1, "sent": 1, "received": 4}
    assert not client.calls


def test_a_silent_socket_is_given_up_on(
    socket_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(push_module, "ANSWER_SECONDS", 0.3)

    def silent(connection: ServerConnection, received: list[dict[str, Any]]) -> None:
        for _ in subscriptions(connection, received):
            pass

    url, _ = socket_server(silent)
    outcome = wait_for_push(client_for(url), ARN, timeout=10, clock=time.monotonic)
    assert outcome.status is None
    assert outcome.fallback == "the push socket did not answer within 0.3 s"


def test_a_socket_closed_before_the_end_means_polling(socket_server: Any) -> None:
    def closing(connection: ServerConnection, received: list[dict[str, Any]]) -> None:
        for _ in subscriptions(connection, received):
            connection.send(json.dumps(SUBSCRIBED))
            connection.close()

    url, _ = socket_server(closing)
    outcome = wait_for_push(client_for(url), ARN, timeout=10, clock=time.monotonic)
    assert (outcome.status, outcome.fallback) == (None, "the push socket closed the connection")


def test_a_refusal_is_passed_on(socket_server: Any) -> None:
    def refusing(connection: ServerConnection, received: list[dict[str, Any]]) -> None:
        for _ in subscriptions(connection, received):
            connection.send(
                json.dumps({"type": "error", "error": "UnknownExecution", "message": "no such"})
            )

    url, _ = socket_server(refusing)
    outcome = wait_for_push(client_for(url), ARN, timeout=10, clock=time.monotonic)
    assert (outcome.status, outcome.fallback) == (None, "the push socket refused: no such")


def test_it_subscribes_again_while_it_waits(
    socket_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keepalive: a connection idle for 10 minutes is closed by API Gateway, and the
    answer to a subscription repeated after the end is the final status."""
    monkeypatch.setattr(push_module, "KEEPALIVE_SECONDS", 0.2)

    def ends_later(connection: ServerConnection, received: list[dict[str, Any]]) -> None:
        for _ in subscriptions(connection, received):
            connection.send(json.dumps(STATUS if len(received) == 3 else SUBSCRIBED))

    url, received = socket_server(ends_later)
    client = client_for(url)
    outcome = wait_for_push(client, ARN, timeout=10, clock=time.monotonic)
    assert outcome.status is not None and outcome.status.succeeded
    assert len(received) == 3 and client.push_traffic["sent"] == 3


def test_no_end_by_the_deadline(socket_server: Any) -> None:
    def running(connection: ServerConnection, received: list[dict[str, Any]]) -> None:
        for _ in subscriptions(connection, received):
            connection.send(json.dumps(SUBSCRIBED))

    url, _ = socket_server(running)
    outcome = wait_for_push(client_for(url), ARN, timeout=0.6, clock=time.monotonic)
    assert outcome == push_module.PushOutcome(
        None, "no message from the push socket by the deadline"
    )


def test_without_websockets_installed_it_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def without_websockets(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("websockets"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_websockets)
    outcome = wait_for_push(client_for("ws://127.0.0.1:9/x"), ARN, timeout=5, clock=time.monotonic)
    assert outcome.status is None and outcome.fallback is not None
    assert "pip install 'sfn-flows[push]'" in outcome.fallback


def test_no_url_or_no_time_means_no_connection() -> None:
    assert wait_for_push(client_for(None), ARN, timeout=5, clock=time.monotonic).fallback == (
        "the stack has no push socket (no workflow has push=True)"
    )
    short = wait_for_push(client_for("ws://127.0.0.1:9/x"), ARN, timeout=0.1, clock=time.monotonic)
    assert short.fallback == "too little time left to connect to the push socket"
