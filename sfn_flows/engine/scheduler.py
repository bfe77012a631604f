"""The strands of one execution and the loop that runs them in time order.

Each path through the state machine (the execution itself, every Parallel branch, every Map
iteration) is a generator, a *strand*. A strand runs until it finishes or yields an
operation: `Sleep` (a Wait, a retry interval, a Task's simulated duration), `AwaitCallback`
(a `.waitForTaskToken` Task), `Fork` (run child strands and resume when they are done, or
when the parent says to stop) or `Call` (a Lambda handler, made between strand steps and
bounded in real time: see loop_threads.py). The loop takes strands in (time, arrival) order,
so the same definition and input give the same history every time, and a virtual clock
jumps straight to the next moment anything happens.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import threading
from collections.abc import Callable, Generator, Sequence
from typing import Any, Final

from sfn_flows.engine.clock import Clock
from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.loop_threads import LOOP_THREADS, Handoff, Lap

Strand = Generator["Operation", Any, Any]


class EndExecution(Exception):
    """Ends the whole execution FAILED at once, past every Catch (a service limit)."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class Sleep:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class AwaitCallback:
    """Wait for send_task_success/failure on `token`, or for a deadline to pass."""

    __slots__ = ("heartbeat", "timeout", "token")

    def __init__(self, token: str, timeout: float | None, heartbeat: float | None) -> None:
        self.token = token
        self.timeout = timeout
        self.heartbeat = heartbeat


class Fork:
    """Run `children` (at most `max_concurrency` at once; 0 = all) and resume when done.

    `on_done(index, ok, value)` hears each child's end (value: its result, or the
    StatesError it failed with) and returns True to stop the others.
    """

    __slots__ = ("children", "max_concurrency", "on_done")

    def __init__(
        self,
        children: Sequence[Callable[[], Strand]],
        max_concurrency: int,
        on_done: Callable[[int, bool, Any], bool],
    ) -> None:
        self.children = children
        self.max_concurrency = max_concurrency
        self.on_done = on_done


class Call:
    """Make `function()` between strand steps, within `bound_seconds` of real time; the strand
    resumes with its value, or has its exception thrown in. Past the bound the strand has
    `blocked()` thrown in instead, and the call is left running on its own thread."""

    __slots__ = ("blocked", "bound_seconds", "function")

    def __init__(
        self,
        function: Callable[[], Any],
        bound_seconds: float,
        blocked: Callable[[], BaseException],
    ) -> None:
        self.function = function
        self.bound_seconds = bound_seconds
        self.blocked = blocked


Operation = Sleep | AwaitCallback | Fork | Call


class CallbackOutcome:
    """What a strand waiting on a token resumes with: `kind` is "success", "failure",
    "timeout" or "heartbeat"."""

    __slots__ = ("cause", "error", "kind", "output")

    def __init__(
        self, kind: str, output: Any = None, error: str | None = None, cause: str | None = None
    ) -> None:
        self.kind = kind
        self.output = output
        self.error = error
        self.cause = cause


_SEND: Final = 0
_THROW: Final = 1
_TIMER: Final = 2


class _Task:
    __slots__ = ("alive", "child_join", "index", "join", "strand", "token")

    def __init__(self, strand: Strand, join: _Join | None, index: int) -> None:
        self.strand = strand
        self.join = join
        self.index = index
        self.alive = True
        self.child_join: _Join | None = None
        self.token: str | None = None


class _Join:
    __slots__ = ("fork", "next_index", "parent", "running", "stopped")

    def __init__(self, parent: _Task, fork: Fork) -> None:
        self.parent = parent
        self.fork = fork
        self.next_index = 0
        self.running: dict[int, _Task] = {}
        self.stopped = False


class _Waiter:
    __slots__ = ("generation", "heartbeat", "task")

    def __init__(self, task: _Task, heartbeat: float | None) -> None:
        self.task = task
        self.heartbeat = heartbeat
        self.generation = 0


class Outcome:
    """How the root strand ended: done (ok/value) or not yet."""

    __slots__ = ("done", "ok", "timed_out", "value")

    def __init__(self) -> None:
        self.done = False
        self.ok = False
        self.value: Any = None
        self.timed_out = False


_Entry = tuple[float, int, "_Task", int, Any]


