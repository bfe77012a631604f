"""The corpus's JSONata Pass chains, recorded on AWS, evaluated field by field.

A case qualifies when every state is a JSONata Pass state with only Output and Assign (no
Choice, Map, Task or JSONPath field): then the execution is exactly "evaluate Assign and
Output against the variables before the state, set the variables, pass the output on", and
the JSONata evaluator alone decides the result. The rest of the corpus needs the engine.
"""

from __future__ import annotations

from typing import Any

import corpus_harness as harness

from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonata import evaluate_template

PASS_FIELDS = {"Type", "Next", "End", "Comment", "QueryLanguage", "Output", "Assign"}
# Each Pass state adds an Entered and an Exited event.
EVENTS_PER_PASS_STATE = 2
# Far more than any chain in the corpus: a definition that loops is not one of these cases.
MAX_STEPS = 50


def is_jsonata_pass_chain(case: harness.Case) -> bool:
    definition = case["definition"]
    if case["needs"]:
        return False
    machine_language = definition.get("QueryLanguage", "JSONPath")
    return all(
        state.get("Type") == "Pass"
        and set(state) <= PASS_FIELDS
        and state.get("QueryLanguage", machine_language) == "JSONata"
        for state in definition["States"].values()
    )


def run_pass_chain(definition: dict[str, Any], data: Any) -> harness.Result:
    variables: dict[str, Any] = {}
    name = definition["StartAt"]
    for step in range(MAX_STEPS):
        state = definition["States"][name]
        context = {"Execution": {"Input": data}, "State": {"Name": name}}
        frame = Frame(
            state_name=name,
            entered_event_id=harness.FIRST_STATE_EVENT_ID + EVENTS_PER_PASS_STATE * step,
            context=context,
            variables=variables,
        )
        states = {"input": data, "context": context}
        try:
            # Both fields read the variables as they were before the state.
            assigned = evaluate_template(state.get("Assign", {}), frame, states, field="Assign")
            output = (
                evaluate_template(state["Output"], frame, states, field="Output")
                if "Output" in state
                else data
            )
        except StatesError as failure:
            return harness.failed_with(failure)
        variables = {**variables, **assigned}
        data = output
        if state.get("End"):
            return harness.succeeded(data)
        name = state["Next"]
    raise AssertionError(f"no End within {MAX_STEPS} states")


def test_jsonata_pass_chains_match_aws(corpus_cases: list[harness.Case]) -> None:
    cases = [case for case in corpus_cases if is_jsonata_pass_chain(case)]
    # The subset is large enough to mean something; a smaller one means the selection broke.
    assert len(cases) >= 50
    failures = harness.differences(
        cases, lambda case: run_pass_chain(case["definition"], case["input"])
    )
    passed = len(cases) - len(failures)
    assert failures == {}, f"{passed}/{len(cases)} match AWS; differ: {failures}"
