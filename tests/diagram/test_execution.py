"""What executions on the in-process engine did, read back from their real histories: the
states entered, retried, caught and failed, and the steps taken."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sfn_flows.diagram import build_graph, trace_execution
from sfn_flows.diagram.execution import ExecutionTrace
from sfn_flows.engine import StatesError, simulate
from sfn_flows.engine.result import FlowResult
from sfn_flows.testing import load_project
from tests.diagram.machines import DECLINED_ORDER, task

ROOT = Path(__file__).resolve().parents[2]


def failing(*errors: str, then: Any = None) -> Any:
    """A Task answer that raises `errors` in turn, then returns `then`."""
    left = list(errors)

    def answer(payload: object) -> Any:
        if left:
            raise StatesError(left.pop(0), "as the test asked")
        return then if then is not None else {}

    return answer


def statuses(trace: ExecutionTrace) -> dict[str, str]:
    return {name: run.status for name, run in trace.states.items()}


def run(definition: dict[str, Any], tasks: dict[str, Any], data: Any = None) -> ExecutionTrace:
    return trace_execution(simulate(definition, data or {}, tasks=tasks).events)


def test_a_retry_then_success_and_a_catch() -> None:
    definition = {
        "StartAt": "Flaky",
        "States": {
            "Flaky": task("Risky", Retry=[{"ErrorEquals": ["Busy"], "IntervalSeconds": 1}]),
            "Risky": task(Catch=[{"ErrorEquals": ["Broken"], "Next": "Handle"}]),
            "Handle": {"Type": "Pass", "End": True},
        },
    }
    trace = run(definition, {"Flaky": failing("Busy", "Busy"), "Risky": failing("Broken")})
    assert statuses(trace) == {"Flaky": "retried", "Risky": "caught", "Handle": "entered"}
    assert trace.states["Flaky"].retries == 2
    assert trace.states["Flaky"].note() == "retried 2x"
    assert trace.steps == {
        ("start", None, "Flaky"),
        ("retry", "Flaky", "Flaky"),
        ("step", "Flaky", "Risky"),
        ("catch", "Risky", "Handle"),
        ("end", "Handle", None),
    }


def test_a_failure_nobody_catches_and_a_fail_state() -> None:
    definition = {
        "StartAt": "Try",
        "States": {
            "Try": task("Stop", Catch=[{"ErrorEquals": ["Other"], "Next": "Stop"}]),
            "Stop": {"Type": "Fail", "Error": "Stopped"},
        },
    }
    trace = run(definition, {"Try": failing("Boom")})
    assert statuses(trace) == {"Try": "failed"}
    trace = run(definition, {"Try": lambda payload: {}})
    assert statuses(trace) == {"Try": "entered", "Stop": "failed"}
    assert ("end", "Stop", None) not in trace.steps


def test_a_parallel_catches_a_failed_branch_while_the_other_ends() -> None:
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Quick", "States": {"Quick": {"Type": "Pass", "End": True}}},
                    {"StartAt": "Charge", "States": {"Charge": task()}},
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refund"}],
                "End": True,
            },
            "Refund": {"Type": "Pass", "End": True},
        },
    }
    trace = run(definition, {"Charge": failing("Declined")})
    assert statuses(trace) == {
        "Both": "caught",
        "Quick": "entered",
        "Charge": "failed",
        "Refund": "entered",
    }
    assert {("branch", "Both", "Quick"), ("branch", "Both", "Charge")} <= trace.steps
    assert ("join", "Quick", "Both") in trace.steps
    assert ("join", "Charge", "Both") not in trace.steps
    assert ("catch", "Both", "Refund") in trace.steps


def test_a_parallel_retried_whole() -> None:
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "Work", "States": {"Work": task()}}],
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
                "End": True,
            },
        },
    }
    trace = run(definition, {"Work": failing("Once")})
    assert trace.states["Both"].retries == 1 and trace.states["Both"].status == "retried"
    # The first Work failed (the Parallel's retry ran it again), the second succeeded.
    assert trace.states["Work"].entered == 2 and trace.states["Work"].failed == 1
    assert ("end", "Both", None) in trace.steps


def test_nested_parallels_give_each_failure_to_its_own_state() -> None:
    inner = {
        "Type": "Parallel",
        "Branches": [{"StartAt": "Deep", "States": {"Deep": task()}}],
        "End": True,
    }
    definition = {
        "StartAt": "Outer",
        "States": {
            "Outer": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "Inner", "States": {"Inner": inner}}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }
    trace = run(definition, {"Deep": failing("Broken")})
    assert statuses(trace) == {
        "Outer": "caught",
        "Inner": "failed",
        "Deep": "failed",
        "Caught": "entered",
    }


def test_map_items_and_a_loop_enter_states_many_times() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {"StartAt": "Item", "States": {"Item": task()}},
                "ResultPath": None,
                "Next": "Count",
            },
            "Count": {
                "Type": "Pass",
                "Parameters": {"n.$": "States.MathAdd($.n, 1)", "items.$": "$.items"},
                "Next": "Again?",
            },
            "Again?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericLessThan": 3, "Next": "Count"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    result = simulate(definition, {"items": [1, 2, 3], "n": 0}, tasks={"Item": lambda p: p})
    trace = trace_execution(result.events)
    assert trace.states["Item"].entered == 3
    assert trace.states["Count"].entered == 3 and trace.states["Again?"].entered == 3
    assert trace.states["Count"].note() == "entered 3x"
    assert {
        ("branch", "Each", "Item"),
        ("join", "Item", "Each"),
        ("step", "Each", "Count"),
        ("step", "Again?", "Count"),
        ("step", "Again?", "Done"),
        ("end", "Done", None),
    } <= trace.steps


def test_a_choice_without_a_match_and_a_timed_out_execution() -> None:
    choice = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Done"}],
            },
            "Done": {"Type": "Succeed"},
        },
    }
    assert statuses(run(choice, {})) == {"Pick": "failed"}
    slow = {
        "StartAt": "Nap",
        "TimeoutSeconds": 5,
        "States": {"Nap": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    result = simulate(slow, {})
    assert result.status == "TIMED_OUT"
    assert statuses(trace_execution(result.events)) == {"Nap": "failed"}


def test_flow_result_diagram_of_a_real_project_run() -> None:
    project = load_project(ROOT)
    result = project("order-fulfilment", {**DECLINED_ORDER, "order_id": "o-diagram"})
    assert isinstance(result, FlowResult) and result.status == "FAILED"
    assert result.definition == project.definition("order-fulfilment")
    text = result.diagram()
    assert text.startswith('---\ntitle: "execution ') and ': FAILED"\n---\n' in text
    assert "ChargePayment<br>lambda:invoke<br>timeout 20 s<br>retried 1x, failed" in text
    assert "ReserveAndCharge<br>Parallel, 2 branches<br>caught" in text
    ids = build_graph(result.definition).state_nodes
    classes = {
        line.split()[2]: line.split()[1].split(",")
        for line in text.splitlines()
        if line.startswith("  class ")
    }
    assert ids["RouteByKind"] in classes["entered"]
    assert ids["ReserveStock"] in classes["entered"]
    assert ids["PaymentFailed"] in classes["failed"]
    assert ids["PackLines"] in classes["idle"]
    assert result.diagram("dot").startswith("digraph workflow {")
    # Equal results stay equal whatever definition they carry.
    assert result == FlowResult(**{**result.__dict__, "definition": None})
