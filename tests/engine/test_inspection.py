"""engine/inspection.data_flow: a JSONPath state's data-flow steps, as TestState shows them."""

from __future__ import annotations

from sfn_flows.engine.inspection import data_flow

TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "InputPath": "$.in",
    "Parameters": {"x.$": "$.x"},
    "ResultSelector": {"y.$": "$.Payload"},
    "ResultPath": "$.out",
}


def test_every_step_of_a_task() -> None:
    steps = data_flow(TASK, {"in": {"x": 1}}, result={"Payload": 2}, parameters={"x": 1})
    assert steps == {
        "afterInputPath": {"x": 1},
        "afterParameters": {"x": 1},
        "result": {"Payload": 2},
        "afterResultSelector": {"y": 2},
        "afterResultPath": {"in": {"x": 1}, "out": {"y": 2}},
    }


def test_a_pass_state_result_is_its_input_after_parameters() -> None:
    state = {"Type": "Pass", "Parameters": {"a.$": "$.b"}, "ResultPath": "$.c"}
    steps = data_flow(state, {"b": 1})
    assert steps["result"] == {"a": 1}
    assert steps["afterResultPath"] == {"b": 1, "c": {"a": 1}}


def test_steps_stop_where_the_state_failed() -> None:
    steps = data_flow({"Type": "Pass", "InputPath": "$.missing"}, {"b": 1})
    assert steps == {}
