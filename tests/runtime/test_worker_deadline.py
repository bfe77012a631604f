"""The worker deadline guard (`sfn_flows.runtime.deadline_guard`) with Lambda-like contexts.

Lambda itself cannot run here, so the context is an object with Lambda's
`get_remaining_time_in_millis()`, backed by a clock the test moves; the guard is given the
same clock (and a wall clock for the Task's EnteredTime). No test measures real time.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sfn_flows.model import until_done
from sfn_flows.runtime import Partial, WorkerBudget, deadline_guard
from sfn_flows.runtime import worker_deadline as guard_module
from sfn_flows.runtime.worker_deadline import MissingContinuation

ENTERED = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    """Monotonic seconds that move only when the test says."""

    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class LambdaContext:
    """Lambda's context as a handler sees it: the remaining time of the invocation."""

    aws_request_id = "request-1"

    def __init__(self, clock: Clock, timeout_seconds: float) -> None:
        self.clock = clock
        self.deadline = clock() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - self.clock()) * 1000))


def loop_event(
    work_input: Any = None,
    *,
    iteration: int = 1,
    continuation: Any = None,
    timeout: Any = 60,
    entered: datetime | str | None = None,
    retry_count: int = 0,
) -> dict[str, Any]:
    """The event the ContinueUntilDone loop sends its worker."""
    guard: dict[str, Any] = {
        "iteration": iteration,
        "maxIterations": 5,
        "continuation": continuation,
        "timeoutSeconds": timeout,
        "retryCount": retry_count,
    }
    if entered is not None:
        guard["enteredTime"] = (
            entered if isinstance(entered, str) else entered.isoformat(timespec="milliseconds")
        )
    return {"input": work_input, "guard": guard}


def budget_of(
    event: Any,
    *,
    lambda_timeout: float | None = 900,
    margin: float = 2,
    wall: datetime = ENTERED,
    clock: Clock | None = None,
) -> tuple[WorkerBudget, Clock]:
    """The budget a guarded handler gets for `event`, and the clock to move."""
    clock = clock or Clock()
    context = LambdaContext(clock, lambda_timeout) if lambda_timeout is not None else None
    seen: list[WorkerBudget] = []

    @deadline_guard(margin_seconds=margin, clock=clock, wall_clock=wall.timestamp)
    def handler(work_input: Any, budget: WorkerBudget) -> None:
        seen.append(budget)

    handler(event, context)
    return seen[0], clock


# --- the earlier deadline ------------------------------------------------------------------


def test_the_tasks_timeout_bounds_a_worker_whose_function_may_run_longer() -> None:
    # A 15-minute function behind a Task of 60 s: after 60 s the Task has failed
    # (States.Timeout) and the function's answer would be thrown away.
    budget, clock = budget_of(loop_event(timeout=60), lambda_timeout=900, margin=2)
    assert budget.remaining() == pytest.approx(58)
    clock.advance(50)
    assert budget.remaining() == pytest.approx(8)
    assert not budget.expired(7) and budget.expired(8)


def test_lambdas_deadline_bounds_a_worker_whose_task_may_wait_longer() -> None:
    budget, clock = budget_of(loop_event(timeout=600), lambda_timeout=30, margin=2)
    assert budget.remaining() == pytest.approx(28)
    clock.advance(28)
    assert budget.remaining() == 0 and budget.expired()


def test_the_remaining_time_never_goes_below_zero() -> None:
    budget, clock = budget_of(loop_event(timeout=10), margin=2)
    clock.advance(100)
    assert budget.remaining() == 0.0


def test_the_tasks_entered_time_counts_on_the_first_attempt() -> None:
    # Step Functions entered the Task 8 s before the handler started (a cold start): its
    # timeout runs from then.
    started = ENTERED + timedelta(seconds=8)
    budget, _ = budget_of(loop_event(timeout=60, entered=ENTERED), wall=started, margin=0)
    assert budget.remaining() == pytest.approx(52)
    # As Step Functions writes it, with a Z.
    written = ENTERED.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    budget, _ = budget_of(loop_event(timeout=60, entered=written), wall=started, margin=0)
    assert budget.remaining() == pytest.approx(52)


