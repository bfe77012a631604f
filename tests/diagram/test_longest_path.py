"""The longest budget path at every depth, as the budget proves it: the slowest branch of
each Parallel on it (with the workflow's declarations), each Map's processor."""

from __future__ import annotations

from typing import Any

from sfn_flows import LambdaFunction, LambdaInvoke, Map, Parallel, Succeed, Workflow
from sfn_flows.compile import compile_workflow
from sfn_flows.diagram.longest_path import longest_path
from tests.diagram.machines import nested_definition, task


def fan_out(per_item: int = 10, concurrency: int = 1) -> dict[str, Any]:
    """A Parallel: a 100 s Task against a Map of `per_item` s items, `concurrency` at once."""
    each = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "MaxConcurrency": concurrency,
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": task(TimeoutSeconds=per_item)}},
        "End": True,
    }
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Long", "States": {"Long": task(TimeoutSeconds=100)}},
                    {"StartAt": "Each", "States": {"Each": each}},
                ],
                "End": True,
            }
        },
    }


def test_nested_paths_follow_the_slowest_branch() -> None:
    path = longest_path(nested_definition())
    assert path.states == {"Route", "Both", "Prepare", "EachItem", "Item", "Nap", "Finish", "Done"}
    assert {
        ("start", None, "Route"),
        ("step", "Route", "Both"),
        ("branch", "Both", "Prepare"),
        ("step", "Prepare", "EachItem"),
        ("branch", "EachItem", "Item"),
        ("join", "Item", "EachItem"),
        ("join", "EachItem", "Both"),
        ("step", "Both", "Nap"),
        ("end", "Done", None),
    } <= path.steps
    assert not any("Fast" in step for step in path.steps)


def test_a_declared_map_size_decides_which_branch_is_slowest() -> None:
    # Unbounded (no max_items), the Map counts nothing: the 100 s Task is the slower branch.
    assert "Long" in longest_path(fan_out()).states
    # Twenty 10 s items one at a time take 200 s.
    declared = longest_path(fan_out(), map_max_items={"Each": 20})
    assert "Long" not in declared.states
    assert {"Fan", "Each", "Item"} <= declared.states
    # Ten at a time, 20 s: the Task again.
    assert "Long" in longest_path(fan_out(concurrency=10), map_max_items={"Each": 20}).states


def test_a_compiled_workflow_keeps_its_declarations_for_the_path() -> None:
    fn = LambdaFunction("Work", handler="work.handler", timeout_seconds=60)
    long = LambdaInvoke("Long", function=fn, timeout_seconds=100)
    items = Map(
        "Each",
        processor=LambdaInvoke("Item", function=fn, timeout_seconds=10),
        items_path="$.items",
        max_concurrency=1,
        max_items=20,
    )
    workflow = Workflow(
        name="fan",
        start=Parallel("Fan", branches=[long, items]) >> Succeed("Done"),
        timeout_seconds=3600,
    )
    compiled = compile_workflow(workflow)
    assert compiled.map_max_items == {"Each": 20}
    path = longest_path(
        compiled.definition,
        budget=compiled.budget,
        map_max_items=compiled.map_max_items,
        loop_max_iterations=compiled.loop_max_iterations,
    )
    assert "Item" in path.states and "Long" not in path.states
