"""The HTTP protocol: AWS JSON 1.0 as boto3 speaks it, and every malformed request answered
with AWS's error shape and a 4xx, never a 500 (raw HTTP through http.client)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfn_flows.server.app import RunningServer, ServerStartError, serve
from sfn_flows.server.config import ServerConfig
from sfn_flows.server.errors import ApiError
from sfn_flows.server.protocol import CONTENT_TYPE, dispatch

DEADLINE_SECONDS = 10


def post(
    server: RunningServer,
    body: bytes,
    target: str | None = "AWSStepFunctions.ListStateMachines",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], http.client.HTTPResponse]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE_SECONDS)
    sent = {"Content-Type": CONTENT_TYPE} | (headers or {})
    if target is not None:
        sent["X-Amz-Target"] = target
    connection.request("POST", "/", body=body, headers=sent)
    response = connection.getresponse()
    payload = json.loads(response.read())
    connection.close()
    return response.status, payload, response


def test_boto3_reads_the_error_code_and_message(sfn: Any) -> None:
    with pytest.raises(ClientError) as caught:
        sfn.describe_state_machine(
            stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:none"
        )
    error = caught.value.response["Error"]
    assert error["Code"] == "StateMachineDoesNotExist"
    assert "stateMachine:none" in error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_answers_carry_the_json_content_type_and_a_request_id(server: RunningServer) -> None:
    status, payload, response = post(server, b"{}")
    assert (status, payload) == (200, {"stateMachines": []})
    assert response.getheader("Content-Type") == CONTENT_TYPE
    assert response.getheader("x-amzn-RequestId")


def test_get_answers_the_readiness_probe(server: RunningServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE_SECONDS)
    connection.request("GET", "/")
    response = connection.getresponse()
    assert response.status == 200
    assert json.loads(response.read()) == {"service": "sfn-flows engine", "status": "ready"}


@pytest.mark.parametrize(
    ("body", "target", "code"),
    [
        (b"{not json", "AWSStepFunctions.ListStateMachines", "SerializationException"),
        (b"[1, 2]", "AWSStepFunctions.ListStateMachines", "SerializationException"),
        (b'"text"', "AWSStepFunctions.ListStateMachines", "SerializationException"),
        (b'{"maxResults": NaN}', "AWSStepFunctions.ListStateMachines", "SerializationException"),
        (b"\xff\xfe{}", "AWSStepFunctions.ListStateMachines", "SerializationException"),
        (b"[" * 100_000, "AWSStepFunctions.ListStateMachines", "SerializationException"),
        (b"{}", "AWSStepFunctions.NoSuchAction", "UnknownOperationException"),
        (b"{}", "SomethingElse.ListStateMachines", "UnknownOperationException"),
        (b"{}", None, "UnknownOperationException"),
        (b'{"maxResults": "ten"}', "AWSStepFunctions.ListStateMachines", "SerializationException"),
        (b'{"maxResults": 5000}', "AWSStepFunctions.ListStateMachines", "ValidationException"),
        (b'{"nextToken": "!!"}', "AWSStepFunctions.ListStateMachines", "InvalidToken"),
        (b'{"name": 5}', "AWSStepFunctions.CreateStateMachine", "SerializationException"),
        (b"{}", "AWSStepFunctions.CreateStateMachine", "ValidationException"),
    ],
)
def test_malformed_requests_get_aws_error_shapes(
    server: RunningServer, body: bytes, target: str | None, code: str
) -> None:
    status, payload, _ = post(server, body, target)
    assert status == 400
    assert payload["__type"] == code
    assert payload["message"]


def test_an_oversized_body_is_refused_and_the_client_reads_the_answer(
    serve_with: Any,
) -> None:
    server = serve_with(max_request_bytes=4096)
    status, payload, _ = post(server, b'{"x": "' + b"a" * 100_000 + b'"}')
    assert status == 400
    assert payload["__type"] == "ValidationException"
    assert "at most 4096" in payload["message"]
    # The connection was drained, not reset: the server goes on answering.
    assert post(server, b"{}")[0] == 200


def test_a_bad_content_length_or_a_chunked_body_is_a_400(server: RunningServer) -> None:
    for headers in ({"Content-Length": "-5"}, {"Transfer-Encoding": "chunked"}):
        with socket.create_connection(("127.0.0.1", server.port), DEADLINE_SECONDS) as sock:
            lines = [
                "POST / HTTP/1.1",
                "Host: x",
                "X-Amz-Target: AWSStepFunctions.ListStateMachines",
                *(f"{k}: {v}" for k, v in headers.items()),
            ]
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            answer = _read_all(sock)
        assert answer.startswith(b"HTTP/1.1 400"), answer[:100]
        assert b'"__type"' in answer


def test_a_client_that_sends_half_a_body_holds_no_thread_past_the_read_timeout(
    serve_with: Any,
) -> None:
    server = serve_with(read_timeout_seconds=0.5)
    with socket.create_connection(("127.0.0.1", server.port), DEADLINE_SECONDS) as sock:
        head = (
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
            "Content-Length: 100\r\n\r\n{"
        )
        sock.sendall(head.encode())
        answer = _read_all(sock)  # the server gives up and closes the connection
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"ended before its Content-Length" in answer
    assert post(server, b"{}")[0] == 200


def test_other_methods_and_paths_get_json_not_html(server: RunningServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE_SECONDS)
    for method, path, status in (("PUT", "/", 405), ("GET", "/nothing", 404)):
        connection.request(method, path)
        response = connection.getresponse()
        assert response.status == status
        assert json.loads(response.read())["__type"] == "UnknownOperationException"


def test_a_handler_bug_is_a_generic_500_with_the_traceback_in_the_log(
    server: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(state: Any, body: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("secret-detail")

    answer = dispatch(server.state, {"Broken": broken}, "AWSStepFunctions.Broken", b"{}")
    assert answer.status == 500
    assert answer.body["__type"] == "InternalServerError"
    assert "secret-detail" not in answer.body["message"]
    assert "KeyError: 'secret-detail'" in capsys.readouterr().err


def test_an_api_error_keeps_its_status_and_extra_members(server: RunningServer) -> None:
    def conflicted(state: Any, body: dict[str, Any]) -> dict[str, Any]:
        raise ApiError("TooManyTags", "too many", resourceName="arn:x")

    answer = dispatch(server.state, {"T": conflicted}, "AWSStepFunctions.T", b"")
    assert (answer.status, answer.body) == (
        400,
        {"__type": "TooManyTags", "message": "too many", "resourceName": "arn:x"},
    )


def test_requests_are_logged_one_line_each_without_bodies_when_asked(
    serve_with: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    capfd.readouterr()  # what earlier tests' servers may still write
    quiet = serve_with()
    post(quiet, b'{"nextToken": "secret-token-value"}')
    assert "ListStateMachines" not in capfd.readouterr().err
    loud = serve_with(log_requests=True)
    post(loud, b'{"nextToken": "secret-token-value"}')
    logged = [line for line in capfd.readouterr().err.splitlines() if "ListState" in line]
    assert len(logged) == 1
    assert "ListStateMachines 400 InvalidToken" in logged[0]
    assert "secret-token-value" not in logged[0]


def test_a_burst_of_connections_is_answered_every_one(server: RunningServer) -> None:
    """socketserver's default backlog (5) reset some of 200 simultaneous connections."""
    statuses: list[int] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            statuses.append(post(server, b"{}")[0])
        except OSError as error:
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE_SECONDS)
    assert errors == []
    assert statuses == [200] * 200


def test_a_taken_port_is_a_clear_start_error(server: RunningServer) -> None:
    with pytest.raises(ServerStartError, match="in use"):
        serve(ServerConfig(port=server.port))


def test_stop_closes_the_socket_and_idle_connections(serve_with: Any) -> None:
    server = serve_with()
    idle = socket.create_connection(("127.0.0.1", server.port), DEADLINE_SECONDS)
    time.sleep(0.05)  # let the server accept it (not a timing assertion)
    before = threading.active_count()
    server.stop()
    assert threading.active_count() < before
    assert idle.recv(1) == b""  # closed by the server
    idle.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), 1).close()


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(DEADLINE_SECONDS)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)