@pytest.mark.parametrize(
    ("case", "entered", "retry_count", "wall_offset"),
    [
        # A retry's attempt starts after the state's EnteredTime.
        ("a retry", ENTERED, 1, 70),
        # The wall clock is behind Step Functions': the two disagree.
        ("entered in the future", ENTERED, 0, -5),
        # Past the Task's timeout already: a simulated or skewed clock.
        ("entered before the timeout", ENTERED, 0, 61),
        ("not a time", "yesterday", 0, 8),
        ("no time zone", "2025-03-01T09:00:00", 0, 8),
    ],
)
def test_the_entered_time_is_not_used_where_it_cannot_be_trusted(
    case: str, entered: datetime | str, retry_count: int, wall_offset: float
) -> None:
    wall = ENTERED + timedelta(seconds=wall_offset)
    event = loop_event(timeout=60, entered=entered, retry_count=retry_count)
    budget, _ = budget_of(event, wall=wall, margin=0)
    # The Task's timeout then runs from the handler's start.
    assert budget.remaining() == pytest.approx(60), case


def test_a_timeout_written_as_text_counts_and_one_that_is_no_number_is_ignored() -> None:
    # A CloudFormation placeholder for TimeoutSeconds reaches the worker as "300".
    budget, _ = budget_of(loop_event(timeout="300"), margin=0)
    assert budget.remaining() == pytest.approx(300)
    for timeout in ("soon", None, True, 0, -5, float("inf")):
        budget, _ = budget_of(loop_event(timeout=timeout), margin=0)
        assert budget.remaining() == pytest.approx(900), timeout  # Lambda's deadline alone


def test_a_direct_invocation_has_lambdas_deadline_alone() -> None:
    event = {"items": [1, 2]}
    budget, _ = budget_of(event, lambda_timeout=30, margin=2)
    assert budget.input == event
    assert (budget.iteration, budget.max_iterations, budget.continuation) == (1, None, None)
    assert budget.remaining() == pytest.approx(28)


def test_without_a_context_or_a_timeout_no_deadline_is_known() -> None:
    budget, _ = budget_of({"items": []}, lambda_timeout=None)
    assert budget.remaining() == math.inf and not budget.expired(3600)


class BrokenContext:
    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def get_remaining_time_in_millis(self) -> Any:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.parametrize("answer", ["soon", None, float("nan"), TypeError("no")])
def test_a_context_without_a_usable_remaining_time_is_ignored(answer: Any) -> None:
    seen: list[WorkerBudget] = []
    clock = Clock()

    @deadline_guard(margin_seconds=0, clock=clock)
    def handler(work_input: Any, budget: WorkerBudget) -> None:
        seen.append(budget)

    handler(loop_event(timeout=45), BrokenContext(answer))
    assert seen[0].remaining() == pytest.approx(45)


# --- partial results and continuations ------------------------------------------------------


def test_a_worker_returns_a_partial_result_before_its_deadline_and_goes_on_from_it() -> None:
    clock = Clock()
    processed: list[int] = []

    @deadline_guard(margin_seconds=5, clock=clock, wall_clock=ENTERED.timestamp)
    def handler(event: dict[str, Any], budget: WorkerBudget) -> Any:
        start = budget.continuation or 0
        for index in range(start, len(event["items"])):
            if budget.expired(20):  # an item takes up to 20 s
                return budget.partial(index, result={"done": index})
            processed.append(event["items"][index])
            clock.advance(20)
        return {"total": sum(event["items"])}

    items = list(range(10))
    # 60 s Task, 5 s margin: items at 55, 35 and 15 s left... the third leaves 15 s <= 20.
    first = handler(loop_event({"items": items}, entered=ENTERED), LambdaContext(clock, 900))
    assert first == {"done": False, "result": {"done": 2}, "continuation": 2}
    assert processed == [0, 1]
    second = handler(
        loop_event({"items": items}, iteration=2, continuation=first["continuation"]),
        LambdaContext(clock, 900),
    )
    assert second == {"done": False, "result": {"done": 4}, "continuation": 4}
    # A longer Task: the rest fits.
    last = handler(
        loop_event({"items": items}, iteration=3, continuation=4, timeout=600),
        LambdaContext(clock, 900),
    )
    assert last == {"done": True, "result": {"total": 45}, "continuation": None}
    assert processed == items


