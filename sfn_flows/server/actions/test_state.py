"""TestState: run one state on the engine, with its data flow shown as AWS shows it.

`definition` is one state, or a whole machine with `stateName` naming the state. A `mock`
answers the state's work with `result` or `errorOutput`; without one, a Task calls its
integration as the server's executions do. Map and Parallel states, activities, `.sync` and
`.waitForTaskToken` Tasks run only with a mock, as AWS requires; a mocked Map or Parallel
state takes the mock as the result of its iterations or branches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.asl.callbacks import waits_for
from sfn_flows.asl.definition import ABSENT
from sfn_flows.server import requests as read
from sfn_flows.server.definitions import errors_only, invalid_definition, parse_definition
from sfn_flows.server.errors import validation
from sfn_flows.server.protocol import Handler
from sfn_flows.server.single_state import MACHINE_NAME, Outcome, Trial, run_trial
from sfn_flows.server.test_state_shapes import as_machine_state, check_state, mock_answer

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

_LEVELS: Final = ("INFO", "DEBUG", "TRACE")
_DEFAULT_NAME: Final = "TestState"


def test_state(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    text = read.required_string(body, "definition", most=read.DEFINITION_MAX)
    state_name = read.optional_string(body, "stateName", most=80, least=1)
    name, spec, jsonata = _state_of(text, state_name)
    role_arn = read.role_arn(body, required=False)
    given = read.json_text(body, "input", code="InvalidExecutionInput")
    level = read.optional_enum(body, "inspectionLevel", _LEVELS) or "INFO"
    read.optional_bool(body, "revealSecrets")
    variables = _object_text(body, "variables")
    mock = read.optional_object(body, "mock")
    context = _object_text(body, "context")
    if body.get("context") is not None and mock is None:
        raise validation("context can only be given with a mock: add a mock, or leave it out.")
    retry_count = _state_configuration(body)
    trial = Trial(
        name=name,
        state=spec,
        jsonata=jsonata,
        input={} if given is None else given[1],
        variables=variables,
        context=context or None,
        retry_count=retry_count,
        role_arn=role_arn,
        region=state.config.region,
        account=state.config.account,
    )
    if mock is not None:
        trial.state = as_machine_state(spec, mocked=True)
        trial.engine_arguments = {"tasks": {name: mock_answer(mock, spec)}}
    else:
        _needs_no_mock(spec)
        trial.engine_arguments = _task_setup(state)
    return _answer(run_trial(trial), trial, level, mock is None)


def _state_of(text: str, state_name: str | None) -> tuple[str, dict[str, Any], bool]:
    """(name, the state's definition, whether it is JSONata)."""
    value, problem = parse_definition(text)
    if problem is not None:
        raise invalid_definition([problem])
    if state_name is None:
        check_state(value, _DEFAULT_NAME)
        return _DEFAULT_NAME, value, value.get("QueryLanguage") == "JSONata"
    from sfn_flows.validate import validate_definition

    problems = errors_only(validate_definition(value))
    if problems:
        raise invalid_definition(problems)
    states = value.get("States", {})
    if state_name not in states:
        raise validation(
            f"stateName '{state_name}' is not a state of the definition's States "
            f"({', '.join(sorted(states)) or 'none'})."
        )
    spec = states[state_name]
    language = spec.get("QueryLanguage", value.get("QueryLanguage", "JSONPath"))
    return state_name, spec, language == "JSONata"


def _object_text(body: Mapping[str, Any], field: str) -> dict[str, Any]:
    given = read.json_text(body, field, code="ValidationException")
    if given is None:
        return {}
    if not isinstance(given[1], dict):
        raise validation(f"{field} must be a JSON object; got {type(given[1]).__name__}.")
    return given[1]


def _state_configuration(body: Mapping[str, Any]) -> int:
    configuration = read.optional_object(body, "stateConfiguration")
    if configuration is None:
        return 0
    label = "stateConfiguration"
    unsupported = sorted(set(configuration) - {"retrierRetryCount"})
    if unsupported:
        raise validation(
            f"{label}.{unsupported[0]} is not supported by this server (it tests Map and "
            "Parallel states through their mock only); leave it out."
        )
    count = read.optional_int(
        configuration, "retrierRetryCount", least=0, most=None, label=f"{label}.retrierRetryCount"
    )
    return count or 0


def _needs_no_mock(spec: Mapping[str, Any]) -> None:
    kind = spec.get("Type")
    resource = spec.get("Resource")
    waits = waits_for(resource) if kind == "Task" and isinstance(resource, str) else None
    if kind in ("Map", "Parallel") or waits is not None:
        what = {None: f"a {kind} state", "sync": "a .sync Task", "activity": "an activity"}
        raise validation(
            f"TestState runs {what.get(waits, 'a .waitForTaskToken Task')} only with a mock: "
            "give mock.result or mock.errorOutput."
        )


def _task_setup(state: ServerState) -> dict[str, Any]:
    arn = f"arn:aws:states:{state.config.region}:{state.config.account}:stateMachine:"
    setup = state.tasks.setup(arn + MACHINE_NAME, None)
    arguments: dict[str, Any] = setup.engine_arguments()
    return arguments


def _answer(outcome: Outcome, trial: Trial, level: str, real: bool) -> dict[str, Any]:
    answer: dict[str, Any] = {"status": outcome.status}
    if outcome.output is not ABSENT and outcome.status in ("SUCCEEDED", "CAUGHT_ERROR"):
        answer["output"] = _text(outcome.output)
    for key in ("error", "cause"):
        if getattr(outcome, key) is not None:
            answer[key] = getattr(outcome, key)
    if outcome.next_state is not None and outcome.status in ("SUCCEEDED", "CAUGHT_ERROR"):
        answer["nextState"] = outcome.next_state
    if level != "INFO":
        answer["inspectionData"] = _inspection(outcome, trial)
    return answer


def _inspection(outcome: Outcome, trial: Trial) -> dict[str, Any]:
    from sfn_flows.engine.inspection import data_flow

    data: dict[str, Any] = {"input": _text(trial.input)}
    if trial.jsonata:
        if outcome.parameters is not ABSENT:
            data["afterArguments"] = _text(outcome.parameters)
        if outcome.result is not ABSENT:
            data["result"] = _text(outcome.result)
    else:
        steps = data_flow(
            trial.state,
            trial.input,
            result=outcome.result,
            parameters=outcome.parameters,
            name=trial.name,
            variables=trial.variables,
        )
        data.update({key: _text(value) for key, value in steps.items()})
    if outcome.variables:
        data["variables"] = _text(outcome.variables)
    if outcome.error_details:
        data["errorDetails"] = outcome.error_details
    return data


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


ACTIONS: dict[str, Handler] = {"TestState": test_state}
