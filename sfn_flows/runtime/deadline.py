"""Every wait on Step Functions ends before the Lambda's own timeout.

When a Lambda runs out of time, API Gateway answers 502 in its own format, without
Retry-After, and the client cannot tell whether the execution started. So each handler takes
a deadline from Lambda's context (`get_remaining_time_in_millis()`, less a margin kept to
answer) and makes its calls through `Deadline.run`: the call runs in a worker thread, and
when the deadline passes first the handler stops waiting and answers 503 with Retry-After.

The abandoned call cannot be taken back (it may already have reached Step Functions, which
is why the starter's answer speaks of the Idempotency-Key), but it makes no further attempt:
the client's `before-send` hook (`refuse_late_attempts`) refuses to send a retry once the
deadline of the thread's call has passed. The SDK's own timeouts (clients.CLIENT_CONFIG)
end the abandoned attempt itself.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

# Kept out of the budget: time to build and send the answer, and Lambda's own overhead.
SAFETY_MARGIN_SECONDS = 1.0
# Without a Lambda context (tests, benchmarks, a local runner): the API Lambdas' 25 s
# timeout (deploy/template.py) less the margin.
DEFAULT_BUDGET_SECONDS = 24.0
# With less than this left a call is not started at all: it could only be abandoned, and an
# abandoned StartExecution may start an execution nobody hears of.
MIN_CALL_SECONDS = 0.25

T = TypeVar("T")
_calls = threading.local()  # the Deadline of the call running in this thread, if any


class DeadlineExceeded(Exception):
    """The deadline passed before the call answered; `sent`: whether the call was made."""

    def __init__(self, sent: bool) -> None:
        super().__init__("the deadline passed" if sent else "too little time left to call")
        self.sent = sent


def lambda_remaining_seconds(context: object) -> float | None:
    """Lambda's remaining time in seconds, or None without a usable context."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return None
    try:
        milliseconds = float(remaining())
    except (TypeError, ValueError):
        return None
    return milliseconds / 1000 if math.isfinite(milliseconds) else None


class Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.end = clock() + seconds

    @classmethod
    def of(cls, context: object) -> Deadline:
        """The deadline of a Lambda invocation: its remaining time less the margin."""
        remaining = lambda_remaining_seconds(context)
        if remaining is not None:
            return cls(remaining - SAFETY_MARGIN_SECONDS)
        return cls(DEFAULT_BUDGET_SECONDS)

    def remaining(self) -> float:
        return self.end - self.clock()

    def run(self, call: Callable[[], T]) -> T:
        """`call()`'s result or exception, or DeadlineExceeded once the deadline passes."""
        left = self.remaining()
        if left < MIN_CALL_SECONDS:
            raise DeadlineExceeded(sent=False)
        outcome: list[Any] = []
        done = threading.Event()

        def work() -> None:
            _calls.deadline = self
            try:
                outcome.append((True, call()))
            except BaseException as exc:  # handed to the waiting thread, which re-raises it
                outcome.append((False, exc))
            finally:
                done.set()

        # A daemon thread: an abandoned call never keeps the process (or a test run) alive.
        threading.Thread(target=work, name="sfn-flows-call", daemon=True).start()
        if not done.wait(left):
            raise DeadlineExceeded(sent=True)
        succeeded, value = outcome[0]
        if not succeeded:
            raise value
        result: T = value
        return result

    def run_here(self, call: Callable[[], T], seconds: float) -> T:
        """`call()` in this thread, stopped by DeadlineExceeded(sent=False) after `seconds`
        (at most the time left).

        For work that holds the GIL, where `run` could not stop waiting: a regex that
        backtracks runs in C, and a thread waiting for it would not run until it ends. The
        interrupt is SIGALRM, so it needs the main thread (where Lambda calls the handler)
        and no alarm or SIGALRM handler of someone else; without them the call is unbounded.
        """
        limit = min(seconds, self.remaining())
        if limit <= 0:
            raise DeadlineExceeded(sent=False)
        if not _alarm_is_free():
            return call()

        def expire(_signum: int, _frame: object) -> None:
            raise DeadlineExceeded(sent=False)

        previous = signal.signal(signal.SIGALRM, expire)
        try:
            signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                return call()
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)


def _alarm_is_free() -> bool:
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )


def refuse_late_attempts(**_: Any) -> None:
    """botocore `before-send` hook: no attempt (a retry) starts after its call's deadline."""
    deadline: Deadline | None = getattr(_calls, "deadline", None)
    if deadline is not None and deadline.remaining() <= 0:
        raise DeadlineExceeded(sent=True)  # this attempt is not sent; an earlier one was
