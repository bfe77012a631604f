"""JSONPath evaluation (sfn_flows.engine.jsonpath): what a path selects and how it fails.

Expected values follow Jayway, the JSONPath engine Step Functions runs: definite paths
(names and single indexes) return the value and fail with Jayway's messages, indefinite
ones (wildcards, slices, unions, filters, ``..``) return a list. The causes of the path
fields are the ones the conformance corpus recorded on AWS.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_flows.asl import ABSENT
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonpath import (
    PathNotFound,
    apply_input_path,
    apply_output_path,
    apply_result_path,
    json_equal,
    select,
)

PREFIX = "An error occurred while executing the state 'S' (entered at the event id #2). "

STORE: dict[str, Any] = {
    "store": {
        "book": [
            {"title": "A", "price": 8, "tags": ["x"], "isbn": "1"},
            {"title": "B", "price": 12.5, "tags": ["x", "y"]},
            {"title": "C", "price": 30, "tags": []},
        ],
        "bicycle": {"price": 19, "color": "red"},
    },
    "nothing": None,
    "flag": False,
}


@pytest.fixture
def frame() -> Frame:
    return Frame(
        "S",
        2,
        context={"Execution": {"Id": "arn:exec", "Input": {"a": 1}}},
        variables={"order": {"items": [{"sku": "p1"}, {"sku": "p2"}]}, "count": 3},
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", STORE),
        ("$.store.bicycle.color", "red"),
        ("$['store']['bicycle']['price']", 19),
        ('$["store"].bicycle', {"price": 19, "color": "red"}),
        ("$.store.book[0].title", "A"),
        ("$.store.book[-1].title", "C"),
        ("$.store.book[ 1 ].price", 12.5),
        ("$.nothing", None),
        ("$.flag", False),
        # A union of names at the end merges what is present into one object.
        ("$.store.bicycle['price','color','size']", {"price": 19, "color": "red"}),
        ("$.store.book.length()", 3),
        ("$.store.bicycle.keys()", ["price", "color"]),
        ("$.store.book[(@.length-1)].title", "C"),
        ("  $.store.bicycle.color ", "red"),
    ],
)
def test_definite_paths_return_the_value(path: str, expected: Any, frame: Frame) -> None:
    assert select(path, STORE, frame) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.store.book[*].title", ["A", "B", "C"]),
        ("$.store.book[*].isbn", ["1"]),
        ("$.store.*.price", [19]),
        ("$..price", [8, 12.5, 30, 19]),
        ("$..book[0].title", ["A"]),
        ("$.store.book[1:].title", ["B", "C"]),
        ("$.store.book[:1].title", ["A"]),
        ("$.store.book[-2:].title", ["B", "C"]),
        ("$.store.book[::2].title", ["A", "C"]),
        ("$.store.book[0,2].title", ["A", "C"]),
        ("$.store.book[0,9].title", ["A"]),
        (
            "$.store.book[*]['title','isbn']",
            [{"title": "A", "isbn": "1"}, {"title": "B"}, {"title": "C"}],
        ),
        ("$.store.book[?(@.price < 10)].title", ["A"]),
        ("$.store.book[?(@.price >= 12.5 && @.price <= 30)].title", ["B", "C"]),
        ("$.store.book[?(@.price < 10 || @.title == 'C')].title", ["A", "C"]),
        ("$.store.book[?(@.isbn)].title", ["A"]),
        ("$.store.book[?(!@.isbn)].title", ["B", "C"]),
        ("$.store.book[?(@.isbn != '1')].title", ["B", "C"]),
        ("$.store.book[?(@.title =~ /[ab]/i)].title", ["A", "B"]),
        ("$.store.book[?(@.title in ['A', 'C'])].title", ["A", "C"]),
        ("$.store.book[?(@.title nin ['A', 'C'])].title", ["B"]),
        ("$.store.book[?(@.tags contains 'y')].title", ["B"]),
        ("$.store.book[?(@.tags size 2)].title", ["B"]),
        ("$.store.book[?(@.tags empty true)].title", ["C"]),
        ("$.store.book[?(@.tags.length() > 1)].title", ["B"]),
        ("$.store.book[?(@.tags subsetof ['x', 'y'])].title", ["A", "B", "C"]),
        ("$.store.book[?(@.tags anyof ['y', 'z'])].title", ["B"]),
        ("$.store.book[?(@.tags noneof ['x'])].title", ["C"]),
        ("$.store.book[?(@.price > $.store.bicycle.price)].title", ["C"]),
        ("$.store.book[?((@.price < 10))].title", ["A"]),
        ("$..book[?(@.price == 12.5)].title", ["B"]),
        ("$.store.book[*].price.sum()", 50.5),
        ("$.store.book[*].price.max()", 30.0),
        ("$.store.book[*].price.min()", 8.0),
        ("$.store.book[*].title.length()", 3),
        # Nothing matches: an empty list, never an error (AWS gives [] for these).
        ("$.missing[*]", []),
        ("$.missing.items[1:5].itemValue", []),
        ("$[*].nope", []),
        ("$..nope", []),
    ],
)
def test_indefinite_paths_return_a_list(path: str, expected: Any, frame: Frame) -> None:
    assert select(path, STORE, frame) == expected


def test_recursive_descent_visits_parents_before_children(frame: Frame) -> None:
    data = {"a": {"name": 1, "b": {"name": 2}}, "name": 0, "c": [{"name": 3}]}
    assert select("$..name", data, frame) == [0, 1, 2, 3]


def test_recursive_descent_survives_deep_documents(frame: Frame) -> None:
    data: Any = {"leaf": 1}
    for _ in range(5_000):
        data = {"next": data}
    assert select("$..leaf", data, frame) == [1]


def test_context_and_variable_roots(frame: Frame) -> None:
    assert select("$$.Execution.Id", {}, frame) == "arn:exec"
    assert select("$$.Execution.Input", {}, frame) == {"a": 1}
    assert select("$count", {}, frame) == 3
    assert select("$order.items[1].sku", {}, frame) == "p2"
    assert select("$order.items[*].sku", {}, frame) == ["p1", "p2"]


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        # Jayway's own messages, which AWS passes on.
        ("$.NoSuchInputPath", "No results for path: $['NoSuchInputPath']"),
        ("$.no.such.result.path", "Missing property in path $['no']"),
        ("$.store.nope", "No results for path: $['store']['nope']"),
        ("$.store.book[7]", "No results for path: $['store']['book'][7]"),
        ("$.store.book[7].title", "No results for path: $['store']['book'][7]['title']"),
        (
            "$.nothing.x",
            "Expected to find an object with property ['x'] in path $['nothing'] but found "
            "'null'. This is not a json object according to the JsonProvider: "
            "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
        ),
        (
            "$.store.book.title",
            "Expected to find an object with property ['title'] in path $['store']['book'] "
            "but found 'net.minidev.json.JSONArray'.",
        ),
        (
            "$.store.bicycle[0]",
            'Filter: [0] can only be applied to arrays. Current context is: {"price":19,',
        ),
        ("$.nothing[0]", "The path $['nothing'] is null"),
        ("$.flag.length()", "length() can only be applied to an array"),
        ("$.store.avg()", "Aggregation function attempted to calculate value using empty"),
        ("$.store.book.nope()", "Function with name: nope does not exist."),
    ],
)
def test_definite_paths_that_select_nothing_fail(path: str, detail: str, frame: Frame) -> None:
    with pytest.raises(PathNotFound) as failure:
        select(path, STORE, frame)
    assert failure.value.error == "States.Runtime"
    assert failure.value.path == path
    assert detail in failure.value.detail
    assert failure.value.searched is STORE
    assert failure.value.cause == f"{PREFIX}Invalid path '{path}' : {failure.value.detail}"


def test_an_undefined_variable_fails(frame: Frame) -> None:
    with pytest.raises(PathNotFound) as failure:
        select("$undefined.a", {}, frame)
    assert failure.value.detail == "The variable 'undefined' is not defined"


def test_a_context_path_that_selects_nothing_names_the_context(frame: Frame) -> None:
    with pytest.raises(PathNotFound) as failure:
        select("$$.Execution.Nope", {}, frame)
    assert failure.value.searched is frame.context
    assert failure.value.detail == "No results for path: $['Execution']['Nope']"


@pytest.mark.parametrize(
    "path",
    ["$.store.book[?(@.price <)]", "$.store.book[?(@.title =~ 'x')]", "$[(@.size)]", "$.a[", "x"],
)
def test_paths_that_cannot_be_evaluated_fail_with_states_runtime(path: str, frame: Frame) -> None:
    with pytest.raises(StatesError) as failure:
        select(path, {"a": [1], "store": STORE["store"]}, frame)
    assert failure.value.error == "States.Runtime"
    assert failure.value.cause is not None
    assert failure.value.cause.startswith(f"{PREFIX}Invalid path '{path}' : ")


def test_input_and_output_path(frame: Frame) -> None:
    data = {"a": {"b": 1}}
    assert apply_input_path(ABSENT, data, frame) is data
    assert apply_input_path(None, data, frame) == {}
    assert apply_input_path("$.a", data, frame) == {"b": 1}
    assert apply_output_path(ABSENT, data, frame) is data
    assert apply_output_path(None, data, frame) == {}
    assert apply_output_path("$$.Execution.Input", data, frame) == {"a": 1}
    assert apply_output_path("$count", data, frame) == 3


@pytest.mark.parametrize("field", [apply_input_path, apply_output_path])
def test_input_and_output_path_causes_are_aws_s(field: Any, frame: Frame) -> None:
    with pytest.raises(StatesError) as failure:
        field("$.NoSuchInputPath", {"int-literal": 0}, frame)
    assert failure.value.error == "States.Runtime"
    assert failure.value.cause == (
        f"{PREFIX}Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
    )


def test_result_path_absent_null_and_root(frame: Frame) -> None:
    state_input = {"x": 1}
    assert apply_result_path(ABSENT, state_input, {"r": 2}, frame) == {"r": 2}
    assert apply_result_path("$", state_input, {"r": 2}, frame) == {"r": 2}
    assert apply_result_path(None, state_input, {"r": 2}, frame) is state_input


def test_result_path_writes_into_a_copy_creating_objects(frame: Frame) -> None:
    state_input = {"x": 1, "a": {"keep": True}}
    output = apply_result_path("$.a.b.c", state_input, [1], frame)
    assert output == {"x": 1, "a": {"keep": True, "b": {"c": [1]}}}
    assert state_input == {"x": 1, "a": {"keep": True}}
    assert apply_result_path("$['odd key']", {}, 1, frame) == {"odd key": 1}
    assert apply_result_path("$.x", {"x": {"old": 1}}, 2, frame) == {"x": 2}
    replaced = apply_result_path("$.l[-1]", {"l": [0, 1]}, 9, frame)
    assert replaced == {"l": [0, 9]}


@pytest.mark.parametrize(
    ("path", "state_input", "shown"),
    [
        ("$.x", "foo", '"foo"'),
        ("$.a.b", {"a": 3}, '{"a":3}'),
        ("$.a.b", {"a": None}, '{"a":null}'),
        ("$.l[5]", {"l": [0]}, '{"l":[0]}'),
        ("$[0]", {"l": [0]}, '{"l":[0]}'),
    ],
)
def test_result_path_into_something_that_is_not_an_object_fails(
    path: str, state_input: Any, shown: str, frame: Frame
) -> None:
    with pytest.raises(StatesError) as failure:
        apply_result_path(path, state_input, 1, frame)
    assert failure.value.error == "States.ReferencePathConflict"
    assert failure.value.cause == f"Unable to apply ReferencePath {path} to input {shown}"


@pytest.mark.parametrize("path", ["$.a[*]", "$$.Execution", "$var"])
def test_result_path_must_be_a_reference_path_on_the_input(path: str, frame: Frame) -> None:
    with pytest.raises(StatesError) as failure:
        apply_result_path(path, {}, 1, frame)
    assert failure.value.error == "States.Runtime"


def test_json_equal_keeps_booleans_apart_and_java_types_apart_on_request() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(1, True)
    assert not json_equal(1, 1.0, java_types=True)
    assert json_equal({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}, java_types=True)
    assert not json_equal([1, 2], [1])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "length"]), children, max_size=3)
    ),
    max_leaves=12,
)
_PATHS = st.lists(
    st.sampled_from(
        [
            ".a",
            ".b",
            "[0]",
            "[-1]",
            "[*]",
            ".*",
            "..a",
            "[1:]",
            "[0,1]",
            "['a','b']",
            "[?(@.a)]",
            "[?(@.a > 1 || @.b == 'x')]",
            "[?(@.a =~ /x.*/)]",
            "[(@.length-1)]",
            ".length()",
            ".sum()",
            ".keys()",
            ".first()",
            ".nope()",
            "[?(@.a in [1, 'b'])]",
        ]
    ),
    max_size=4,
).map(lambda parts: "$" + "".join(parts))


@settings(max_examples=400, deadline=None)
@given(_PATHS, _JSON)
def test_evaluation_fails_only_as_step_functions_does(path: str, data: Any) -> None:
    frame = Frame("S", 2)
    try:
        select(path, data, frame)
    except StatesError as failure:
        assert failure.error == "States.Runtime"
        assert failure.cause is not None and failure.cause.startswith(PREFIX)
