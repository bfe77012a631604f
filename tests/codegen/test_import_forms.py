"""What `sfn-flows import` writes for each form a definition may take, and that the module
builds it again: the Lambda integrations, the other Tasks, Map and Parallel, Choice
conditions, catchers, the timeouts it adds, and the fields it keeps in raw_fields."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.codegen import FunctionSpec, Imported, import_definition
from sfn_flows.model.order import ordered
from sfn_flows.model.retry import Retry
from sfn_flows.validate import validate_definition
from sfn_flows.validate.values import UnquotedPlaceholder
from tests.codegen.building import build_modules, written

STANDARD_RETRY = Retry.lambda_service_errors().to_asl()
FN = "${WorkFunctionArn}"


def machine(*states: tuple[str, dict[str, Any]], **top: Any) -> dict[str, Any]:
    """A definition of `states` run in order (each one's Next is the next one), its keys in
    the order the build writes them, so that only what the import changes differs."""
    named = dict(states)
    names = list(named)
    for name, following in zip(names, [*names[1:], None], strict=True):
        state = named[name]
        if state["Type"] not in ("Choice", "Succeed", "Fail") and not {"Next", "End"} & set(state):
            state.update({"Next": following} if following else {"End": True})
        named[name] = ordered(state)
    definition = {k: top[k] for k in ("Comment", "QueryLanguage") if k in top}
    definition["StartAt"] = names[0]
    if "TimeoutSeconds" in top:
        definition["TimeoutSeconds"] = top["TimeoutSeconds"]
    definition["States"] = named
    return definition


def oneline(text: str) -> str:
    """The module's code on one line, without the breaks and trailing commas of its layout."""
    flat = re.sub(r"\s+", " ", text)
    return re.sub(r",? ([\])}])", r"\1", re.sub(r"([\[({]) ", r"\1", flat))


def imported(definition: dict[str, Any], tmp_path: Path, **options: Any) -> Imported:
    """Import, build the module with the build's own discovery, and check it built exactly
    what the import reported."""
    errors = [p for p in validate_definition(definition) if p.severity == "error"]
    assert errors == []
    result = import_definition(
        definition, source_name="flow.asl.json", workflow_name="flow", **options
    )
    built = build_modules(tmp_path / "workflows", {"flow": result.text})
    assert built["flow"][0] == written(result.built)
    return result


def only_timeouts(result: Imported) -> None:
    assert result.outcome() in ("exact", "timeouts"), [d.describe() for d in result.differences]


def task(**fields: Any) -> dict[str, Any]:
    return {"Type": "Task", **fields, "TimeoutSeconds": 30}


# ---- Lambda ------------------------------------------------------------------------------------
def test_the_optimized_lambda_integration_with_its_defaults_is_a_bare_lambda_invoke(
    tmp_path: Path,
) -> None:
    state = task(
        Resource="arn:aws:states:::lambda:invoke",
        Parameters={"FunctionName": FN, "Payload.$": "$"},
        OutputPath="$.Payload",
        Retry=[STANDARD_RETRY, {"ErrorEquals": ["Busy"], "IntervalSeconds": 5}],
    )
    result = imported(machine(("Work", state), TimeoutSeconds=3600), tmp_path)
    assert 'work = LambdaInvoke("Work", function=work_fn, timeout_seconds=30)' in result.text
    assert 'work.add_retry(["Busy"], interval_seconds=5)' in result.text
    assert result.outcome() == "exact"
    assert result.raw == ()


@pytest.mark.parametrize(
    ("fields", "written_as"),
    [
        (
            {"Parameters": {"FunctionName": FN, "Payload": {"id.$": "$.id"}}},
            'payload={"id.$": "$.id"}',
        ),
        (
            {"Parameters": {"FunctionName": FN, "Payload.$": "$", "Qualifier": "live"}},
            'parameters={"FunctionName": FN, "Payload.$": "$", "Qualifier": "live"}',
        ),
        (
            {"Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:w"}},
            'function="arn:aws:lambda:us-east-1:123456789012:function:w"',
        ),
        ({"Parameters": {"FunctionName": FN, "Payload.$": "$"}}, "payload_response_only=False"),
        (
            {"Parameters": {"FunctionName": FN, "Payload.$": "$"}, "ResultPath": "$.work"},
            'result_path="$.work"',
        ),
    ],
)
def test_lambda_invoke_keeps_the_parts_that_are_not_its_defaults(
    tmp_path: Path, fields: dict[str, Any], written_as: str
) -> None:
    state = task(Resource="arn:aws:states:::lambda:invoke", Retry=[STANDARD_RETRY], **fields)
    result = imported(machine(("Work", state), TimeoutSeconds=3600), tmp_path)
    assert "LambdaInvoke(" in result.text
    assert written_as.replace("FN", '"${WorkFunctionArn}"') in oneline(result.text)
    assert result.outcome() == "exact"


