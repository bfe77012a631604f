"""simulate(): what it accepts, what it refuses, and the result it returns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import sfn_flows.engine
import sfn_flows.testing
from sfn_flows.engine import EngineUsageError, simulate
from sfn_flows.engine.tasks import MockedTasks

PROJECT = Path(__file__).resolve().parents[2]
HELLO = {"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "Result": "hello", "End": True}}}


def test_simulate_takes_a_dict_json_text_or_an_object_with_a_definition() -> None:
    class Compiled:
        name = "Greeter"
        definition = HELLO

    for given in (HELLO, json.dumps(HELLO), Compiled()):
        result = simulate(given, {})
        assert (result.status, result.output, result.states) == ("SUCCEEDED", "hello", ["Hi"])
    assert ":execution:Greeter:" in simulate(Compiled(), {}).execution_arn


def test_a_definition_aws_would_refuse_fails_before_running_with_the_validator_reason() -> None:
    broken = {"StartAt": "Missing", "States": {"Hi": {"Type": "Pass", "End": True}}}
    with pytest.raises(EngineUsageError, match="/StartAt"):
        simulate(broken, {})


def test_text_that_is_not_json_or_a_value_that_is_not_a_definition_is_refused() -> None:
    with pytest.raises(EngineUsageError, match="not JSON"):
        simulate("{nope", {})
    with pytest.raises(EngineUsageError, match="cannot run a int"):
        simulate(42, {})
    with pytest.raises(EngineUsageError, match="input is not JSON"):
        simulate(HELLO, {"when": object()})


def test_one_flow_result_class_for_the_engine_and_the_container_fixtures() -> None:
    assert sfn_flows.testing.FlowResult is sfn_flows.engine.FlowResult
    assert isinstance(simulate(HELLO), sfn_flows.testing.FlowResult)


def test_mocks_answer_each_attempt_retries_included() -> None:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 60, "MaxAttempts": 2}],
                "End": True,
            }
        },
    }
    config: dict[str, Any] = {
        "StateMachines": {"M": {"TestCases": {"Flaky": {"Call": "FailThenWork"}}}},
        "MockedResponses": {
            "FailThenWork": {
                "0-1": {"Throw": {"Error": "Busy", "Cause": "try later"}},
                "2": {"Return": {"sent": True}},
            }
        },
    }
    result = simulate(definition, {}, mocks=config, test_case="Flaky")
    assert result.output == {"sent": True}
    assert [e.type for e in result.events].count("TaskFailed") == 2
    mocked = MockedTasks.from_document(config, test_case="Flaky")
    assert simulate(definition, {}, mocks=mocked).output == {"sent": True}


def test_a_project_workflow_runs_with_its_own_handlers() -> None:
    from workflows.long_running_job import long_running_job

    result = sfn_flows.testing.simulate(
        long_running_job, {"job_id": "j1", "items": ["a", "b"]}, lambdas_dir=PROJECT / "lambdas"
    )
    assert result.status == "SUCCEEDED"
    assert result.states == ["ProcessData", "NotifyCompletion"]
