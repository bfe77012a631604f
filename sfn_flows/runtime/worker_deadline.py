"""A deadline for worker Lambdas that do long work a piece at a time.

    from sfn_flows.runtime import deadline_guard

    @deadline_guard(margin_seconds=10)
    def handler(event, budget):
        done = budget.continuation or 0
        for index in range(done, len(event["items"])):
            if budget.expired():
                return budget.partial(index, result={"processed": index})
            process(event["items"][index])
        return {"processed": len(event["items"])}

The handler is called as `handler(event, budget)`: `event` is its work's input, and `budget`
says how long it has left. That is the earlier of two deadlines: Lambda's own
(`context.get_remaining_time_in_millis()`), and the deadline of the Step Functions Task that
invoked it. The Task's is the one that bites when it is shorter than the function's timeout:
past it the Task fails with States.Timeout and throws the function's answer away, while the
function runs on. Before either, the handler returns what it has done so far with
`budget.partial(continuation, result=...)`; the `ContinueUntilDone` loop that invoked it
(sfn_flows.model.until_done) invokes it again with `budget.continuation`, until it returns a
plain value, its final result.

What passes between them (the loop writes the event, the guard the answer):

    event   {"input": <the work's input>,
             "guard": {"iteration": 1, "maxIterations": 10, "continuation": null,
                       "timeoutSeconds": 300, "enteredTime": "2025-03-01T09:00:00.000Z",
                       "retryCount": 0}}
    answer  {"done": false, "result": <partial result>, "continuation": <continuation>}
            {"done": true, "result": <final result>, "continuation": null}

Any other event is the work's input itself (a direct invocation, a test): the first
iteration, with Lambda's deadline alone.

Standard library only, nothing done at import: this runs inside Lambda.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeAlias, overload

from sfn_flows.runtime.deadline import lambda_remaining_seconds

# The event's and the answer's keys. The loop's ASL writes and reads the same names
# (sfn_flows.model.until_done, which cannot import this module: it is not in the Lambda
# package's layer); tests/runtime/test_worker_deadline.py holds the two to each other.
INPUT_KEY: Final = "input"
GUARD_KEY: Final = "guard"
ITERATION_KEY: Final = "iteration"
MAX_ITERATIONS_KEY: Final = "maxIterations"
CONTINUATION_KEY: Final = "continuation"
TIMEOUT_KEY: Final = "timeoutSeconds"
ENTERED_TIME_KEY: Final = "enteredTime"
RETRY_COUNT_KEY: Final = "retryCount"
DONE_KEY: Final = "done"
RESULT_KEY: Final = "result"

# Kept back from the deadline by default: time to build the answer and hand it back to Lambda
# and Step Functions, and the moments between the Task's start and the handler's.
DEFAULT_MARGIN_SECONDS: Final = 2.0

Clock: TypeAlias = Callable[[], float]
Work: TypeAlias = Callable[[Any, "WorkerBudget"], Any]
LambdaHandler: TypeAlias = Callable[..., dict[str, Any]]


class MissingContinuation(ValueError):
    """A partial answer without a continuation: the next iteration would not know where to
    go on from. (Raised in the handler, so the Task fails with this class's name.)"""


@dataclass(frozen=True, slots=True)
class Partial:
    """What the handler returns when it stops before its work is done."""

    continuation: Any
    result: Any = None

    def __post_init__(self) -> None:
        if self.continuation is None:
            raise MissingContinuation(
                "a partial answer needs a continuation that is not None: it is what the next "
                "iteration gets as budget.continuation (an index, a cursor, a token); return "
                "a plain value instead when the work is done"
            )


class WorkerBudget:
    """The time a worker has left, and where its work stands."""

    def __init__(
        self,
        *,
        input: Any,
        context: Any,
        margin_seconds: float,
        clock: Clock,
        task_deadline: float | None = None,
        iteration: int = 1,
        max_iterations: int | None = None,
        continuation: Any = None,
    ) -> None:
        self.input = input
        self.context = context
        self.iteration = iteration
        self.max_iterations = max_iterations
        # None on the first iteration, else what the previous one returned in budget.partial.
        self.continuation = continuation
        self.margin_seconds = margin_seconds
        self._clock = clock
        self._task_deadline = task_deadline

    @property
    def last_iteration(self) -> bool:
        """No iteration follows this one: a partial answer now fails the loop."""
        return self.max_iterations is not None and self.iteration >= self.max_iterations

    def remaining(self) -> float:
        """Seconds left before the earlier deadline less the margin (0 once it passed;
        infinite when neither Lambda nor the Task set one)."""
        left = math.inf
        if self._task_deadline is not None:
            left = self._task_deadline - self._clock()
        lambda_left = lambda_remaining_seconds(self.context)
        if lambda_left is not None:
            left = min(left, lambda_left)
        return max(0.0, left - self.margin_seconds)

    def expired(self, margin: float = 0.0) -> bool:
        """True when at most `margin` seconds remain: pass what the next piece of work may
        take (`budget.expired(30)`) to stop before a piece that would not finish."""
        return self.remaining() <= margin

    def partial(self, continuation: Any, result: Any = None) -> Partial:
        """The answer that stops here: the loop invokes the handler again with
        `continuation`; `result` is what is done so far (in the execution's history)."""
        return Partial(continuation, result)


@overload
def deadline_guard(work: Work, /) -> LambdaHandler: ...


@overload
def deadline_guard(
    *,
    margin_seconds: float = DEFAULT_MARGIN_SECONDS,
    clock: Clock = time.monotonic,
    wall_clock: Clock = time.time,
) -> Callable[[Work], LambdaHandler]: ...


def deadline_guard(
    work: Work | None = None,
    /,
    *,
    margin_seconds: float = DEFAULT_MARGIN_SECONDS,
    clock: Clock = time.monotonic,
    wall_clock: Clock = time.time,
) -> LambdaHandler | Callable[[Work], LambdaHandler]:
    """Make `work(event, budget)` a Lambda handler `handler(event, context)`.

    `margin_seconds` is kept back from the deadline (see DEFAULT_MARGIN_SECONDS); `clock`
    (monotonic seconds) and `wall_clock` (seconds since the epoch, to read the Task's
    EnteredTime) are there for tests.
    """
    if isinstance(margin_seconds, bool) or not isinstance(margin_seconds, int | float):
        raise TypeError(f"margin_seconds must be a number of seconds, not {margin_seconds!r}")
    if not 0 <= margin_seconds < math.inf:
        raise ValueError(
            f"margin_seconds must be a finite number of seconds >= 0, not {margin_seconds!r}"
        )
    margin = float(margin_seconds)

    def decorate(work: Work) -> LambdaHandler:
        @functools.wraps(work)
        def handler(event: Any, context: Any = None) -> dict[str, Any]:
            # First: the Task's timeout runs from (just before) the invocation's start.
            started = clock()
            budget = worker_budget(event, context, margin, clock, started, wall_clock())
            return answer_of(work(budget.input, budget))

        return handler

    return decorate if work is None else decorate(work)


def worker_budget(
    event: Any,
    context: Any,
    margin_seconds: float,
    clock: Clock,
    started: float,
    wall_now: float,
) -> WorkerBudget:
    """The budget of one invocation that started at `started` (on `clock`)."""
    guard = event.get(GUARD_KEY) if _is_loop_event(event) else None
    if guard is None:
        return WorkerBudget(
            input=event, context=context, margin_seconds=margin_seconds, clock=clock
        )
    return WorkerBudget(
        input=event[INPUT_KEY],
        context=context,
        margin_seconds=margin_seconds,
        clock=clock,
        task_deadline=task_deadline(guard, started, wall_now),
        iteration=_count(guard.get(ITERATION_KEY)) or 1,
        max_iterations=_count(guard.get(MAX_ITERATIONS_KEY)),
        continuation=guard.get(CONTINUATION_KEY),
    )


def task_deadline(guard: Mapping[str, Any], started: float, wall_now: float) -> float | None:
    """When the invoking Task times out, on the clock that read `started`, or None.

    The Task's TimeoutSeconds runs from its attempt's start, a little before the handler's
    (Step Functions' call to Lambda, a cold start): counted from `started`, the deadline is
    that much late, which the margin covers. The state's EnteredTime removes the error on
    the first attempt. A retry's attempt starts after EnteredTime, so there it is not used;
    nor is it when it does not fit this invocation (before the Task's timeout or after now):
    then the two clocks disagree (a simulated clock, a skewed one).
    """
    timeout = _seconds(guard.get(TIMEOUT_KEY))
    if timeout is None:
        return None
    deadline = started + timeout
    entered = _timestamp(guard.get(ENTERED_TIME_KEY))
    if entered is not None and guard.get(RETRY_COUNT_KEY) == 0:
        elapsed = wall_now - entered
        if 0 <= elapsed <= timeout:
            deadline -= elapsed
    return deadline


def answer_of(returned: Any) -> dict[str, Any]:
    """What the handler returns to the loop for what the work returned."""
    if isinstance(returned, Partial):
        return {
            DONE_KEY: False,
            RESULT_KEY: returned.result,
            CONTINUATION_KEY: returned.continuation,
        }
    return {DONE_KEY: True, RESULT_KEY: returned, CONTINUATION_KEY: None}


def _is_loop_event(event: Any) -> bool:
    return (
        isinstance(event, dict)
        and event.keys() == {INPUT_KEY, GUARD_KEY}
        and isinstance(event[GUARD_KEY], dict)
    )


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def _seconds(value: Any) -> float | None:
    # A CloudFormation placeholder for the timeout arrives as the text of a number.
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value < math.inf else None


def _timestamp(value: Any) -> float | None:
    """Seconds since the epoch of an ISO 8601 time as Step Functions writes it."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None
