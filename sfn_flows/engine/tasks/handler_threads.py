"""The threads Lambda handlers run on, so that a handler which blocks can be left behind.

Python cannot stop a thread, so a handler runs on a worker thread that the caller waits for,
up to the invocation's bound in real time. Starting a thread costs more than most handlers
take, so a worker that finished in time goes back to an idle pool and runs the next
invocation; only a worker left behind by its caller is replaced, and it ends (instead of
coming back) if its handler ever returns. Workers are daemon threads, made at the first
invocation, never at import.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final

# Idle workers kept for later invocations; more than this at once (handlers running
# concurrently) end when they are done.
KEEP_IDLE: Final = 4


class _Worker:
    """One daemon thread that runs one piece of work at a time, handed over with locks (a
    queue or an object per call costs more than the handlers this engine mostly runs)."""

    __slots__ = ("_abandoned", "_done", "_finished", "_go", "_state", "_work", "thread")

    def __init__(self) -> None:
        self._work: Callable[[], None] | None = None
        self._go = threading.Lock()
        self._go.acquire()  # released to start the work set in _work
        self._done = threading.Lock()
        self._done.acquire()  # released when the work has run
        self._state = threading.Lock()
        self._finished = False
        self._abandoned = False
        self.thread = threading.Thread(
            target=self._serve, name="sfn-flows lambda handler", daemon=True
        )
        self.thread.start()

    def run(self, work: Callable[[], None], bound_seconds: float) -> bool:
        """Run `work` here; True when it finished within the bound, False when it did not
        (the worker is then left to it, and ends after it)."""
        self._finished = False
        self._work = work
        self._go.release()
        if self._done.acquire(timeout=min(bound_seconds, threading.TIMEOUT_MAX)):
            return True
        with self._state:
            if not self._finished:
                self._abandoned = True
                return False
        self._done.acquire()  # finished just as the wait ended: released at once
        return True

    def stop(self) -> None:
        self._work = None
        self._go.release()

    def _serve(self) -> None:
        while True:
            self._go.acquire()
            work = self._work
            if work is None:
                return
            try:
                work()
            finally:
                with self._state:
                    self._finished = True
                    abandoned = self._abandoned
                self._done.release()
            if abandoned:
                return  # left behind: another worker has taken this one's place


class HandlerThreads:
    """A pool of worker threads for handlers (see the module's docstring)."""

    def __init__(self, keep_idle: int = KEEP_IDLE) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._keep_idle = keep_idle

    def run(self, work: Callable[[], None], bound_seconds: float) -> bool:
        """Run `work` (which reports its own outcome and never raises) on a worker thread.

        True when it finished within `bound_seconds` of real time; False when it is still
        running, and is left to run on in the background."""
        worker = self._take()
        if not worker.run(work, bound_seconds):
            return False
        self._give_back(worker)
        return True

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                # A forked child has the list but not the threads: those are not alive.
                if worker.thread.is_alive():
                    return worker
        return _Worker()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if len(self._idle) < self._keep_idle:
                self._idle.append(worker)
                return
        worker.stop()


# The process's pool: no thread exists until a handler runs.
HANDLER_THREADS: Final = HandlerThreads()
