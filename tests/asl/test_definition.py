"""parse_definition against every definition AWS accepted in the conformance corpus."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from sfn_flows.asl import (
    ABSENT,
    ChoiceState,
    DefinitionShapeError,
    MapState,
    ParallelState,
    PassState,
    State,
    TaskState,
    parse_definition,
)
from sfn_flows.asl.definition import STATE_CLASSES
from sfn_flows.asl.pointers import resolve_pointer


def _raw_counts(scope: dict[str, Any], counts: Counter[str]) -> Counter[str]:
    """States by type, counted straight from the JSON (independent of the parser)."""
    for state in scope["States"].values():
        counts[state["Type"]] += 1
        for branch in state.get("Branches", ()):
            _raw_counts(branch, counts)
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor is not None:
            _raw_counts(processor, counts)
    return counts


def test_every_corpus_definition_parses_with_its_states_typed(
    corpus_cases: list[dict[str, Any]],
) -> None:
    total: Counter[str] = Counter()
    for case in corpus_cases:
        definition = case["definition"]
        machine = parse_definition(definition)
        states = list(machine.iter_states())
        expected = _raw_counts(definition, Counter())
        assert Counter(s.type for s in states) == expected, case["id"]
        total.update(expected)
        for state in states:
            assert isinstance(state, STATE_CLASSES[state.type])
            assert resolve_pointer(definition, state.pointer) is state.raw
            assert state.raw["Type"] == state.type
            assert state.next == state.raw.get("Next")
            assert state.end is (state.raw.get("End") is True)
            top = definition.get("QueryLanguage", "JSONPath")
            assert state.query_language == state.raw.get("QueryLanguage", top)
    # The corpus has every state type, nested scopes included.
    assert set(total) == set(STATE_CLASSES)
    assert total["Map"] == 108 and total["Parallel"] == 12


def test_retriers_catchers_and_choices_keep_their_place(
    corpus_cases: list[dict[str, Any]],
) -> None:
    seen = Counter[str]()
    for case in corpus_cases:
        definition = case["definition"]
        for state in parse_definition(definition).iter_states():
            for retrier in getattr(state, "retry", ()):
                assert resolve_pointer(definition, retrier.pointer) is retrier.raw
                assert retrier.error_equals == tuple(retrier.raw["ErrorEquals"])
                assert retrier.max_attempts == retrier.raw.get("MaxAttempts", 3)
                seen["retry"] += 1
            for catcher in getattr(state, "catch", ()):
                assert resolve_pointer(definition, catcher.pointer) is catcher.raw
                assert catcher.next == catcher.raw["Next"]
                seen["catch"] += 1
            if isinstance(state, ChoiceState):
                assert [r.next for r in state.choices] == [r["Next"] for r in state.raw["Choices"]]
                assert state.default == state.raw.get("Default")
                seen["choice"] += 1
    assert seen == {"retry": 18, "catch": 55, "choice": 517}


def _machine(states: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states, **top}


def test_absent_and_null_are_different() -> None:
    machine = parse_definition(
        _machine(
            {
                "Null": {"Type": "Pass", "ResultPath": None, "Next": "Missing"},
                "Missing": {"Type": "Pass", "End": True},
            }
        )
    )
    null, missing = machine.states["Null"], machine.states["Missing"]
    assert isinstance(null, PassState) and isinstance(missing, PassState)
    assert null.result_path is None
    assert missing.result_path is ABSENT
    assert missing.result is ABSENT and missing.output_path is ABSENT


def test_query_language_comes_from_the_top_level_at_every_depth() -> None:
    inner = {"StartAt": "In", "States": {"In": {"Type": "Pass", "End": True}}}
    machine = parse_definition(
        _machine(
            {
                "Par": {
                    "Type": "Parallel",
                    "QueryLanguage": "JSONata",
                    "Branches": [inner],
                    "Next": "Own",
                },
                "Own": {"Type": "Pass", "QueryLanguage": "JSONata", "End": True},
            }
        )
    )
    languages = {s.name: s.query_language for s in machine.iter_states()}
    assert languages == {"Par": "JSONata", "In": "JSONPath", "Own": "JSONata"}
    jsonata = parse_definition({**inner, "QueryLanguage": "JSONata"})
    assert jsonata.query_language == "JSONata"
    assert jsonata.states["In"].is_jsonata


def test_map_processor_from_item_processor_or_legacy_iterator() -> None:
    body = {"StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": True}}}
    machine = parse_definition(
        _machine(
            {
                "New": {
                    "Type": "Map",
                    "ItemProcessor": {
                        **body,
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    },
                    "Next": "Old",
                },
                "Old": {
                    "Type": "Map",
                    "Iterator": {"StartAt": "Item", "States": {"Item": {"Type": "Succeed"}}},
                    "MaxConcurrency": 2,
                    "End": True,
                },
            }
        )
    )
    new, old = machine.states["New"], machine.states["Old"]
    assert isinstance(new, MapState) and isinstance(old, MapState)
    assert new.processor.pointer == "/States/New/ItemProcessor"
    assert (new.processor_mode, new.execution_type, new.uses_iterator) == (
        "DISTRIBUTED",
        "EXPRESS",
        False,
    )
    assert old.processor.pointer == "/States/Old/Iterator"
    assert (old.processor_mode, old.uses_iterator, old.max_concurrency) == ("INLINE", True, 2)
    assert [s.name for s in machine.iter_states()] == ["New", "Each", "Old", "Item"]
    assert [m.pointer for m in machine.iter_machines()] == [
        "",
        "/States/New/ItemProcessor",
        "/States/Old/Iterator",
    ]


def test_states_are_frozen_and_names_escape_in_pointers() -> None:
    machine = parse_definition(
        _machine(
            {
                "a/b~c": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 1.5}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                    "Next": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
            TimeoutSeconds=60,
        )
    )
    task = machine.states["a/b~c"]
    assert isinstance(task, TaskState)
    assert task.pointer == "/States/a~1b~0c"
    assert task.retry[0].backoff_rate == 1.5 and task.retry[0].interval_seconds == 1
    assert task.retry[0].pointer == "/States/a~1b~0c/Retry/0"
    assert task.catch[0].result_path is ABSENT
    assert machine.timeout_seconds == 60
    assert machine.find("Done") is machine.states["Done"]
    with pytest.raises(AttributeError):
        task.next = "elsewhere"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("definition", "where"),
    [
        ([], "JSON object"),
        ({"StartAt": "A"}, "StartAt or States"),
        ({"StartAt": "A", "States": {"A": {"Type": "Nope"}}}, "/States/A/Type"),
        ({"StartAt": "A", "States": {"A": {"Type": "Task", "End": True}}}, "/States/A"),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [1], "End": True}}},
            "/States/A/Branches/0",
        ),
    ],
)
def test_a_shape_the_validator_refuses_is_named(definition: Any, where: str) -> None:
    with pytest.raises(DefinitionShapeError, match=where):
        parse_definition(definition)


def test_a_thousand_state_chain_parses() -> None:
    states: dict[str, Any] = {
        f"S{i}": {"Type": "Pass", "Parameters": {"a.$": "$.x"}, "Next": f"S{i + 1}"}
        for i in range(999)
    }
    states["S999"] = {"Type": "Succeed"}
    machine = parse_definition(_machine(states))
    assert sum(isinstance(s, State) for s in machine.iter_states()) == 1000
    assert isinstance(machine.states["S0"], PassState)
    assert not isinstance(machine.states["S0"], ParallelState)
