"""An invocation's log, as Lambda returns its tail when the Task asks for it (LogType "Tail").

Lambda writes `START RequestId: <id> Version: $LATEST`, then what the function printed (its
stdout and stderr) and logged (the Python runtime's root handler, one line a record:
`[LEVEL]\\t<UTC time>Z\\t<request id>\\t<message>`), then `END RequestId: <id>` and a `REPORT`
line with the duration and the memory size. Max Memory Used and Init Duration are left out:
a handler sharing the test's process has no memory or start-up of its own to report.

The log is only captured when asked for. While at least one invocation is captured,
sys.stdout and sys.stderr are streams that copy what a captured handler's thread writes into
its log and pass every write on to the stream they replaced (the test still sees the output),
and a handler on the root logger adds the records that thread makes.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from typing import Any, Final, TextIO

# Lambda's Python runtime formats a log record so (its time in UTC, milliseconds, 'Z').
_RECORD: Final = "[{level}]\t{time}.{ms:03d}Z\t{request_id}\t{message}\n"


class _Tee:
    """Stands in for sys.stdout or sys.stderr: copies captured threads' writes, passes all."""

    def __init__(self, original: TextIO, logs: _Logs) -> None:
        self.original = original
        self._logs = logs

    def write(self, text: str) -> int:
        self._logs.add(threading.get_ident(), text)
        return self.original.write(text)

    def flush(self) -> None:
        self.original.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)


class _Logs:
    """The logs being written, by thread, and the streams that feed them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[int, tuple[str, list[str]]] = {}
        self._record_handler: Any = None

    def add(self, thread: int, text: str) -> None:
        entry = self._open.get(thread)
        if entry is not None:
            entry[1].append(text)

    def open(self, thread: int, request_id: str, lines: list[str]) -> None:
        with self._lock:
            if not self._open:
                self._install()
            self._open[thread] = (request_id, lines)

    def close(self, thread: int) -> None:
        with self._lock:
            self._open.pop(thread, None)
            if not self._open:
                self._uninstall()

    def request_id(self, thread: int | None) -> str | None:
        entry = self._open.get(thread) if thread is not None else None
        return entry[0] if entry is not None else None

    def _install(self) -> None:
        import logging  # here, not at import: only a Task that asks for its log pays for it

        if not isinstance(sys.stdout, _Tee):
            sys.stdout = _Tee(sys.stdout, self)
        if not isinstance(sys.stderr, _Tee):
            sys.stderr = _Tee(sys.stderr, self)
        self._record_handler = _records_handler(logging, self)
        logging.getLogger().addHandler(self._record_handler)

    def _uninstall(self) -> None:
        import logging

        logging.getLogger().removeHandler(self._record_handler)
        self._record_handler = None
        # A stream someone set since (a test's capture) is theirs: leave it.
        if isinstance(sys.stdout, _Tee):
            sys.stdout = sys.stdout.original
        if isinstance(sys.stderr, _Tee):
            sys.stderr = sys.stderr.original


def _records_handler(logging: Any, logs: _Logs) -> Any:
    class RecordsHandler(logging.Handler):  # type: ignore[misc]
        def emit(self, record: Any) -> None:
            request_id = logs.request_id(record.thread)
            if request_id is None:
                return
            seconds = record.created
            logs.add(
                record.thread,
                _RECORD.format(
                    level=record.levelname,
                    time=time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)),
                    ms=int(seconds % 1 * 1000),
                    request_id=request_id,
                    message=record.getMessage(),
                ),
            )

    return RecordsHandler()


_LOGS: Final = _Logs()


class InvocationLog:
    """The log of one invocation; `start()` and `stop()` on the thread that runs the handler."""

    def __init__(self, request_id: str, memory_mb: int) -> None:
        self.request_id = request_id
        self.memory_mb = memory_mb
        self._lines: list[str] = []
        self._thread: int | None = None
        self._started = 0.0
        self._seconds = 0.0

    def start(self) -> None:
        self._thread = threading.get_ident()
        self._started = time.perf_counter()
        _LOGS.open(self._thread, self.request_id, self._lines)

    def stop(self) -> None:
        self._seconds = time.perf_counter() - self._started
        if self._thread is not None:
            _LOGS.close(self._thread)

    def text(self) -> str:
        """The whole log, as Lambda writes it."""
        written = "".join(self._lines)
        if written and not written.endswith("\n"):
            written += "\n"
        ms = self._seconds * 1000
        return (
            f"START RequestId: {self.request_id} Version: $LATEST\n"
            f"{written}"
            f"END RequestId: {self.request_id}\n"
            f"REPORT RequestId: {self.request_id}\tDuration: {ms:.2f} ms\t"
            f"Billed Duration: {max(1, math.ceil(ms))} ms\tMemory Size: {self.memory_mb} MB\t\n"
        )
