"""Compare a workflow's timeout budget with the limits it must fit in."""

from __future__ import annotations

from sfn_flows.budget import Budget
from sfn_flows.model.workflow import MAX_EXPRESS_SECONDS, Workflow
from sfn_flows.validate.problems import Problem


def check_budget(workflow: Workflow, budget: Budget) -> list[Problem]:
    problems: list[Problem] = []
    worst = _seconds(budget.seconds)
    if budget.seconds > workflow.timeout_seconds:
        problems.append(
            Problem(
                "/TimeoutSeconds",
                f"the longest path can take {worst} ({' -> '.join(budget.critical_path)}), "
                f"more than the workflow's timeout_seconds={workflow.timeout_seconds}.",
                "raise timeout_seconds, or lower Task timeouts and retries on that path.",
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
                f"its sync_budget of {_seconds(workflow.sync_budget)}",
                "run it asynchronously (drop sync_budget)",
            )
        )
    for limit, what, alternative in limits:
        if budget.seconds > limit:
            problems.append(
                Problem(
                    "",
                    f"the longest path can take {worst}, more than {what}.",
                    f"shorten the timeouts and retries on {' -> '.join(budget.critical_path)}, "
                    f"or {alternative}.",
                    code="budget-exceeds-limit",
                )
            )
        if not budget.bounded:
            problems.append(
                Problem(
                    "",
                    f"the duration has no upper bound ({_why_unbounded(budget)}), so it cannot be "
                    f"shown to stay within {what}.",
                    f"bound every part of the path, or {alternative}.",
                    code="budget-unbounded",
                )
            )
    if not budget.bounded and not limits:
        problems.append(
            Problem(
                "",
                f"the duration has no upper bound ({_why_unbounded(budget)}); only the machine "
                f"timeout of {workflow.timeout_seconds} s stops it.",
                "bound it where you can (e.g. declare max_items on a Map).",
                severity="warning",
                code="budget-unbounded",
            )
        )
    return problems


def _why_unbounded(budget: Budget) -> str:
    reasons = [f"{u.state}: {u.reason}" for u in budget.unbounded[:3]]
    reasons += [f"loop {' -> '.join(loop)}" for loop in budget.loops[:3]]
    more = len(budget.unbounded) + len(budget.loops) - len(reasons)
    return "; ".join(reasons) + (f"; and {more} more" if more > 0 else "")


def _seconds(value: float) -> str:
    return f"{value:g} s"
