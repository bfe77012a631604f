"""Budget of a whole (possibly nested) state machine."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfn_flows.asl.describe import quoted
from sfn_flows.asl.pointers import child_pointer
from sfn_flows.budget.graph import longest_path
from sfn_flows.budget.model import Budget, MachineResult, Unbounded
from sfn_flows.budget.states import StateCost, analyze_state

# Each nesting level costs a handful of Python frames; this keeps far below the recursion
# limit even for hostile input (or a Python dict that contains itself as a branch).
MAX_NESTING = 40


def compute_budget(
    definition: Mapping[str, Any],
    *,
    map_max_items: Mapping[str, int] | None = None,
    loop_max_iterations: Mapping[str, int] | None = None,
) -> Budget:
    """Worst-case duration of an Amazon States Language definition (already parsed JSON)."""
    declared = Declared(_mapping(map_max_items), _mapping(loop_max_iterations))
    result = analyze_machine(definition, "", "", declared, 0)
    return Budget(
        seconds=result.seconds,
        bounded=not result.unbounded and not result.loops,
        unbounded=result.unbounded,
        loops=result.loops,
        critical_path=result.critical_path,
        state_seconds=result.state_seconds,
        loop_bounds=result.loop_bounds,
    )


@dataclass(frozen=True, slots=True)
class Declared:
    """What the author declared about a machine's states, by state name (names are unique
    in the whole machine): a Map's largest item count, a loop's largest iteration count."""

    map_max_items: Mapping[str, object]
    loop_max_iterations: Mapping[str, object]


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def analyze_machine(
    machine: object,
    pointer: str,
    owner: str,
    declared: Declared,
    depth: int,
) -> MachineResult:
    """Budget of the machine at ``pointer``; ``owner`` names the enclosing state ("" at top)."""
    if depth > MAX_NESTING:
        reason = f"Nested more than {MAX_NESTING} levels deep, so it is not analysed"
        return _broken(pointer, owner, reason)
    if not isinstance(machine, Mapping):
        return _broken(pointer, owner, "State machine is not an object")
    states = machine.get("States")
    if not isinstance(states, Mapping):
        return _broken(child_pointer(pointer, "States"), owner, "States is not an object")

    def nested(sub: object, sub_pointer: str, sub_owner: str) -> MachineResult:
        return analyze_machine(sub, sub_pointer, sub_owner, declared, depth + 1)

    # JSON keys are strings; anything else cannot be the target of a transition.
    costs: dict[str, StateCost] = {
        name: analyze_state(
            name,
            state,
            child_pointer(pointer, "States", name),
            map_max_items=declared.map_max_items,
            sub_machine=nested,
        )
        for name, state in states.items()
        if isinstance(name, str)
    }
    state_seconds = {name: cost.seconds for name, cost in costs.items()}
    successors, edge_problems = _resolve_edges(costs)

    start = machine.get("StartAt")
    start_pointer = child_pointer(pointer, "StartAt")
    if not isinstance(start, str):
        return _broken(start_pointer, owner, "StartAt is not a state name", state_seconds)
    if start not in costs:
        reason = f"StartAt names {quoted(start)}, which is not a state of this machine"
        return _broken(start_pointer, owner, reason, state_seconds)

    found = longest_path(start, state_seconds, successors, declared.loop_max_iterations)
    # The first state of a bounded loop carries its further rounds, so the critical path's
    # states still add up to the total.
    for head, extra in found.repeats.items():
        state_seconds[head] = min(state_seconds[head] + extra, sys.float_info.max)
    # States that cannot be reached never run, so they neither cost nor threaten anything.
    unbounded: list[Unbounded] = []
    loops = list(found.loops)
    loop_bounds: list[str] = []
    for name in found.reachable:
        unbounded.extend(costs[name].unbounded)
        unbounded.extend(edge_problems.get(name, ()))
        loops.extend(costs[name].loops)
        if name in found.bounds:
            loop_bounds.append(name)
        loop_bounds.extend(costs[name].loop_bounds)
    seconds = found.seconds
    if not math.isfinite(seconds):
        reason = "Worst case exceeds any representable duration"
        unbounded.append(Unbounded(pointer, owner, reason))
        seconds = sys.float_info.max
    return MachineResult(
        seconds, found.path, tuple(unbounded), tuple(loops), state_seconds, tuple(loop_bounds)
    )


def _resolve_edges(
    costs: Mapping[str, StateCost],
) -> tuple[dict[str, list[str]], dict[str, list[Unbounded]]]:
    successors: dict[str, list[str]] = {}
    problems: dict[str, list[Unbounded]] = {}
    for name, cost in costs.items():
        targets = successors.setdefault(name, [])
        for edge in cost.edges:
            if isinstance(edge.target, str) and edge.target in costs:
                targets.append(edge.target)
                continue
            if isinstance(edge.target, str):
                reason = (
                    f"Transition to {quoted(edge.target)}, which is not a state of this machine"
                )
            else:
                reason = "Transition target is not a state name"
            problems.setdefault(name, []).append(Unbounded(edge.pointer, name, reason))
    return successors, problems


def _broken(
    pointer: str, owner: str, reason: str, state_seconds: dict[str, float] | None = None
) -> MachineResult:
    problem = Unbounded(pointer, owner, reason)
    return MachineResult(0.0, (), (problem,), (), state_seconds if state_seconds else {})
