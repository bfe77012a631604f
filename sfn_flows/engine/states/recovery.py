"""Retry and Catch: what a Task, Map or Parallel state does when an attempt fails.

The first retrier whose ErrorEquals matches decides: it retries while its own count is under
MaxAttempts (each retrier counts separately), and when it is used up the state goes to its
catchers; later retriers are not tried. The first matching catcher wins. Matching follows
`sfn_flows.asl.error_names` (States.ALL, States.TaskFailed, the terminal errors).
"""

from __future__ import annotations

import random
from typing import Any

from sfn_flows.asl.definition import ABSENT, Catcher, Retrier
from sfn_flows.asl.error_names import error_matches
from sfn_flows.asl.retry import jittered, retry_delay
from sfn_flows.engine import jsonpath
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonata import evaluate_template
from sfn_flows.engine.states.base import assign_values


class Retries:
    """The retry counts of one entry into a state."""

    __slots__ = ("counts", "retriers")

    def __init__(self, retriers: tuple[Retrier, ...]) -> None:
        self.retriers = retriers
        self.counts = [0] * len(retriers)

    def delay(self, error: StatesError, rng: random.Random) -> float | None:
        """Seconds to wait before the next attempt, or None when no retrier retries."""
        for index, retrier in enumerate(self.retriers):
            if not error_matches(retrier.error_equals, error.error, heartbeat=error.heartbeat):
                continue
            done = self.counts[index]
            if done >= retrier.max_attempts:
                return None
            self.counts[index] = done + 1
            delay = retry_delay(
                float(retrier.interval_seconds),
                float(retrier.backoff_rate),
                done,
                None if retrier.max_delay_seconds is None else float(retrier.max_delay_seconds),
            )
            return jittered(delay, retrier.jitter_strategy, rng.random())
        return None


def next_try(frame: Frame) -> None:
    """Count a retry in the context object (`$$.State.RetryCount`), without touching the
    dicts earlier attempts may have put into their data."""
    context = dict(frame.context)
    state = dict(context["State"])
    state["RetryCount"] = state.get("RetryCount", 0) + 1
    context["State"] = state
    frame.context = context


def find_catcher(catchers: tuple[Catcher, ...], error: StatesError) -> Catcher | None:
    for catcher in catchers:
        if error_matches(catcher.error_equals, error.error, heartbeat=error.heartbeat):
            return catcher
    return None


def error_output(error: StatesError) -> dict[str, Any]:
    """What a catcher receives: AWS binds an empty string for a missing error or cause."""
    return {"Error": error.error or "", "Cause": error.cause or ""}


def caught(
    catcher: Catcher, jsonata: bool, frame: Frame, raw: Any, error: StatesError
) -> tuple[Any, dict[str, Any] | None]:
    """The state's output and assigned variables when `catcher` handles `error`."""
    failure = error_output(error)
    if jsonata:
        states = {"input": raw, "context": frame.context, "errorOutput": failure}
        assigned = None
        if catcher.assign is not ABSENT:
            assigned = assign_values(catcher.assign, True, frame, raw, states)
        output: Any = failure
        if catcher.output is not ABSENT:
            output = evaluate_template(catcher.output, frame, states, field="Output")
        return output, assigned
    assigned = None
    if catcher.assign is not ABSENT:
        assigned = assign_values(catcher.assign, False, frame, failure, None)
    return jsonpath.apply_result_path(catcher.result_path, raw, failure, frame), assigned
