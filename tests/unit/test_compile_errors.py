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
    ItemBatcher,
    ItemReader,
    LambdaFunction,
    LambdaInvoke,
    Map,
    Parallel,
    Pass,
    Retry,
    ServiceTask,
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


def test_callback_task_without_heartbeat_builds_with_a_warning() -> None:
    # A heartbeat is advice, not a requirement: the timeout alone bounds the Task.
    task = Task(
        "Wait4Token",
        resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        timeout_seconds=600,
    )
    compiled = compile_workflow(Workflow(name="w", start=task, timeout_seconds=3600))
    assert "HeartbeatSeconds" not in compiled.definition["States"]["Wait4Token"]
    [warning] = compiled.warnings
    assert (warning.pointer, warning.code, warning.severity) == (
        "/States/Wait4Token/HeartbeatSeconds",
        "missing-heartbeat",
        "warning",
    )
    assert "heartbeat_seconds=" in warning.fix
    assert "heartbeat_seconds=None" in warning.fix  # the way to say "it sends none"


def test_heartbeat_opt_out_silences_the_warning_and_the_workflow_default() -> None:
    approval = LambdaInvoke(
        "AwaitApproval",
        function=LambdaFunction("AskApprover", handler="approval.ask"),
        wait_for_task_token=True,
        timeout_seconds=86_400,
        heartbeat_seconds=None,  # a person answers once; nothing beats in between
    )
    child = ServiceTask(
        "RunChild",
        service="states",
        api="startExecution",
        pattern="sync:2",
        parameters={"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:c"},
        timeout_seconds=3600,
        heartbeat_seconds=None,
    )
    job = ServiceTask(
        "RunJob", service="batch", api="submitJob", pattern="sync", timeout_seconds=60
    )
    workflow = Workflow(
        name="w",
        start=approval >> child >> job,
        timeout_seconds=400_000,
        default_heartbeat_seconds=30,
    )
    compiled = compile_workflow(workflow)
    states = compiled.definition["States"]
    assert "HeartbeatSeconds" not in states["AwaitApproval"]
    assert "HeartbeatSeconds" not in states["RunChild"]
    assert states["RunJob"]["HeartbeatSeconds"] == 30  # no opt-out: the default applies
    assert compiled.warnings == ()


def test_heartbeat_not_smaller_than_timeout() -> None:
    task = Task(
        "Job",
        resource="arn:aws:states:::batch:submitJob.sync",
        timeout_seconds=60,
        heartbeat_seconds=60,
    )
    [(pointer, code, text)] = problems_of(task)
    assert (pointer, code) == ("/States/Job/HeartbeatSeconds", "heartbeat")
    assert "heartbeat_seconds=60 must be smaller than timeout_seconds=60" in text


def test_default_heartbeat_not_smaller_than_timeout() -> None:
    task = Task("Job", resource="arn:aws:states:::batch:submitJob.sync", timeout_seconds=30)
    [(pointer, code, _)] = problems_of(task, default_heartbeat_seconds=30)
    assert (pointer, code) == ("/States/Job/HeartbeatSeconds", "heartbeat")


def test_duplicate_state_names() -> None:
    # Only the duplicate, in both places: not the "no reachable state ends the execution"
    # that the one surviving state looping to itself would otherwise add.
    [(pointer, code, text)] = problems_of(Pass("Same") >> Pass("Same"))
    assert (pointer, code) == ("/States/Same", "duplicate-name")
    assert "two different states are named 'Same'" in text
    assert "Pass('Same') at /States/Same (the start)" in text
    assert "Pass('Same') at /States/Same (reached through /States/Same/Next)" in text


def test_duplicate_name_in_a_branch_reports_only_the_duplicate() -> None:
    start = Pass("X") >> Parallel("P", branches=[Wait("X", seconds=1)]) >> Succeed("Done")
    [(pointer, code, text)] = problems_of(start)
    assert (pointer, code) == ("/States/P/Branches/0/States/X", "duplicate-name")
    assert "Pass('X') at /States/X (the start)" in text
    assert "Wait('X') at /States/P/Branches/0/States/X (the start)" in text


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
    assert "result_path=" in text and "use output= (or assign=)" in text
    assert 'query_language="JSONPath"' in text
    assert "ResultPath" not in text and "QueryLanguage" not in text


