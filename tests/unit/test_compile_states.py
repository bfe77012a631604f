"""Every state type compiles to the ASL AWS expects, in both query languages."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sfn_flows import (
    AwsSdkCall,
    Choice,
    Fail,
    ItemBatcher,
    ItemReader,
    LambdaFunction,
    LambdaInvoke,
    Map,
    Parallel,
    Pass,
    ResultWriter,
    ServiceTask,
    Succeed,
    Task,
    Wait,
    Workflow,
    WorkflowError,
    compile_workflow,
    validate_definition,
)
from sfn_flows import (
    conditions as c,
)
from sfn_flows.model import OMIT, State


def compile_states(start: State | Any, **options: Any) -> dict[str, Any]:
    options.setdefault("timeout_seconds", 100_000)
    options.setdefault("default_task_timeout", 10)
    workflow = Workflow(name="w", start=start, **options)
    definition = compile_workflow(workflow).definition
    assert [p for p in validate_definition(definition, strict=True) if p.severity == "error"] == []
    return definition


def test_task_with_every_jsonpath_field() -> None:
    task = Task(
        "Work",
        resource="arn:aws:states:::dynamodb:getItem",
        comment="read the item",
        input_path="$.request",
        parameters={"TableName": "t", "Key": {"id": {"S.$": "$.id"}}},
        result_selector={"item.$": "$.Item"},
        result_path="$.result",
        output_path="$.result",
        timeout_seconds=5,
        assign={"seen.$": "$.id"},
        credentials={"RoleArn": "arn:aws:iam::123456789012:role/reader"},
    )
    body = compile_states(task)["States"]["Work"]
    assert body == {
        "Type": "Task",
        "Comment": "read the item",
        "Resource": "arn:aws:states:::dynamodb:getItem",
        "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/reader"},
        "InputPath": "$.request",
        "Parameters": {"TableName": "t", "Key": {"id": {"S.$": "$.id"}}},
        "ResultSelector": {"item.$": "$.Item"},
        "ResultPath": "$.result",
        "OutputPath": "$.result",
        "Assign": {"seen.$": "$.id"},
        "TimeoutSeconds": 5,
        "End": True,
    }


def test_explicit_none_emits_json_null_to_discard() -> None:
    body = compile_states(Pass("P", result_path=None, output_path=None))["States"]["P"]
    assert body == {"Type": "Pass", "ResultPath": None, "OutputPath": None, "End": True}


def test_task_in_jsonata() -> None:
    task = Task(
        "Work",
        resource="arn:aws:states:::aws-sdk:s3:getObject",
        arguments={"Bucket": "b", "Key": "{% $states.input.key %}"},
        output="{% $states.result.Body %}",
        assign={"size": "{% $states.result.ContentLength %}"},
        timeout_seconds=7,
    )
    definition = compile_states(task, query_language="JSONata")
    assert definition["QueryLanguage"] == "JSONata"
    assert definition["States"]["Work"]["Arguments"]["Key"] == "{% $states.input.key %}"
    assert definition["States"]["Work"]["Output"] == "{% $states.result.Body %}"


def test_pass_wait_succeed_fail() -> None:
    fail = Fail("Boom", error="Bad", cause="it broke")
    chain = (
        Pass("Seed", result={"n": 1}, result_path="$.seed")
        >> Wait("Pause", seconds=5)
        >> Wait("Until", timestamp="2030-01-01T00:00:00Z")
        >> Wait("Dynamic", seconds_path="$.delay")
        >> Choice("Ok?").when(c.boolean_equals("$.ok", True), Succeed("Done")).otherwise(fail)
    )
    states = compile_states(chain)["States"]
    # StartAt first, then declaration order (Boom was declared before the chain).
    assert list(states) == ["Seed", "Boom", "Pause", "Until", "Dynamic", "Ok?", "Done"]
    assert states["Pause"] == {"Type": "Wait", "Seconds": 5, "Next": "Until"}
    assert states["Until"]["Timestamp"] == "2030-01-01T00:00:00Z"
    assert states["Dynamic"]["SecondsPath"] == "$.delay"
    assert states["Done"] == {"Type": "Succeed"}
    assert states["Boom"] == {"Type": "Fail", "Error": "Bad", "Cause": "it broke"}


def test_fail_with_paths() -> None:
    body = compile_states(Fail("F", error_path="$.error", cause_path="States.Format('x {}', $.c)"))
    assert body["States"]["F"] == {
        "Type": "Fail",
        "ErrorPath": "$.error",
        "CausePath": "States.Format('x {}', $.c)",
    }


OPERATOR_CASES = [
    (c.string_equals("$.s", "a"), "StringEquals", "a"),
    (c.string_less_than("$.s", "a"), "StringLessThan", "a"),
    (c.string_greater_than("$.s", "a"), "StringGreaterThan", "a"),
    (c.string_less_than_equals("$.s", "a"), "StringLessThanEquals", "a"),
    (c.string_greater_than_equals("$.s", "a"), "StringGreaterThanEquals", "a"),
    (c.string_matches("$.s", "log-*.txt"), "StringMatches", "log-*.txt"),
    (c.numeric_equals("$.n", 1), "NumericEquals", 1),
    (c.numeric_less_than("$.n", 1.5), "NumericLessThan", 1.5),
    (c.numeric_greater_than("$.n", 1), "NumericGreaterThan", 1),
    (c.numeric_less_than_equals("$.n", 1), "NumericLessThanEquals", 1),
    (c.numeric_greater_than_equals("$.n", 1), "NumericGreaterThanEquals", 1),
    (c.boolean_equals("$.b", False), "BooleanEquals", False),
    (c.timestamp_equals("$.t", "2026-01-01T00:00:00Z"), "TimestampEquals", "2026-01-01T00:00:00Z"),
    (
        c.timestamp_less_than("$.t", "2026-01-01T00:00:00Z"),
        "TimestampLessThan",
        "2026-01-01T00:00:00Z",
    ),
    (
        c.timestamp_greater_than("$.t", "2026-01-01T00:00:00Z"),
        "TimestampGreaterThan",
        "2026-01-01T00:00:00Z",
    ),
    (
        c.timestamp_less_than_equals("$.t", "2026-01-01T00:00:00Z"),
        "TimestampLessThanEquals",
        "2026-01-01T00:00:00Z",
    ),
    (
        c.timestamp_greater_than_equals("$.t", "2026-01-01T00:00:00Z"),
        "TimestampGreaterThanEquals",
        "2026-01-01T00:00:00Z",
    ),
    (c.string_equals_path("$.s", "$.o"), "StringEqualsPath", "$.o"),
    (c.string_less_than_path("$.s", "$.o"), "StringLessThanPath", "$.o"),
    (c.string_greater_than_path("$.s", "$.o"), "StringGreaterThanPath", "$.o"),
    (c.string_less_than_equals_path("$.s", "$.o"), "StringLessThanEqualsPath", "$.o"),
    (c.string_greater_than_equals_path("$.s", "$.o"), "StringGreaterThanEqualsPath", "$.o"),
    (c.numeric_equals_path("$.n", "$.o"), "NumericEqualsPath", "$.o"),
    (c.numeric_less_than_path("$.n", "$.o"), "NumericLessThanPath", "$.o"),
    (c.numeric_greater_than_path("$.n", "$.o"), "NumericGreaterThanPath", "$.o"),
    (c.numeric_less_than_equals_path("$.n", "$.o"), "NumericLessThanEqualsPath", "$.o"),
    (c.numeric_greater_than_equals_path("$.n", "$.o"), "NumericGreaterThanEqualsPath", "$.o"),
    (c.boolean_equals_path("$.b", "$.o"), "BooleanEqualsPath", "$.o"),
    (c.timestamp_equals_path("$.t", "$.o"), "TimestampEqualsPath", "$.o"),
    (c.timestamp_less_than_path("$.t", "$.o"), "TimestampLessThanPath", "$.o"),
    (c.timestamp_greater_than_path("$.t", "$.o"), "TimestampGreaterThanPath", "$.o"),
    (c.timestamp_less_than_equals_path("$.t", "$.o"), "TimestampLessThanEqualsPath", "$.o"),
    (c.timestamp_greater_than_equals_path("$.t", "$.o"), "TimestampGreaterThanEqualsPath", "$.o"),
    (c.is_null("$.x"), "IsNull", True),
    (c.is_present("$.x", False), "IsPresent", False),
    (c.is_numeric("$.x"), "IsNumeric", True),
    (c.is_string("$.x"), "IsString", True),
    (c.is_boolean("$.x"), "IsBoolean", True),
    (c.is_timestamp("$.x"), "IsTimestamp", True),
]


@pytest.mark.parametrize(
    ("condition", "operator", "value"), OPERATOR_CASES, ids=[o for _, o, _ in OPERATOR_CASES]
)
def test_every_comparison_operator(condition: c.Condition, operator: str, value: Any) -> None:
    choice = Choice("Route").when(condition, Succeed("Yes")).otherwise(Fail("No"))
    rule = compile_states(choice)["States"]["Route"]["Choices"][0]
    assert rule == {"Variable": condition.to_asl()["Variable"], operator: value, "Next": "Yes"}


def test_combinators_flatten_and_nest() -> None:
    a, b, d = c.is_present("$.a"), c.is_present("$.b"), c.is_present("$.d")
    test = (a & b & d) | ~c.is_null("$.e")
    choice = Choice("Route").when(test, Succeed("Yes")).otherwise(Fail("No"))
    rule = compile_states(choice)["States"]["Route"]["Choices"][0]
    assert rule == {
        "Or": [
            {"And": [a.to_asl(), b.to_asl(), d.to_asl()]},
            {"Not": {"Variable": "$.e", "IsNull": True}},
        ],
        "Next": "Yes",
    }
    assert c.all_of(a, b).to_asl() == {"And": [a.to_asl(), b.to_asl()]}
    assert c.any_of(a, b).to_asl() == {"Or": [a.to_asl(), b.to_asl()]}
    assert c.not_(a).to_asl() == {"Not": a.to_asl()}


def test_jsonata_choice_with_assign_and_output() -> None:
    choice = (
        Choice("Route", query_language="JSONata")
        .when(
            "$states.input.size > 10", Succeed("Big"), assign={"kind": "big"}, output={"big": True}
        )
        .otherwise(Succeed("Small"))
    )
    rule = compile_states(choice)["States"]["Route"]["Choices"][0]
    assert rule == {
        "Condition": "{% $states.input.size > 10 %}",
        "Assign": {"kind": "big"},
        "Output": {"big": True},
        "Next": "Big",
    }


def test_parallel_with_retry_catch_and_branch_scopes() -> None:
    fallback = Pass("Fallback")
    parallel = (
        Parallel(
            "Both",
            branches=[Pass("Left"), Pass("Right1") >> Pass("Right2")],
            result_path="$.both",
        )
        .add_retry(["States.BranchFailed"], max_attempts=1)
        .add_catch(fallback)
    )
    states = compile_states(parallel)["States"]
    body = states["Both"]
    assert [b["StartAt"] for b in body["Branches"]] == ["Left", "Right1"]
    assert body["Branches"][1]["States"]["Right1"]["Next"] == "Right2"
    assert body["Retry"] == [{"ErrorEquals": ["States.BranchFailed"], "MaxAttempts": 1}]
    assert body["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Fallback"}
    ]
    assert "TimeoutSeconds" not in body  # AWS rejects timeouts on Parallel


def test_inline_map() -> None:
    worker = Task(
        "Item",
        resource="arn:aws:states:::lambda:invoke",
        parameters={"FunctionName": "f", "Payload.$": "$"},
    )
    mapped = Map(
        "Each",
        processor=worker,
        items_path="$.items",
        item_selector={"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
        max_concurrency=5,
        max_items=50,
        result_path="$.results",
    )
    body = compile_states(mapped)["States"]["Each"]
    assert body["ItemProcessor"]["ProcessorConfig"] == {"Mode": "INLINE"}
    assert body["ItemProcessor"]["States"]["Item"]["TimeoutSeconds"] == 10  # the default reached it
    assert body["MaxConcurrency"] == 5
    assert "TimeoutSeconds" not in body
    assert "MaxItems" not in body and "max_items" not in str(body)  # a budget hint, not ASL


def test_distributed_map() -> None:
    mapped = Map(
        "Files",
        processor=Pass("One"),
        mode="DISTRIBUTED",
        execution_type="EXPRESS",
        item_reader=ItemReader(
            resource="arn:aws:states:::s3:listObjectsV2",
            parameters={"Bucket": "b"},
            reader_config={"MaxItems": 1000},
        ),
        item_batcher=ItemBatcher(max_items_per_batch=10),
        result_writer=ResultWriter(
            resource="arn:aws:states:::s3:putObject", parameters={"Bucket": "out"}
        ),
        tolerated_failure_percentage=5,
        tolerated_failure_count=10,
        label="files",
        max_concurrency=100,
    )
    body = compile_states(mapped)["States"]["Files"]
    assert body["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "EXPRESS",
    }
    assert body["ItemReader"] == {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "ReaderConfig": {"MaxItems": 1000},
        "Parameters": {"Bucket": "b"},
    }
    assert body["ItemBatcher"] == {"MaxItemsPerBatch": 10}
    assert body["ResultWriter"]["Resource"] == "arn:aws:states:::s3:putObject"
    assert body["ToleratedFailurePercentage"] == 5 and body["Label"] == "files"


def test_lambda_invoke_jsonpath_and_jsonata() -> None:
    fn = LambdaFunction("Work", handler="work.handler")
    states = compile_states(LambdaInvoke("Call", function=fn, timeout_seconds=20))["States"]
    body = states["Call"]
    assert body["Resource"] == "arn:aws:states:::lambda:invoke"
    assert body["Parameters"] == {"FunctionName": "${WorkFunctionArn}", "Payload.$": "$"}
    assert body["OutputPath"] == "$.Payload"
    assert body["Retry"][0]["ErrorEquals"][0] == "Lambda.ServiceException"

    jsonata = compile_states(
        LambdaInvoke("Call", function=fn, timeout_seconds=20), query_language="JSONata"
    )["States"]["Call"]
    assert jsonata["Arguments"] == {
        "FunctionName": "${WorkFunctionArn}",
        "Payload": "{% $states.input %}",
    }
    assert jsonata["Output"] == "{% $states.result.Payload %}"


def test_lambda_invoke_keeps_input_when_result_path_given() -> None:
    body = compile_states(
        LambdaInvoke(
            "Call", function="arn:aws:lambda:us-east-1:123456789012:function:f", result_path="$.out"
        )
    )["States"]["Call"]
    assert "OutputPath" not in body and body["ResultPath"] == "$.out"
    assert body["Parameters"]["FunctionName"] == "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_callback_tasks_get_heartbeats() -> None:
    fn = LambdaFunction("Approve", handler="approve.handler")
    token = LambdaInvoke(
        "AskApproval",
        function=fn,
        wait_for_task_token=True,
        timeout_seconds=3600,
        heartbeat_seconds=600,
    )
    job = ServiceTask(
        "RunJob", service="batch", api="submitJob", pattern="sync", parameters={"JobName": "j"}
    )
    sdk = AwsSdkCall("List", service="s3", action="listBuckets", parameters={})
    definition = compile_states(token >> job >> sdk, default_heartbeat_seconds=5)
    states = definition["States"]
    assert states["AskApproval"]["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert states["AskApproval"]["Parameters"]["Payload"] == {
        "input.$": "$",
        "taskToken.$": "$$.Task.Token",
    }
    assert states["AskApproval"]["HeartbeatSeconds"] == 600
    assert states["RunJob"]["Resource"] == "arn:aws:states:::batch:submitJob.sync"
    assert states["RunJob"]["HeartbeatSeconds"] == 5  # the workflow default
    assert states["List"]["Resource"] == "arn:aws:states:::aws-sdk:s3:listBuckets"
    assert "HeartbeatSeconds" not in states["List"]


def test_every_task_gets_a_timeout_including_nested() -> None:
    inner = Task("Inner", resource="arn:aws:states:::sqs:sendMessage", parameters={"QueueUrl": "q"})
    outer = Task(
        "Outer",
        resource="arn:aws:states:::sns:publish",
        parameters={"TopicArn": "t"},
        timeout_seconds=3,
    )
    flow = (
        outer
        >> Parallel("P", branches=[inner])
        >> Map(
            "M", processor=Task("InMap", resource="arn:aws:states:::sqs:sendMessage"), max_items=3
        )
    )
    definition = compile_states(flow, default_task_timeout=9)
    states = definition["States"]
    assert states["Outer"]["TimeoutSeconds"] == 3
    assert states["P"]["Branches"][0]["States"]["Inner"]["TimeoutSeconds"] == 9
    assert states["M"]["ItemProcessor"]["States"]["InMap"]["TimeoutSeconds"] == 9
    assert definition["TimeoutSeconds"] == 100_000


def test_loop_by_name_and_state_order_as_declared() -> None:
    wait = Wait("Wait", seconds=10)
    check = Task(
        "Check", resource="arn:aws:states:::lambda:invoke", parameters={"FunctionName": "f"}
    )
    done = Succeed("Done")
    route = Choice("Done?").when(c.boolean_equals("$.done", True), done).otherwise("Wait")
    compiled = compile_workflow(
        Workflow(
            name="poll", start=wait >> check >> route, timeout_seconds=600, default_task_timeout=5
        )
    )
    assert list(compiled.definition["States"]) == ["Wait", "Check", "Done", "Done?"]
    assert compiled.definition["States"]["Done?"]["Default"] == "Wait"
    assert compiled.budget.loops  # the loop is reported...
    [warning] = [p for p in compiled.warnings if p.code == "budget-unbounded"]
    assert warning.severity == "warning"
    assert "loop Wait -> Check -> Done?" in warning.message
    # ...with a fix that applies to loops: the parameter that bounds them
    assert "max_iterations=" in warning.fix and "Done?" in warning.fix


_LIMITS: dict[str, Any] = {"timeout_seconds": 600, "default_task_timeout": 5}


def poll(**choice_options: Any) -> Workflow:
    wait = Wait("Wait", seconds=10)
    check = Task(
        "Check", resource="arn:aws:states:::lambda:invoke", parameters={"FunctionName": "f"}
    )
    route = (
        Choice("Done?", **choice_options)
        .when(c.boolean_equals("$.done", True), Succeed("Done"))
        .otherwise("Wait")
    )
    return Workflow(
        name="poll", start=wait >> check >> route, timeout_seconds=600, default_task_timeout=5
    )


def test_declared_loop_iterations_bound_the_budget() -> None:
    compiled = compile_workflow(poll(max_iterations=20))
    assert compiled.budget.bounded and compiled.budget.loops == ()
    assert compiled.budget.seconds == 20 * (10 + 5)
    assert not [p for p in compiled.warnings if p.code == "budget-unbounded"]
    # A budget annotation, not ASL
    assert "max_iterations" not in str(compiled.definition)
    assert compiled.definition == compile_workflow(poll()).definition


def test_declared_loop_over_the_timeout_fails_the_build() -> None:
    # 60 iterations * 15 s = 900 s > 600 s
    with pytest.raises(WorkflowError) as caught:
        compile_workflow(poll(max_iterations=60))
    [problem] = caught.value.problems
    assert problem.code == "budget-exceeds-timeout" and "900 s" in problem.message


def test_undeclared_loop_fails_an_express_workflow_with_a_loop_fix() -> None:
    workflow = poll().model_copy(update={"type": "EXPRESS", "timeout_seconds": 300})
    with pytest.raises(WorkflowError) as caught:
        compile_workflow(workflow)
    [problem] = [p for p in caught.value.problems if p.code == "budget-unbounded"]
    assert "max_iterations=" in problem.fix
    express = poll(max_iterations=10).model_copy(update={"type": "EXPRESS", "timeout_seconds": 300})
    assert compile_workflow(express).budget.seconds == 150


def test_max_iterations_on_a_state_in_no_loop_is_a_warning() -> None:
    # It bounded nothing and was silently ignored; the loop it was meant for still warned.
    workflow = poll(max_iterations=20)
    setup = Pass("Setup", max_iterations=3)
    setup >> workflow.start_state
    compiled = compile_workflow(Workflow(name="poll", start=setup, **_LIMITS))
    [warning] = [p for p in compiled.warnings if p.code == "max-iterations-outside-loop"]
    assert warning.severity == "warning" and warning.pointer == "/States/Setup"
    assert "Pass('Setup') declares max_iterations=3 but is in no loop" in warning.message
    assert "remove it" in warning.fix and "goes back to" in warning.fix
    # The bound on the loop's own Choice raises nothing.
    assert not [p for p in compile_workflow(poll(max_iterations=20)).warnings]


def test_max_iterations_must_be_positive() -> None:
    with pytest.raises(ValidationError) as caught:
        Wait("W", seconds=1, max_iterations=0)
    [error] = caught.value.errors()
    assert error["loc"] == ("max_iterations",) and error["type"] == "greater_than_equal"


def test_jsonata_conditions_combine_into_one_expression() -> None:
    test = c.jsonata("$states.input.a = 1") & ~c.jsonata("{% $states.input.b %}")
    choice = Choice("Route").when(test | c.jsonata("$x"), Succeed("Yes")).otherwise(Fail("No"))
    rule = compile_states(choice, query_language="JSONata")["States"]["Route"]["Choices"][0]
    assert rule == {
        "Condition": "{% (($states.input.a = 1) and ($not($states.input.b))) or ($x) %}",
        "Next": "Yes",
    }


def test_comments_on_choice_rules_retriers_and_catchers() -> None:
    task = (
        Task("T", resource="arn:aws:states:::sns:publish", parameters={"TopicArn": "t"})
        .add_retry(["States.Timeout"], max_attempts=1, comment="the topic is slow at times")
        .add_catch(Fail("F"), comment="give up and say why")
    )
    route = (
        Choice("Route")
        .when(c.is_present("$.x"), task, comment="only with an x")
        .otherwise(Succeed("S"))
    )
    states = compile_states(route)["States"]
    assert states["Route"]["Choices"][0]["Comment"] == "only with an x"
    assert states["T"]["Retry"][0]["Comment"] == "the topic is slow at times"
    assert states["T"]["Catch"][0]["Comment"] == "give up and say why"
    jsonata = (
        Choice("Route", query_language="JSONata")
        .when("$states.input.x", Succeed("Yes"), comment="truthy x")
        .otherwise(Succeed("No"))
    )
    rule = compile_states(jsonata)["States"]["Route"]["Choices"][0]
    assert rule == {"Condition": "{% $states.input.x %}", "Comment": "truthy x", "Next": "Yes"}


def test_catch_result_path_default_null_or_left_out() -> None:
    def catcher(**options: Any) -> dict[str, Any]:
        task = Task("T", resource="arn:aws:states:::sns:publish", parameters={"TopicArn": "t"})
        task.add_catch(Fail("F"), **options)
        catch: dict[str, Any] = compile_states(task)["States"]["T"]["Catch"][0]
        return catch

    assert catcher() == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "F"}
    # None: JSON null, AWS drops the error and passes the state's input on
    assert catcher(result_path=None) == {
        "ErrorEquals": ["States.ALL"],
        "ResultPath": None,
        "Next": "F",
    }
    # OMIT: no ResultPath at all, AWS's default "$": the error output replaces the input
    assert catcher(result_path=OMIT) == {"ErrorEquals": ["States.ALL"], "Next": "F"}
