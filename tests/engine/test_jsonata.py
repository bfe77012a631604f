"""JSONata evaluation as Step Functions does it: templates, fields, functions and bounds."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from typing import Any

import pytest

from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonata import (
    QUERY_EVALUATION_ERROR,
    Bounds,
    evaluate_condition,
    evaluate_expression,
    evaluate_template,
)
from sfn_flows.engine.jsonata_functions import MAX_RANGE_ITEMS

PREFIX = "An error occurred while executing the state 'S' (entered at the event id #2). "


def frame(variables: dict[str, Any] | None = None, **context: Any) -> Frame:
    return Frame("S", 2, context=dict(context), variables=variables or {})


def output(value: Any, data: Any = None, **kwargs: Any) -> Any:
    variables = kwargs.pop("variables", None)
    return evaluate_template(value, frame(variables), {"input": data}, field="Output", **kwargs)


def cause(value: Any, data: Any = None, **kwargs: Any) -> str:
    with pytest.raises(StatesError) as failure:
        output(value, data, **kwargs)
    assert failure.value.error == QUERY_EVALUATION_ERROR
    text = failure.value.cause or ""
    assert text.startswith(PREFIX)
    return text.removeprefix(PREFIX)


# --- templates ---------------------------------------------------------------------------


def test_every_expression_at_any_depth_is_evaluated_and_literals_are_kept() -> None:
    template = {
        "name": "{% $states.input.name %}",
        "nested": {"list": [1, "{% 1 + 1 %}", {"deep": "{% $upper %}"}]},
        "literal": "$states.input.name",
        "padded": " {% $states.input.name %} ",
        "number": 0.1,
        "none": None,
    }
    result = output(template, {"name": "x"}, variables={"upper": "X"})
    assert result == {
        "name": "x",
        "nested": {"list": [1, 2, {"deep": "X"}]},
        "literal": "$states.input.name",
        "padded": " {% $states.input.name %} ",
        "number": 0.1,
        "none": None,
    }


def test_the_result_shares_nothing_with_the_template_or_the_input() -> None:
    template = {"literal": {"a": [1]}, "copy": "{% $states.input %}"}
    data = {"b": [2]}
    result = output(template, data)
    result["literal"]["a"].append(9)
    result["copy"]["b"].append(9)
    assert template["literal"] == {"a": [1]}
    assert data == {"b": [2]}


def test_an_expression_cannot_change_the_input() -> None:
    data = {"a": 1}
    assert output("{% $states.input ~> |$|{'a': 2}| %}", data) == {"a": 2}
    assert data == {"a": 1}


@pytest.mark.parametrize(
    ("template", "field"),
    [
        ("{% $doesNotExist %}", "Output"),
        ({"result": "{% $doesNotExist %}"}, "Output/result"),
        ({"a": {"b": ["x", "{% $doesNotExist %}"]}}, "Output/a/b[1]"),
        (["{% $doesNotExist %}"], "Output[0]"),
    ],
)
def test_undefined_fails_the_field_by_its_path(template: Any, field: str) -> None:
    assert cause(template, {}) == (
        f"The JSONata expression '$doesNotExist' specified for the field '{field}' "
        "returned nothing (undefined)."
    )


def test_the_field_is_the_callers_name_for_the_template() -> None:
    with pytest.raises(StatesError) as failure:
        evaluate_template({"result": "{% $x %}"}, frame(), {"input": {}}, field="Assign")
    assert "specified for the field 'Assign/result' returned nothing" in str(failure.value.cause)


def test_null_is_a_value_and_keeps_its_key() -> None:
    data = {"bar": None, "list": [None, 1]}
    assert output({"v": "{% $states.input.bar %}"}, data) == {"v": None}
    assert output("{% $exists($states.input.bar) %}", data) is True
    assert output("{% $type($states.input.bar) %}", data) == "null"
    assert output("{% $count($states.input.list) %}", data) == 2
    assert output("{% $v %}", variables={"v": None}) is None
    assert output({"k": "{% null %}"}) == {"k": None}


def test_whole_numbers_come_back_as_integers() -> None:
    assert output("{% 2.0 %}") == 2
    assert isinstance(output("{% 3 * 1.5 - 0.5 %}"), int)
    assert output("{% 1 / 4 %}") == 0.25
    assert output("{% $sum([0.5, 0.5]) %}") == 1


@pytest.mark.parametrize("expression", ["function($x){$x}", "[1, function(){1}]", "$sum"])
def test_a_function_is_not_a_json_result(expression: str) -> None:
    assert cause(f"{{% {expression} %}}") == (
        f"The JSONata expression '{expression}' specified for the field 'Output' returned an "
        "unsupported result type."
    )


def test_errors_carry_jsonata_code_and_message() -> None:
    assert cause("{% $uppercase(1) %}").endswith(
        "threw an error during evaluation. T0410: Argument 1 of function uppercase does not "
        "match function signature"
    )
    assert cause("{% $sum('a') %}").endswith(
        "T0412: Argument 1 of function sum must be an array of numbers"
    )
    assert cause("{% 1 + 'a' %}").endswith(
        "T2002: The right side of the + operator must evaluate to a number"
    )
    assert cause("{% 1 / 0 %}").endswith("D1001: Number out of range: Infinity")
    assert cause("{% 1 + %}").endswith("S0207: Unexpected end of expression")


def test_eval_is_not_offered_and_unknown_functions_are_not_functions() -> None:
    # Recorded on AWS: test_math_operations_jsonata.py::test_math_random_seeded.
    for call in ("$eval('1')", "$randomSeeded(1)"):
        assert cause(f"{{% {call} %}}") == (
            f"The JSONata expression '{call}' specified for the field 'Output' threw an error "
            "during evaluation. T1006: Attempted to invoke a non-function"
        )


def test_variables_are_bound_by_name_and_may_shadow_a_function() -> None:
    variables = {"orders": [{"n": 1}, {"n": 2}], "hash": "mine"}
    assert output("{% $sum($orders.n) %}", variables=variables) == 3
    assert output("{% $hash %}", variables=variables) == "mine"


def test_states_binding_is_what_the_caller_passes() -> None:
    states = {"input": 1, "context": {"State": {"Name": "S"}}, "result": {"r": 2}}
    value = "{% [$states.input, $states.context.State.Name, $states.result.r] %}"
    assert evaluate_template(value, frame(), states, field="Output") == [1, "S", 2]


def test_now_and_millis_read_the_state_entered_time() -> None:
    context = {"State": {"EnteredTime": "2024-03-01T10:00:00.000Z"}}
    states = {"input": {}, "context": context}
    result = evaluate_template(
        ["{% $now() %}", "{% $millis() %}"], frame(**context), states, field="Output"
    )
    assert result == ["2024-03-01T10:00:00.000Z", 1709287200000]


# --- Step Functions' own functions --------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$partition([1, 2, 3, 4, 5], 2)", [[1, 2], [3, 4], [5]]),
        ("$partition([0], 1)", [[0]]),
        ("$partition([0, 1, 2], 5)", [[0, 1, 2]]),
        ("$partition([1, 2, 3, 4, 5], 2.9)", [[1, 2], [3, 4], [5]]),
        ("$range(0, 9, 3)", [0, 3, 6, 9]),
        ("$range(0, 10, 3)", [0, 3, 6, 9]),
        ("$range(10, 0, -2)", [10, 8, 6, 4, 2, 0]),
        ("$range(-1.7, 2, 1)", [-1, 0, 1, 2]),
        # A one-value range is the bare number (recorded: test_array_range#2).
        ("$range(1, 9, 9)", 1),
        ('$parse(\'{"b": 1, "a": [null, true, "x"]}\')', {"b": 1, "a": [None, True, "x"]}),
        ("$parse('-0')", 0),
        ("$parse('\"HelloWorld\"')", "HelloWorld"),
        ("$parse('null') = null", True),
    ],
)
def test_step_functions_functions(expression: str, expected: Any) -> None:
    assert output(f"{{% {expression} %}}") == expected


@pytest.mark.parametrize(
    "expression",
    [
        "$partition([], 2)",
        "$partition([1, 2], 0)",
        "$range(5, 1, 1)",
        "$range(1, 5, 0)",
        "$range(1, 5)",
        "$hash('a')",
    ],
)
def test_arguments_that_give_nothing(expression: str) -> None:
    assert cause(f"{{% {expression} %}}").endswith("returned nothing (undefined).")


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"])
def test_hash_is_the_hex_digest_of_the_utf8_text(algorithm: str) -> None:
    library_name = algorithm.replace("-", "").lower()
    text = "input data ñ"
    expected = hashlib.new(library_name, text.encode("utf-8")).hexdigest()
    assert output(f"{{% $hash('{text}', '{algorithm}') %}}") == expected


def test_hash_matches_the_digest_aws_recorded() -> None:
    # States.Hash on AWS (test_hash_calculations.py#0); $hash is its JSONata counterpart.
    assert output("{% $hash('input data', 'MD5') %}") == "812f45842bc6d66ee14572ce20db8e86"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("$hash('a', 'md5')", "$hash does not support the algorithm 'md5'"),
        ("$hash(5, 'MD5')", "T0410: Argument 1 of function hash does not match"),
        ("$partition([1], -1)", "The chunk size of $partition must be zero or greater"),
        ("$parse('{nope')", "$parse could not read its argument as JSON"),
        ("$parse('NaN')", "$parse could not read its argument as JSON"),
        ("$parse(null)", "T0410: Argument 1 of function parse does not match"),
        ("$uuid('seed')", "T0410: Argument 1 of function uuid does not match"),
        ("$random(1, 2)", "T0410"),
        (f"$range(0, {MAX_RANGE_ITEMS}, 1)", f"it builds at most {MAX_RANGE_ITEMS}"),
    ],
)
def test_function_errors(expression: str, message: str) -> None:
    text = cause(f"{{% {expression} %}}")
    assert "threw an error during evaluation. " in text
    assert message in text


def test_random_is_in_the_unit_interval_and_a_seed_repeats_it() -> None:
    draws = output("{% [$random(), $random(), $random(42), $random(42), $random(42.9)] %}")
    assert all(0 <= draw < 1 for draw in draws)
    assert draws[2] == draws[3] == draws[4]
    # java.util.Random's first nextDouble() for these seeds.
    assert output("{% [$random(0), $random(42)] %}") == [0.730967787376657, 0.7275636800328681]


def test_uuid_is_a_fresh_version_4_uuid() -> None:
    first, second = output("{% [$uuid(), $uuid()] %}")
    pattern = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.fullmatch(pattern, first)
    assert first != second


# --- single-value fields and conditions ---------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "described"),
    [
        ("1", "'number' for value: 1"),
        ("true", "'boolean' for value: true"),
        ("null", "'null' for value: null"),
        ("'string'", "'string' for value: \"string\""),
        ("{'foo': 'bar'}", '\'object\' for value: {"foo":"bar"}'),
    ],
)
def test_items_must_be_an_array_with_the_cause_aws_records(expression: str, described: str) -> None:
    # The causes of scenarios/test_base_scenarios.py::test_map_state_items_eval_jsonata_fail.
    with pytest.raises(StatesError) as failure:
        evaluate_expression(
            f"{{% {expression} %}}", frame(), {"input": {}}, field="Items", expected="array"
        )
    assert failure.value.cause == PREFIX + (
        f"The JSONata expression '{expression}' specified for the field 'Items' returned an "
        f"unexpected result type. Expected 'array', but was {described}"
    )


def test_items_that_are_a_function_are_an_unsupported_type() -> None:
    with pytest.raises(StatesError) as failure:
        evaluate_expression(
            "{% $fn := function($x){$x} %}", frame(), {"input": {}}, field="Items", expected="array"
        )
    assert failure.value.cause == PREFIX + (
        "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' "
        "returned an unsupported result type."
    )


def test_expression_fields_return_the_value_and_check_integers() -> None:
    states = {"input": {"n": 3, "half": 1.5}}
    value = evaluate_expression(
        "{% $states.input.n * 2.0 %}", frame(), states, field="Seconds", expected="integer"
    )
    assert value == 6 and isinstance(value, int)
    message = "Expected 'integer', but was 'number' for value: 1.5"
    with pytest.raises(StatesError, match=re.escape(message)):
        evaluate_expression(
            "{% $states.input.half %}", frame(), states, field="Seconds", expected="integer"
        )
    # A literal is the validator's business: it comes back as written.
    assert evaluate_expression(
        [1, "{% 2 %}"], frame(), states, field="Items", expected="array"
    ) == [1, 2]


def test_conditions() -> None:
    states = {"input": {"n": 3}}
    assert evaluate_condition("{% $states.input.n > 2 %}", frame(), states) is True
    assert evaluate_condition("{% $states.input.n > 5 %}", frame(), states) is False
    with pytest.raises(StatesError) as failure:
        evaluate_condition("{% $states.input.n %}", frame(), states, field="Choices[1]/Condition")
    assert failure.value.cause == PREFIX + (
        "The JSONata expression '$states.input.n' specified for the field "
        "'Choices[1]/Condition' returned an unexpected result type. Expected 'boolean', but was "
        "'number' for value: 3"
    )


# --- bounds -------------------------------------------------------------------------------

RECURSE = "($f := function($x){ $x <= 0 ? 0 : 1 + $f($x - 1) }; $f(%d))"


def test_nesting_stops_at_a_depth_of_one_hundred() -> None:
    assert output("{% " + "+".join(["1"] * 100) + " %}") == 100
    assert output("{% " + RECURSE % 31 + " %}") == 31
    text = cause("{% " + RECURSE % 100_000 + " %}")
    assert text.endswith(
        "threw an error during evaluation. Stack overflow error: Check for non-terminating "
        "recursive function.  Consider rewriting as tail-recursive. Depth=101 max=100"
    )


def test_an_endless_tail_call_loop_is_stopped_by_the_clock() -> None:
    text = cause("{% ($f := function($x){ $f($x) }; $f(1)) %}", bounds=Bounds(timeout_seconds=0.05))
    assert text.endswith("Expression evaluation timeout: Check for infinite loop")


def test_a_value_that_outgrows_the_size_bound_fails() -> None:
    doubling = "($d := function($s, $n){ $n = 0 ? $s : $d($s & $s, $n - 1) }; $d('ab', 30))"
    text = cause("{% " + doubling + " %}", bounds=Bounds(max_value_bytes=10_000))
    assert text.endswith("Expression evaluation memory limit exceeded")


def test_data_nested_past_pythons_stack_fails_the_field_not_the_run() -> None:
    output("{% 1 %}")  # jsonata-python raises the recursion limit when it is imported
    deep: list[Any] = []
    level = deep
    for _ in range(sys.getrecursionlimit() + 100):
        level.append([])
        level = level[0]
    assert "nests too deeply" in cause("{% $states.input %}", deep)


def test_importing_the_engine_module_does_not_import_jsonata() -> None:
    code = "import sys, sfn_flows.engine.jsonata; print('jsonata' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
