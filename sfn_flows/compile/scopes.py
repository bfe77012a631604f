"""Collect the states of one scope (the machine, a Parallel branch, a Map processor) by
following the object graph from its first state."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from sfn_flows.model.base import State


@dataclass(frozen=True, slots=True, eq=False)
class Reached:
    """A state of a scope and the first transition that led to it (None for the start)."""

    state: State
    source: State | None = None
    edge: tuple[str | int, ...] = ()


def collect_scope(start: State) -> list[State]:
    """Every state reachable from `start` through object references, in declaration order.

    Targets given by name are not followed: they must name a state of the same scope that is
    reachable as an object, which the validator checks on the output.
    """
    return [reached.state for reached in reach_scope(start)]


def reach_scope(start: State) -> list[Reached]:
    """`collect_scope`, with the first transition that led to each state."""
    seen: dict[int, Reached] = {id(start): Reached(start)}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        for edge, target in state.transitions():
            if isinstance(target, State) and id(target) not in seen:
                seen[id(target)] = Reached(target, state, edge)
                queue.append(target)
    ordered = sorted(seen.values(), key=lambda r: r.state.order)
    # The entry state first: readers (and StartAt) expect the flow to begin at the top.
    first = seen[id(start)]
    return [first, *(reached for reached in ordered if reached is not first)]
