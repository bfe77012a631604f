"""Where an execution's loop runs once a Task calls a Lambda handler: on a thread the caller
can leave behind, so that a handler which blocks is bounded without a thread per call.

Python cannot stop a thread. A handler that blocks must therefore run on a thread other than
the caller's, and the caller must be able to go on without it. Handing every handler to a
worker thread and waiting for it costs two thread wake-ups per call (some 60-150 us of CPU
on a small virtual machine, more than most handlers take). Instead the *loop* moves:

- the loop runs on the caller's thread until a strand yields a `Call` (scheduler.py);
- then the rest of the run moves to a loop thread, which makes that call and every later one
  inline, between strand steps (no strand is running while a call runs);
- the caller waits for the run to end, looking at the call in progress every `TICK` seconds;
- when a call runs past its bound, the caller abandons that thread (it ends when the call
  returns, if ever, and touches nothing) and the run goes on, on a fresh loop thread, from
  the strand that made the call, with the call's `blocked()` error thrown into it.

So a run costs one hand-over however many handlers it calls. The threads are daemons, made
at the first hand-over (never at import) and kept idle for later runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from sfn_flows.engine.scheduler import Call

# How often a waiting caller looks whether the call in progress ran past its bound: a bound
# is noticed at most this late, and a run shorter than this wakes its caller once.
TICK: Final = 0.05
# Idle loop threads kept for later runs (more than this at once end when they are done).
KEEP_IDLE: Final = 4


class Handoff(Exception):
    """Raised on the caller's thread at the first Call: the loop moves to a loop thread.

    The strand that yielded `call` is suspended at that yield; nothing else changed."""

    def __init__(self, task: Any, call: Call) -> None:
        super().__init__("the loop moves to a loop thread")
        self.task = task
        self.call = call


class Abandoned(BaseException):
    """Ends a loop thread whose call ran past its bound: the run went on without it.

    A BaseException, so that nothing on the way out (a strand's `except Exception`) takes it
    for the engine's own error."""


class Lap:
    """One stretch of a run on one loop thread: `body()` runs there; the caller watches."""

    def __init__(self, body: Callable[[Lap], None]) -> None:
        self.body = body
        self.done = threading.Lock()
        self.done.acquire()  # released when the body has returned or raised
        self.error: BaseException | None = None
        self.thread_id = 0
        self._state = threading.Lock()
        self._call: tuple[Any, Call, float] | None = None
        self.abandoned = False

    def perform(self, task: Any, call: Call) -> tuple[bool, Any]:
        """Make `call` here, on the loop thread: (True, its value) or (False, its error).
        Raises Abandoned when the caller gave up on it meanwhile."""
        with self._state:
            self._call = (task, call, time.monotonic() + call.bound_seconds)
        try:
            outcome: tuple[bool, Any] = (True, call.function())
        except Exception as error:  # the call's own failure goes into its strand
            outcome = (False, error)
        with self._state:
            self._call = None
            if self.abandoned:
                raise Abandoned
        return outcome

    def overran(self) -> tuple[Any, Call] | None:
        """The strand and call past their bound, now abandoned to this thread; or None."""
        with self._state:
            if self._call is None or time.monotonic() < self._call[2]:
                return None
            self.abandoned = True
            task, call, _ = self._call
            return task, call

    def next_look(self) -> float:
        """Seconds until the caller should look again."""
        with self._state:
            if self._call is None:
                return TICK
            return max(0.0, min(TICK, self._call[2] - time.monotonic()))


class LoopThreads:
    """The pool of loop threads (see the module's docstring)."""

    def __init__(self, keep_idle: int = KEEP_IDLE) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._keep_idle = keep_idle

    def run(self, lap: Lap) -> tuple[Any, Call] | None:
        """Run `lap` on a loop thread and wait: None when it ended (its error, if any, is
        raised here), or the (strand, call) it was left behind in."""
        worker = self._take()
        worker.start(lap)
        while not lap.done.acquire(timeout=lap.next_look()):
            left = lap.overran()
            if left is not None:
                return left
        if lap.error is not None:
            raise lap.error
        return None

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                # A forked child has the list but not the threads: those are not alive.
                if worker.thread.is_alive():
                    return worker
        return _Worker(self)

    def give_back(self, worker: _Worker) -> bool:
        """True when `worker` is kept idle, False when it should end."""
        with self._lock:
            if len(self._idle) < self._keep_idle:
                self._idle.append(worker)
                return True
        return False


class _Worker:
    """One daemon thread that runs one lap at a time."""

    __slots__ = ("_go", "_lap", "_pool", "thread")

    def __init__(self, pool: LoopThreads) -> None:
        self._pool = pool
        self._lap: Lap | None = None
        self._go = threading.Lock()
        self._go.acquire()  # released to run the lap set in _lap
        self.thread = threading.Thread(target=self._serve, name="sfn-flows loop", daemon=True)
        self.thread.start()

    def start(self, lap: Lap) -> None:
        self._lap = lap
        self._go.release()

    def _serve(self) -> None:
        while True:
            self._go.acquire()
            lap = self._lap
            assert lap is not None
            self._lap = None
            lap.thread_id = threading.get_ident()
            try:
                lap.body(lap)
            except Abandoned:
                return  # left behind: the run went on on another thread
            except BaseException as error:  # the run's error, raised again on the caller
                lap.error = error
            if lap.abandoned:
                # Left behind, and its call ended with an error of its own: end all the same
                # rather than risk being handed work twice.
                return
            # Idle again before the caller wakes, so that its next run finds this thread.
            keep = self._pool.give_back(self)
            lap.done.release()
            if not keep:
                return


# The process's pool: no thread exists until a run hands its loop over.
LOOP_THREADS: Final = LoopThreads()


def call_bounded(call: Call) -> Any:
    """`call.function()` on a loop thread, bounded as the scheduler bounds it: its value, or
    its error raised here, or `call.blocked()` raised when it runs past its bound (for a call
    made outside an execution's loop)."""
    outcome: list[tuple[bool, Any]] = []

    def body(lap: Lap) -> None:
        outcome.append(lap.perform(None, call))

    if LOOP_THREADS.run(Lap(body)) is not None:
        raise call.blocked()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value
