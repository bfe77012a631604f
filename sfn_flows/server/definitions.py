"""A definition sent to the API, checked by the project's validator, as AWS checks it.

`definition_problems` is what CreateStateMachine refuses (InvalidDefinition, naming the
validator's JSON pointer and reason) and what ValidateStateMachineDefinition reports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from sfn_flows.asl.callbacks import waits_for
from sfn_flows.asl.scopes import iter_states
from sfn_flows.server.errors import ApiError
from sfn_flows.server.requests import DEFINITION_MAX, required_string
from sfn_flows.validate import Problem, validate_definition

# At most this many problems are named in an InvalidDefinition message.
_NAMED: Final = 5


def read_definition(
    body: Mapping[str, Any], machine_type: str, field: str = "definition"
) -> tuple[str, Any]:
    """The definition's text and value; InvalidDefinition when it is not valid ASL."""
    text = required_string(body, field, most=DEFINITION_MAX)
    value, problem = parse_definition(text)
    problems = [problem] if problem else errors_only(definition_problems(text, value, machine_type))
    if problems:
        raise invalid_definition(problems)
    return text, value


def parse_definition(text: str) -> tuple[Any, Problem | None]:
    try:
        return json.loads(text, parse_constant=_not_json), None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        return None, Problem("", f"the definition is not JSON: {exc.msg} at {where}.", code="json")
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return None, Problem("", f"the definition is not JSON: {reason}.", code="json")


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def definition_problems(text: str, value: Any, machine_type: str) -> list[Problem]:
    """Every problem the validator finds, and what an Express machine cannot run."""
    size = len(text.encode("utf-8", "surrogatepass"))
    problems = validate_definition(value, size=size, source="json")
    if machine_type == "EXPRESS" and isinstance(value, dict):
        problems.extend(_express_problems(value))
    return problems


def _express_problems(definition: Mapping[str, Any]) -> list[Problem]:
    found = []
    for state in iter_states(definition):
        raw = state.value
        resource = raw.get("Resource") if isinstance(raw, dict) else None
        if not isinstance(resource, str) or raw.get("Type") != "Task":
            continue
        kind = waits_for(resource)
        if kind is None:
            continue
        what = {"sync": "'.sync'", "callback": "'.waitForTaskToken'", "activity": "activity"}[kind]
        found.append(
            Problem(
                f"{state.pointer}/Resource",
                f"Express state machines do not support the {what} integration pattern.",
                "make the state machine STANDARD, or call the service request-response.",
                code="resource",
            )
        )
    return found


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity == "error"]


def invalid_definition(problems: list[Problem]) -> ApiError:
    named = "; ".join(_line(problem) for problem in problems[:_NAMED])
    more = len(problems) - _NAMED
    tail = f" (and {more} more)" if more > 0 else ""
    return ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{named}'{tail}")


def _line(problem: Problem) -> str:
    text = f"{aws_code(problem)} at {problem.pointer or '/'}: {problem.message}"
    return f"{text} (fix: {problem.fix})" if problem.fix else text


# The validator's codes as ValidateStateMachineDefinition names its diagnostics.
_AWS_CODES: Final = {
    "json": "INVALID_JSON_DESCRIPTION",
    "duplicate-name": "DUPLICATE_STATE_NAME",
    "name": "INVALID_STATE_NAME",
    "no-terminal": "MISSING_END_STATE",
    "resource": "INVALID_RESOURCE",
}


def aws_code(problem: Problem) -> str:
    code = _AWS_CODES.get(problem.code)
    if code is not None:
        return code
    if problem.severity == "error":
        return "SCHEMA_VALIDATION_FAILED"
    return problem.code.upper().replace("-", "_")
