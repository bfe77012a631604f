"""Definitions that run away, written by accident or on purpose: every one ends, as a
failure named the way AWS names it (or, for the engine's own bounds, States.Runtime with a
cause saying so), never as RecursionError, MemoryError or minutes of CPU."""

from __future__ import annotations

import sys
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hostile_machines import CALLBACK, machine, nested

from sfn_flows.engine import Engine, Pending, VirtualClock, simulate
from sfn_flows.engine.limits import MAX_HISTORY_EVENTS, MAX_JSON_DEPTH

START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
JSONATA = "JSONata"


def one_pass(**fields: Any) -> dict[str, Any]:
    return machine({"P": {"Type": "Pass", "End": True, **fields}})


def counted_loop(body: dict[str, Any], until: int, *, jsonata: bool = False) -> dict[str, Any]:
    """`body` (which adds 1 to $.n) until $.n reaches `until`: a loop the validator accepts."""
    if jsonata:
        check = {"Condition": f"{{% $states.input.n >= {until} %}}", "Next": "Done"}
    else:
        check = {"Variable": "$.n", "NumericGreaterThanEquals": until, "Next": "Done"}
    top = {"QueryLanguage": JSONATA} if jsonata else {}
    return machine(
        {
            "Body": {**body, "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [check], "Default": "Body"},
            "Done": {"Type": "Succeed"},
        },
        **top,
    )


def depth_of(value: Any) -> int:
    depth = 0
    while isinstance(value, dict | list) and value:
        value = next(iter(value.values())) if isinstance(value, dict) else value[0]
        depth += 1
    return depth


def assert_engine_bound(result: Any, state: str) -> None:
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert result.cause.startswith(f"An error occurred while executing the state '{state}'")
    assert f"more than {MAX_JSON_DEPTH} levels" in result.cause


# -- values nested deeper and deeper --------------------------------------------------------


def test_a_loop_wrapping_its_data_deeper_each_turn_fails_at_the_depth_bound() -> None:
    body = {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)", "d": {"x.$": "$.d"}}}
    result = simulate(counted_loop(body, 2_000), {"n": 0, "d": {}})
    assert_engine_bound(result, "Body")
    # The history, with every value the run made, can still be read and written out.
    assert [dict(event.details) for event in result.events]


def test_a_loop_short_of_the_bound_succeeds_with_its_deep_output() -> None:
    body = {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)", "d": {"x.$": "$.d"}}}
    result = simulate(counted_loop(body, MAX_JSON_DEPTH - 2), {"n": 0, "d": {}})
    assert result.succeeded
    assert depth_of(result.output["d"]) == MAX_JSON_DEPTH - 2


def test_a_jsonata_loop_wrapping_its_data_fails_at_the_depth_bound() -> None:
    body = {
        "Type": "Pass",
        "Output": {"n": "{% $states.input.n + 1 %}", "d": {"x": "{% $states.input.d %}"}},
    }
    result = simulate(counted_loop(body, 2_000, jsonata=True), {"n": 0, "d": {}})
    assert_engine_bound(result, "Body")


def test_variables_wrapping_themselves_fail_at_the_depth_bound() -> None:
    body = {
        "Type": "Pass",
        "Parameters": {"n.$": "States.MathAdd($.n, 1)"},
        "Assign": {"v": {"x.$": "$v"}},
    }
    definition = counted_loop(body, 2_000)
    definition["StartAt"] = "Init"
    definition["States"]["Init"] = {"Type": "Pass", "Assign": {"v": {}}, "Next": "Body"}
    result = simulate(definition, {"n": 0})
    assert_engine_bound(result, "Body")


def test_a_jsonata_expression_building_a_deep_value_in_one_step_fails_the_state() -> None:
    # No recursion in the expression: $reduce nests an object 5,000 deep, one level a step.
    output = "{% $reduce([1..5000], function($acc, $v) { {'x': $acc} }, {}) %}"
    result = simulate(one_pass(Output=output, QueryLanguage=JSONATA), {})
    assert result.error == "States.QueryEvaluationError"
    assert "nested more than" in result.cause


@pytest.mark.parametrize(
    ("function", "argument"),
    [("States.StringToJson($.text)", "$.text")],
)
def test_parsing_json_text_nested_too_deeply_fails_the_state(function: str, argument: str) -> None:
    text = "[" * 5_000 + "]" * 5_000
    result = simulate(one_pass(Parameters={"v.$": function}), {"text": text})
    assert result.error == "States.IntrinsicFailure"
    assert "nested too deeply" in result.cause


def test_jsonata_parse_of_json_text_nested_too_deeply_fails_the_state() -> None:
    text = "[" * 5_000 + "]" * 5_000
    result = simulate(
        one_pass(Output="{% $parse($states.input.text) %}", QueryLanguage=JSONATA), {"text": text}
    )
    assert result.error == "States.QueryEvaluationError"
    assert "nested" in result.cause


def test_evaluating_jsonata_leaves_the_process_recursion_limit_as_it_was() -> None:
    limit = sys.getrecursionlimit()
    result = simulate(one_pass(Output="{% 1 + 1 %}", QueryLanguage=JSONATA), {})
    assert result.output == 2
    assert sys.getrecursionlimit() == limit


# -- numbers and arrays the intrinsic functions get -----------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        "States.MathAdd($.big, 1)",
        "States.MathRandom($.big, 1)",
        "States.ArrayRange(1, $.big, 1)",
        "States.ArrayGetItem($.list, $.big)",
        "States.ArrayPartition($.list, $.big)",
        "States.Format('{}', $.big)",
        "States.JsonToString($.big)",
    ],
)
def test_an_integer_too_large_for_a_double_never_crashes_an_intrinsic(call: str) -> None:
    result = simulate(one_pass(Parameters={"v.$": call}), {"big": 10**400, "list": [1, 2]})
    assert result.status in ("SUCCEEDED", "FAILED")
    if result.status == "FAILED":
        assert result.error == "States.IntrinsicFailure"