# --- Problems about a Python workflow name the Python parameter, not the ASL field ---------


def test_parameters_in_a_jsonata_task_names_arguments() -> None:
    task = Task("T", resource=LAMBDA, timeout_seconds=5, parameters={"FunctionName": "f"})
    [(pointer, code, text)] = problems_of(task, query_language="JSONata")
    assert (pointer, code) == ("/States/T/Parameters", "query-language")
    assert text.startswith("parameters= is a JSONPath field")
    assert "use arguments=" in text
    assert "Parameters" not in text and "Arguments" not in text


def test_arguments_in_a_jsonpath_task_names_query_language() -> None:
    task = Task("T", resource=LAMBDA, timeout_seconds=5, arguments={"FunctionName": "f"})
    [(pointer, code, text)] = problems_of(task)
    assert (pointer, code) == ("/States/T/Arguments", "query-language")
    assert "arguments= is a JSONata field" in text and 'query_language="JSONata"' in text


def test_jsonpath_comparison_in_a_jsonata_choice_names_the_condition_function() -> None:
    route = (
        Choice("Route", query_language="JSONata")
        .when(c.string_equals("$.kind", "video"), Succeed("Video"))
        .otherwise(Succeed("Other"))
    )
    [(pointer, code, text)] = problems_of(route)
    assert (pointer, code) == ("/States/Route/Choices/0", "query-language")
    assert "c.string_equals('$.kind', 'video') is a JSONPath comparison" in text
    assert "Choice 'Route' uses JSONata" in text
    assert "c.jsonata(" in text
    assert "StringEquals" not in text and "Variable" not in text


def test_bad_comparison_value_names_the_condition_function() -> None:
    route = (
        Choice("Route")
        .when(c.numeric_equals("$.n", "ten"), Succeed("Ten"))  # type: ignore[arg-type]
        .otherwise(Succeed("Other"))
    )
    [(pointer, code, text)] = problems_of(route)
    assert (pointer, code) == ("/States/Route/Choices/0/NumericEquals", "choice")
    assert text.startswith("c.numeric_equals('$.n', 'ten') compares with a number")


def test_bad_path_in_a_nested_condition_names_its_function() -> None:
    test = c.is_present("$.a") & c.string_equals("$.b[", "x")
    route = Choice("Route").when(test, Succeed("Yes")).otherwise(Succeed("No"))
    [(pointer, code, text)] = problems_of(route)
    assert (pointer, code) == ("/States/Route/Choices/0/And/1/Variable", "path")
    assert "c.string_equals('$.b[', 'x')" in text


def test_catcher_result_path_in_jsonata_names_add_catch() -> None:
    task = Task("T", resource=LAMBDA, timeout_seconds=5).add_catch(Fail("F"), result_path="$.e")
    [(pointer, code, text)] = problems_of(task, query_language="JSONata")
    assert (pointer, code) == ("/States/T/Catch/0/ResultPath", "query-language")
    assert text.startswith("add_catch(result_path=...) is JSONPath")
    assert "output=" in text


def test_retrier_field_names_add_retry() -> None:
    task = Task("T", resource=LAMBDA, timeout_seconds=5).add_retry(interval_seconds=100_000_000)
    [(pointer, code, text)] = problems_of(task)
    assert (pointer, code) == ("/States/T/Retry/0/IntervalSeconds", "retry")
    assert text.startswith("add_retry(interval_seconds=...) must be an integer")


def test_item_reader_field_names_the_python_parameter() -> None:
    mapped = Map(
        "Files",
        processor=Pass("One"),
        mode="DISTRIBUTED",
        max_items=10,
        item_reader=ItemReader(resource="not an arn"),
    )
    problems = problems_of(mapped)
    [text] = [text for pointer, _, text in problems if pointer.endswith("/ItemReader/Resource")]
    assert "ItemReader(resource=...)" in text


