"""StopExecution, ListExecutions, StartSyncExecution and DescribeStateMachineForExecution
through boto3 against a real server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfn_flows.server.app import RunningServer
from tests.server.executions_support import ROLE_ARN, create, ended, history, single

PASS = single("P", {"Type": "Pass"})
HOUR = {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}


@pytest.fixture
def real(serve_with: Callable[..., RunningServer], sfn_for: Callable[..., Any]) -> Any:
    """A client of a server in real time: an hour's Wait really waits."""
    return sfn_for(serve_with())


@pytest.fixture
def virtual(serve_with: Callable[..., RunningServer], boto_session: Any) -> Any:
    """A client of a server in virtual time. StartSyncExecution's endpoint is "sync-<host>" on
    AWS: like any client of a local endpoint, this one does not add the prefix."""
    from botocore.config import Config

    config = Config(retries={"max_attempts": 1}, read_timeout=60, inject_host_prefix=False)
    running = serve_with(virtual_time=True)
    return boto_session.client("stepfunctions", endpoint_url=running.url, config=config)


def _code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return str(raised.value.response["Error"]["Code"])


# -- StopExecution ---------------------------------------------------------------------------


def test_stop_during_a_long_wait_ends_the_execution_at_once(real: Any) -> None:
    execution_arn = real.start_execution(stateMachineArn=create(real, HOUR))["executionArn"]
    stopped = real.stop_execution(executionArn=execution_arn, error="Manual", cause="probe")
    # No polling: the execution has ended by the time StopExecution answers.
    described = real.describe_execution(executionArn=execution_arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "Manual",
        "probe",
    )
    assert described["stopDate"] == stopped["stopDate"]
    last = history(real, execution_arn)[-1]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {"error": "Manual", "cause": "probe"}


def test_stop_without_error_or_cause_leaves_them_out(real: Any) -> None:
    execution_arn = real.start_execution(stateMachineArn=create(real, HOUR))["executionArn"]
    real.stop_execution(executionArn=execution_arn)
    described = real.describe_execution(executionArn=execution_arn)
    assert described["status"] == "ABORTED"
    assert "error" not in described and "cause" not in described
    assert history(real, execution_arn)[-1]["executionAbortedEventDetails"] == {}


def test_stopping_an_ended_execution_changes_nothing(virtual: Any) -> None:
    execution_arn = virtual.start_execution(stateMachineArn=create(virtual, PASS))["executionArn"]
    described = ended(virtual, execution_arn)
    events = history(virtual, execution_arn)
    again = virtual.stop_execution(executionArn=execution_arn, error="Late")
    assert again["stopDate"] == described["stopDate"]
    after = virtual.describe_execution(executionArn=execution_arn)
    assert (after["status"], after.get("error")) == ("SUCCEEDED", None)
    assert history(virtual, execution_arn) == events


def test_stopping_twice_keeps_the_first_stop(real: Any) -> None:
    execution_arn = real.start_execution(stateMachineArn=create(real, HOUR))["executionArn"]
    first = real.stop_execution(executionArn=execution_arn, error="First")
    second = real.stop_execution(executionArn=execution_arn, error="Second")
    assert second["stopDate"] == first["stopDate"]
    assert real.describe_execution(executionArn=execution_arn)["error"] == "First"


@pytest.mark.parametrize(("field", "size"), [("error", 257), ("cause", 32_769)])
def test_stop_refuses_an_error_or_cause_too_long(real: Any, field: str, size: int) -> None:
    execution_arn = real.start_execution(stateMachineArn=create(real, HOUR))["executionArn"]
    with pytest.raises(ClientError) as raised:
        real.stop_execution(executionArn=execution_arn, **{field: "x" * size})
    assert _code(raised) == "ValidationException"
    assert real.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"


# -- ListExecutions --------------------------------------------------------------------------


def test_executions_are_listed_newest_first_and_filtered_by_status(real: Any) -> None:
    arn = create(real, {"StartAt": "Which", "States": _sleep_or_pass()})
    names = [f"run-{index}" for index in range(5)]
    for index, name in enumerate(names):
        real.start_execution(stateMachineArn=arn, name=name, input=json.dumps({"sleep": index % 2}))
    for name in names[::2]:  # the ones that do not sleep
        ended(real, f"{arn.replace(':stateMachine:', ':execution:')}:{name}")
    listed = real.list_executions(stateMachineArn=arn)["executions"]
    running = [item["name"] for item in listed if item["status"] == "RUNNING"]
    assert running == ["run-3", "run-1"]
    assert {item["name"] for item in listed} == set(names)
    only = real.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    assert sorted(item["name"] for item in only) == ["run-0", "run-2", "run-4"]
    assert all("stopDate" in item for item in only)
    stops = [item["stopDate"] for item in only]
    assert stops == sorted(stops, reverse=True)


def _sleep_or_pass() -> dict[str, Any]:
    return {
        "Which": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.sleep", "NumericEquals": 1, "Next": "Nap"}],
            "Default": "Done",
        },
        "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    }