def test_array_unique_on_a_large_array_takes_linear_time() -> None:
    items = [[i] for i in range(25_000)]  # near the input's 256 KiB
    definition = one_pass(Parameters={"n.$": "States.ArrayLength(States.ArrayUnique($.items))"})
    result = simulate(definition, {"items": items + items[:100]})
    assert result.output == {"n": 25_000}


def test_array_unique_keeps_an_integer_and_an_equal_double_apart_as_java_does() -> None:
    definition = one_pass(Parameters={"v.$": "States.ArrayUnique($.items)"})
    result = simulate(definition, {"items": [1, 1.0, 1, {"a": [1]}, {"a": [1]}, {"a": [1.0]}]})
    assert result.output == {"v": [1, 1.0, {"a": [1]}, {"a": [1.0]}]}


def test_a_path_that_explodes_combinatorially_is_stopped() -> None:
    chain: Any = 1
    for _ in range(200):
        chain = [chain]
    definition = one_pass(Parameters={"v.$": "$..*..*..*..*..*"})
    result = simulate(definition, {"a": chain})
    assert result.error == "States.Runtime"
    assert "$..*..*..*..*..*" in result.cause


def test_a_filter_comparing_large_arrays_item_by_item_is_stopped() -> None:
    # 10,000 x 10,000 comparisons: minutes, if nothing stopped it.
    definition = one_pass(Parameters={"v.$": "$.rows[?(@.a subsetof $.b)]"})
    rows = [{"a": list(range(10_000))}]
    result = simulate(definition, {"rows": rows, "b": list(range(10_000, 20_000))})
    assert result.error == "States.Runtime"
    assert "goes through more than" in result.cause


def test_an_aggregate_of_integers_too_large_for_a_double_fails_the_path() -> None:
    result = simulate(one_pass(Parameters={"v.$": "$.n.sum()"}), {"n": [10**400, 1]})
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"


# -- loops without an end -------------------------------------------------------------------


def test_a_wait_loop_without_a_machine_timeout_ends_at_aws_limit_in_virtual_time() -> None:
    body = {"Type": "Wait", "Seconds": 100_000}
    result = simulate(counted_loop(body, 1), {"n": 0}, clock=VirtualClock(START))
    # $.n never grows: only AWS's one-year limit on a Standard execution ends it.
    assert result.status == "TIMED_OUT"
    assert result.events[-1].timestamp == START + timedelta(days=365)


def test_a_wait_loop_ends_at_the_machine_timeout() -> None:
    definition = counted_loop({"Type": "Wait", "Seconds": 10}, 1)
    definition["TimeoutSeconds"] = 95
    result = simulate(definition, {"n": 0}, clock=VirtualClock(START))
    assert result.status == "TIMED_OUT"
    assert result.events[-1].timestamp == START + timedelta(seconds=95)


def test_a_loop_of_parallel_states_ends_at_the_history_limit() -> None:
    branch = machine({"B": {"Type": "Pass", "End": True}})
    body = {"Type": "Parallel", "Branches": [branch], "ResultPath": None}
    result = simulate(counted_loop(body, 1), {"n": 0})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert len(result.events) == MAX_HISTORY_EVENTS


