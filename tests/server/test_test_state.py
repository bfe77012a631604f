"""TestState through boto3: each state type, mocks (result and errorOutput), Retry as
RETRIABLE, Catch as CAUGHT_ERROR, variables, stateName, inspection data, and bad requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import ROLE_ARN
from tests.server.test_machines import error_of

LAMBDA = "arn:aws:states:::lambda:invoke"


def test_state(sfn: Any, state: dict[str, Any], **arguments: Any) -> dict[str, Any]:
    given = {"definition": json.dumps(state), "roleArn": ROLE_ARN}
    for key in ("input", "variables", "context"):
        if key in arguments:
            given[key] = json.dumps(arguments.pop(key))
    mock = arguments.pop("mock", None)
    if mock is not None:
        given["mock"] = {
            key: json.dumps(value) if key == "result" else value for key, value in mock.items()
        }
    answer: dict[str, Any] = sfn.test_state(**given, **arguments)
    answer.pop("ResponseMetadata")
    for key in ("output",):
        if key in answer:
            answer[key] = json.loads(answer[key])
    data = answer.get("inspectionData", {})
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = json.loads(value)
    return answer


# The name boto3 would give this module's helper is also a pytest test name: not collected.
test_state.__test__ = False  # type: ignore[attr-defined]


def test_a_pass_state_shows_each_step_of_its_data_flow(sfn: Any) -> None:
    state = {
        "Type": "Pass",
        "InputPath": "$.order",
        "Parameters": {"id.$": "$.id", "fixed": 1},
        "ResultPath": "$.shaped",
        "Next": "After",
    }
    answer = test_state(sfn, state, input={"order": {"id": 7}}, inspectionLevel="DEBUG")
    assert answer["status"] == "SUCCEEDED"
    assert answer["nextState"] == "After"
    assert answer["output"] == {"order": {"id": 7}, "shaped": {"id": 7, "fixed": 1}}
    data = answer["inspectionData"]
    assert data["input"] == {"order": {"id": 7}}
    assert data["afterInputPath"] == {"id": 7}
    assert data["afterParameters"] == {"id": 7, "fixed": 1}
    assert data["afterResultPath"] == answer["output"]
    info = test_state(sfn, state, input={"order": {"id": 7}})
    assert "inspectionData" not in info


def test_a_mocked_task_result_goes_through_result_selector_and_result_path(sfn: Any) -> None:
    state = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Parameters": {"FunctionName": "worker", "Payload.$": "$"},
        "ResultSelector": {"value.$": "$.Payload.value"},
        "ResultPath": "$.result",
        "End": True,
    }
    answer = test_state(
        sfn,
        state,
        input={"n": 1},
        mock={"result": {"Payload": {"value": 42}, "StatusCode": 200}},
        inspectionLevel="DEBUG",
    )
    assert answer["status"] == "SUCCEEDED"
    assert "nextState" not in answer
    assert answer["output"] == {"n": 1, "result": {"value": 42}}
    data = answer["inspectionData"]
    assert data["afterParameters"] == {"FunctionName": "worker", "Payload": {"n": 1}}
    assert data["result"] == {"Payload": {"value": 42}, "StatusCode": 200}
    assert data["afterResultSelector"] == {"value": 42}


RETRIED_AND_CAUGHT = {
    "Type": "Task",
    "Resource": LAMBDA,
    "Parameters": {"FunctionName": "worker"},
    "Retry": [
        {"ErrorEquals": ["Other"], "MaxAttempts": 5},
        {"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 2},
    ],
    "Catch": [
        {"ErrorEquals": ["Nothing"], "Next": "Never"},
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Recover"},
    ],
    "Next": "Done",
}
BOOM = {"errorOutput": {"error": "Boom", "cause": "it broke"}}


def test_a_mocked_error_a_retrier_takes_is_retriable(sfn: Any) -> None:
    answer = test_state(sfn, RETRIED_AND_CAUGHT, mock=BOOM, inspectionLevel="DEBUG")
    assert answer["status"] == "RETRIABLE"
    assert (answer["error"], answer["cause"]) == ("Boom", "it broke")
    assert "nextState" not in answer and "output" not in answer
    details = answer["inspectionData"]["errorDetails"]
    assert details == {"retryIndex": 1, "retryBackoffIntervalSeconds": 2}
    later = test_state(
        sfn,
        RETRIED_AND_CAUGHT,
        mock=BOOM,
        inspectionLevel="DEBUG",
        stateConfiguration={"retrierRetryCount": 1},
    )
    assert later["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"] == 6


def test_when_retries_are_spent_the_catcher_takes_it(sfn: Any) -> None:
    answer = test_state(
        sfn,
        RETRIED_AND_CAUGHT,
        input={"keep": True},
        mock=BOOM,
        inspectionLevel="DEBUG",
        stateConfiguration={"retrierRetryCount": 2},
    )
    assert answer["status"] == "CAUGHT_ERROR"
    assert answer["nextState"] == "Recover"
    assert (answer["error"], answer["cause"]) == ("Boom", "it broke")
    assert answer["output"] == {"keep": True, "failure": {"Error": "Boom", "Cause": "it broke"}}
    assert answer["inspectionData"]["errorDetails"] == {"catchIndex": 1}


def test_an_error_nothing_handles_fails_the_state(sfn: Any) -> None:
    state = {k: v for k, v in RETRIED_AND_CAUGHT.items() if k not in ("Retry", "Catch")}
    answer = test_state(sfn, state, mock=BOOM)
    assert (answer["status"], answer["error"], answer["cause"]) == ("FAILED", "Boom", "it broke")
    assert "output" not in answer and "nextState" not in answer


def test_choice_wait_succeed_and_fail(sfn: Any) -> None:
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}],
        "Default": "Small",
    }
    assert test_state(sfn, choice, input={"n": 5})["nextState"] == "Big"
    assert test_state(sfn, choice, input={"n": 0})["nextState"] == "Small"
    no_default = {k: v for k, v in choice.items() if k != "Default"}
    failed = test_state(sfn, no_default, input={"n": 0})
    assert (failed["status"], failed["error"]) == ("FAILED", "States.NoChoiceMatched")
    wait = test_state(sfn, {"Type": "Wait", "Seconds": 3600, "Next": "Later"}, input={"a": 1})
    assert (wait["status"], wait["output"], wait["nextState"]) == ("SUCCEEDED", {"a": 1}, "Later")
    succeed = test_state(sfn, {"Type": "Succeed", "OutputPath": "$.a"}, input={"a": 2})
    assert (succeed["status"], succeed["output"]) == ("SUCCEEDED", 2)
    fail = test_state(sfn, {"Type": "Fail", "Error": "Bad", "Cause": "because"})
    assert (fail["status"], fail["error"], fail["cause"]) == ("FAILED", "Bad", "because")


def test_variables_in_and_assigned(sfn: Any) -> None:
    state = {
        "Type": "Pass",
        "QueryLanguage": "JSONata",
        "Assign": {"total": "{% $base + $states.input.add %}"},
        "Output": "{% $base %}",
        "End": True,
    }
    answer = test_state(
        sfn, state, input={"add": 2}, variables={"base": 40}, inspectionLevel="DEBUG"
    )
    assert (answer["status"], answer["output"]) == ("SUCCEEDED", 40)
    assert answer["inspectionData"]["variables"] == {"base": 40, "total": 42}


def test_a_state_of_a_whole_machine_by_name(sfn: Any) -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Next": "Second"},
            "Second": {"Type": "Pass", "Output": "{% $states.input.x * 2 %}", "Next": "Third"},
            "Third": {"Type": "Succeed"},
        },
    }
    answer = test_state(sfn, machine, stateName="Second", input={"x": 21})
    assert (answer["output"], answer["nextState"]) == (42, "Third")
    error = error_of(
        sfn.test_state, definition=json.dumps(machine), roleArn=ROLE_ARN, stateName="Absent"
    )
    assert error["Code"] == "ValidationException"
    assert "Absent" in error["Message"]


def test_mocked_map_and_parallel_states(sfn: Any) -> None:
    branch = {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}
    other = {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}}
    parallel = {"Type": "Parallel", "Branches": [branch, other], "ResultPath": "$.r", "End": True}
    answer = test_state(sfn, parallel, input={}, mock={"result": [1, 2]})
    assert (answer["status"], answer["output"]) == ("SUCCEEDED", {"r": [1, 2]})
    error = error_of(
        sfn.test_state,
        definition=json.dumps(parallel),
        roleArn=ROLE_ARN,
        mock={"result": "[1]"},
    )
    assert error["Code"] == "ValidationException"
    assert "2 item(s)" in error["Message"]
    map_state = {"Type": "Map", "ItemProcessor": branch, "End": True}
    assert test_state(sfn, map_state, mock={"result": ["a"]})["output"] == ["a"]
    unmocked = error_of(sfn.test_state, definition=json.dumps(map_state), roleArn=ROLE_ARN)
    assert unmocked["Code"] == "ValidationException"
    assert "only with a mock" in unmocked["Message"]


@pytest.mark.parametrize(
    ("arguments", "code", "words"),
    [
        ({"definition": '{"Type": "Nothing"}'}, "InvalidDefinition", "one state"),
        ({"definition": "[1]"}, "InvalidDefinition", "one state"),
        ({"definition": "{oops"}, "InvalidDefinition", "not JSON"),
        (
            {"definition": '{"Type": "Pass", "Next": 5}'},
            "InvalidDefinition",
            "Next",
        ),
        ({"input": "{bad"}, "InvalidExecutionInput", "input"),
        ({"variables": "[1]"}, "ValidationException", "variables"),
        ({"context": "{}"}, "ValidationException", "only be given with a mock"),
        ({"mock": {"result": "1"}}, "ValidationException", "not a Pass state"),
        ({"inspectionLevel": "ALL"}, "ValidationException", "enum"),
    ],
)
def test_bad_requests(sfn: Any, arguments: dict[str, Any], code: str, words: str) -> None:
    given = {"definition": '{"Type": "Pass", "End": true}', "roleArn": ROLE_ARN} | arguments
    error = error_of(sfn.test_state, **given)
    assert error["Code"] == code
    assert words in error["Message"]


def test_a_callback_task_needs_a_mock_and_a_mock_needs_one_answer(sfn: Any) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}},
        "End": True,
    }
    error = error_of(sfn.test_state, definition=json.dumps(state), roleArn=ROLE_ARN)
    assert "only with a mock" in error["Message"]
    both = {"result": "{}", "errorOutput": {"error": "E"}}
    error = error_of(sfn.test_state, definition=json.dumps(state), roleArn=ROLE_ARN, mock=both)
    assert "exactly one" in error["Message"]
    answer = test_state(sfn, state, mock={"result": {"done": True}})
    assert answer["output"] == {"done": True}


def test_an_unmocked_task_calls_its_integration(
    serve_with: Any, sfn_for: Any, tmp_path: Path
) -> None:
    """Without a mock the Task runs as the server's executions run it: here the project's
    own handler, registered with the server."""
    (tmp_path / "worker.py").write_text(
        "def handle(event, context):\n    return {'doubled': event['n'] * 2}\n"
    )
    server = serve_with(lambdas_dir=tmp_path)
    server.state.tasks.register_functions({"worker": {"handler": "worker.handle"}})
    sfn = sfn_for(server)
    state = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Parameters": {"FunctionName": "worker", "Payload.$": "$"},
        "OutputPath": "$.Payload",
        "End": True,
    }
    answer = test_state(sfn, state, input={"n": 21})
    assert (answer["status"], answer["output"]) == ("SUCCEEDED", {"doubled": 42})