def test_list_pages_with_max_results_and_next_token(virtual: Any) -> None:
    arn = create(virtual, PASS)
    started = [virtual.start_execution(stateMachineArn=arn)["executionArn"] for _ in range(7)]
    for execution_arn in started:
        ended(virtual, execution_arn)
    pages, token = [], None
    while True:
        answer = virtual.list_executions(
            stateMachineArn=arn, maxResults=3, **({"nextToken": token} if token else {})
        )
        pages.append([item["executionArn"] for item in answer["executions"]])
        token = answer.get("nextToken")
        if not token:
            break
    assert [len(page) for page in pages] == [3, 3, 1]
    assert sorted(arn for page in pages for arn in page) == sorted(started)
    whole = [
        item["executionArn"] for item in virtual.list_executions(stateMachineArn=arn)["executions"]
    ]
    assert [arn for page in pages for arn in page] == whole


def test_list_by_version_or_alias_gives_theirs_only(virtual: Any) -> None:
    created = virtual.create_state_machine(
        name="versioned", definition=json.dumps(PASS), roleArn=ROLE_ARN, publish=True
    )
    version = created["stateMachineVersionArn"]
    alias = virtual.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": version, "weight": 100}]
    )["stateMachineAliasArn"]
    plain = virtual.start_execution(stateMachineArn=created["stateMachineArn"])["executionArn"]
    by_version = virtual.start_execution(stateMachineArn=version)["executionArn"]
    by_alias = virtual.start_execution(stateMachineArn=alias)["executionArn"]

    def listed(arn: str) -> set[str]:
        return {
            i["executionArn"] for i in virtual.list_executions(stateMachineArn=arn)["executions"]
        }

    assert listed(created["stateMachineArn"]) == {plain, by_version, by_alias}
    assert listed(version) == {by_version, by_alias}
    assert listed(alias) == {by_alias}


@pytest.mark.parametrize(
    ("request_fields", "code"),
    [
        ({}, "ValidationException"),
        (
            {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:gone"},
            "StateMachineDoesNotExist",
        ),
        ({"maxResults": 1001}, "ValidationException"),
        ({"statusFilter": "PENDING_REDRIVE"}, "ValidationException"),
        ({"nextToken": "not-a-token"}, "InvalidToken"),
    ],
)
def test_a_bad_list_request_gets_awss_error(
    virtual: Any, request_fields: dict[str, Any], code: str
) -> None:
    arn = create(virtual, PASS)
    request = ({"stateMachineArn": arn} if request_fields else {}) | request_fields
    with pytest.raises(ClientError) as raised:
        virtual.list_executions(**request)
    assert _code(raised) == code


# -- StartSyncExecution ----------------------------------------------------------------------


def test_a_sync_express_execution_answers_with_its_result(virtual: Any) -> None:
    arn = create(virtual, single("P", {"Type": "Pass", "Result": {"ok": 1}}), kind="EXPRESS")
    answer = virtual.start_sync_execution(stateMachineArn=arn, name="now", input='{"a":1}')
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"ok": 1}
    assert (answer["input"], answer["name"], answer["stateMachineArn"]) == ('{"a":1}', "now", arn)
    assert ":express:" in answer["executionArn"]
    assert answer["stopDate"] >= answer["startDate"]
    assert answer["billingDetails"]["billedMemoryUsedInMB"] == 64
    assert answer["billingDetails"]["billedDurationInMilliseconds"] % 100 == 0


def test_a_failing_sync_execution_answers_with_its_error(virtual: Any) -> None:
    fail = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Bad", "Cause": "why"}}}
    arn = create(virtual, fail, kind="EXPRESS")
    answer = virtual.start_sync_execution(stateMachineArn=arn)
    assert (answer["status"], answer["error"], answer["cause"]) == ("FAILED", "Bad", "why")
    assert "output" not in answer


def test_a_sync_execution_past_five_minutes_times_out(virtual: Any) -> None:
    arn = create(virtual, HOUR, kind="EXPRESS")
    assert virtual.start_sync_execution(stateMachineArn=arn)["status"] == "TIMED_OUT"


def test_a_standard_machine_cannot_run_synchronously(virtual: Any) -> None:
    with pytest.raises(ClientError) as raised:
        virtual.start_sync_execution(stateMachineArn=create(virtual, PASS))
    assert _code(raised) == "StateMachineTypeNotSupported"


# -- DescribeStateMachineForExecution --------------------------------------------------------


def test_the_definition_an_execution_ran_stays_after_an_update(real: Any) -> None:
    arn = create(real, HOUR)
    execution_arn = real.start_execution(stateMachineArn=arn)["executionArn"]
    real.update_state_machine(stateMachineArn=arn, definition=json.dumps(PASS))
    described = real.describe_state_machine_for_execution(executionArn=execution_arn)
    assert json.loads(described["definition"]) == HOUR
    assert (described["stateMachineArn"], described["name"], described["roleArn"]) == (
        arn,
        "flow",
        ROLE_ARN,
    )
    assert described["loggingConfiguration"]["level"] == "OFF"
    later = real.start_execution(stateMachineArn=arn)["executionArn"]
    latest = real.describe_state_machine_for_execution(executionArn=later)
    assert json.loads(latest["definition"]) == PASS
    assert latest["revisionId"] != described["revisionId"]
    assert latest["updateDate"] >= described["updateDate"]