def test_a_distributed_map_child_reaching_the_history_limit_fails_only_that_child() -> None:
    processor = counted_loop({"Type": "Pass"}, 1)
    processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    processor["StartAt"] = "Body"
    definition = machine(
        {
            "Each": {
                "Type": "Map",
                "ItemProcessor": processor,
                "ItemSelector": {"n": 0},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        }
    )
    result = simulate(definition, [1, 2])
    # The child execution fails (its own history is full); the Map Run fails past its
    # tolerated failures, which a Catch on the Map can handle; the parent goes on.
    assert result.succeeded
    assert result.output["Error"] == "States.ExceedToleratedFailureThreshold"
    assert len(result.events) < 50


def test_a_callback_nobody_answers_returns_from_run_and_times_out_in_run_to_end() -> None:
    definition = CALLBACK
    engine = Engine(definition, tasks={"Ask": lambda payload: Pending()}, clock=VirtualClock(START))
    execution = engine.start({})
    assert execution.run().status == "RUNNING"  # returns: the test may answer now
    assert execution.run().status == "RUNNING"  # and again, without spinning
    assert len(execution.pending_tokens) == 1
    result = execution.run_to_end()
    assert result.status == "TIMED_OUT"
    assert result.events[-1].timestamp == START + timedelta(days=365)


def test_data_and_templates_nested_near_the_bound_run_in_jsonpath() -> None:
    data = nested(MAX_JSON_DEPTH - 20)
    template: Any = {"deep.$": "$", "text.$": "States.JsonToString($)"}
    for _ in range(5):
        template = {"t": [template]}
    result = simulate(one_pass(Parameters=template), data)
    assert result.succeeded, result.cause
    assert [dict(event.details) for event in result.events]


@pytest.mark.parametrize(
    "expression",
    ["$states.input", "$string($states.input)", "$keys($states.input)", "$count($states.input.**)"],
)
def test_data_nested_near_the_bound_runs_in_jsonata_or_fails_cleanly(expression: str) -> None:
    data = nested(MAX_JSON_DEPTH - 20)
    output: Any = {"v": f"{{% {expression} %}}"}
    for _ in range(5):
        output = {"t": [output]}
    result = simulate(one_pass(Output=output, QueryLanguage=JSONATA), data)
    assert result.status in ("SUCCEEDED", "FAILED")
    if result.status == "FAILED":
        assert result.error == "States.QueryEvaluationError", result.cause


@pytest.mark.parametrize(
    "expression",
    [
        "$pad('x', 1000000000)",
        "($s := $pad('', 1000000, 'a'); $join($map([1..1000], function($v) { $s })))",
        "($s := $pad('', 100000, 'a'); $replace($s, 'a', $s))",
        "($s := $pad('', 1000000, 'a'); $string($map([1..1000], function($v) { $s })))",
    ],
)
def test_a_jsonata_builtin_making_a_huge_string_in_one_step_is_refused_before_it_does(
    expression: str,
) -> None:
    # Each result is over the memory bound AWS applies (its "memory limit exceeded"); built
    # first and measured after, each took a gigabyte or more.
    tracemalloc.start()
    try:
        result = simulate(one_pass(Output=f"{{% {expression} %}}", QueryLanguage=JSONATA), {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "States.QueryEvaluationError"
    assert result.cause.endswith("Expression evaluation memory limit exceeded")
    assert peak < 100 * 1024 * 1024


@pytest.mark.parametrize("function", ["States.Format", "States.JsonToString"])
def test_an_intrinsic_writing_thousands_of_references_to_a_long_string_is_refused(
    function: str,
) -> None:
    references = ", ".join(["$.long"] * 5_000)
    if function == "States.Format":
        call = f"States.Format('{'{}' * 5_000}', {references})"
    else:
        call = f"States.JsonToString(States.Array({references}))"
    definition = one_pass(
        Parameters={"n.$": f"States.ArrayLength(States.StringSplit({call}, ','))"}
    )
    tracemalloc.start()
    try:
        result = simulate(definition, {"long": "x" * 200_000})  # a gigabyte of text
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error == "States.IntrinsicFailure"
    assert "the engine builds at most" in result.cause
    assert peak < 100 * 1024 * 1024


def test_child_executions_of_child_executions_stop_at_the_engines_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 100 x 100 children each looping 1,000 times: 30 million events, hours of work. The
    # bound is lowered here so that the test takes a moment (the real one, a million events
    # in all, takes seconds).
    monkeypatch.setattr("sfn_flows.engine.history.MAX_EXECUTION_EVENTS", 20_000)
    distributed = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}
    body = {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}}
    leaf = {**counted_loop(body, 1_000), **distributed}

    def fan_out(processor: dict[str, Any]) -> dict[str, Any]:
        return {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"items.$": "$.items", "n": 0},
            "ItemProcessor": processor,
            "ToleratedFailurePercentage": 100,
            "End": True,
        }

    inner = {**machine({"Inner": fan_out(leaf)}), **distributed}
    definition = machine(
        {
            "Outer": {
                **fan_out(inner),
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
            },
            "Caught": {"Type": "Succeed"},
        }
    )
    del definition["States"]["Outer"]["End"]
    definition["States"]["Outer"]["Next"] = "Caught"
    result = simulate(definition, {"items": list(range(100))})
    # No Catch takes it: the engine's bounds end the execution.
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "child executions recorded more than 20,000 events" in result.cause
