"""Run one state as TestState does: in a one-state machine on the engine, whose transitions
lead to stand-in Succeed states, so the state's output and its next state can be read.

The state runs without its Retry: a failure a retrier would retry (with the retry count the
request gives) is RETRIABLE, which AWS answers without retrying. A failure a catcher takes
runs the state once more with its Catch, answered by the same failure (the state's work is not
done twice), for the catcher's output and next state: CAUGHT_ERROR. Anything else is FAILED.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from sfn_flows.asl.definition import ABSENT
from sfn_flows.asl.error_names import error_matches
from sfn_flows.asl.retry import DEFAULT_BACKOFF_RATE, DEFAULT_INTERVAL_SECONDS, retry_delay
from sfn_flows.asl.retry import DEFAULT_MAX_ATTEMPTS as DEFAULT_RETRIES
from sfn_flows.asl.scopes import transitions

# The state machine TestState's state runs in, as AWS names it in the context object.
MACHINE_NAME: Final = "TestStateMachine"
_STAND_IN: Final = {"Type": "Succeed"}


@dataclass
class Trial:
    """One TestState request, read."""

    name: str
    state: dict[str, Any]
    jsonata: bool
    input: Any
    variables: dict[str, Any]
    context: dict[str, Any] | None
    retry_count: int
    role_arn: str | None
    region: str
    account: str
    # The Engine's keyword arguments for the state's work (a mock, or the server's TaskSetup).
    engine_arguments: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    status: str
    output: Any = ABSENT
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None
    error_details: dict[str, Any] = field(default_factory=dict)
    # What the state's work received and gave (ABSENT when it did not run or has none).
    parameters: Any = ABSENT
    result: Any = ABSENT
    variables: dict[str, Any] = field(default_factory=dict)


def run_trial(trial: Trial) -> Outcome:
    first = _run(trial, catch=False, answer=None)
    if first.status != "FAILED" or first.error is None:
        return first
    retry = _retrier(trial.state.get("Retry"), first.error, trial.retry_count)
    if retry is not None:
        index, seconds = retry
        first.status = "RETRIABLE"
        first.error_details = {"retryIndex": index, "retryBackoffIntervalSeconds": seconds}
        return first
    catcher = _matching(trial.state.get("Catch"), first.error)
    if catcher is None:
        return first
    failure = (first.error, first.cause)
    caught = _run(trial, catch=True, answer=_failing(failure))
    caught.status = "CAUGHT_ERROR"
    caught.error, caught.cause = failure
    caught.error_details = {"catchIndex": catcher}
    caught.parameters, caught.result = first.parameters, ABSENT
    return caught


def definition_of(trial: Trial, *, catch: bool) -> dict[str, Any]:
    """The one-state machine: the state without Retry (and Catch), and a stand-in for every
    state it can lead to."""
    state = {
        key: value
        for key, value in trial.state.items()
        if key != "Retry" and (catch or key != "Catch")
    }
    states: dict[str, Any] = {trial.name: state}
    found, _ = transitions(state)
    for transition in found:
        if isinstance(transition.target, str) and transition.target != trial.name:
            states.setdefault(transition.target, dict(_STAND_IN))
    definition: dict[str, Any] = {"StartAt": trial.name, "States": states}
    if trial.jsonata:
        definition["QueryLanguage"] = "JSONata"
    return definition


def _run(trial: Trial, *, catch: bool, answer: Callable[[Any], Any] | None) -> Outcome:
    from sfn_flows.engine import Engine

    arguments = dict(trial.engine_arguments)
    if answer is not None:
        arguments = {"tasks": {trial.name: answer}}
    engine = Engine(
        definition_of(trial, catch=catch),
        state_machine_name=MACHINE_NAME,
        # STANDARD: on the engine's virtual clock a Wait takes no time, and no Express limit
        # (five minutes) cuts a long one short.
        state_machine_type="STANDARD",
        role_arn=trial.role_arn,
        region=trial.region,
        account=trial.account,
        **arguments,
    )
    execution = engine.start(trial.input, variables=trial.variables, context=trial.context)
    result = execution.run_to_end()
    outcome = _read_history(trial, result.events)
    if result.status == "SUCCEEDED" or outcome.next_state is not None:
        outcome.status = "SUCCEEDED"
    else:
        outcome.status = "FAILED"
        outcome.error, outcome.cause = result.error, result.cause
        outcome.output = ABSENT
    return outcome


def _read_history(trial: Trial, events: Any) -> Outcome:
    outcome = Outcome(status="", variables=dict(trial.variables))
    exited = False
    for event in events:
        details = event.details
        if event.state_name == trial.name and event.is_state_exited:
            exited = True
            outcome.output = _value(details.get("output"))
            assigned = details.get("assignedVariables")
            if isinstance(assigned, Mapping):  # each value as JSON text
                outcome.variables.update({k: _value(v) for k, v in assigned.items()})
        elif exited and event.is_state_entered:
            outcome.next_state = event.state_name
            break
        elif event.type.endswith("Scheduled"):
            payload = details.get("parameters", details.get("input"))
            outcome.parameters = _value(payload)
        elif event.type.endswith("Succeeded") and event.type != "ExecutionSucceeded":
            outcome.result = _value(details.get("output"))
    return outcome


def _value(text: Any) -> Any:
    if text is None:
        return ABSENT
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _retrier(retriers: Any, error: str, done: int) -> tuple[int, int] | None:
    """(index, backoff seconds) of the retrier that would retry `error` after `done` retries."""
    if not isinstance(retriers, list):
        return None
    for index, retrier in enumerate(retriers):
        if not isinstance(retrier, Mapping):
            continue
        if not error_matches(retrier.get("ErrorEquals", ()), error):
            continue
        if done >= retrier.get("MaxAttempts", DEFAULT_RETRIES):
            return None
        delay = retry_delay(
            float(retrier.get("IntervalSeconds", DEFAULT_INTERVAL_SECONDS)),
            float(retrier.get("BackoffRate", DEFAULT_BACKOFF_RATE)),
            done,
            retrier.get("MaxDelaySeconds"),
        )
        return index, int(delay)
    return None


def _matching(catchers: Any, error: str) -> int | None:
    if not isinstance(catchers, list):
        return None
    for index, catcher in enumerate(catchers):
        if isinstance(catcher, Mapping) and error_matches(catcher.get("ErrorEquals", ()), error):
            return index
    return None


def _failing(failure: tuple[str | None, str | None]) -> Callable[[Any], Any]:
    def answer(payload: Any) -> Any:
        from sfn_flows.engine import StatesError

        raise StatesError(failure[0] or "", failure[1])

    return answer
