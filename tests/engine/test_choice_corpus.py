"""The corpus's 491 choice-operator executions, recorded on AWS, run through `rule_matches`.

Each case is one Choice state whose operator the test varies, with two Pass states that
return a literal `Result`: the Choice picks the branch, the branch's Result is the output.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import corpus_path

from sfn_flows.engine.choice import rule_matches
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame

GROUP = "choice_operators/"
# ExecutionStarted is event 1, so the first state is entered at event 2.
FIRST_STATE_EVENT_ID = 2

Compare = Callable[[dict[str, Any], dict[str, Any]], tuple[bool, str]]


@pytest.fixture(scope="module")
def compare_result(corpus_cases: list[dict[str, Any]]) -> Compare:
    module = _load(corpus_path().parent / "compare.py")
    compare: Compare = module.compare_result
    return compare


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("conformance_compare", path)
    assert spec is not None and spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_choice_case(definition: dict[str, Any], data: Any) -> dict[str, Any]:
    """The execution's result: the Choice state picks a Pass state, which returns its Result."""
    name = definition["StartAt"]
    choice = definition["States"][name]
    assert choice["Type"] == "Choice"
    frame = Frame(state_name=name, entered_event_id=FIRST_STATE_EVENT_ID)
    try:
        target = next(
            (rule["Next"] for rule in choice["Choices"] if rule_matches(rule, data, frame)),
            choice.get("Default"),
        )
    except StatesError as failure:
        return {"status": "FAILED", "output": None, "error": failure.error, "cause": failure.cause}
    if target is None:
        return {"status": "FAILED", "output": None, "error": "States.NoChoiceMatched"}
    branch = definition["States"][target]
    # Only a literal-Result Pass is modelled here; anything else would need the engine.
    assert branch["Type"] == "Pass" and set(branch) <= {"Type", "Result", "End"}, branch
    return {"status": "SUCCEEDED", "output": branch["Result"], "error": None, "cause": None}


def test_every_choice_operator_case_matches_aws(
    corpus_cases: list[dict[str, Any]], compare_result: Compare
) -> None:
    cases = [case for case in corpus_cases if case["id"].startswith(GROUP)]
    assert len(cases) == 491
    failures = {}
    for case in cases:
        ok, why = compare_result(case, run_choice_case(case["definition"], case["input"]))
        if not ok:
            failures[case["id"]] = why
    assert failures == {}, f"{len(failures)}/{len(cases)} differ from AWS"
