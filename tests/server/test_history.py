"""GetExecutionHistory through boto3: pages (maxResults, nextToken), reverseOrder,
includeExecutionData, and the errors of a bad request."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfn_flows.server.app import RunningServer
from tests.server.executions_support import create, ended, history

# 2 + 3 * 20 + 1 = 63 events: ExecutionStarted, twenty Pass states (entered, exited) ...
STEPS = 20


def _chain(steps: int) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for index in range(steps):
        state: dict[str, Any] = {"Type": "Pass", "Parameters": {"step": index, "was.$": "$"}}
        if index + 1 < steps:
            state["Next"] = f"S{index + 1}"
        else:
            state["End"] = True
        states[f"S{index}"] = state
    return {"StartAt": "S0", "States": states}


@pytest.fixture
def sfn(serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]) -> Any:
    return sfn_for(serve_with(virtual_time=True))


@pytest.fixture
def execution(sfn: Any) -> str:
    arn = create(sfn, _chain(STEPS))
    execution_arn: str = sfn.start_execution(stateMachineArn=arn, input='{"n": 1}')["executionArn"]
    ended(sfn, execution_arn)
    return execution_arn


def test_the_whole_history_in_one_page(sfn: Any, execution: str) -> None:
    events = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    assert len(events) == 2 + 2 * STEPS
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["executionStartedEventDetails"]["input"] == '{"n": 1}'
    output = json.loads(events[-1]["executionSucceededEventDetails"]["output"])
    assert (output["step"], output["was"]["step"]) == (STEPS - 1, STEPS - 2)
    times = [e["timestamp"] for e in events]
    assert times == sorted(times)


def test_the_default_page_is_100_events(sfn: Any) -> None:
    arn = create(sfn, _chain(60), name="long")
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    ended(sfn, execution_arn)
    page = sfn.get_execution_history(executionArn=execution_arn)
    assert len(page["events"]) == 100
    assert "nextToken" in page


@pytest.mark.parametrize("reverse", [False, True])
def test_pages_join_up_to_the_whole_history(sfn: Any, execution: str, reverse: bool) -> None:
    whole = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    paged = history(sfn, execution, maxResults=7, reverseOrder=reverse)
    assert paged == (whole[::-1] if reverse else whole)


def test_reverse_order_starts_with_the_last_event(sfn: Any, execution: str) -> None:
    page = sfn.get_execution_history(executionArn=execution, maxResults=2, reverseOrder=True)
    assert [e["type"] for e in page["events"]] == ["ExecutionSucceeded", "PassStateExited"]


def test_without_execution_data_events_carry_no_input_or_output(sfn: Any, execution: str) -> None:
    events = history(sfn, execution, includeExecutionData=False)
    with_data = history(sfn, execution)
    assert len(events) == len(with_data)
    for event in events:
        for key, details in event.items():
            if key.endswith("EventDetails"):
                assert not {"input", "output", "inputDetails", "outputDetails"} & set(details)
    names = [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]
    assert names == [f"S{index}" for index in range(STEPS)]
    assert events[0]["executionStartedEventDetails"]["roleArn"]


def test_a_page_token_goes_on_from_where_it_stopped_while_the_execution_runs(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]
) -> None:
    sfn = sfn_for(serve_with())  # real time: the execution stays in its Wait
    arn = create(
        sfn, {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    )
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    first = sfn.get_execution_history(executionArn=execution_arn, maxResults=1)
    sfn.stop_execution(executionArn=execution_arn)
    rest = history(sfn, execution_arn)[1:]
    following = sfn.get_execution_history(
        executionArn=execution_arn, maxResults=1000, nextToken=first["nextToken"]
    )
    assert [e["type"] for e in following["events"]] == [e["type"] for e in rest]
    assert rest[-1]["type"] == "ExecutionAborted"


@pytest.mark.parametrize(
    "token",
    [
        "tampered",
        base64.urlsafe_b64encode(b'["x"]').decode(),
        base64.urlsafe_b64encode(b"{}").decode(),
    ],
)
def test_a_tampered_token_is_refused(sfn: Any, execution: str, token: str) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.get_execution_history(executionArn=execution, nextToken=token)
    assert raised.value.response["Error"]["Code"] == "InvalidToken"


@pytest.mark.parametrize(
    ("request_fields", "code"),
    [
        ({"maxResults": 1001}, "ValidationException"),
        (
            {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:flow:none"},
            "ExecutionDoesNotExist",
        ),
        ({"executionArn": "arn:aws:states:us-east-1:123456789012:stateMachine:flow"}, "InvalidArn"),
    ],
)
def test_a_bad_request_gets_awss_error(
    sfn: Any, execution: str, request_fields: dict[str, Any], code: str
) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.get_execution_history(**({"executionArn": execution} | request_fields))
    assert raised.value.response["Error"]["Code"] == code