def test_a_callback_and_a_jsonata_invoke(tmp_path: Path) -> None:
    callback = task(
        Resource="arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters={
            "FunctionName": FN,
            "Payload": {"input.$": "$", "taskToken.$": "$$.Task.Token"},
        },
        HeartbeatSeconds=10,
        Retry=[STANDARD_RETRY],
    )
    jsonata = task(
        Resource="arn:aws:states:::lambda:invoke",
        QueryLanguage="JSONata",
        Arguments={"FunctionName": FN, "Payload": "{% $states.input %}"},
        Output="{% $states.result.Payload %}",
        Retry=[STANDARD_RETRY],
    )
    result = imported(machine(("Ask", callback), ("Then", jsonata), TimeoutSeconds=3600), tmp_path)
    text = oneline(result.text)
    assert (
        'LambdaInvoke("Ask", function=work_fn, wait_for_task_token=True, timeout_seconds=30, '
        "heartbeat_seconds=10)" in text
    )
    assert (
        'LambdaInvoke("Then", function=work_fn, query_language="JSONata", timeout_seconds=30)'
        in text
    )
    assert result.outcome() == "exact"


def test_an_integer_backoff_rate_is_kept_raw_with_the_reason(tmp_path: Path) -> None:
    # What the console writes: BackoffRate 2, which add_retry(backoff_rate=2) writes as 2.0.
    console_retry = {**STANDARD_RETRY, "BackoffRate": 2}
    del console_retry["JitterStrategy"]
    state = task(
        Resource="arn:aws:states:::lambda:invoke",
        Parameters={"FunctionName": FN, "Payload.$": "$"},
        OutputPath="$.Payload",
        Retry=[console_retry],
    )
    result = imported(machine(("Work", state), TimeoutSeconds=3600), tmp_path)
    assert "# raw_fields: Retry: BackoffRate 2: backoff_rate= writes it as 2.0" in result.text
    assert "retry_on_service_errors=False" in result.text
    assert '"BackoffRate": 2}' in oneline(result.text)
    assert result.outcome() == "exact"
    assert [(r.state, r.key) for r in result.raw] == [("Work", "Retry")]


def test_a_dynamic_function_name_is_the_lambda_service_task(tmp_path: Path) -> None:
    state = task(
        Resource="arn:aws:states:::lambda:invoke",
        Parameters={"FunctionName.$": "$.fn", "Payload.$": "$"},
    )
    result = imported(machine(("Work", state), TimeoutSeconds=3600), tmp_path)
    assert 'ServiceTask(\n    "Work",\n    service="lambda",\n    api="invoke",' in result.text
    assert result.outcome() == "exact"


def test_a_function_called_directly_is_a_task_of_that_function(tmp_path: Path) -> None:
    direct = task(Resource=FN)
    literal = task(Resource="arn:aws:lambda:us-east-1:123456789012:function:other")
    result = imported(
        machine(("Direct", direct), ("Literal", literal), TimeoutSeconds=3600),
        tmp_path,
        functions={"Work": FunctionSpec("jobs.work", 30)},
    )
    assert 'direct = Task("Direct", resource=work_fn, timeout_seconds=30)' in result.text
    assert (
        'work_fn = LambdaFunction("Work", handler="jobs.work", timeout_seconds=30)' in result.text
    )
    assert result.guessed_handlers == ()
    assert result.outcome() == "exact"
    # The function is the workflow's, so deploy creates it and fills in its ARN.
    namespace: dict[str, Any] = {}
    exec(compile(result.text, "flow.py", "exec"), namespace)
    from sfn_flows.compile import compile_workflow

    assert [f.name for f in compile_workflow(namespace["flow"]).functions] == ["Work"]


