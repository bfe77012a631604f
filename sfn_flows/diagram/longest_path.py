"""The longest budget path at every depth: the budget's critical path through the machine,
and inside each Parallel on it the slowest branch's, inside each Map its processor's.

The budget (`sfn_flows.budget`) gives the top level's path; each nested scope on it is
budgeted the same way, with the same declarations (a Map's `max_items`, a loop's
`max_iterations`), so the path drawn is the one the budget proves. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sfn_flows.asl.scopes import nested_scopes, scope_states
from sfn_flows.budget import Budget, compute_budget
from sfn_flows.diagram.graph import Step


@dataclass(frozen=True)
class LongestPath:
    states: frozenset[str]
    steps: frozenset[Step]


def longest_path(
    definition: Mapping[str, Any],
    *,
    budget: Budget | None = None,
    map_max_items: Mapping[str, int] | None = None,
    loop_max_iterations: Mapping[str, int] | None = None,
) -> LongestPath:
    """`budget`: the definition's own, when the caller has it (the build does), so the top
    level is not budgeted twice."""

    def budget_of(scope: Any) -> Budget:
        return compute_budget(
            scope, map_max_items=map_max_items, loop_max_iterations=loop_max_iterations
        )

    top = budget if budget is not None else budget_of(definition)
    states: set[str] = set()
    steps: set[Step] = set()
    pending: list[tuple[Any, tuple[str, ...], str | None]] = [(definition, top.critical_path, None)]
    while pending:
        scope, path, owner = pending.pop()
        if not path:
            continue
        states.update(path)
        steps.add(("start", None, path[0]) if owner is None else ("branch", owner, path[0]))
        for before, after in pairwise(path):
            # The budget does not say whether a step is a transition or a Catch: both are
            # drawn on the path when both lead there.
            steps.update((("step", before, after), ("catch", before, after)))
        found = scope_states(scope)
        last = found.get(path[-1])
        if isinstance(last, Mapping) and (last.get("End") is True or last.get("Type") == "Succeed"):
            steps.add(("end", path[-1], None) if owner is None else ("join", path[-1], owner))
        for name in path:
            inner = nested_scopes(found.get(name))
            if not inner:
                continue
            # A Map runs its first processor (as the budget reads it); a Parallel waits for its
            # slowest branch, the first of the slowest on a tie.
            candidates = inner[:1] if found[name].get("Type") == "Map" else inner
            slowest = max(
                ((budget_of(s.value), -index, s.value) for index, s in enumerate(candidates)),
                key=lambda item: (item[0].seconds, item[1]),
            )
            pending.append((slowest[2], slowest[0].critical_path, name))
    return LongestPath(frozenset(states), frozenset(steps))
