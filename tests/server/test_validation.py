"""ValidateStateMachineDefinition: the validator's problems as AWS's diagnostics."""

from __future__ import annotations

import json
from typing import Any

from tests.server.conftest import PASS_DEFINITION


def test_a_valid_definition_is_ok(sfn: Any) -> None:
    answer = sfn.validate_state_machine_definition(definition=PASS_DEFINITION)
    assert (answer["result"], answer["diagnostics"], answer["truncated"]) == ("OK", [], False)


def test_problems_are_located_by_pointer(sfn: Any) -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "Missing"}, "B": {"Type": "Succeed"}},
    }
    answer = sfn.validate_state_machine_definition(definition=json.dumps(definition))
    assert answer["result"] == "FAIL"
    locations = {d["location"] for d in answer["diagnostics"]}
    assert "/States/A/Next" in locations
    assert all(d["severity"] == "ERROR" for d in answer["diagnostics"])
    assert all(d["code"] and d["message"] for d in answer["diagnostics"])


def test_codes_as_aws_names_them(sfn: Any) -> None:
    answer = sfn.validate_state_machine_definition(definition="{not json")
    assert [d["code"] for d in answer["diagnostics"]] == ["INVALID_JSON_DESCRIPTION"]
    loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}
    answer = sfn.validate_state_machine_definition(definition=json.dumps(loop))
    assert "MISSING_END_STATE" in [d["code"] for d in answer["diagnostics"]]


def test_warnings_only_when_asked_and_max_results_truncates(sfn: Any) -> None:
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    definition = json.dumps({"StartAt": "T", "States": {"T": task}})
    errors_only = sfn.validate_state_machine_definition(definition=definition)
    assert (errors_only["result"], errors_only["diagnostics"]) == ("OK", [])
    warned = sfn.validate_state_machine_definition(definition=definition, severity="WARNING")
    assert warned["result"] == "OK"
    assert {d["severity"] for d in warned["diagnostics"]} == {"WARNING"}
    states = {f"S{i}": {"Type": "Pass", "Next": "Nowhere"} for i in range(5)}
    many = json.dumps({"StartAt": "S0", "States": states})
    cut = sfn.validate_state_machine_definition(definition=many, maxResults=2)
    assert (cut["result"], len(cut["diagnostics"]), cut["truncated"]) == ("FAIL", 2, True)


def test_express_type_refuses_callback_tasks(sfn: Any) -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "f", "Payload": {"t.$": "$$.Task.Token"}},
        "End": True,
    }
    definition = json.dumps({"StartAt": "T", "States": {"T": task}})
    standard = sfn.validate_state_machine_definition(definition=definition)
    assert standard["result"] == "OK"
    express = sfn.validate_state_machine_definition(definition=definition, type="EXPRESS")
    assert express["result"] == "FAIL"
    assert express["diagnostics"][0]["location"] == "/States/T/Resource"