@pytest.mark.parametrize(
    ("resource", "written_as"),
    [
        (
            "arn:aws:states:::aws-sdk:s3:getObject",
            'AwsSdkCall("Step", service="s3", action="getObject"',
        ),
        (
            "arn:aws:states:::ecs:runTask.sync",
            'service="ecs",\n    api="runTask",\n    pattern="sync",',
        ),
        ("arn:aws:states:::states:startExecution.sync:2", 'pattern="sync:2",'),
        ("arn:aws:states:::sqs:sendMessage.waitForTaskToken", 'pattern="waitForTaskToken",'),
        (
            "arn:aws:states:us-east-1:123456789012:activity:review",
            'resource="arn:aws:states:us-east-1:123456789012:activity:review"',
        ),
    ],
)
def test_other_integrations(tmp_path: Path, resource: str, written_as: str) -> None:
    result = imported(machine(("Step", task(Resource=resource)), TimeoutSeconds=3600), tmp_path)
    assert written_as in result.text or written_as in oneline(result.text)
    assert result.outcome() == "exact"


# ---- timeouts ----------------------------------------------------------------------------------
def test_tasks_without_timeouts_get_the_default_and_the_header_lists_them(tmp_path: Path) -> None:
    bare = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish"}
    result = imported(machine(("A", dict(bare)), ("B", dict(bare))), tmp_path)
    assert "default_task_timeout=900" in result.text
    assert "timeout_seconds=365 * 24 * 3600" in result.text
    assert {d.pointer for d in result.timeouts} == {
        "/TimeoutSeconds",
        "/States/A/TimeoutSeconds",
        "/States/B/TimeoutSeconds",
    }
    header = " ".join(line.lstrip("# ") for line in result.text.split("\n\n")[0].splitlines())
    assert (
        'TimeoutSeconds 900 (default_task_timeout) on the 2 Task(s) without one: "A", "B".'
        in header
    )
    only_timeouts(result)


def test_the_default_shrinks_to_fit_the_machines_own_timeout(tmp_path: Path) -> None:
    bare = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish"}
    # Two Tasks in a row within the machine's 100 s: 50 s each at most.
    result = imported(machine(("A", dict(bare)), ("B", dict(bare)), TimeoutSeconds=100), tmp_path)
    assert result.task_timeout == 50
    assert result.builds
    assert {d.pointer: d.built for d in result.timeouts} == {
        "/States/A/TimeoutSeconds": 50,
        "/States/B/TimeoutSeconds": 50,
    }


def test_a_heartbeat_gets_a_timeout_above_it(tmp_path: Path) -> None:
    beating = {
        "Type": "Task",
        "Resource": "arn:aws:states:::ecs:runTask.sync",
        "HeartbeatSeconds": 1200,
    }
    result = imported(machine(("Run", beating)), tmp_path)
    assert "timeout_seconds=2100" in result.text
    assert result.heartbeat_tasks == (("Run", 2100),)
    assert "default_task_timeout" not in result.text
    only_timeouts(result)


def test_a_machine_timeout_the_definition_exceeds_is_built_but_refused(tmp_path: Path) -> None:
    result = imported(
        machine(("Sleep", {"Type": "Wait", "Seconds": 60}), TimeoutSeconds=5), tmp_path
    )
    assert result.outcome() == "exact"
    assert not result.builds
    assert "`sfn-flows build` refuses this module as it is" in result.text
    assert {p.code for p in result.problems if p.severity == "error"} == {"budget-exceeds-timeout"}


# ---- Map and Parallel --------------------------------------------------------------------------
def test_a_distributed_map_with_reader_batcher_and_writer(tmp_path: Path) -> None:
    processor = machine(("Handle", task(Resource="arn:aws:states:::sns:publish")))
    state = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            **processor,
        },
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            "Parameters": {"Bucket": "b", "Key": "k.csv"},
        },
        "ItemBatcher": {"MaxItemsPerBatch": 10},
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "b"},
        },
        "MaxConcurrency": 100,
        "ToleratedFailurePercentage": 5,
        "Label": "rows",
    }
    result = imported(machine(("Rows", state), TimeoutSeconds=3600), tmp_path)
    text = result.text
    assert 'mode="DISTRIBUTED",\n    execution_type="EXPRESS",' in text
    assert (
        "item_reader=ItemReader(\n" in text
        and "item_batcher=ItemBatcher(max_items_per_batch=10)" in text
    )
    assert "result_writer=ResultWriter(\n" in text
    # tolerated_failure_percentage=5 would write 5.0: kept as it is.
    assert "raw_fields: ToleratedFailurePercentage: " in text
    assert result.outcome() == "exact"


