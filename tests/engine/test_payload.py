"""Payload templates (sfn_flows.engine.payload) and the intrinsic functions they call
(sfn_flows.engine.intrinsics).

Results and printed forms follow what the conformance corpus recorded on AWS (Java's
formatting of doubles and maps, MathAdd's rounding, StringSplit's dropped empty pieces);
tests/engine/test_intrinsics_corpus.py replays those recordings themselves.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_flows.asl.intrinsics import INTRINSICS
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.intrinsics import call_intrinsic, format_value, java_double, java_json
from sfn_flows.engine.jsonpath import PathNotFound
from sfn_flows.engine.payload import resolve_payload, resolve_value

PREFIX = "An error occurred while executing the state 'S' (entered at the event id #2). "


@pytest.fixture
def frame() -> Frame:
    return Frame(
        "S",
        2,
        context={"Execution": {"Id": "arn:exec", "Name": "run-1"}, "Map": {"Item": {"Index": 0}}},
        variables={"limit": 10, "user": {"name": "Ana"}},
    )


# --------------------------------------------------------------------------------------
# Templates


def test_dynamic_keys_take_paths_context_variables_and_intrinsics(frame: Frame) -> None:
    template = {
        "constant": "$.not.a.path",
        "nested": {"id.$": "$.order.id", "list": [{"n.$": "$.order.n"}, "$.literal", 3]},
        "exec.$": "$$.Execution.Id",
        "index.$": "$$.Map.Item.Index",
        "limit.$": "$limit",
        "who.$": "$user.name",
        "greeting.$": "States.Format('Hi {}, order {}', $user.name, $.order.id)",
        "all.$": "$",
        "ids.$": "$.items[*].id",
    }
    data = {"order": {"id": "o-1", "n": 2}, "items": [{"id": 1}, {"id": 2}]}
    assert resolve_payload(template, data, frame, field="Parameters") == {
        "constant": "$.not.a.path",
        "nested": {"id": "o-1", "list": [{"n": 2}, "$.literal", 3]},
        "exec": "arn:exec",
        "index": 0,
        "limit": 10,
        "who": "Ana",
        "greeting": "Hi Ana, order o-1",
        "all": data,
        "ids": [1, 2],
    }


def test_the_result_shares_no_container_with_the_template(frame: Frame) -> None:
    template = {"a": {"b": [1, {"c": 2}]}}
    result = resolve_payload(template, {}, frame, field="ItemSelector")
    assert result == template
    result["a"]["b"][1]["c"] = 99
    assert template == {"a": {"b": [1, {"c": 2}]}}


def test_scalars_and_empty_templates_pass_through(frame: Frame) -> None:
    assert resolve_payload("x", {}, frame, field="Parameters") == "x"
    assert resolve_payload({}, {}, frame, field="Assign") == {}
    assert resolve_payload([None, True], {}, frame, field="Parameters") == [None, True]


@pytest.mark.parametrize(
    ("key", "path", "data", "shown"),
    [
        ("value.$", "$.no_such_jsonpath", {"int-literal": 0}, '{"int-literal":0}'),
        ("deep.$", "$.a.b.c", {"a": {"b": {}}}, '{"a":{"b":{}}}'),
        ("é.$", "$.x", {"s": "ü", "f": 1.0}, '{"s":"ü","f":1.0}'),
    ],
)
def test_a_path_that_selects_nothing_fails_with_aws_cause(
    key: str, path: str, data: Any, shown: str, frame: Frame
) -> None:
    with pytest.raises(StatesError) as failure:
        resolve_payload({"outer": {key: path}}, data, frame, field="Parameters")
    assert failure.value.error == "States.Runtime"
    assert failure.value.cause == (
        f"{PREFIX}The JSONPath '{path}' specified for the field '{key}' could not be found "
        f"in the input '{shown}'"
    )


def test_a_context_path_that_selects_nothing_shows_the_context(frame: Frame) -> None:
    with pytest.raises(StatesError) as failure:
        resolve_value("$$.Execution.Nope", {}, frame, field="value.$")
    assert failure.value.cause == (
        f"{PREFIX}The JSONPath '$$.Execution.Nope' specified for the field 'value.$' could "
        f"not be found in the input '{java_json(frame.context)}'"
    )


def test_a_missing_intrinsic_argument_names_the_argument_and_the_field(frame: Frame) -> None:
    with pytest.raises(StatesError) as failure:
        resolve_value("States.Format('{}', $.missing)", {"a": 1}, frame, field="msg.$")
    assert failure.value.cause == (
        f"{PREFIX}The JSONPath '$.missing' specified for the field 'msg.$' could not be "
        "found in the input '{\"a\":1}'"
    )


def test_fail_state_paths_use_the_same_wording(frame: Frame) -> None:
    assert resolve_value("$.Error", {"Error": "E"}, frame, field="ErrorPath") == "E"
    with pytest.raises(StatesError) as failure:
        resolve_value("$.ErrorX", {"Error": "E"}, frame, field="ErrorPath")
    assert "specified for the field 'ErrorPath' could not be found" in str(failure.value.cause)


@pytest.mark.parametrize("value", [1, None, {"a": 1}])
def test_a_dynamic_key_needs_a_string(value: Any, frame: Frame) -> None:
    with pytest.raises(StatesError) as failure:
        resolve_payload({"x.$": value}, {}, frame, field="Parameters")
    assert failure.value.error == "States.Runtime"
    assert "'x.$' must be a path or an intrinsic function" in str(failure.value.cause)


# --------------------------------------------------------------------------------------
# Intrinsic functions


def call(text: str, data: Any, frame: Frame) -> Any:
    return call_intrinsic(text, data, frame, rng=random.Random(7))


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("States.Format('Formatting argument {}.', $.v)", {"v": None}, "Formatting argument null."),
        ("States.Format('{}', $.v)", {"v": 1}, "1"),
        ("States.Format('{}', $.v)", {"v": 1.0}, "1.0"),
        ("States.Format('{}', $.v)", {"v": 1.1}, "1.1"),
        ("States.Format('{}', $.v)", {"v": 1e20}, "1.0E20"),
        ("States.Format('{}', $.v)", {"v": True}, "true"),
        ("States.Format('{}', $.v)", {"v": {"Arg1": 1, "Arg2": []}}, "{Arg1=1, Arg2=[]}"),
        ("States.Format('{}', $.v)", {"v": [1, "a", {"b": None}]}, "[1, a, {b=null}]"),
        ("States.Format('{} and {}', 1, 2.5)", {}, "1 and 2.5"),
        ("States.Format('\\{} {}', 'x')", {}, "{} x"),
        ("States.Format('it\\'s \\\\ {}', 'x')", {}, "it's \\ x"),
        (
            "States.Format($.t, $.n)",
            {"t": "Hello, my name is {}.", "n": "Arnav"},
            "Hello, my name is Arnav.",
        ),
        ("States.StringToJson($.s)", {"s": '{"a": [1, 2.5]}'}, {"a": [1, 2.5]}),
        ("States.StringToJson($.s)", {"s": " "}, None),
        ("States.StringToJson($.s)", {"s": "-0"}, 0),
        ("States.StringToJson('\"x\"')", {}, "x"),
        (
            "States.JsonToString($.v)",
            {"v": {"a": 1, "b": [True, None, "é"]}},
            '{"a":1,"b":[true,null,"é"]}',
        ),
        ("States.JsonToString($.v)", {"v": 1.0}, "1.0"),
        ("States.JsonToString($.v)", {"v": "x"}, '"x"'),
        ("States.Array()", {}, []),
        ("States.Array(1, 'a', true, null, $.v)", {"v": {"k": 1}}, [1, "a", True, None, {"k": 1}]),
        ("States.ArrayPartition($.a, 2)", {"a": [1, 2, 3, 4, 5]}, [[1, 2], [3, 4], [5]]),
        ("States.ArrayPartition($.a, 4)", {"a": []}, []),
        ("States.ArrayContains($.a, 2)", {"a": [1, 2]}, True),
        ("States.ArrayContains($.a, $.v)", {"a": [[1, 2, 3], 2], "v": [1, 2, 3]}, True),
        ("States.ArrayContains($.a, 1)", {"a": [True, 1.0]}, False),
        ("States.ArrayRange(0, 9, 3)", {}, [0, 3, 6, 9]),
        ("States.ArrayRange(0, 10, 3)", {}, [0, 3, 6, 9]),
        ("States.ArrayRange(10, 0, -4)", {}, [10, 6, 2]),
        ("States.ArrayRange(5, 1, 1)", {}, []),
        ("States.ArrayGetItem($.a, 1)", {"a": ["x", "y"]}, "y"),
        ("States.ArrayLength($.a)", {"a": [None, None]}, 2),
        (
            "States.ArrayUnique($.a)",
            {"a": [1, 1, 1.0, True, [1], [1], {"a": 1}, {"a": 1}]},
            [1, 1.0, True, [1], {"a": 1}],
        ),
        ("States.Base64Encode('Data to encode')", {}, "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", {}, "Data to encode"),
        ("States.Base64Encode('')", {}, ""),
        ("States.Hash('input data', 'MD5')", {}, "812f45842bc6d66ee14572ce20db8e86"),
        ("States.Hash('input data', 'SHA-1')", {}, "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        (
            "States.JsonMerge($.a, $.b, false)",
            {"a": {"x": {"p": 1}, "y": 1}, "b": {"x": {"q": 2}}},
            {"x": {"q": 2}, "y": 1},
        ),
        ("States.MathAdd(1.49, 1.5)", {}, 3),
        ("States.MathAdd(-1.5, 0)", {}, -1),
        ("States.MathAdd(-2.5, 0)", {}, -2),
        ("States.MathAdd(-1.51, 0)", {}, -2),
        ("States.MathAdd(2.5, -9)", {}, -6),
        ("States.StringSplit($.s, ',')", {"s": ", , ,"}, [" ", " "]),
        ("States.StringSplit($.s, ',')", {"s": ",,,,"}, []),
        (
            "States.StringSplit($.s, '.+,=')",
            {"s": "This.is+a,test=string"},
            ["This", "is", "a", "test", "string"],
        ),
        ("States.StringSplit($.s, '')", {"s": "ab"}, ["ab"]),
        ("States.ArrayGetItem(States.StringSplit($$.Execution.Name, '-'), 0)", {}, "run"),
        ("States.MathAdd(States.ArrayLength(States.Array(1, 2)), $limit)", {}, 12),
    ],
)
def test_intrinsic_results(text: str, data: Any, expected: Any, frame: Frame) -> None:
    result = call(text, data, frame)
    assert result == expected
    assert type(result) is type(expected)


def test_random_and_uuid_follow_the_generator_or_the_seed(frame: Frame) -> None:
    numbers = {call("States.MathRandom(1, 999)", {}, frame) for _ in range(3)}
    assert len(numbers) == 1 and 1 <= numbers.pop() < 999
    seeded = [call_intrinsic("States.MathRandom(0, 999, 3)", {}, frame) for _ in range(3)]
    assert len(set(seeded)) == 1
    assert isinstance(call_intrinsic("States.MathRandom(12.5, 44.51)", {}, frame), int)
    first, second = (call("States.UUID()", {}, frame) for _ in range(2))
    assert first == second and len(first) == 36 and first[14] == "4"
    assert call_intrinsic("States.UUID()", {}, frame) != call_intrinsic("States.UUID()", {}, frame)


@pytest.mark.parametrize(
    ("text", "data", "reason"),
    [
        (
            "States.Format($.t, 1)",
            {"t": "{} {}"},
            "the template has 2 '{}' placeholders for 1 values",
        ),
        ("States.Format($.t)", {"t": 5}, "the first argument must be a string, got the number 5"),
        ("States.StringToJson($.s)", {"s": "{oops"}, "the string is not JSON"),
        ("States.StringToJson($.s)", {"s": "NaN"}, "the string is not JSON"),
        ("States.StringToJson(1)", {}, "the first argument must be a string"),
        (
            "States.ArrayPartition($.a, 0)",
            {"a": [1]},
            "the chunk size must be greater than 0, got 0",
        ),
        ("States.ArrayPartition($.a, 1.5)", {"a": [1]}, "the second argument must be an integer"),
        (
            "States.ArrayPartition('x', 1)",
            {},
            'the first argument must be an array, got the string "x"',
        ),
        ("States.ArrayRange(0, 5, 0)", {}, "the step must not be 0"),
        ("States.ArrayRange(0, 1000, 1)", {}, "the range has 1001 items; at most 1000 are allowed"),
        (
            "States.ArrayGetItem($.a, 2)",
            {"a": [1, 2]},
            "the index 2 is out of bounds for an array of 2 items",
        ),
        ("States.ArrayGetItem($.a, -1)", {"a": [1, 2]}, "the index -1 is out of bounds"),
        (
            "States.ArrayLength($.a)",
            {"a": {}},
            "the first argument must be an array, got an object",
        ),
        ("States.Base64Decode('***')", {}, "the input is not Base64"),
        ("States.Base64Encode($.s)", {"s": "x" * 10_001}, "at most 10000 are allowed"),
        (
            "States.Hash('x', 'SHA-3')",
            {},
            "the algorithm 'SHA-3' is not supported; use one of MD5,",
        ),
        (
            "States.Hash($.v, 'MD5')",
            {"v": {"a": 1}},
            "the first argument must be a string, got an object",
        ),
        ("States.JsonMerge($.a, $.a, true)", {"a": {}}, "only the shallow merge is supported"),
        ("States.JsonMerge($.a, 1, false)", {"a": {}}, "the second argument must be an object"),
        ("States.MathAdd('1', 2)", {}, 'the first argument must be a number, got the string "1"'),
        (
            "States.MathAdd(true, 2)",
            {},
            "the first argument must be a number, got the boolean true",
        ),
        ("States.MathAdd(2147483648, 0)", {}, "2147483648 is outside the range"),
        ("States.MathRandom(5, 5)", {}, "the end (5) must be greater than the start (5)"),
        (
            "States.StringSplit($.a, ',')",
            {"a": None},
            "the first argument must be a string, got null",
        ),
    ],
)
def test_wrong_arguments_fail_with_intrinsic_failure(
    text: str, data: Any, reason: str, frame: Frame
) -> None:
    with pytest.raises(StatesError) as failure:
        call(text, data, frame)
    assert failure.value.error == "States.IntrinsicFailure"
    name = text[: text.index("(")]
    assert str(failure.value.cause).startswith(f"{PREFIX}Invalid arguments in {name}: ")
    assert reason in str(failure.value.cause)


def test_a_missing_argument_path_raises_the_paths_failure(frame: Frame) -> None:
    with pytest.raises(PathNotFound) as failure:
        call("States.Array($.a, $.missing)", {"a": 1}, frame)
    assert failure.value.path == "$.missing"


def test_a_call_that_does_not_parse_fails_with_states_runtime(frame: Frame) -> None:
    with pytest.raises(StatesError) as failure:
        call("States.Nope()", {}, frame)
    assert failure.value.error == "States.Runtime"
    assert "unknown intrinsic function 'States.Nope'" in str(failure.value.cause)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (100.0, "100.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (12345678.9, "1.23456789E7"),
        (-2.5e-10, "-2.5E-10"),
        (1.5e300, "1.5E300"),
        (float("inf"), "Infinity"),
    ],
)
def test_doubles_print_as_java_does(value: float, text: str) -> None:
    assert java_double(value) == text


def test_format_and_json_texts_of_nested_values() -> None:
    value = {"a": [1, 2.0, "x y", None], "b": {"c": False}, "d": 3e-5}
    assert format_value(value) == "{a=[1, 2.0, x y, null], b={c=false}, d=3.0E-5}"
    assert java_json(value) == '{"a":[1,2.0,"x y",null],"b":{"c":false},"d":3.0E-5}'
    assert java_json('line\nbreak "q" /') == '"line\\nbreak \\"q\\" /"'


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=2), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(sorted(INTRINSICS)), st.lists(_JSON, max_size=3))
def test_intrinsics_fail_only_as_step_functions_does(name: str, values: list[Any]) -> None:
    low, high = INTRINSICS[name]
    count = max(low, min(len(values), high if high is not None else len(values)))
    values = (values + [None] * count)[:count]
    arguments = ", ".join(f"$.v[{i}]" for i in range(count))
    if name == "States.Format" and values:
        values[0] = "{} " * (count - 1)
    frame = Frame("S", 2)
    try:
        result = call_intrinsic(f"{name}({arguments})", {"v": values}, frame)
    except StatesError as failure:
        assert failure.error in ("States.IntrinsicFailure", "States.Runtime")
        assert str(failure.cause).startswith(PREFIX)
    else:
        java_json(result)


def test_deeply_nested_data_fails_as_a_state_error(frame: Frame) -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(StatesError) as failure:
        call("States.JsonToString($.d)", {"d": deep}, frame)
    assert failure.value.error == "States.IntrinsicFailure"
    with pytest.raises(StatesError) as failure:
        call("States.StringToJson($.s)", {"s": "[" * 100_000}, frame)
    assert failure.value.error == "States.IntrinsicFailure"
    with pytest.raises(StatesError) as failure:
        resolve_value("$.missing", {"d": deep}, frame, field="v.$")
    assert "nested too deeply" in str(failure.value.cause)
