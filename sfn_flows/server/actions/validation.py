"""ValidateStateMachineDefinition: the validator's problems as AWS's diagnostics.

A problem's JSON pointer is the diagnostic's location (AWS writes locations the same way:
/States/<state>/<field>); its code becomes AWS's (SCHEMA_VALIDATION_FAILED, MISSING_END_STATE,
...). The result is FAIL when an ERROR is found, whatever `severity` asks to list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sfn_flows.server import requests as read
from sfn_flows.server.actions.machines import TYPES
from sfn_flows.server.definitions import aws_code, definition_problems, parse_definition
from sfn_flows.server.protocol import Handler

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

MOST_DIAGNOSTICS: Final = 100


def validate_state_machine_definition(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    text = read.required_string(body, "definition", most=read.DEFINITION_MAX)
    machine_type = read.optional_enum(body, "type", TYPES) or "STANDARD"
    severity = read.optional_enum(body, "severity", ("ERROR", "WARNING")) or "ERROR"
    most = read.optional_int(body, "maxResults", least=0, most=MOST_DIAGNOSTICS)
    most = most or MOST_DIAGNOSTICS
    value, problem = parse_definition(text)
    problems = [problem] if problem else definition_problems(text, value, machine_type)
    failed = any(p.severity == "error" for p in problems)
    listed = [p for p in problems if severity == "WARNING" or p.severity == "error"]
    diagnostics = [
        {
            "severity": p.severity.upper(),
            "code": aws_code(p),
            "message": f"{p.message} Fix: {p.fix}" if p.fix else p.message,
            "location": p.pointer or "/",
        }
        for p in listed[:most]
    ]
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": diagnostics,
        "truncated": len(listed) > most,
    }


ACTIONS: dict[str, Handler] = {
    "ValidateStateMachineDefinition": validate_state_machine_definition,
}
