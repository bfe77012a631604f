"""Compare a workflow's timeout budget with the limits it must fit in."""

from __future__ import annotations

from collections.abc import Mapping

from sfn_flows.budget import Budget
from sfn_flows.compile.python_terms import reason_in_python_terms
from sfn_flows.model.base import State
from sfn_flows.model.workflow import MAX_EXPRESS_SECONDS, Workflow
from sfn_flows.validate.problems import Problem


def check_budget(workflow: Workflow, budget: Budget, states: Mapping[str, State]) -> list[Problem]:
    """`states`: each compiled state by its JSON pointer, to name what is unbounded in the
    keywords the user wrote."""
    problems: list[Problem] = []
    worst = seconds_text(budget.seconds)
    if budget.seconds > workflow.timeout_seconds:
        problems.append(
            Problem(
                "/TimeoutSeconds",
                f"the longest path can take {worst} ({' -> '.join(budget.critical_path)}), "
                f"more than the workflow's timeout_seconds={workflow.timeout_seconds}.",
                "raise timeout_seconds, or lower Task timeouts, retries and loop iterations "
                "on that path.",
                code="budget-exceeds-timeout",
            )
        )
    limits: list[tuple[float, str, str]] = []
    if workflow.type == "EXPRESS":
        limits.append(
            (MAX_EXPRESS_SECONDS, "an EXPRESS workflow's 300 s limit", "use type='STANDARD'")
        )
    if workflow.sync_budget is not None:
        limits.append(
            (
                workflow.sync_budget,
                f"its sync_budget of {seconds_text(workflow.sync_budget)}",
                "run it asynchronously (drop sync_budget)",
            )
        )
    for limit, what, alternative in limits:
        problems.extend(
            over_limit("", "the workflow", budget, limit, what, alternative, states=states)
        )
    if not budget.bounded and not limits:
        problems.append(
            Problem(
                "",
                f"the duration has no upper bound ({why_unbounded(budget, states)}); only "
                f"the machine timeout of {workflow.timeout_seconds} s stops it.",
                f"bound it: {how_to_bound(budget)}.",
                severity="warning",
                code="budget-unbounded",
            )
        )
    return problems


def over_limit(
    pointer: str,
    what_runs: str,
    budget: Budget,
    limit: float,
    what: str,
    alternative: str,
    *,
    states: Mapping[str, State],
    machine_at: str = "",
) -> list[Problem]:
    """Errors when `budget` (of `what_runs`, the machine at `machine_at`) can exceed `limit`,
    or cannot be bounded."""
    problems: list[Problem] = []
    path = " -> ".join(budget.critical_path)
    if budget.seconds > limit:
        problems.append(
            Problem(
                pointer,
                f"{what_runs} can take {seconds_text(budget.seconds)} ({path}), more than {what}.",
                f"shorten the timeouts, retries and loops on {path}, or {alternative}.",
                code="budget-exceeds-limit",
            )
        )
    if not budget.bounded:
        problems.append(
            Problem(
                pointer,
                f"the duration of {what_runs} has no upper bound "
                f"({why_unbounded(budget, states, machine_at)}), so "
                f"it cannot be shown to stay within {what}.",
                f"bound it ({how_to_bound(budget)}), or {alternative}.",
                code="budget-unbounded",
            )
        )
    return problems


def why_unbounded(budget: Budget, states: Mapping[str, State], machine_at: str = "") -> str:
    """The first causes, in the keywords of the Python objects behind them (the budget's
    pointers are relative to the machine at `machine_at`)."""
    reasons = [
        f"{u.state}: {reason_in_python_terms(machine_at + u.pointer, u.reason, states)}"
        for u in budget.unbounded[:3]
    ]
    reasons += [f"loop {' -> '.join(loop)}" for loop in budget.loops[:3]]
    more = len(budget.unbounded) + len(budget.loops) - len(reasons)
    return "; ".join(reasons) + (f"; and {more} more" if more > 0 else "")


def how_to_bound(budget: Budget) -> str:
    """The parameters that bound what `budget` could not: one hint per kind of cause."""
    hints: list[str] = []
    if budget.loops:
        # The state that jumps back is usually the Choice that decides whether to go round.
        hints.append(
            "declare how many times each loop runs with max_iterations=N on one of its states "
            f"(e.g. on {budget.loops[0][-1]!r})"
        )
    if any("max_items" in u.reason for u in budget.unbounded):
        hints.append("declare max_items=N on each Map")
    if any("max_items" not in u.reason for u in budget.unbounded):
        hints.append(
            "use fixed durations (timeout_seconds=, seconds=) instead of paths, timestamps or "
            "expressions"
        )
    return "; ".join(hints)


def seconds_text(value: float) -> str:
    return f"{value:g} s"