@pytest.mark.parametrize(
    ("declare", "expected"),
    [
        (
            lambda: LambdaInvoke(
                "Call",
                function=LambdaFunction("Work", handler="work.handler"),
                timeout_secs=5,
            ),
            "LambdaInvoke('Call') got an unexpected keyword 'timeout_secs'; "
            "did you mean 'timeout_seconds'?",
        ),
        (
            lambda: Task("T", resource=LAMBDA, timeout_seconds=5, result_paht="$.x"),
            "Task('T') got an unexpected keyword 'result_paht'; did you mean 'result_path'?",
        ),
        (
            lambda: Retry(error_equals=["States.ALL"], max_attemps=2),
            "Retry got an unexpected keyword 'max_attemps'; did you mean 'max_attempts'?",
        ),
        (
            lambda: Workflow(name="w", start=Pass("P"), timeout=60),
            "Workflow got an unexpected keyword 'timeout'; did you mean 'timeout_seconds'?",
        ),
    ],
)
def test_misspelt_keyword_suggests_the_closest_field(declare: Any, expected: str) -> None:
    with pytest.raises(DeclarationError) as caught:
        declare()
    assert expected in str(caught.value)
    assert "Extra inputs are not permitted" not in str(caught.value)


def test_unknown_keyword_without_a_close_match_lists_the_keywords() -> None:
    with pytest.raises(DeclarationError) as caught:
        Wait("W", seconds=1, zzz=True)
    text = str(caught.value)
    assert "Wait('W') got an unexpected keyword 'zzz'" in text
    assert "seconds" in text and "timestamp_path" in text