class Scheduler:
    """Runs one execution's strands; `deadline` is when the execution times out."""

    def __init__(self, clock: Clock, deadline: float | None = None) -> None:
        self.clock = clock
        self.deadline = deadline
        self.outcome = Outcome()
        self._ready: list[_Entry] = []
        self._timers: list[_Entry] = []
        self._waiters: dict[str, _Waiter] = {}
        self._seq = itertools.count()
        self._now = clock.now()
        self._running = False
        # The lap of the loop thread that runs the loop now (None: the caller's thread does).
        self._lap: Lap | None = None

    @property
    def now(self) -> float:
        # A clock that moves by itself (real time) moved while a Task's handler ran: catch up,
        # so that what happens next is recorded, and waits are counted, from when it happens.
        moment = self.clock.now()
        if moment > self._now:
            self._now = moment
        return self._now

    @property
    def pending_tokens(self) -> list[str]:
        return list(self._waiters)

    def start(self, strand: Strand) -> None:
        self._push(self._now, _Task(strand, None, 0), _SEND, None)

    # -- running ---------------------------------------------------------------------------

    def run(self, *, fire_timers: bool, until: float | None = None) -> None:
        """Run until the root ends, or nothing can run before a callback's deadline.

        With `fire_timers`, deadlines of callbacks pass as well (time moves on without an
        answer); without, the loop stops so that a test can answer first. With `until`,
        nothing later than that moment runs.
        """
        if self._running:
            raise _reentered()
        self._running = True
        try:
            try:
                self._run(fire_timers, until)
            except Handoff as handoff:
                self._run_on_loop_threads(handoff.task, handoff.call, fire_timers, until)
        finally:
            self._running = False

    def _run_on_loop_threads(
        self, task: _Task, call: Call, fire_timers: bool, until: float | None
    ) -> None:
        """The rest of the run on loop threads, from `task`'s `call` on (loop_threads.py)."""
        blocked: BaseException | None = None
        try:
            while True:
                lap = Lap(
                    functools.partial(self._lap_body, task, call, blocked, fire_timers, until)
                )
                left = LOOP_THREADS.run(lap)
                if left is None:
                    return
                task, call = left
                blocked = call.blocked()
        finally:
            self._lap = None

    def _lap_body(
        self,
        task: _Task,
        call: Call,
        blocked: BaseException | None,
        fire_timers: bool,
        until: float | None,
        lap: Lap,
    ) -> None:
        """On a loop thread: make `call` (or throw in `blocked`, when the call was left behind
        past its bound), then run on."""
        self._lap = lap
        if blocked is None:
            ok, value = lap.perform(task, call)
            self._step(task, _SEND if ok else _THROW, value)
        else:
            self._step(task, _THROW, blocked)
        self._run(fire_timers, until)

    def _run(self, fire_timers: bool, until: float | None) -> None:
        ready, timers = self._ready, self._timers
        while not self.outcome.done:
            if ready and (not timers or ready[0][0] <= timers[0][0]):
                queue = ready
            elif timers and fire_timers:
                queue = timers
            else:
                return
            if until is not None and queue[0][0] > until:
                return
            moment, _, task, kind, value = heapq.heappop(queue)
            if not task.alive:
                continue
            if kind == _TIMER and not self._timer_current(task, value):
                continue
            if self.deadline is not None and moment > self.deadline:
                heapq.heappush(queue, (moment, next(self._seq), task, kind, value))
                self._time_out()
                return
            if moment > self._now:
                self.clock.sleep_until(moment)
                self._now = moment
            if kind == _TIMER:
                kind, value = _SEND, self._expire(task, value)
            self._step(task, kind, value)

    def jump_to(self, moment: float) -> None:
        """Let time reach `moment` with nothing happening (the clock sleeps or jumps)."""
        if moment > self._now:
            self.clock.sleep_until(moment)
            self._now = moment

    def time_out_now(self) -> None:
        """End the execution at its deadline (nothing else will happen before it)."""
        self._time_out()

    def next_resume(self) -> float | None:
        """The earliest moment a strand resumes on its own (a Sleep ends), or None: with
        `next_deadline`, what a driver that does its own waiting waits for."""
        while self._ready:
            moment, _, task, _, _ = self._ready[0]
            if task.alive:
                return moment
            heapq.heappop(self._ready)
        return None

    def next_deadline(self) -> float | None:
        """The earliest moment a callback's timeout or heartbeat would pass."""
        while self._timers:
            moment, _, task, _, value = self._timers[0]
            if task.alive and self._timer_current(task, value):
                return moment
            heapq.heappop(self._timers)
        return None

    def _time_out(self) -> None:
        assert self.deadline is not None
        if self.deadline > self._now:
            self.clock.sleep_until(self.deadline)
            self._now = self.deadline
        self.outcome.done = True
        self.outcome.timed_out = True
        self._close_all()

    def close(self) -> None:
        """Stop every strand still alive (StopExecution)."""
        if self._running:
            raise _reentered()
        self._close_all()

    def _close_all(self) -> None:
        for queue in (self._ready, self._timers):
            for _, _, task, _, _ in queue:
                self._cancel(task)
            queue.clear()
        for waiter in list(self._waiters.values()):
            self._cancel(waiter.task)
        self._waiters.clear()

    # -- callbacks -------------------------------------------------------------------------

    def answer(self, token: str, outcome: CallbackOutcome) -> bool:
        waiter = self._waiters.pop(token, None)
        if waiter is None:
            return False
        waiter.task.token = None
        self._push(self._now, waiter.task, _SEND, outcome)
        return True

    def heartbeat(self, token: str) -> bool:
        waiter = self._waiters.get(token)
        if waiter is None:
            return False
        if waiter.heartbeat is not None:
            waiter.generation += 1
            self._push_timer(
                self._now + waiter.heartbeat, waiter.task, (token, waiter.generation, "heartbeat")
            )
        return True

    def _timer_current(self, task: _Task, value: tuple[str, int, str]) -> bool:
        token, generation, kind = value
        waiter = self._waiters.get(token)
        if waiter is None or waiter.task is not task:
            return False
        # A heartbeat replaces the heartbeat deadline only: the Task's TimeoutSeconds holds.
        return kind == "timeout" or waiter.generation == generation

    def _expire(self, task: _Task, value: tuple[str, int, str]) -> CallbackOutcome:
        token, _, kind = value
        del self._waiters[token]
        task.token = None
        return CallbackOutcome(kind)

    # -- strands ---------------------------------------------------------------------------

    def _push(self, moment: float, task: _Task, kind: int, value: Any) -> None:
        heapq.heappush(self._ready, (moment, next(self._seq), task, kind, value))

    def _push_timer(self, moment: float, task: _Task, value: Any) -> None:
        heapq.heappush(self._timers, (moment, next(self._seq), task, _TIMER, value))

    def _step(self, task: _Task, kind: int, value: Any) -> None:
        while True:
            try:
                operation = task.strand.send(value) if kind == _SEND else task.strand.throw(value)
            except StopIteration as stop:
                self._finish(task, True, stop.value)
                return
            except StatesError as error:
                self._finish(task, False, error)
                return
            except EndExecution as end:
                task.alive = False
                self.outcome.done = True
                self.outcome.value = end
                self._close_all()
                return
            if not isinstance(operation, Call):
                break
            # The strand goes on at once with the call's outcome, as if it had made the call
            # itself; the call is made here, outside every strand, so that a thread can take
            # the loop over if it blocks.
            lap = self._lap
            if lap is None or lap.thread_id != threading.get_ident():
                raise Handoff(task, operation)
            ok, value = lap.perform(task, operation)
            kind = _SEND if ok else _THROW
        if isinstance(operation, Sleep):
            self._push(self._now + max(operation.seconds, 0.0), task, _SEND, None)
        elif isinstance(operation, Fork):
            self._fork(task, operation)
        else:
            self._await(task, operation)

    def _await(self, task: _Task, operation: AwaitCallback) -> None:
        token = operation.token
        waiter = _Waiter(task, operation.heartbeat)
        self._waiters[token] = waiter
        task.token = token
        if operation.timeout is not None:
            self._push_timer(self._now + operation.timeout, task, (token, 0, "timeout"))
        if operation.heartbeat is not None:
            self._push_timer(self._now + operation.heartbeat, task, (token, 0, "heartbeat"))

    def _fork(self, parent: _Task, fork: Fork) -> None:
        join = _Join(parent, fork)
        parent.child_join = join
        if not fork.children:
            parent.child_join = None
            self._push(self._now, parent, _SEND, None)
            return
        limit = fork.max_concurrency or len(fork.children)
        while join.next_index < len(fork.children) and len(join.running) < limit:
            self._launch(join)

    def _launch(self, join: _Join) -> None:
        index = join.next_index
        join.next_index += 1
        child = _Task(join.fork.children[index](), join, index)
        join.running[index] = child
        self._push(self._now, child, _SEND, None)

    def _finish(self, task: _Task, ok: bool, value: Any) -> None:
        task.alive = False
        join = task.join
        if join is None:
            self.outcome.done = True
            self.outcome.ok = ok
            self.outcome.value = value
            self._close_all()
            return
        del join.running[task.index]
        if join.stopped:
            return
        if join.fork.on_done(task.index, ok, value):
            join.stopped = True
            for child in list(join.running.values()):
                self._cancel(child)
            join.running.clear()
        elif join.next_index < len(join.fork.children):
            self._launch(join)
        if not join.running:
            join.parent.child_join = None
            self._push(self._now, join.parent, _SEND, None)

    def _cancel(self, task: _Task) -> None:
        if not task.alive:
            return
        task.alive = False
        if task.token is not None:
            self._waiters.pop(task.token, None)
            task.token = None
        if task.child_join is not None:
            for child in list(task.child_join.running.values()):
                self._cancel(child)
            task.child_join.running.clear()
        task.strand.close()


def _reentered() -> EngineUsageError:
    return EngineUsageError(
        "the execution is running already: run(), run_to_end(), advance() and stop() cannot be "
        "called from inside it (from a Task's callable or handler); a callable may answer "
        "another Task's callback with send_task_success, and the test runs the execution on."
    )