def test_legacy_map_forms(tmp_path: Path) -> None:
    legacy = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "Parameters": {"item.$": "$$.Map.Item.Value"},
        "Iterator": machine(("Each", {"Type": "Pass"})),
    }
    bare = {
        "Type": "Map",
        "ItemProcessor": machine(("One", {"Type": "Pass"})),
    }
    result = imported(machine(("Old", legacy), ("New", bare), TimeoutSeconds=3600), tmp_path)
    assert "mode=None,\n    legacy_iterator=True," in result.text
    assert "# raw_fields: Parameters: Map has no keyword for it" in result.text
    assert 'new = Map("New", processor=one, mode=None)' in result.text
    assert result.outcome() == "exact"


def test_parallel_branches_are_declared_before_the_parallel(tmp_path: Path) -> None:
    state = {
        "Type": "Parallel",
        "Branches": [
            machine(("Left", {"Type": "Pass"}), ("LeftDone", {"Type": "Pass"})),
            machine(("Right", {"Type": "Pass"})),
        ],
        "ResultPath": "$.both",
    }
    result = imported(machine(("Both", state), TimeoutSeconds=3600), tmp_path)
    text = result.text
    assert text.index('left = Pass("Left")') < text.index("both = Parallel(")
    assert "branches=[left, right]," in text
    assert "left >> left_done" in text
    assert result.outcome() == "exact"


# ---- Choice and Catch --------------------------------------------------------------------------
def test_conditions_use_the_builders_and_operators(tmp_path: Path) -> None:
    video = {"Variable": "$.kind", "StringEquals": "video"}
    size_or_big = {
        "Or": [
            {"Variable": "$.size", "NumericGreaterThan": 10},
            {"Variable": "$.big", "IsPresent": True},
        ]
    }
    rules = [
        {
            "And": [
                {"Variable": "$.a", "IsNull": True},
                {"Not": {"Variable": "$.b", "IsNull": True}},
            ]
        },
        {"And": [video, size_or_big, {"Not": {"Variable": "$.gone", "IsNull": False}}]},
        {
            "And": [
                {"And": [{"Variable": "$.a", "BooleanEquals": True}]},
                {"Variable": "$.b", "TimestampLessThanPath": "$.c"},
            ]
        },
        {"Not": {"And": [video, {"Variable": "$.big", "IsPresent": False}]}},
        {"Variable": "$.when", "TimestampEquals": "2026-01-31T12:00:00Z", "Comment": "at noon"},
    ]
    choice = {"Type": "Choice", "Choices": [{**r, "Next": "Yes"} for r in rules], "Default": "No"}
    result = imported(
        machine(
            ("Route", choice),
            ("Yes", {"Type": "Succeed"}),
            ("No", {"Type": "Fail"}),
            TimeoutSeconds=60,
        ),
        tmp_path,
    )
    text = result.text
    assert 'route.when(c.is_null("$.a") & ~c.is_null("$.b"), yes)' in text
    # `&` would not fit on the line: the call form, each operand on its own line.
    assert (
        "route.when(\n"
        "    c.all_of(\n"
        '        c.string_equals("$.kind", "video"),\n'
        '        c.numeric_greater_than("$.size", 10) | c.is_present("$.big"),\n'
        '        ~c.is_null("$.gone", False),\n'
        "    ),\n"
        "    yes,\n"
        ")\n"
    ) in text
    # An And inside an And stays nested: `&` would merge the two.
    nested = 'c.all_of(c.boolean_equals("$.a", True))'
    assert f'c.all_of({nested}, c.timestamp_less_than_path("$.b", "$.c"))' in oneline(text)
    assert (
        'route.when(~(c.string_equals("$.kind", "video") & c.is_present("$.big", False)), yes)'
        in text
    )
    assert 'comment="at noon"' in text
    assert "route.otherwise(no)" in text
    assert result.outcome() == "exact"


def test_jsonata_conditions(tmp_path: Path) -> None:
    choice = {
        "Type": "Choice",
        "QueryLanguage": "JSONata",
        "Choices": [
            {"Condition": "{% $states.input.size > 10 %}", "Next": "Big"},
            {"Condition": "{%$states.input.small%}", "Next": "Big"},
            {"Condition": True, "Next": "Big"},
        ],
    }
    result = imported(
        machine(("Size", choice), ("Big", {"Type": "Succeed"}), TimeoutSeconds=3600), tmp_path
    )
    text = result.text
    assert 'size.when("$states.input.size > 10", big)' in text
    assert 'size.when("{%$states.input.small%}", big)' in text
    assert 'size.when(c.raw({"Condition": True}), big)' in text
    assert result.outcome() == "exact"


