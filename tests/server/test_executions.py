"""StartExecution and DescribeExecution through boto3 against a real server: flows of every
state type run to their AWS results, DescribeExecution's fields, AWS's idempotency rule, and
the errors a bad request gets."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfn_flows.server.app import RunningServer
from tests.server.executions_support import create, ended, history, single

PASS = single("P", {"Type": "Pass", "Result": {"ok": True}})
LONG_WAIT = {
    "StartAt": "Nap",
    "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}},
}


@pytest.fixture
def virtual(serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]) -> Any:
    """A client of a server in virtual time: waits take no real time."""
    return sfn_for(serve_with(virtual_time=True))


def _code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return str(raised.value.response["Error"]["Code"])


# -- flows -----------------------------------------------------------------------------------

FLOWS: dict[str, tuple[dict[str, Any], Any, Any]] = {
    "pass": (
        single("P", {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}}),
        {"a": 2, "b": 3},
        {"sum": 5},
    ),
    "choice": (
        {
            "StartAt": "Which",
            "States": {
                "Which": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
                    "Default": "Small",
                },
                "Big": {"Type": "Pass", "Result": "big", "End": True},
                "Small": {"Type": "Pass", "Result": "small", "End": True},
            },
        },
        {"n": 11},
        "big",
    ),
    "map": (
        single(
            "Each",
            {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": single(
                    "Double", {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($, $)"}}
                ),
            },
        ),
        {"items": [1, 2, 3]},
        [{"v": 2}, {"v": 4}, {"v": 6}],
    ),
    "parallel": (
        single(
            "Both",
            {
                "Type": "Parallel",
                "Branches": [
                    single("Left", {"Type": "Pass", "Result": "l"}),
                    {
                        "StartAt": "Nap",
                        "States": {
                            "Nap": {"Type": "Wait", "Seconds": 60, "Next": "Right"},
                            "Right": {"Type": "Pass", "Result": "r", "End": True},
                        },
                    },
                ],
            },
        ),
        {},
        ["l", "r"],
    ),
    "wait": (
        {
            "StartAt": "Nap",
            "States": {
                "Nap": {"Type": "Wait", "SecondsPath": "$.seconds", "Next": "Done"},
                "Done": {"Type": "Pass", "End": True},
            },
        },
        {"seconds": 7200},
        {"seconds": 7200},
    ),
    "jsonata": (
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Sum",
            "States": {
                "Sum": {
                    "Type": "Pass",
                    "Assign": {"total": "{% $sum($states.input.values) %}"},
                    "Next": "Show",
                },
                "Show": {"Type": "Pass", "Output": {"total": "{% $total %}"}, "End": True},
            },
        },
        {"values": [1, 2, 3]},
        {"total": 6},
    ),
}


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_a_flow_runs_to_its_output(virtual: Any, flow: str) -> None:
    definition, given, expected = FLOWS[flow]
    arn = create(virtual, definition)
    started = virtual.start_execution(stateMachineArn=arn, input=json.dumps(given))
    described = ended(virtual, started["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == expected
    events = history(virtual, started["executionArn"])
    assert events[0]["type"] == "ExecutionStarted"
    assert events[-1]["type"] == "ExecutionSucceeded"
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))


def test_a_failing_flow_reports_its_error_and_cause(virtual: Any) -> None:
    stop = {"Type": "Fail", "Error": "Nope", "Cause": "told to"}
    arn = create(virtual, {"StartAt": "Stop", "States": {"Stop": stop}})
    described = ended(virtual, virtual.start_execution(stateMachineArn=arn)["executionArn"])
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Nope",
        "told to",
    )
    assert "output" not in described
    assert described["redriveStatus"] == "REDRIVABLE"


def test_a_machine_timeout_ends_the_execution_timed_out(virtual: Any) -> None:
    arn = create(virtual, LONG_WAIT | {"TimeoutSeconds": 60})
    described = ended(virtual, virtual.start_execution(stateMachineArn=arn)["executionArn"])
    assert described["status"] == "TIMED_OUT"
    lasted = (described["stopDate"] - described["startDate"]).total_seconds()
    assert lasted == pytest.approx(60, abs=0.5)


# -- DescribeExecution -----------------------------------------------------------------------


def test_describe_gives_every_field_aws_gives(virtual: Any) -> None:
    arn = create(virtual, PASS)
    started = virtual.start_execution(
        stateMachineArn=arn, name="first", input='{"k": "v"}', traceHeader="Root=1-abc"
    )
    described = ended(virtual, started["executionArn"])
    described.pop("ResponseMetadata")
    assert described == {
        "executionArn": f"{arn.replace(':stateMachine:', ':execution:')}:first",
        "stateMachineArn": arn,
        "name": "first",
        "status": "SUCCEEDED",
        "startDate": started["startDate"],
        "stopDate": described["stopDate"],
        "input": '{"k": "v"}',
        "inputDetails": {"included": True},
        "output": '{"ok":true}',
        "outputDetails": {"included": True},
        "traceHeader": "Root=1-abc",
        "redriveCount": 0,
        "redriveStatus": "NOT_REDRIVABLE",
        "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven",
    }
    assert described["stopDate"] >= described["startDate"]


def test_an_execution_without_a_name_gets_a_uuid_and_without_input_gets_braces(
    virtual: Any,
) -> None:
    arn = create(virtual, PASS)
    described = ended(virtual, virtual.start_execution(stateMachineArn=arn)["executionArn"])
    uuid.UUID(described["name"])
    assert described["input"] == "{}"


def test_metadata_only_leaves_the_data_out(virtual: Any) -> None:
    arn = create(virtual, PASS)
    execution_arn = virtual.start_execution(stateMachineArn=arn)["executionArn"]
    ended(virtual, execution_arn)
    described = virtual.describe_execution(executionArn=execution_arn, includedData="METADATA_ONLY")
    assert "input" not in described and "output" not in described
    assert described["inputDetails"] == {"included": False}


def test_a_running_execution_is_described_as_running(serve_with: Any, sfn_for: Any) -> None:
    sfn = sfn_for(serve_with())  # real time: the hour's Wait really waits
    arn = create(sfn, LONG_WAIT)
    described = sfn.describe_execution(
        executionArn=sfn.start_execution(stateMachineArn=arn)["executionArn"]
    )
    assert described["status"] == "RUNNING"
    assert "stopDate" not in described and "output" not in described
    assert described["redriveStatusReason"] == "Execution is RUNNING and cannot be redriven"


def test_version_and_alias_executions_say_which_they_ran(virtual: Any) -> None:
    created = virtual.create_state_machine(
        name="versioned",
        definition=json.dumps(PASS),
        roleArn="arn:aws:iam::123456789012:role/r",
        publish=True,
    )
    version = created["stateMachineVersionArn"]
    alias = virtual.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": version, "weight": 100}]
    )["stateMachineAliasArn"]
    by_version = ended(virtual, virtual.start_execution(stateMachineArn=version)["executionArn"])
    by_alias = ended(virtual, virtual.start_execution(stateMachineArn=alias)["executionArn"])
    assert by_version["stateMachineArn"] == created["stateMachineArn"]
    assert by_version["stateMachineVersionArn"] == version
    assert "stateMachineAliasArn" not in by_version
    assert (by_alias["stateMachineVersionArn"], by_alias["stateMachineAliasArn"]) == (
        version,
        alias,
    )
    started = history(virtual, by_alias["executionArn"])[0]["executionStartedEventDetails"]
    assert (started["stateMachineVersionArn"], started["stateMachineAliasArn"]) == (
        version,
        alias,
    )


# -- idempotency -----------------------------------------------------------------------------


def test_the_same_name_and_input_while_running_gives_the_first_answer(
    serve_with: Any, sfn_for: Any
) -> None:
    sfn = sfn_for(serve_with())
    arn = create(sfn, LONG_WAIT)
    first = sfn.start_execution(stateMachineArn=arn, name="once", input='{"a": 1}')
    again = sfn.start_execution(stateMachineArn=arn, name="once", input='{"a":1}')
    assert (again["executionArn"], again["startDate"]) == (
        first["executionArn"],
        first["startDate"],
    )
    with pytest.raises(ClientError) as raised:
        sfn.start_execution(stateMachineArn=arn, name="once", input='{"a": 2}')
    assert _code(raised) == "ExecutionAlreadyExists"
    assert first["executionArn"] in raised.value.response["Error"]["Message"]
    assert len(sfn.list_executions(stateMachineArn=arn)["executions"]) == 1


def test_the_same_name_after_the_end_is_refused(virtual: Any) -> None:
    arn = create(virtual, PASS)
    ended(virtual, virtual.start_execution(stateMachineArn=arn, name="done")["executionArn"])
    with pytest.raises(ClientError) as raised:
        virtual.start_execution(stateMachineArn=arn, name="done")
    assert _code(raised) == "ExecutionAlreadyExists"


def test_express_names_may_repeat(virtual: Any) -> None:
    arn = create(virtual, PASS, kind="EXPRESS")
    first = virtual.start_execution(stateMachineArn=arn, name="same")["executionArn"]
    second = virtual.start_execution(stateMachineArn=arn, name="same")["executionArn"]
    assert first != second
    assert ":express:" in first


# -- bad requests ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"input": "{not json"}, "InvalidExecutionInput"),
        ({"input": json.dumps({"big": "é" * 140_000})}, "InvalidExecutionInput"),
        ({"name": "has space"}, "InvalidName"),
        ({"name": "x" * 81}, "ValidationException"),
        ({"traceHeader": "t" * 257}, "ValidationException"),
        ({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:absent"}, None),
        ({"stateMachineArn": "not-an-arn"}, "InvalidArn"),
    ],
)
def test_a_bad_start_gets_awss_error(virtual: Any, change: dict[str, Any], code: str) -> None:
    arn = create(virtual, PASS)
    request = {"stateMachineArn": arn} | change
    with pytest.raises(ClientError) as raised:
        virtual.start_execution(**request)
    assert _code(raised) == (code or "StateMachineDoesNotExist")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_input_of_256_kib_is_taken(virtual: Any) -> None:
    arn = create(virtual, PASS)
    text = json.dumps({"big": "x" * (256 * 1024 - 11)})
    assert len(text.encode()) == 256 * 1024
    described = ended(
        virtual, virtual.start_execution(stateMachineArn=arn, input=text)["executionArn"]
    )
    assert described["status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("arn", "code"),
    [
        ("arn:aws:states:us-east-1:123456789012:execution:flow:never", "ExecutionDoesNotExist"),
        ("arn:aws:states:us-east-1:123456789012:stateMachine:flow", "InvalidArn"),
        ("nonsense", "InvalidArn"),
    ],
)
def test_describing_what_is_not_an_execution_fails(virtual: Any, arn: str, code: str) -> None:
    create(virtual, PASS)
    with pytest.raises(ClientError) as raised:
        virtual.describe_execution(executionArn=arn)
    assert _code(raised) == code
    assert arn in raised.value.response["Error"]["Message"]


def test_a_test_case_suffix_reaches_the_mock_config(virtual: Any) -> None:
    # No SFN_MOCK_CONFIG is set: the execution starts, and its first Task fails saying so.
    arn = create(
        virtual,
        single(
            "Charge",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": "q", "MessageBody": "m"},
            },
        ),
    )
    described = ended(
        virtual, virtual.start_execution(stateMachineArn=f"{arn}#HappyPath")["executionArn"]
    )
    assert described["status"] == "FAILED"
    assert "HappyPath" in described["cause"]
