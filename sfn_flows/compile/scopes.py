"""Collect the states of one scope (the machine, a Parallel branch, a Map processor) by
following the object graph from its first state."""

from __future__ import annotations

from collections import deque

from sfn_flows.model.base import State


def collect_scope(start: State) -> list[State]:
    """Every state reachable from `start` through object references, in declaration order.

    Targets given by name are not followed: they must name a state of the same scope that is
    reachable as an object, which the validator checks on the output.
    """
    seen: dict[int, State] = {id(start): start}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        for _, target in state.transitions():
            if isinstance(target, State) and id(target) not in seen:
                seen[id(target)] = target
                queue.append(target)
    ordered = sorted(seen.values(), key=lambda s: s.order)
    # The entry state first: readers (and StartAt) expect the flow to begin at the top.
    ordered.remove(start)
    return [start, *ordered]
