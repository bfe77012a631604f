"""The validator must accept what AWS accepts: every definition in the corpus was run on
real AWS Step Functions, so any error reported for one of them is a validator bug."""

from __future__ import annotations

from typing import Any

from sfn_flows.budget import compute_budget
from sfn_flows.validate import validate_definition


def test_every_recorded_definition_is_valid(corpus_cases: list[dict[str, Any]]) -> None:
    assert len(corpus_cases) == 1038
    rejected = {}
    for case in corpus_cases:
        errors = [
            p.render() for p in validate_definition(case["definition"]) if p.severity == "error"
        ]
        if errors:
            rejected[case["id"]] = errors
    assert rejected == {}


def test_hand_written_machines_mostly_lack_timeouts(corpus_cases: list[dict[str, Any]]) -> None:
    # The corpus is hand-written ASL: missing Task timeouts are warnings, not errors...
    codes = [p.code for case in corpus_cases for p in validate_definition(case["definition"])]
    assert "missing-timeout" in codes
    # ...and --strict turns them into errors.
    with_tasks = next(
        c
        for c in corpus_cases
        if any(
            s.get("Type") == "Task" and "TimeoutSeconds" not in s
            for s in c["definition"]["States"].values()
        )
    )
    strict = validate_definition(with_tasks["definition"], strict=True)
    assert any(p.code == "missing-timeout" and p.severity == "error" for p in strict)


def test_budget_handles_every_recorded_definition(corpus_cases: list[dict[str, Any]]) -> None:
    for case in corpus_cases:
        budget = compute_budget(case["definition"])
        assert budget.seconds >= 0
