"""What TestState accepts: one state (checked by the project's validator, in a machine of its
own), and a mock (a result or an error, for a Task, Map or Parallel state)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from sfn_flows.server import requests as read
from sfn_flows.server.definitions import errors_only, invalid_definition
from sfn_flows.server.errors import validation
from sfn_flows.server.single_state import Trial, definition_of
from sfn_flows.validate import Problem, validate_definition

STATE_TYPES: Final = ("Task", "Pass", "Wait", "Choice", "Succeed", "Fail", "Map", "Parallel")
MOCKABLE: Final = ("Task", "Map", "Parallel")
# A mocked Map or Parallel state runs as a Task answered by the mock, with the fields that
# shape its input and result; the iterations or branches are what the mock stands for.
MOCK_RESOURCE: Final = "arn:aws:states:::sfn-flows:mock"
_KEPT_WHEN_MOCKED: Final = frozenset(
    {
        "Comment",
        "QueryLanguage",
        "InputPath",
        "OutputPath",
        "ResultPath",
        "ResultSelector",
        "Retry",
        "Catch",
        "Next",
        "End",
        "Assign",
        "Output",
        "Arguments",
    }
)
_MOCK_MODES: Final = ("STRICT", "PRESENT", "NONE")


def check_state(value: Any, name: str) -> None:
    """InvalidDefinition unless `value` is a state the validator accepts."""
    if not isinstance(value, dict) or value.get("Type") not in STATE_TYPES:
        raise invalid_definition(
            [
                Problem(
                    "/Type",
                    "the definition must be one state: an object whose Type is one of "
                    f"{', '.join(STATE_TYPES)} (give stateName to test a state of a whole "
                    "state machine).",
                    code="type",
                )
            ]
        )
    jsonata = value.get("QueryLanguage") == "JSONata"
    trial = Trial(name, value, jsonata, None, {}, None, 0, None, "", "")
    wrapped = definition_of(trial, catch=True)
    prefix = f"/States/{name}"
    problems = [
        Problem(p.pointer[len(prefix) :] or "/", p.message, p.fix, p.severity, p.code)
        for p in errors_only(validate_definition(wrapped))
        if p.pointer.startswith(prefix)
    ]
    if problems:
        raise invalid_definition(problems)


def as_machine_state(spec: dict[str, Any], *, mocked: bool) -> dict[str, Any]:
    """The state as the one-state machine runs it: a mocked Map or Parallel becomes a Task."""
    if not mocked or spec.get("Type") not in ("Map", "Parallel"):
        return spec
    state = {key: value for key, value in spec.items() if key in _KEPT_WHEN_MOCKED}
    state.update({"Type": "Task", "Resource": MOCK_RESOURCE})
    return state


def mock_answer(mock: Mapping[str, Any], spec: Mapping[str, Any]) -> Callable[[Any], Any]:
    """What answers the state's work: the mocked result, or the mocked error."""
    kind = spec.get("Type")
    if kind not in MOCKABLE:
        raise validation(
            f"A mock can only be given for a Task, Map or Parallel state, not a {kind} state: "
            "leave mock out."
        )
    read.optional_enum(mock, "fieldValidationMode", _MOCK_MODES, "mock.fieldValidationMode")
    result = read.json_text(mock, "result", code="ValidationException")
    failure = read.optional_object(mock, "errorOutput", "mock.errorOutput")
    if (result is None) == (failure is None):
        raise validation("A mock has either a result or an errorOutput: give exactly one.")
    if failure is not None:
        error = read.optional_string(failure, "error", most=256, label="mock.errorOutput.error")
        if error is None:
            raise read.missing("mock.errorOutput.error")
        cause = read.optional_string(failure, "cause", most=32_768, label="mock.errorOutput.cause")
        return _failing(error, cause)
    assert result is not None
    value = result[1]
    _check_shape(kind, spec, value)
    return lambda payload: value


def _check_shape(kind: Any, spec: Mapping[str, Any], value: Any) -> None:
    if kind == "Map" and not isinstance(value, list):
        raise validation("mock.result of a Map state must be a JSON array (one item per item).")
    if kind == "Parallel":
        branches = spec.get("Branches")
        count = len(branches) if isinstance(branches, list) else 0
        if not isinstance(value, list) or len(value) != count:
            raise validation(
                f"mock.result of a Parallel state must be a JSON array of {count} item(s), one "
                "per branch."
            )


def _failing(error: str, cause: str | None) -> Callable[[Any], Any]:
    def answer(payload: Any) -> Any:
        from sfn_flows.engine import StatesError

        raise StatesError(error, cause)

    return answer
