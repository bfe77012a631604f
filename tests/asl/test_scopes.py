"""The one tolerant walker over raw scopes, its transitions, and the small shared rules
(pointers, descriptions, callback resources)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_flows.asl import parse_definition
from sfn_flows.asl.callbacks import is_callback_resource, waits_for
from sfn_flows.asl.describe import describe
from sfn_flows.asl.pointers import pointer, pointer_tokens, resolve_pointer
from sfn_flows.asl.scopes import iter_scopes, iter_states, nested_scopes, transitions


def test_the_raw_walk_meets_every_state_the_typed_form_has(
    corpus_cases: list[dict[str, Any]],
) -> None:
    for case in corpus_cases:
        definition = case["definition"]
        raw = [(s.name, s.pointer) for s in iter_states(definition)]
        typed = [(s.name, s.pointer) for s in parse_definition(definition).iter_states()]
        assert raw == typed, case["id"]
        scopes = [scope.pointer for scope in iter_scopes(definition)]
        assert scopes == [m.pointer for m in parse_definition(definition).iter_machines()]
        for state in iter_states(definition):
            assert resolve_pointer(definition, state.pointer) is state.value


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["Type", "States", "StartAt", "Branches", "ItemProcessor", "Iterator"])
            | st.sampled_from(["Next", "Default", "Choices", "Catch", "Parallel", "Map"]),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(definition=json_values)
def test_any_json_is_walked_without_an_exception(definition: Any) -> None:
    for state in iter_states(definition):
        assert state.pointer.startswith(state.scope.pointer + "/States/")
        if isinstance(state.value, dict):
            transitions(state.value)
    list(iter_scopes(definition))


def test_a_scope_that_contains_itself_is_walked_once() -> None:
    branch: dict[str, Any] = {"StartAt": "P", "States": {}}
    branch["States"]["P"] = {"Type": "Parallel", "Branches": [branch], "End": True}
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [branch]}}}
    names = [s.pointer for s in iter_states(definition)]
    assert names == ["/States/P", "/States/P/Branches/0/States/P"]


def test_nested_scopes_follow_the_state_type() -> None:
    body = {"StartAt": "A", "States": {}}
    both = {"Type": "Map", "ItemProcessor": body, "Iterator": body}
    assert [n.tokens for n in nested_scopes(both)] == [("ItemProcessor",), ("Iterator",)]
    assert nested_scopes({"Type": "Pass", "Branches": [body]}) == []
    assert nested_scopes({"Type": "Parallel", "Branches": "no"}) == []
    assert [n.tokens for n in nested_scopes({"Type": "Parallel", "Branches": [1, body]})] == [
        ("Branches", 0),
        ("Branches", 1),
    ]


def test_transitions_in_search_order_with_what_cannot_be_read() -> None:
    state = {
        "Type": "Choice",
        "Default": "D",
        "Choices": [{"Next": "A"}, 5, {"Variable": "$.x"}],
        "Catch": "nope",
        "Next": True,
    }
    found, unreadable = transitions(state)
    assert [(t.target, t.location) for t in found] == [
        (True, ("Next",)),
        ("A", ("Choices", 0, "Next")),
        ("D", ("Default",)),
    ]
    assert [(u.what, u.location) for u in unreadable] == [
        ("Choice rule", ("Choices", 1)),
        ("Catch", ("Catch",)),
    ]


def test_pointers_escape_and_unescape() -> None:
    assert pointer("States", "a/b~c", 0) == "/States/a~1b~0c/0"
    assert pointer_tokens("/States/a~1b~0c/0") == ["States", "a/b~c", "0"]
    assert resolve_pointer({"a/b": [1, {"c": 2}]}, "/a~1b/1/c") == 2


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (False, "the boolean false"),
        ("x" * 50, f"the string {'x' * 40!r}"),
        (2.5, "the number 2.5"),
        ([], "a JSON array"),
        ({}, "a JSON object"),
    ],
)
def test_describe(value: Any, text: str) -> None:
    assert describe(value) == text


@pytest.mark.parametrize(
    ("resource", "kind"),
    [
        ("arn:aws:states:::lambda:invoke", None),
        ("arn:aws:states:::lambda:invoke.waitForTaskToken", "callback"),
        ("arn:aws:states:::states:startExecution.sync:2", "sync"),
        ("arn:aws:states:::glue:startJobRun.sync", "sync"),
        ("arn:aws:states:us-east-1:123456789012:activity:approve", "activity"),
        ("arn:aws:lambda:us-east-1:123456789012:function:f", None),
    ],
)
def test_callback_resources(resource: str, kind: str | None) -> None:
    assert waits_for(resource) == kind
    assert is_callback_resource(resource) is (kind is not None)