def test_a_plain_return_value_is_the_final_result_whatever_it_is() -> None:
    @deadline_guard
    def handler(event: Any, budget: WorkerBudget) -> Any:
        return event["value"]

    for value in (None, [], 0, "x", {"a": [1]}):
        assert handler(loop_event({"value": value}), None) == {
            "done": True,
            "result": value,
            "continuation": None,
        }


def test_a_partial_answer_without_a_continuation_fails_the_invocation() -> None:
    @deadline_guard
    def handler(event: Any, budget: WorkerBudget) -> Any:
        return budget.partial(None, result={"half": True})

    with pytest.raises(MissingContinuation, match="needs a continuation that is not None"):
        handler(loop_event({}), None)
    # Falsy continuations are continuations.
    for continuation in (0, "", [], {}):
        assert Partial(continuation).continuation == continuation


def test_the_budget_says_where_the_work_stands() -> None:
    event = loop_event({"job": 1}, iteration=5, continuation={"cursor": "c-9"})
    budget, _ = budget_of(event)
    assert budget.input == {"job": 1}
    assert budget.continuation == {"cursor": "c-9"}
    assert (budget.iteration, budget.max_iterations, budget.last_iteration) == (5, 5, True)
    assert budget.context is not None and budget.margin_seconds == 2
    budget, _ = budget_of(loop_event({"job": 1}, iteration=2))
    assert not budget.last_iteration


def test_a_malformed_guard_is_read_field_by_field() -> None:
    event = {"input": {"a": 1}, "guard": {"iteration": "two", "maxIterations": 0}}
    budget, _ = budget_of(event, lambda_timeout=30, margin=0)
    assert budget.input == {"a": 1}
    assert (budget.iteration, budget.max_iterations, budget.continuation) == (1, None, None)
    assert budget.remaining() == pytest.approx(30)
    # More keys than the loop's event: the event is the work's input itself.
    other = {"input": 1, "guard": {}, "more": 2}
    assert budget_of(other)[0].input == other


# --- the decorator ---------------------------------------------------------------------------


def test_both_forms_of_the_decorator_keep_the_handlers_name_and_function() -> None:
    def work(event: Any, budget: WorkerBudget) -> int:
        return 1

    for handler in (deadline_guard(work), deadline_guard(margin_seconds=1)(work)):
        assert handler.__name__ == "work"
        assert handler.__wrapped__ is work  # type: ignore[attr-defined]
        assert handler({}, None)["result"] == 1


@pytest.mark.parametrize("margin", [-1, float("nan"), float("inf"), True, "5"])
def test_a_margin_that_is_no_duration_is_refused_where_the_handler_is_declared(
    margin: Any,
) -> None:
    with pytest.raises((TypeError, ValueError), match="margin_seconds must be"):
        deadline_guard(margin_seconds=margin)


def test_the_guard_and_the_loop_use_the_same_names() -> None:
    # The loop's ASL (model/until_done.py) writes what the guard reads, and reads what it
    # answers; neither can import the other.
    pairs = {
        "INPUT": "INPUT_KEY",
        "GUARD": "GUARD_KEY",
        "ITERATION": "ITERATION_KEY",
        "MAX_ITERATIONS": "MAX_ITERATIONS_KEY",
        "CONTINUATION": "CONTINUATION_KEY",
        "TIMEOUT": "TIMEOUT_KEY",
        "ENTERED_TIME": "ENTERED_TIME_KEY",
        "RETRY_COUNT": "RETRY_COUNT_KEY",
        "DONE": "DONE_KEY",
        "RESULT": "RESULT_KEY",
    }
    for model_name, runtime_name in pairs.items():
        assert getattr(until_done, model_name) == getattr(guard_module, runtime_name)
