"""HTTP as boto3 and the AWS CLI speak to Step Functions: AWS JSON 1.0.

`POST /` with `X-Amz-Target: AWSStepFunctions.<Action>` and a JSON object as body; the answer is
JSON with `Content-Type: application/x-amz-json-1.0`. A client's mistake is HTTP 400 (409 for a
conflict) with `{"__type": code, "message": ...}`; a handler's unexpected exception is a 500
InternalServerError whose traceback goes to stderr, never to the client. `GET /` answers
`{"service": "sfn-flows engine", "status": "ready"}`: the readiness probe.

Every read from a connection has a deadline (a client sending half a body holds no thread for
ever), a body is read up to `max_request_bytes`, and requests are logged one line each without
their bodies, and only with `log_requests`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.server.errors import ApiError, serialization, validation

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

Handler = Callable[["ServerState", dict[str, Any]], dict[str, Any]]

CONTENT_TYPE: Final = "application/x-amz-json-1.0"
AWS_PREFIX: Final = "AWSStepFunctions."
# Actions of our own (not AWS's) are named with this prefix, whole, in the actions table.
EXTENSION_PREFIX: Final = "SfnFlows."
HEALTH: Final = {"service": "sfn-flows engine", "status": "ready"}
# A body over the limit is read and dropped up to this much, so that the client, still
# sending, reads the 400 instead of a reset connection; past it the connection is closed.
_DRAIN_MOST: Final = 64 * 1024 * 1024
_CHUNK: Final = 64 * 1024


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    action: str = "-"
    close: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def dispatch(
    state: ServerState, actions: Mapping[str, Handler], target: str | None, raw: bytes
) -> Answer:
    """The answer to one POST: route by target, parse the body, run the handler."""
    action = _action(target)
    try:
        if action is None:
            raise ApiError(
                "UnknownOperationException",
                "No X-Amz-Target header: send AWSStepFunctions.<Action>, as the AWS SDKs do "
                "(for example AWSStepFunctions.ListStateMachines).",
            )
        handler = actions.get(action)
        if handler is None:
            raise ApiError(
                "UnknownOperationException",
                f"Unknown operation '{target[:100] if target else ''}': this server answers "
                f"{AWS_PREFIX}<Action> for the Step Functions actions it implements.",
            )
        return Answer(200, handler(state, _body(raw)), action)
    except ApiError as error:
        return Answer(error.status, error.body(), action or "-")
    except Exception:
        # The server's own bug: the client learns that much, the log learns the rest.
        sys.stderr.write(f"sfn-flows engine: {action} failed:\n{traceback.format_exc()}")
        message = f"The server failed on {action}; its log (stderr) has the details."
        return Answer(500, {"__type": "InternalServerError", "message": message}, action or "-")


def _action(target: str | None) -> str | None:
    if target is None or not target.strip():
        return None
    target = target.strip()
    if target.startswith(AWS_PREFIX):
        return target[len(AWS_PREFIX) :]
    return target if target.startswith(EXTENSION_PREFIX) else f"?{target}"


def _body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}  # no members given, as an SDK never sends but curl may
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except UnicodeDecodeError:
        raise serialization("The request body is not UTF-8 text; send JSON.") from None
    except json.JSONDecodeError as exc:
        raise serialization(
            f"The request body is not JSON ({exc.msg} at line {exc.lineno} column "
            f"{exc.colno}); send a JSON object."
        ) from None
    except (ValueError, RecursionError):
        raise serialization(
            "The request body is not JSON that can be read; send an object."
        ) from None
    if not isinstance(body, dict):
        raise serialization(
            f"The request body is a JSON {type(body).__name__}; send a JSON object of the "
            "action's members."
        )
    return body


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class ApiHttpServer(ThreadingHTTPServer):
    """One thread per connection (daemon, tracked so stop() can close and join them)."""

    daemon_threads = True
    # socketserver's default backlog is 5: a burst of clients (a test starting 100 executions
    # at once) would wait out SYN retransmits of a second or more.
    request_queue_size = 1024

    def __init__(
        self,
        address: tuple[str, int],
        state: ServerState,
        actions: Callable[[], Mapping[str, Handler]],
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.actions = actions
        self._lock = threading.Lock()
        self._connections: dict[threading.Thread, socket.socket] = {}
        super().__init__(address, _RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"sfn-flows-engine {client_address}",
            daemon=True,
        )
        with self._lock:
            self._connections[thread] = request
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._connections.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (reset, broken pipe, timeout) is no error of the server's;
        anything else is, and its traceback goes to stderr."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        sys.stderr.write(
            f"sfn-flows engine: a connection from {client_address[0]} failed:\n"
            f"{traceback.format_exc()}"
        )

    def close_connections(self, deadline: float) -> None:
        """Ends every open connection, and waits for their threads until `deadline`."""
        with self._lock:
            open_now = dict(self._connections)
        for connection in open_now.values():
            with contextlib.suppress(OSError):  # closed by its client meanwhile
                connection.shutdown(socket.SHUT_RDWR)
        for thread in open_now:
            thread.join(max(0.0, deadline - time.monotonic()))


class _RequestHandler(BaseHTTPRequestHandler):
    server: ApiHttpServer
    protocol_version = "HTTP/1.1"  # keep-alive: the SDKs reuse their connections
    server_version = "sfn-flows"
    # TCP_NODELAY: the headers and the body go out in two writes, and with Nagle's algorithm
    # the body waits for the client's delayed ACK of the headers: 40 ms a request on a kept-alive
    # connection (boto3's list_state_machines here: 45.9 ms a call, 2.0 ms without it).
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        # StreamRequestHandler.setup applies `timeout` to the connection: every read waits so
        # long at most, the request line and headers included.
        self.timeout = self.server.state.config.read_timeout_seconds  # type: ignore[misc]
        super().setup()

    def do_GET(self) -> None:
        if self.path.split("?")[0] in ("/", "/health"):
            self._answer(Answer(200, dict(HEALTH), "health"))
        else:
            self._answer(Answer(404, _not_here(self.path), "-"))

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        started = time.monotonic()
        raw, problem = self._read_body()
        if problem is not None:
            self._answer(problem, started)
            return
        target = self.headers.get("X-Amz-Target")
        answer = dispatch(self.server.state, self.server.actions(), target, raw)
        self._answer(answer, started)

    def _method_not_allowed(self) -> None:
        self._answer(Answer(405, _not_here(self.path), "-", headers={"Allow": "GET, POST"}))

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _method_not_allowed

    def _read_body(self) -> tuple[bytes, Answer | None]:
        config = self.server.state.config
        if self.headers.get("Transfer-Encoding"):
            message = "Send the body with a Content-Length header (chunked bodies are not read)."
            return b"", Answer(400, validation(message).body(), close=True)
        length_text = self.headers.get("Content-Length", "0").strip()
        if not length_text.isdigit():
            message = f"Content-Length is {length_text[:40]!r}; send the body's size in bytes."
            return b"", Answer(400, serialization(message).body(), close=True)
        length = int(length_text)
        deadline = time.monotonic() + config.read_timeout_seconds
        if length > config.max_request_bytes:
            drained = length <= _DRAIN_MOST and self._read(length, deadline, keep=False)
            message = (
                f"The request body has {length} bytes; this server reads at most "
                f"{config.max_request_bytes} (AWS's own limits are smaller: a definition has "
                "at most 1,048,576 characters, an input 262,144)."
            )
            return b"", Answer(400, validation(message).body(), close=not drained)
        raw = self._read(length, deadline, keep=True)
        if raw is None:
            self.close_connection = True
            ended = serialization(
                f"The request body ended before its Content-Length ({length} bytes), or came "
                f"slower than the server waits ({config.read_timeout_seconds:g} s)."
            )
            return b"", Answer(400, ended.body(), close=True)
        return raw, None

    def _read(self, length: int, deadline: float, *, keep: bool) -> Any:
        """`length` bytes of the body (or True when not kept), None when the client stopped
        sending before the deadline."""
        chunks: list[bytes] = []
        left = length
        while left > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.connection.settimeout(remaining)
            try:
                chunk = self.rfile.read1(min(left, _CHUNK))
            except (TimeoutError, OSError):
                return None
            if not chunk:
                return None
            if keep:
                chunks.append(chunk)
            left -= len(chunk)
        self.connection.settimeout(self.timeout)
        return b"".join(chunks) if keep else True

    def _answer(self, answer: Answer, started: float | None = None) -> None:
        try:
            text = json.dumps(answer.body, separators=(",", ":"), ensure_ascii=False)
            payload = text.encode()
        except UnicodeEncodeError:  # a lone surrogate the request sent (JSON allows "\ud800")
            payload = json.dumps(answer.body, separators=(",", ":")).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if answer.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        # Logged before the answer goes out: a client that has its answer finds the line
        # written (a test reading the log right after its call, a tail in another window).
        self._log(answer, started)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _log(self, answer: Answer, started: float | None) -> None:
        if not self.server.state.config.log_requests:
            return
        code = answer.body.get("__type", "") if answer.status != 200 else ""
        took = f" {1000 * (time.monotonic() - started):.1f}ms" if started is not None else ""
        line = f"{self.client_address[0]} {self.command} {answer.action} {answer.status}"
        sys.stderr.write(f"{line}{' ' + code if code else ''}{took}\n")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Replaced by _log (one line per request, with the action, without the path)."""

    def log_message(self, format: str, *args: Any) -> None:
        # Only the standard library's own complaints (bad request lines, timeouts) come here.
        if self.server.state.config.log_requests:
            sys.stderr.write(f"{self.client_address[0]} {format % args}\n")


def _not_here(path: str) -> dict[str, str]:
    return {
        "__type": "UnknownOperationException",
        "message": f"Nothing is served at {path[:100]!r} with this method: send POST / with "
        f"X-Amz-Target: {AWS_PREFIX}<Action>, or GET / for the server's status.",
    }
