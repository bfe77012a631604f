"""Bad workflows fail the build with every problem named: state, field, what, how to fix."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest
from pydantic import ValidationError

from sfn_flows import (
    Choice,
    Fail,
    LambdaFunction,
    LambdaInvoke,
    Map,
    Parallel,
    Pass,
    Succeed,
    Task,
    Wait,
    Workflow,
    WorkflowError,
    compile_workflow,
)
from sfn_flows import (
    conditions as c,
)
from sfn_flows.errors import ChainError, DeclarationError

LAMBDA = "arn:aws:states:::lambda:invoke"


def problems_of(start: Any, **options: Any) -> list[tuple[str, str, str]]:
    options.setdefault("timeout_seconds", 3600)
    with pytest.raises(WorkflowError) as caught:
        compile_workflow(Workflow(name="bad", start=start, **options))
    assert all(p.severity == "error" for p in caught.value.problems)
    assert "workflow 'bad'" in str(caught.value)
    return [(p.pointer, p.code, p.message + " Fix: " + p.fix) for p in caught.value.problems]


def test_task_without_resolvable_timeout() -> None:
    [(pointer, code, text)] = problems_of(
        Task("Work", resource=LAMBDA, parameters={"FunctionName": "f"})
    )
    assert (pointer, code) == ("/States/Work/TimeoutSeconds", "missing-timeout")
    assert "Task 'Work' has no timeout" in text and "default_task_timeout" in text


def test_callback_task_without_heartbeat() -> None:
    task = Task(
        "Wait4Token",
        resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        timeout_seconds=600,
    )
    [(pointer, code, text)] = problems_of(task)
    assert (pointer, code) == ("/States/Wait4Token/HeartbeatSeconds", "missing-heartbeat")
    assert "heartbeat_seconds" in text


def test_heartbeat_not_smaller_than_timeout() -> None:
    task = Task(
        "Job",
        resource="arn:aws:states:::batch:submitJob.sync",
        timeout_seconds=60,
        heartbeat_seconds=60,
    )
    [(pointer, code, text)] = problems_of(task)
    assert (pointer, code) == ("/States/Job/HeartbeatSeconds", "heartbeat")
    assert "must be smaller than TimeoutSeconds (60)" in text


def test_default_heartbeat_not_smaller_than_timeout() -> None:
    task = Task("Job", resource="arn:aws:states:::batch:submitJob.sync", timeout_seconds=30)
    [(pointer, code, _)] = problems_of(task, default_heartbeat_seconds=30)
    assert (pointer, code) == ("/States/Job/HeartbeatSeconds", "heartbeat")


def test_duplicate_state_names() -> None:
    problems = problems_of(Pass("Same") >> Pass("Same"))
    pointer, code, text = problems[0]
    assert code == "duplicate-name" and pointer == "/States/Same"
    assert "two different states are named 'Same'" in text


def test_duplicate_name_across_branches() -> None:
    problems = problems_of(Pass("X") >> Parallel("P", branches=[Pass("X")]))
    assert ("/States/P/Branches/0/States/X", "duplicate-name") in [
        (p, code) for p, code, _ in problems
    ]


def test_one_state_object_in_two_scopes() -> None:
    shared = Pass("Shared")
    problems = problems_of(Parallel("P", branches=[shared, Pass("Other") >> shared]))
    assert any(
        code == "duplicate-name" and "used in two scopes" in text for _, code, text in problems
    )


def test_missing_target_names_the_state_and_field() -> None:
    start = Pass("A")
    start.next("Nowhere")
    [(pointer, code, text)] = problems_of(start)
    assert (pointer, code) == ("/States/A/Next", "next")
    assert (
        "Next target 'Nowhere' does not exist" in text and "name a state of this scope: A" in text
    )


def test_choice_default_and_catch_targets_by_name() -> None:
    task = Task("T", resource=LAMBDA, timeout_seconds=5).add_catch("Gone")
    choice = Choice("C").when(c.is_present("$.x"), task).otherwise("Missing")
    problems = problems_of(choice)
    pointers = {p for p, _, _ in problems}
    assert {"/States/C/Default", "/States/T/Catch/0/Next"} <= pointers


def test_malformed_jsonpath_and_unknown_intrinsic() -> None:
    state = Pass(
        "P", parameters={"a.$": "$.items[", "b.$": "States.Formatt('{}', $.x)"}, result_path="$.r"
    )
    problems = problems_of(state)
    by_pointer = {p: text for p, _, text in problems}
    assert "unclosed" in by_pointer["/States/P/Parameters/a.$"]
    assert "did you mean 'States.Format'" in by_pointer["/States/P/Parameters/b.$"]


def test_jsonpath_field_in_jsonata_state() -> None:
    [(pointer, code, text)] = problems_of(Pass("P", query_language="JSONata", result_path="$.x"))
    assert (pointer, code) == ("/States/P/ResultPath", "query-language")
    assert "use Output" in text


def test_budget_over_machine_timeout() -> None:
    # 4 attempts x 100 s + retry delays 1 + 2 + 4 = 407 s > 300 s
    fn = LambdaFunction("Slow", handler="slow.handler")
    [(pointer, code, text)] = problems_of(
        LambdaInvoke("Slow", function=fn, timeout_seconds=100), timeout_seconds=300
    )
    assert (pointer, code) == ("/TimeoutSeconds", "budget-exceeds-timeout")
    assert "407 s" in text and "Slow" in text


def test_express_budget_over_300_seconds() -> None:
    chain = Task("A", resource=LAMBDA, timeout_seconds=200) >> Task(
        "B", resource=LAMBDA, timeout_seconds=200
    )
    problems = problems_of(chain, type="EXPRESS", timeout_seconds=300)
    codes = {code for _, code, _ in problems}
    assert "budget-exceeds-limit" in codes
    assert any("EXPRESS workflow's 300 s limit" in text for _, _, text in problems)


def test_express_machine_timeout_over_300_is_rejected_at_declaration() -> None:
    with pytest.raises(ValidationError, match="an EXPRESS workflow runs at most 300 s"):
        Workflow(name="x", start=Pass("P"), type="EXPRESS", timeout_seconds=301)


def test_sync_budget_exceeded_and_unbounded() -> None:
    slow = Task("Slow", resource=LAMBDA, timeout_seconds=30)
    [(_, code, text)] = problems_of(slow, sync_budget=29)
    assert code == "budget-exceeds-limit" and "sync_budget of 29 s" in text

    dynamic = Wait("Dyn", seconds_path="$.delay")
    [(_, code, text)] = problems_of(dynamic, sync_budget=29)
    assert code == "budget-unbounded" and "SecondsPath" in text


def test_unbounded_map_fails_sync_budget() -> None:
    mapped = Map(
        "Each", processor=Task("Item", resource=LAMBDA, timeout_seconds=1), items_path="$.items"
    )
    [(_, code, text)] = problems_of(mapped, sync_budget=29)
    assert code == "budget-unbounded" and "Each" in text


def test_every_problem_is_listed_not_just_the_first() -> None:
    a = Task("A", resource=LAMBDA)
    b = Task("B", resource=LAMBDA)
    bad_path = Pass("C", input_path="$..[")
    problems = problems_of(a >> b >> bad_path)
    assert {p for p, _, _ in problems} == {
        "/States/A/TimeoutSeconds",
        "/States/B/TimeoutSeconds",
        "/States/C/InputPath",
    }


def test_chaining_after_terminal_states_is_an_error() -> None:
    with pytest.raises(ChainError, match=r"cannot have a Next state; route with \.when"):
        Choice("C").next(Pass("P"))
    with pytest.raises(ChainError, match="it ends the workflow"):
        Succeed("S") >> Pass("P")
    with pytest.raises(ChainError, match="nothing can follow it"):
        Pass("A") >> "B" >> Pass("C")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "1 to 80 characters"),
        ("x" * 81, "1 to 80 characters"),
        ("has space", "contains ' '"),
        ("a:b", "contains ':'"),
    ],
)
def test_invalid_workflow_names(name: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        Workflow(name=name, start=Pass("P"), timeout_seconds=10)


def test_invalid_lambda_function_declarations() -> None:
    with pytest.raises(ValidationError, match="PascalCase"):
        LambdaFunction("process-data", handler="process_data.handler")
    with pytest.raises(ValidationError, match=r"module\.function"):
        LambdaFunction("ProcessData", handler="process_data")


def test_two_functions_with_one_name() -> None:
    one = LambdaInvoke(
        "One", function=LambdaFunction("Work", handler="a.handler"), timeout_seconds=1
    )
    two = LambdaInvoke(
        "Two", function=LambdaFunction("Work", handler="b.handler"), timeout_seconds=1
    )
    problems = problems_of(one >> two)
    assert any(
        code == "duplicate-function" and "a.handler and b.handler" in text
        for _, code, text in problems
    )


def test_failing_state_is_not_terminal() -> None:
    # A Fail reached only through a Catch still counts as a terminal state.
    task = Task("T", resource=LAMBDA, timeout_seconds=1).add_catch(Fail("Oops"))
    compiled = compile_workflow(Workflow(name="ok", start=task, timeout_seconds=10))
    assert list(compiled.definition["States"]) == ["T", "Oops"]


def test_compilation_is_deterministic_across_processes() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, "workflows")
        import order_fulfilment, long_running_job
        from sfn_flows import compile_workflow
        for wf in (order_fulfilment.order_fulfilment, long_running_job.long_running_job):
            sys.stdout.write(compile_workflow(wf).definition_json())
        """
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert '"TimeoutSeconds"' in runs[0]


@pytest.mark.parametrize("state_type", [Map, Parallel, Pass, Wait, Choice])
def test_timeouts_are_refused_where_aws_rejects_them(state_type: type) -> None:
    options: dict[str, Any] = {"timeout_seconds": 5}
    if state_type is Map:
        options["processor"] = Pass("Inner")
    if state_type is Parallel:
        options["branches"] = [Pass("Inner")]
    with pytest.raises(DeclarationError, match="allows timeouts only on Task states"):
        state_type("S", **options)


def test_mixing_jsonata_and_jsonpath_conditions_is_refused() -> None:
    with pytest.raises(DeclarationError, match="cannot combine a JSONata condition"):
        c.jsonata("$states.input.a = 1") & c.is_null("$.b")


@pytest.mark.parametrize("state_type", [Succeed, Fail])
def test_assign_is_refused_on_terminal_states(state_type: type) -> None:
    with pytest.raises(DeclarationError, match="cannot take assign"):
        state_type("End", assign={"x": 1})


def test_non_finite_numbers_are_not_json() -> None:
    problems = problems_of(Pass("P", result={"ratio": float("nan")}))
    assert problems[0][:2] == ("/States/P/Result/ratio", "json")
