"""The model's ways to write what its keywords do not, which imported modules use: a state's
`raw_fields`, `c.raw(...)` for a Choice test, `Task(resource=<LambdaFunction>)`, and a Map
without ProcessorConfig or with the legacy `Iterator`. The compiler writes them as they are
and the validator checks the result as it checks any definition."""

from __future__ import annotations

import pytest

from sfn_flows import (
    Choice,
    LambdaFunction,
    LambdaInvoke,
    Map,
    Pass,
    Succeed,
    Task,
    Workflow,
    compile_workflow,
)
from sfn_flows import conditions as c
from sfn_flows.errors import DeclarationError, WorkflowError


def compiled(start: Pass | Task | Map | Choice | LambdaInvoke, **options: object) -> dict:
    workflow = Workflow(name="w", start=start, timeout_seconds=600, **options)  # type: ignore[arg-type]
    return compile_workflow(workflow).definition


def test_raw_fields_are_written_as_they_are_in_the_state() -> None:
    state = Pass("P", result={"a": 1}, raw_fields={"Result": {"a": 2}, "ResultPath": "$.r"})
    assert compiled(state)["States"]["P"] == {
        "Type": "Pass",
        "Result": {"a": 2},  # replaces the keyword's value
        "ResultPath": "$.r",
        "End": True,
    }


def test_raw_fields_are_validated_with_the_rest() -> None:
    with pytest.raises(WorkflowError) as caught:
        compiled(Pass("P", raw_fields={"ResultPath": "not a path"}))
    assert any(p.pointer == "/States/P/ResultPath" for p in caught.value.problems)
    with pytest.raises(WorkflowError) as caught:
        compiled(Pass("P", raw_fields={"TimeoutSeconds": 5}))
    assert any(p.pointer == "/States/P/TimeoutSeconds" for p in caught.value.problems)


@pytest.mark.parametrize("key", ["Next", "End", "Type", "Catch", "Choices", "Branches", "Iterator"])
def test_raw_fields_cannot_hold_what_the_builder_writes_from_states(key: str) -> None:
    with pytest.raises(DeclarationError, match=f"got raw_fields with {key}, which the builder"):
        Pass("P", raw_fields={key: "X"})


def test_a_raw_timeout_is_the_tasks_own() -> None:
    task = Task("T", resource="arn:aws:states:::sns:publish", raw_fields={"TimeoutSeconds": 7})
    assert compiled(task, default_task_timeout=60)["States"]["T"]["TimeoutSeconds"] == 7


def test_a_task_may_call_a_project_function_directly() -> None:
    work = LambdaFunction("Work", handler="work.handler")
    task = Task("T", resource=work, timeout_seconds=5)
    workflow = Workflow(name="w", start=task, timeout_seconds=60)
    built = compile_workflow(workflow)
    assert built.definition["States"]["T"]["Resource"] == "${WorkFunctionArn}"
    assert built.functions == (work,)


def test_a_raw_choice_test() -> None:
    choice = Choice("C", query_language="JSONata").when(c.raw({"Condition": True}), Succeed("S"))
    assert compiled(choice)["States"]["C"]["Choices"] == [{"Condition": True, "Next": "S"}]
    nested = Choice("D").when(
        c.all_of(c.raw({"Variable": "$.a", "IsNull": True, "Comment": "why"})), "D2"
    )
    nested.otherwise(Succeed("D2"))
    assert compiled(nested)["States"]["D"]["Choices"][0] == {
        "And": [{"Variable": "$.a", "IsNull": True, "Comment": "why"}],
        "Next": "D2",
    }


def test_map_processor_forms() -> None:
    bare = Map("M", processor=Pass("Each"), mode=None)
    assert compiled(bare)["States"]["M"]["ItemProcessor"] == {
        "StartAt": "Each",
        "States": {"Each": {"Type": "Pass", "End": True}},
    }
    legacy = Map("L", processor=Pass("One"), mode=None, legacy_iterator=True)
    state = compiled(legacy)["States"]["L"]
    assert "ItemProcessor" not in state
    assert state["Iterator"] == {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}}
    assert list(state) == ["Type", "Iterator", "End"]
