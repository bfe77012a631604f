"""The corpus's Pass-only JSONPath executions, recorded on AWS, run through the path,
payload and intrinsic evaluators.

Most of the `intrinsic_functions` group is one Pass state whose Parameters call an
intrinsic; the rest of the selection is chains of Pass states (InputPath, Parameters,
Result, Assign, ResultPath, OutputPath), ending perhaps in Succeed or Fail. A small
stand-in for the engine walks the chain state by state with the evaluators under test,
and the corpus's comparator judges the result. Nothing here knows a case by its id.
"""

from __future__ import annotations

from typing import Any

import corpus_harness as harness

from sfn_flows.asl import ABSENT
from sfn_flows.engine.context import (
    ExecutionInfo,
    default_role_arn,
    execution_context,
    state_context,
    state_machine_context,
)
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonpath import apply_input_path, apply_output_path, apply_result_path
from sfn_flows.engine.limits import check_state_output
from sfn_flows.engine.payload import resolve_payload, resolve_value

STATE_TYPES = frozenset({"Pass", "Succeed", "Fail"})
START = 1_700_000_000.0
# Each Pass state takes an Entered and an Exited event.
EVENTS_PER_PASS_STATE = 2
# Measured: all 197 selected cases (132 of them intrinsic_functions) match AWS.
REQUIRED_PASS_RATE = 1.0


def _jsonata_anywhere(definition: dict[str, Any]) -> bool:
    if definition.get("QueryLanguage") == "JSONata":
        return True
    return any(state.get("QueryLanguage") == "JSONata" for state in definition["States"].values())


def selected(case: harness.Case) -> bool:
    """No other service, JSONPath only, and nothing but Pass, Succeed and Fail states."""
    definition = case["definition"]
    return (
        not case["needs"]
        and not _jsonata_anywhere(definition)
        and all(state["Type"] in STATE_TYPES for state in definition["States"].values())
    )


def run_chain(case: harness.Case) -> harness.Result:
    definition = case["definition"]
    info = ExecutionInfo(
        state_machine_name="corpus-machine",
        execution_name="corpus-execution",
        role_arn=default_role_arn(),
        express=case["meta"]["state_machine_type"] == "EXPRESS",
        express_id="3f7c0e0a-9d4b-4b8e-9a51-0d6f3c2b1e77",
    )
    base = {
        "Execution": execution_context(info, case["input"], START),
        "StateMachine": state_machine_context(info),
    }
    variables: dict[str, Any] = {}
    data = case["input"]
    name = definition["StartAt"]
    event_id = harness.FIRST_STATE_EVENT_ID
    for _ in range(len(definition["States"]) + 1):
        state = definition["States"][name]
        frame = Frame(name, event_id, state_context(base, name, START, None), dict(variables))
        try:
            if state["Type"] == "Fail":
                return _fail(state, data, frame)
            effective = apply_input_path(state.get("InputPath", ABSENT), data, frame)
            if state["Type"] == "Succeed":
                data = apply_output_path(state.get("OutputPath", ABSENT), effective, frame)
                break
            if "Parameters" in state:
                effective = resolve_payload(
                    state["Parameters"], effective, frame, field="Parameters"
                )
            result = state.get("Result", effective)
            assigned = resolve_payload(state.get("Assign", {}), result, frame, field="Assign")
            output = apply_result_path(state.get("ResultPath", ABSENT), data, result, frame)
            data = apply_output_path(state.get("OutputPath", ABSENT), output, frame)
            check_state_output(name, data)
        except StatesError as failure:
            return harness.failed_with(failure)
        variables.update(assigned)
        if state.get("End"):
            break
        name = state["Next"]
        event_id += EVENTS_PER_PASS_STATE
    return harness.succeeded(data)


def _fail(state: dict[str, Any], data: Any, frame: Frame) -> harness.Result:
    error = state.get("Error")
    cause = state.get("Cause")
    if "ErrorPath" in state:
        error = resolve_value(state["ErrorPath"], data, frame, field="ErrorPath")
    if "CausePath" in state:
        cause = resolve_value(state["CausePath"], data, frame, field="CausePath")
    return harness.failed(error, cause)


def test_pass_chains_match_aws(corpus_cases: list[harness.Case]) -> None:
    cases = [case for case in corpus_cases if selected(case)]
    intrinsic = [case for case in cases if case["id"].startswith("intrinsic_functions/")]
    # The selection is what the corpus holds: a shrinking one would pass vacuously.
    assert len(cases) >= 190 and len(intrinsic) >= 130
    failures = harness.differences(cases, run_chain)
    intrinsic_failures = {
        key: why for key, why in failures.items() if key in {c["id"] for c in intrinsic}
    }
    assert intrinsic_failures == {}, f"{len(intrinsic_failures)}/{len(intrinsic)} differ from AWS"
    passed = len(cases) - len(failures)
    assert passed / len(cases) >= REQUIRED_PASS_RATE, (
        f"{passed}/{len(cases)} match AWS; differences: {failures}"
    )