def test_catchers_and_their_result_paths(tmp_path: Path) -> None:
    state = task(
        Resource="arn:aws:states:::sns:publish",
        Catch=[
            {"ErrorEquals": ["A"], "Next": "Handle"},
            {"ErrorEquals": ["B"], "ResultPath": "$.error", "Next": "Handle"},
            {"ErrorEquals": ["C"], "ResultPath": None, "Next": "Handle"},
            {
                "ErrorEquals": ["States.ALL"],
                "ResultPath": "$.failure",
                "Comment": "else",
                "Next": "Handle",
            },
        ],
    )
    result = imported(
        machine(("Send", state), ("Handle", {"Type": "Pass"}), TimeoutSeconds=3600), tmp_path
    )
    text = result.text
    assert 'send.add_catch(handle, ["A"], result_path=OMIT)' in text
    assert 'send.add_catch(handle, ["B"])' in text
    assert 'send.add_catch(handle, ["C"], result_path=None)' in text
    assert 'send.add_catch(handle, result_path="$.failure", comment="else")' in text
    assert result.outcome() == "exact"


def test_a_loop_reads_as_chains(tmp_path: Path) -> None:
    definition = machine(
        ("Start", {"Type": "Pass"}),
        ("Poll", {"Type": "Wait", "Seconds": 5}),
        ("Check", task(Resource="arn:aws:states:::sns:publish")),
        (
            "Done?",
            {
                "Type": "Choice",
                "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Finished"}],
                "Default": "Poll",
            },
        ),
        ("Finished", {"Type": "Succeed"}),
        TimeoutSeconds=36000,
    )
    result = imported(definition, tmp_path)
    assert "start >> poll >> check >> done" in result.text
    assert "done.otherwise(poll)" in result.text
    assert result.outcome() == "exact"


# ---- what the model cannot write ---------------------------------------------------------------
def test_an_unquoted_placeholder_is_reported_with_the_reason(tmp_path: Path) -> None:
    definition = machine(
        ("Sleep", {"Type": "Wait", "Seconds": UnquotedPlaceholder("${Delay}")}), TimeoutSeconds=3600
    )
    result = import_definition(definition, source_name="flow.asl.json", workflow_name="flow")
    assert result.outcome() == "inexact"
    (difference,) = result.inexact
    assert difference.pointer == "/States/Sleep/Seconds"
    assert "a placeholder is a string" in difference.describe()
    assert "/States/Sleep/Seconds" in result.text
    assert result.raw == ()  # raw_fields would write the same string
    assert 'sleep = Wait("Sleep", seconds="${Delay}")' in result.text


def test_an_express_workflow_from_a_manifest(tmp_path: Path) -> None:
    result = imported(
        machine(("Quick", task(Resource="arn:aws:states:::sns:publish")), TimeoutSeconds=60),
        tmp_path,
        workflow_type="EXPRESS",
    )
    assert 'type="EXPRESS",' in result.text
    assert result.outcome() == "exact"
    untimed = imported(
        machine(("Quick", task(Resource="arn:aws:states:::sns:publish"))),
        tmp_path / "untimed",
        workflow_type="EXPRESS",
    )
    assert "timeout_seconds=300)" in untimed.text
    assert "TimeoutSeconds 300 (5 minutes) on the state machine" in " ".join(untimed.summary())


@pytest.mark.parametrize(
    ("definition", "pointer", "why"),
    [
        (
            machine(
                (
                    "C",
                    {
                        "Type": "Choice",
                        "QueryLanguage": "JSONata",
                        "Choices": [{"Condition": "{% true %}", "Output": None, "Next": "S"}],
                    },
                ),
                ("S", {"Type": "Succeed"}),
            ),
            "/States/C/Choices/0/Output",
            "when() and add_catch() read None as not given",
        ),
        (
            machine(
                (
                    "P",
                    {
                        "Type": "Parallel",
                        "Branches": [{"Comment": "x", **machine(("A", {"Type": "Pass"}))}],
                    },
                )
            ),
            "/States/P/Branches/0/Comment",
            "a branch or processor holds only its states",
        ),
        (
            {"Comment": "", **machine(("A", {"Type": "Pass"}))},
            "/Comment",
            "Workflow writes no empty comment",
        ),
    ],
)
def test_what_the_model_cannot_write_is_named_with_the_reason(
    tmp_path: Path, definition: dict[str, Any], pointer: str, why: str
) -> None:
    result = imported(definition, tmp_path)
    assert [(d.pointer, d.why()[: len(why)]) for d in result.inexact] == [(pointer, why)]
    assert why in " ".join(line.lstrip("# ") for line in result.text.splitlines())
