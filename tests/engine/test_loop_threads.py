"""Where a run's loop runs: on the test's thread until a Lambda handler is called, then on one
loop thread for the rest of the run, and on a fresh one when a handler blocks past its bound
(sfn_flows/engine/loop_threads.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from sfn_flows.engine import EngineUsageError, simulate
from sfn_flows.engine.loop_threads import call_bounded
from sfn_flows.engine.scheduler import Call

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:f"
OTHER = "arn:aws:lambda:us-east-1:123456789012:function:g"


def task(resource: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, **fields}


def test_a_run_that_calls_no_handler_stays_on_the_callers_thread() -> None:
    seen: list[int] = []
    definition = {
        "StartAt": "Call",
        "States": {"Call": task("arn:aws:states:::sqs:sendMessage", End=True)},
    }
    result = simulate(definition, {}, tasks={"Call": lambda _: seen.append(threading.get_ident())})
    assert result.status == "SUCCEEDED"
    assert seen == [threading.get_ident()]


def test_from_the_first_handler_on_the_run_goes_on_on_one_loop_thread() -> None:
    seen: list[int] = []
    callable_seen: list[int] = []

    def handler(event: Any, context: Any) -> Any:
        seen.append(threading.get_ident())
        return event

    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 3,
                "ItemProcessor": {
                    "StartAt": "Call",
                    "States": {"Call": task(FUNCTION, End=True)},
                },
                "Next": "Last",
            },
            "Last": task(FUNCTION, Next="Callable"),
            "Callable": task("arn:aws:states:::sqs:sendMessage", End=True),
        },
    }
    result = simulate(
        definition,
        list(range(10)),
        lambdas={"f": handler},
        tasks={"Callable": lambda payload: callable_seen.append(threading.get_ident()) or payload},
    )
    assert (result.status, result.output) == ("SUCCEEDED", list(range(10)))
    assert len(seen) == 11
    # One hand-over for the whole run: every handler, and what runs after them, on one thread.
    assert set(seen) == set(callable_seen) and seen[0] != threading.get_ident()


def test_a_blocked_handler_is_left_behind_and_the_run_goes_on_with_the_retry() -> None:
    release = threading.Event()
    calls: list[tuple[str, int]] = []

    def blocks_once(event: Any, context: Any) -> Any:
        calls.append(("f", threading.get_ident()))
        if len(calls) == 1:
            release.wait(60)
            return "too late"
        return "in time"

    def after(event: Any, context: Any) -> Any:
        calls.append(("g", threading.get_ident()))
        return {"first": event}

    definition = {
        "StartAt": "Slow",
        "States": {
            "Slow": task(
                FUNCTION,
                TimeoutSeconds=1,
                Retry=[{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}],
                Next="Then",
            ),
            "Then": task(OTHER, End=True),
        },
    }
    try:
        result = simulate(definition, {}, lambdas={"f": blocks_once, "g": after})
    finally:
        release.set()
    assert (result.status, result.output) == ("SUCCEEDED", {"first": "in time"})
    assert [event.type for event in result.events].count("LambdaFunctionTimedOut") == 1
    blocked_thread = calls[0][1]
    # The run went on without the blocked thread: the retry and the next state ran elsewhere.
    assert [name for name, _ in calls] == ["f", "f", "g"]
    assert blocked_thread not in {ident for _, ident in calls[1:]}


def test_an_error_of_the_run_on_the_loop_thread_reaches_the_caller() -> None:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": task(FUNCTION, Next="Unanswered"),
            "Unanswered": task("arn:aws:states:::sqs:sendMessage", End=True),
        },
    }
    with pytest.raises(EngineUsageError, match="Unanswered"):
        simulate(definition, {}, lambdas={"f": lambda event, context: event})


def test_a_call_made_outside_a_run_is_bounded_too() -> None:
    release = threading.Event()

    def blocked() -> BaseException:
        return TimeoutError("past the bound")

    try:
        with pytest.raises(TimeoutError, match="past the bound"):
            call_bounded(Call(lambda: release.wait(60), 0.2, blocked))
    finally:
        release.set()
    assert call_bounded(Call(lambda: 42, 5, blocked)) == 42
    with pytest.raises(ZeroDivisionError):
        call_bounded(Call(lambda: 1 / 0, 5, blocked))


def test_runs_on_two_threads_at_once_each_get_a_loop_thread() -> None:
    both = threading.Barrier(2, timeout=30)

    def meets_the_other(event: Any, context: Any) -> Any:
        both.wait()  # returns only when the other run's handler is running too
        return event

    definition = {"StartAt": "Call", "States": {"Call": task(FUNCTION, End=True)}}
    results: list[Any] = []

    def run(value: int) -> None:
        results.append(simulate(definition, value, lambdas={"f": meets_the_other}))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted((r.status, r.output) for r in results) == [("SUCCEEDED", 0), ("SUCCEEDED", 1)]
