"""The corpus's 491 choice-operator executions, recorded on AWS, run through `rule_matches`.

Each case is one Choice state whose operator the test varies, with two Pass states that
return a literal `Result`: the Choice picks the branch, the branch's Result is the output.
"""

from __future__ import annotations

from typing import Any

import corpus_harness as harness

from sfn_flows.engine.choice import rule_matches
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame

GROUP = "choice_operators/"


def run_choice_case(definition: dict[str, Any], data: Any) -> harness.Result:
    """The execution's result: the Choice state picks a Pass state, which returns its Result."""
    name = definition["StartAt"]
    choice = definition["States"][name]
    assert choice["Type"] == "Choice"
    frame = Frame(state_name=name, entered_event_id=harness.FIRST_STATE_EVENT_ID)
    try:
        target = next(
            (rule["Next"] for rule in choice["Choices"] if rule_matches(rule, data, frame)),
            choice.get("Default"),
        )
    except StatesError as failure:
        return harness.failed_with(failure)
    if target is None:
        return harness.failed("States.NoChoiceMatched")
    branch = definition["States"][target]
    # Only a literal-Result Pass is modelled here; anything else would need the engine.
    assert branch["Type"] == "Pass" and set(branch) <= {"Type", "Result", "End"}, branch
    return harness.succeeded(branch["Result"])


def test_every_choice_operator_case_matches_aws(corpus_cases: list[harness.Case]) -> None:
    cases = [case for case in corpus_cases if case["id"].startswith(GROUP)]
    assert len(cases) == 491
    failures = harness.differences(
        cases, lambda case: run_choice_case(case["definition"], case["input"])
    )
    assert failures == {}, f"{len(failures)}/{len(cases)} differ from AWS"