def test_misspelt_keyword_in_a_workflow_module_is_one_line_in_the_cli(tmp_path: Any) -> None:
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "job.py").write_text(
        textwrap.dedent(
            """
            from sfn_flows import Pass, Workflow

            job = Workflow(name="job", start=Pass("P", result_paht="$.x"), timeout_seconds=60)
            """
        )
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "sfn_flows",
            "build",
            "--workflows",
            str(folder),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert "Traceback" not in output
    assert "job.py:4" in output
    assert (
        "Pass('P') got an unexpected keyword 'result_paht'; did you mean 'result_path'?" in output
    )


def _task() -> Task:
    return Task("Work", resource=LAMBDA, timeout_seconds=5)


@pytest.mark.parametrize(
    ("declare", "expected"),
    [
        (
            lambda: _task().add_retry(max_attempt=2),
            "Task('Work').add_retry() got an unexpected keyword 'max_attempt'; "
            "did you mean 'max_attempts'?",
        ),
        (
            lambda: _task().add_catch(Fail("Failed"), result_pth="$.e"),
            "Task('Work').add_catch() got an unexpected keyword 'result_pth'; "
            "did you mean 'result_path'?",
        ),
        (
            lambda: Choice("Route").when(c.is_present("$.x"), Succeed("Yes"), coment="x"),
            "Choice('Route').when() got an unexpected keyword 'coment'; did you mean 'comment'?",
        ),
        (
            lambda: Parallel("P", branches=[Pass("A")]).add_retry(zzz=1),
            "Parallel('P').add_retry() got an unexpected keyword 'zzz'; it takes: errors, "
            "interval_seconds, max_attempts, backoff_rate, max_delay_seconds, "
            "jitter_strategy, comment.",
        ),
    ],
)
def test_misspelt_builder_keyword_suggests_the_closest_one(declare: Any, expected: str) -> None:
    # Was Python's bare TypeError ("unexpected keyword argument"), with no suggestion.
    with pytest.raises(DeclarationError) as caught:
        declare()
    assert str(caught.value) == expected


def test_builder_keywords_still_work_by_name_and_by_position() -> None:
    task = _task().add_retry(["States.Timeout"], max_attempts=2, comment="again")
    task.add_catch(Fail("Failed"), errors=["States.ALL"], result_path=None)
    route = Choice("Route").when(c.is_present("$.x"), then=Succeed("Yes"), comment="has x")
    assert task.retry and task.retry[0].max_attempts == 2 and task.retry[0].comment == "again"
    assert task.catch and task.catch[0].result_path is None
    assert route.rules[0].comment == "has x"


def test_misspelt_builder_keyword_in_a_workflow_module_is_one_line_in_the_cli(
    tmp_path: Any,
) -> None:
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "job.py").write_text(
        textwrap.dedent(
            """
            from sfn_flows import Task, Workflow

            work = Task("Work", resource="arn:aws:states:::lambda:invoke", timeout_seconds=5)
            work.add_retry(max_attempt=2)
            job = Workflow(name="job", start=work, timeout_seconds=60)
            """
        )
    )
    run = subprocess.run(
        [sys.executable, "-m", "sfn_flows", "build", "--workflows", str(folder), "--out", "out"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stdout + run.stderr
    [line] = (run.stdout + run.stderr).strip().splitlines()
    assert "job.py:5: " in line
    assert (
        "Task('Work').add_retry() got an unexpected keyword 'max_attempt'; "
        "did you mean 'max_attempts'?" in line
    )


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


SYNC_JOB = {"service": "batch", "api": "submitJob", "pattern": "sync", "timeout_seconds": 60}


@pytest.mark.parametrize(
    ("state", "fragment"),
    [
        (lambda: ServiceTask("Run", **SYNC_JOB), ".sync"),
        (
            lambda: ServiceTask(
                "Run", service="states", api="startExecution", pattern="sync:2", timeout_seconds=60
            ),
            ".sync",
        ),
        (
            lambda: LambdaInvoke(
                "Run",
                function=LambdaFunction("Ask", handler="ask.handler"),
                wait_for_task_token=True,
                timeout_seconds=60,
            ),
            ".waitForTaskToken",
        ),
        (
            lambda: Task(
                "Run",
                resource="arn:aws:states:us-east-1:123456789012:activity:approve",
                timeout_seconds=60,
            ),
            "activity",
        ),
    ],
)
def test_express_workflow_refuses_jobs_callbacks_and_activities(state: Any, fragment: str) -> None:
    problems = problems_of(state(), type="EXPRESS", timeout_seconds=300)
    [(pointer, _, text)] = [p for p in problems if p[1] == "express-integration"]
    assert pointer == "/States/Run/Resource"
    assert "Task 'Run'" in text and fragment in text and "EXPRESS" in text
    assert "type='STANDARD'" in text


def test_express_map_children_refuse_jobs_and_callbacks() -> None:
    mapped = Map(
        "Each",
        processor=ServiceTask("RunJob", **SYNC_JOB),
        mode="DISTRIBUTED",
        execution_type="EXPRESS",
        max_items=10,
    )
    problems = problems_of(mapped)
    [(pointer, _, text)] = [p for p in problems if p[1] == "express-integration"]
    assert pointer == "/States/Each/ItemProcessor/States/RunJob/Resource"
    assert "Map 'Each'" in text and "execution_type='STANDARD'" in text
    # The same Map with STANDARD children builds.
    standard = Map(
        "Each",
        processor=ServiceTask("RunJob", **SYNC_JOB, heartbeat_seconds=None),
        mode="DISTRIBUTED",
        execution_type="STANDARD",
        max_items=10,
    )
    compile_workflow(Workflow(name="ok", start=standard, timeout_seconds=3600))


@pytest.mark.parametrize("execution_type", ["EXPRESS", "STANDARD"])
def test_execution_type_on_an_inline_map_is_refused(execution_type: str) -> None:
    # It was dropped from the ASL without a word, and the EXPRESS children's 300 s check with it.
    with pytest.raises(DeclarationError) as caught:
        Map("Each", processor=Pass("P"), execution_type=execution_type)
    text = str(caught.value)
    assert "Map('Each')" in text and f"execution_type={execution_type!r}" in text
    assert "mode='DISTRIBUTED'" in text


def test_express_map_children_inherit_from_an_express_workflow() -> None:
    inline = Map("Each", processor=ServiceTask("RunJob", **SYNC_JOB), max_items=2)
    problems = problems_of(inline, type="EXPRESS", timeout_seconds=300)
    assert ("/States/Each/ItemProcessor/States/RunJob/Resource", "express-integration") in [
        (p, code) for p, code, _ in problems
    ]


def test_express_map_children_are_held_to_300_seconds() -> None:
    # One child: 2 attempts of 200 s + 1 s delay = 401 s, over an Express execution's 300 s,
    # although the parent (STANDARD, 1 day) has room for all of them.
    child = Task("Slow", resource=LAMBDA, timeout_seconds=200).add_retry(max_attempts=1)
    mapped = Map(
        "Each", processor=child, mode="DISTRIBUTED", execution_type="EXPRESS", max_items=10
    )
    [(pointer, code, text)] = problems_of(mapped, timeout_seconds=86_400)
    assert (pointer, code) == ("/States/Each", "budget-exceeds-limit")
    assert "401 s" in text and "300 s" in text and "Slow" in text
    assert "execution_type='STANDARD'" in text


def test_unbounded_express_map_children_are_refused() -> None:
    child = Wait("Pause", seconds_path="$.delay")
    mapped = Map(
        "Each", processor=child, mode="DISTRIBUTED", execution_type="EXPRESS", max_items=10
    )
    [(pointer, code, text)] = problems_of(mapped, timeout_seconds=86_400)
    assert (pointer, code) == ("/States/Each", "budget-unbounded")
    assert "Pause: Wait uses seconds_path=" in text and "300 s" in text
    assert "SecondsPath" not in text


@pytest.mark.parametrize(
    ("state", "expected", "asl"),
    [
        (Wait("Pause", seconds_path="$.delay"), "Pause: Wait uses seconds_path=", "SecondsPath"),
        (Wait("Until", timestamp_path="$.at"), "Until: Wait uses timestamp_path=", "TimestampPath"),
        (
            Task("Call", resource=LAMBDA, timeout_seconds_path="$.t"),
            "Call: Task uses timeout_seconds_path=",
            "TimeoutSecondsPath",
        ),
    ],
)
def test_unbounded_express_workflow_names_the_python_parameter(
    state: Any, expected: str, asl: str
) -> None:
    [(pointer, code, text)] = problems_of(state, type="EXPRESS", timeout_seconds=300)
    assert (pointer, code) == ("", "budget-unbounded")
    assert expected in text and asl not in text
    # The same words in the warning of a STANDARD workflow.
    compiled = compile_workflow(Workflow(name="ok", start=state, timeout_seconds=300))
    [warning] = [p for p in compiled.warnings if p.code == "budget-unbounded"]
    assert expected in warning.message and asl not in warning.message


@pytest.mark.parametrize(
    ("options", "pointer"),
    [
        ({"item_batcher": ItemBatcher(max_items_per_batch=2)}, "/States/Each/ItemBatcher"),
        ({"label": "each"}, "/States/Each/Label"),
    ],
)
def test_inline_map_needing_distributed_mode_names_the_mode_parameter(
    options: dict[str, Any], pointer: str
) -> None:
    mapped = Map("Each", processor=Pass("P"), max_items=3, **options)
    [text] = [text for at, _, text in problems_of(mapped) if at == pointer]
    assert 'mode="DISTRIBUTED"' in text
    assert "ProcessorConfig" not in text and "{" not in text


def test_express_map_children_within_300_seconds_build() -> None:
    child = Task("Quick", resource=LAMBDA, timeout_seconds=100).add_retry(max_attempts=1)
    mapped = Map(
        "Each", processor=child, mode="DISTRIBUTED", execution_type="EXPRESS", max_items=10
    )
    compiled = compile_workflow(Workflow(name="ok", start=mapped, timeout_seconds=3600))
    assert compiled.budget.seconds == pytest.approx(201)


def test_express_machine_timeout_over_300_is_rejected_at_declaration() -> None:
    with pytest.raises(ValidationError, match="an EXPRESS workflow runs at most 300 s"):
        Workflow(name="x", start=Pass("P"), type="EXPRESS", timeout_seconds=301)


def test_sync_budget_exceeded_and_unbounded() -> None:
    slow = Task("Slow", resource=LAMBDA, timeout_seconds=30)
    [(_, code, text)] = problems_of(slow, sync_budget=29)
    assert code == "budget-exceeds-limit" and "sync_budget of 29 s" in text

    dynamic = Wait("Dyn", seconds_path="$.delay")
    [(_, code, text)] = problems_of(dynamic, sync_budget=29)
    assert code == "budget-unbounded" and "Dyn: Wait uses seconds_path=" in text


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
