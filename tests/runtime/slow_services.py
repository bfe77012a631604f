"""Real HTTP endpoints on 127.0.0.1 that stand in for an overloaded Step Functions.

- `Stalled`: accepts connections, reads the request, and never answers.
- `DelayingProxy`: forwards each request at once to a real endpoint (the local stack), then
  holds the answer back for `delay` seconds: the call reaches Step Functions, its answer is
  lost to a caller with a shorter deadline. That is how an execution gets started for a
  request that timed out.

Both are real sockets the handlers' boto3 clients talk to; nothing of the handlers is
replaced. Each stops on `close()`, which also ends every held connection.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from urllib.parse import urlsplit


class _Server:
    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.requests = 0  # requests read in full
        self.forwarded = threading.Event()  # set once a request reached the real endpoint
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            self._connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
            if request is None:
                return
            self.requests += 1
            self.answer(conn, request)
        except OSError:
            pass  # the client gave up, or the server is closing
        finally:
            conn.close()

    def answer(self, conn: socket.socket, request: tuple[str, str, dict[str, str], bytes]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() waiting in the thread
        self.sock.close()
        for conn in self._connections:
            with contextlib.suppress(OSError):  # already closed by its client
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)


class Stalled(_Server):
    def answer(self, conn: socket.socket, request: tuple[str, str, dict[str, str], bytes]) -> None:
        self.stop.wait(60)  # never answers; close() ends the wait


class DelayingProxy(_Server):
    def __init__(self, target: str, delay: float) -> None:
        self.target = urlsplit(target)
        self.delay = delay
        super().__init__()

    def answer(self, conn: socket.socket, request: tuple[str, str, dict[str, str], bytes]) -> None:
        method, path, headers, body = request
        upstream = http.client.HTTPConnection(
            self.target.hostname or "127.0.0.1", self.target.port, timeout=30
        )
        try:
            upstream.request(method, path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
            status, reason, reply_headers = response.status, response.reason, response.getheaders()
        finally:
            upstream.close()
        self.forwarded.set()
        if self.stop.wait(self.delay):
            return
        head = [f"HTTP/1.1 {status} {reason}"]
        head += [f"{k}: {v}" for k, v in reply_headers if k.lower() != "transfer-encoding"]
        head = [h for h in head if not h.lower().startswith("content-length")]
        head += [f"Content-Length: {len(payload)}", "Connection: close", "", ""]
        conn.sendall("\r\n".join(head).encode("latin-1") + payload)


def _read_request(conn: socket.socket) -> tuple[str, str, dict[str, str], bytes] | None:
    conn.settimeout(30)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return method, path, headers, body
