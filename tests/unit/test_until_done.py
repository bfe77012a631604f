"""ContinueUntilDone compiles to a counted loop in a one-branch Parallel, in both query
languages; the strict validator accepts it; what it cannot keep is an error with the JSON
pointer of the state and a fix; its budget is max_iterations rounds of the worker Task."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sfn_flows import (
    MAX_ITERATIONS_EXCEEDED,
    ContinueUntilDone,
    Fail,
    LambdaFunction,
    LambdaInvoke,
    Map,
    Pass,
    Workflow,
    WorkflowError,
    compile_workflow,
    validate_definition,
)
from sfn_flows.compile import CompiledWorkflow
from sfn_flows.errors import DeclarationError
from sfn_flows.validate.problems import Problem

WORKER = LambdaFunction("Worker", handler="worker.handler", timeout_seconds=60)
LOOP = "/States/WorkUntilDone"
BRANCH = f"{LOOP}/Branches/0/States"
# One invocation at worst: 4 attempts of 60 s under Lambda's retrier, 1 + 2 + 4 s between.
ROUND = 4 * 60 + 7


def work(**options: Any) -> LambdaInvoke:
    options.setdefault("timeout_seconds", 60)
    return LambdaInvoke("Work", function=WORKER, **options)


def compiled(start: Any, **options: Any) -> CompiledWorkflow:
    options.setdefault("timeout_seconds", 100_000)
    result = compile_workflow(Workflow(name="w", start=start, **options))
    assert validate_definition(result.definition, strict=True) == []
    return result


def problems_of(start: Any, **options: Any) -> list[Problem]:
    options.setdefault("timeout_seconds", 100_000)
    with pytest.raises(WorkflowError) as caught:
        compile_workflow(Workflow(name="w", start=start, **options))
    return list(caught.value.problems)


# --- the ASL ---------------------------------------------------------------------------------


def test_the_loop_compiles_to_a_counted_loop_in_a_one_branch_parallel() -> None:
    loop = ContinueUntilDone(work(), max_iterations=5)
    definition = compiled(loop >> Pass("After")).definition
    body = definition["States"]["WorkUntilDone"]
    assert {k: v for k, v in body.items() if k != "Branches"} == {
        "Type": "Parallel",
        "OutputPath": "$[0]",  # the branch's output, not a list of one
        "Next": "After",
    }
    [branch] = body["Branches"]
    assert branch["StartAt"] == "WorkStart"
    states = branch["States"]
    assert list(states) == [
        "WorkStart",
        "Work",
        "WorkDone?",
        "WorkContinue",
        "WorkFinished",
        "WorkUnfinished",
    ]
    assert states["WorkStart"] == {
        "Type": "Pass",
        "Parameters": {"input.$": "$", "iteration": 1, "continuation": None},
        "Next": "Work",
    }
    task = states["Work"]
    assert task["Parameters"] == {
        "FunctionName": "${WorkerFunctionArn}",
        "Payload": {
            "input.$": "$.input",
            "guard": {
                "iteration.$": "$.iteration",
                "maxIterations": 5,
                "continuation.$": "$.continuation",
                "timeoutSeconds": 60,
                "enteredTime.$": "$$.State.EnteredTime",
                "retryCount.$": "$$.State.RetryCount",
            },
        },
    }
    assert task["ResultSelector"] == {
        "done.$": "$.Payload.done",
        "result.$": "$.Payload.result",
        "continuation.$": "$.Payload.continuation",
    }
    assert (task["ResultPath"], task["TimeoutSeconds"], task["Next"]) == ("$.step", 60, "WorkDone?")
    assert "OutputPath" not in task  # LambdaInvoke's own "$.Payload" gives way to ResultPath
    assert task["Retry"][0]["ErrorEquals"][0] == "Lambda.ServiceException"  # kept
    assert states["WorkDone?"] == {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.step.done", "BooleanEquals": True, "Next": "WorkFinished"},
            {"Variable": "$.iteration", "NumericGreaterThanEquals": 5, "Next": "WorkUnfinished"},
        ],
        "Default": "WorkContinue",
    }
    assert states["WorkContinue"] == {
        "Type": "Pass",
        "Parameters": {
            "input.$": "$.input",
            "iteration.$": "States.MathAdd($.iteration, 1)",
            "continuation.$": "$.step.continuation",
        },
        "Next": "Work",
    }
    assert states["WorkFinished"] == {"Type": "Pass", "InputPath": "$.step.result", "End": True}
    assert states["WorkUnfinished"] == {
        "Type": "Fail",
        "Error": MAX_ITERATIONS_EXCEEDED,
        "Cause": "Work was not done after 5 iterations (ContinueUntilDone max_iterations=5): "
        "each returned a partial result and a continuation.",
    }


def test_the_loop_in_jsonata() -> None:
    loop = ContinueUntilDone(work(), max_iterations=3)
    definition = compiled(loop, query_language="JSONata").definition
    body = definition["States"]["WorkUntilDone"]
    assert body["Output"] == "{% $states.result[0] %}"
    states = body["Branches"][0]["States"]
    assert states["WorkStart"]["Output"] == {
        "input": "{% $states.input %}",
        "iteration": 1,
        "continuation": None,
    }
    task = states["Work"]
    assert task["Arguments"]["Payload"] == {
        "input": "{% $states.input.input %}",
        "guard": {
            "iteration": "{% $states.input.iteration %}",
            "maxIterations": 3,
            "continuation": "{% $states.input.continuation %}",
            "timeoutSeconds": 60,
            "enteredTime": "{% $states.context.State.EnteredTime %}",
            "retryCount": "{% $states.context.State.RetryCount %}",
        },
    }
    assert task["Output"]["step"] == "{% $states.result.Payload %}"
    assert [rule["Condition"] for rule in states["WorkDone?"]["Choices"]] == [
        "{% $states.input.step.done = true %}",
        "{% $states.input.iteration >= 3 %}",
    ]
    assert states["WorkContinue"]["Output"]["iteration"] == "{% $states.input.iteration + 1 %}"
    assert states["WorkFinished"]["Output"] == "{% $states.input.step.result %}"


@pytest.mark.parametrize(
    ("result_path", "finished"),
    [
        ("$", {"InputPath": "$.step.result"}),
        (
            "$.out",
            {"InputPath": "$.step.result", "ResultPath": "$.input.out", "OutputPath": "$.input"},
        ),
        (
            "$['a b'].c",
            {
                "InputPath": "$.step.result",
                "ResultPath": "$.input['a b'].c",
                "OutputPath": "$.input",
            },
        ),
        (None, {"OutputPath": "$.input"}),
    ],
)
def test_result_path_places_the_final_result_in_the_loops_input(
    result_path: str | None, finished: dict[str, Any]
) -> None:
    loop = ContinueUntilDone(work(), max_iterations=2, result_path=result_path)
    states = compiled(loop).definition["States"]["WorkUntilDone"]["Branches"][0]["States"]
    assert states["WorkFinished"] == {"Type": "Pass", **finished, "End": True}


def test_the_loop_takes_retriers_catchers_a_comment_a_name_and_a_query_language() -> None:
    failed = Fail("Failed")
    loop = (
        ContinueUntilDone(
            work(), max_iterations=2, name="Crunch", comment="until done", query_language="JSONata"
        )
        .add_retry(["States.Timeout"], max_attempts=1)
        .add_catch(failed, [MAX_ITERATIONS_EXCEEDED])
    )
    body = compiled(loop).definition["States"]["Crunch"]
    assert body["Comment"] == "until done" and body["QueryLanguage"] == "JSONata"
    assert body["Retry"] == [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}]
    assert body["Catch"] == [{"ErrorEquals": [MAX_ITERATIONS_EXCEEDED], "Next": "Failed"}]
    # The loop's own states follow its query language; the worker Task keeps its own.
    states = body["Branches"][0]["States"]
    assert {states[name].get("QueryLanguage") for name in states if name != "Work"} == {"JSONata"}
    assert "QueryLanguage" not in states["Work"] and "Parameters" in states["Work"]


def test_the_workflows_default_task_timeout_reaches_the_worker() -> None:
    loop = ContinueUntilDone(work(timeout_seconds=None), max_iterations=2)
    task = compiled(loop, default_task_timeout=45).definition["States"]["WorkUntilDone"][
        "Branches"
    ][0]["States"]["Work"]
    assert task["TimeoutSeconds"] == 45
    assert task["Parameters"]["Payload"]["guard"]["timeoutSeconds"] == 45


def test_a_loop_in_a_map_processor() -> None:
    loop = ContinueUntilDone(work(), max_iterations=3)
    each = Map("Each", processor=loop, items_path="$.jobs", max_items=10, max_concurrency=5)
    result = compiled(each)
    processor = result.definition["States"]["Each"]["ItemProcessor"]["States"]
    assert processor["WorkUntilDone"]["Branches"][0]["StartAt"] == "WorkStart"
    # 10 items, 5 at a time: 2 waves of 3 rounds.
    assert result.budget.seconds == 2 * 3 * ROUND


# --- the budget ------------------------------------------------------------------------------


def test_the_budget_counts_max_iterations_rounds_of_the_worker() -> None:
    for count in (1, 2, 7):
        result = compiled(ContinueUntilDone(work(), max_iterations=count))
        assert result.budget.bounded and result.budget.loops == ()
        assert result.budget.seconds == count * ROUND
        assert result.budget.loop_bounds == ("WorkDone?",)
        assert result.warnings == ()


def test_the_workers_own_retriers_count_in_every_round_and_the_loops_around_them() -> None:
    worker = work(retry_on_service_errors=False).add_retry(
        ["Busy"], interval_seconds=5, max_attempts=1
    )
    loop = ContinueUntilDone(worker, max_iterations=4).add_retry(
        ["States.ALL"], interval_seconds=10, max_attempts=1
    )
    # A round: 2 attempts of 60 s and 5 s between; the loop: 2 runs of 4 rounds, 10 s between.
    assert compiled(loop).budget.seconds == 2 * (4 * (2 * 60 + 5)) + 10


def test_a_loop_longer_than_the_workflows_timeout_fails_the_build() -> None:
    loop = ContinueUntilDone(work(), max_iterations=20)
    [problem] = problems_of(loop >> Pass("After"), timeout_seconds=3600)
    assert (problem.code, problem.pointer) == ("budget-exceeds-timeout", "/TimeoutSeconds")
    assert f"{20 * ROUND} s (WorkUntilDone -> After)" in problem.message
    assert "loop iterations" in problem.fix


def test_an_express_workflow_holds_the_loop_to_its_300_s() -> None:
    def loop(count: int) -> ContinueUntilDone:
        worker = work(timeout_seconds=20, retry_on_service_errors=False)
        return ContinueUntilDone(worker, max_iterations=count)

    assert compiled(loop(15), type="EXPRESS", timeout_seconds=300).budget.seconds == 300
    codes = {p.code for p in problems_of(loop(16), type="EXPRESS", timeout_seconds=300)}
    assert codes == {"budget-exceeds-timeout", "budget-exceeds-limit"}


# --- what the loop cannot keep ---------------------------------------------------------------


def test_a_catcher_on_the_worker_is_an_error_that_says_to_catch_on_the_loop() -> None:
    worker = work()
    loop = ContinueUntilDone(worker, max_iterations=2)
    worker.add_catch(Fail("Oops"))
    [problem] = problems_of(loop)
    assert (problem.code, problem.pointer) == ("continue-until-done", f"{BRANCH}/Work/Catch")
    assert "catchers could not leave the loop's branch" in problem.message
    assert "add_catch" in problem.fix


def test_a_worker_chained_after_it_was_wrapped_is_an_error_at_its_next() -> None:
    worker = work()
    loop = ContinueUntilDone(worker, max_iterations=2)
    worker >> Pass("Elsewhere")
    [problem] = problems_of(loop)
    assert (problem.code, problem.pointer) == ("continue-until-done", f"{BRANCH}/Work/Next")
    assert "chained to 'Elsewhere'" in problem.message and "loop >> next" in problem.fix


def test_keywords_that_shape_the_workers_payload_or_result_are_errors() -> None:
    worker = work(payload={"a": 1}, result_path="$.x", output_path="$.y")
    [problem] = problems_of(ContinueUntilDone(worker, max_iterations=2))
    assert (problem.code, problem.pointer) == ("continue-until-done", f"{BRANCH}/Work")
    assert "sets payload=, result_path=, output_path=" in problem.message
    assert "the worker's event is the loop's input" in problem.fix


def test_a_callback_worker_is_an_error() -> None:
    worker = work(wait_for_task_token=True, heartbeat_seconds=None)
    [problem] = problems_of(ContinueUntilDone(worker, max_iterations=2))
    assert problem.pointer == f"{BRANCH}/Work/Resource"
    assert "wait_for_task_token" in problem.fix


def test_result_path_in_jsonata_is_an_error_at_the_loop() -> None:
    loop = ContinueUntilDone(work(), max_iterations=2, result_path="$.x")
    [problem] = problems_of(loop, query_language="JSONata")
    assert (problem.code, problem.pointer) == ("continue-until-done", LOOP)
    assert "JSONata, which has no ResultPath" in problem.message


def test_declaration_mistakes_are_refused_at_once() -> None:
    with pytest.raises(DeclarationError, match="runs a LambdaInvoke"):
        ContinueUntilDone(Pass("P"), max_iterations=2)  # type: ignore[arg-type]
    with pytest.raises(DeclarationError, match="needs max_iterations=N"):
        ContinueUntilDone(work())
    chained = work()
    chained >> Pass("Next")
    with pytest.raises(DeclarationError, match="already goes on to 'Next'"):
        ContinueUntilDone(chained, max_iterations=2)
    with pytest.raises(DeclarationError, match="at most 70 characters"):
        ContinueUntilDone(LambdaInvoke("W" * 75, function=WORKER), max_iterations=2)
    with pytest.raises(DeclarationError, match="cannot take assign"):
        ContinueUntilDone(work(), max_iterations=2, assign={"x": 1})
    with pytest.raises(DeclarationError, match="did you mean 'max_iterations'"):
        ContinueUntilDone(work(), max_iteratons=2)
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        ContinueUntilDone(work(), max_iterations=0)
    with pytest.raises(ValidationError, match="not a path into the loop's input"):
        ContinueUntilDone(work(), max_iterations=2, result_path="out")


def test_a_worker_wrapped_twice_is_refused() -> None:
    worker = work()
    ContinueUntilDone(worker, max_iterations=2)
    with pytest.raises(DeclarationError, match="already goes on to 'WorkDone\\?'"):
        ContinueUntilDone(worker, max_iterations=3)
