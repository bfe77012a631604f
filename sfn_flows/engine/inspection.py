"""The data-flow steps of one JSONPath state, as TestState's inspectionData shows them:
the input after InputPath, after Parameters, the result after ResultSelector and after
ResultPath. Evaluated with the same functions the states run, on a state the execution ran.

`result` is what the state's work gave (a Task's integration; a Pass state's is found here); for a
Task, `parameters` is what the integration received (recorded in the history), so that an
intrinsic such as States.UUID is not evaluated a second time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfn_flows.asl.definition import ABSENT
from sfn_flows.engine import jsonpath
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.payload import resolve_payload


def data_flow(
    state: Mapping[str, Any],
    raw: Any,
    *,
    result: Any = ABSENT,
    parameters: Any = ABSENT,
    name: str = "",
    context: Mapping[str, Any] | None = None,
    variables: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The steps of `state` (a JSONPath state's definition) on `raw`, as far as they go:
    keys afterInputPath, afterParameters, result, afterResultSelector, afterResultPath."""
    frame = Frame(name, 0, dict(context or {}), variables or {})
    steps: dict[str, Any] = {}
    try:
        data = jsonpath.apply_input_path(_field(state, "InputPath"), raw, frame)
        steps["afterInputPath"] = data
        if parameters is ABSENT and "Parameters" in state:
            parameters = resolve_payload(state["Parameters"], data, frame, field="Parameters")
        if parameters is not ABSENT:
            steps["afterParameters"] = parameters
        if result is ABSENT and state.get("Type") == "Pass":
            # A Pass state's result: its Result, else its input after Parameters.
            result = state.get("Result", steps.get("afterParameters", data))
        if result is ABSENT:
            return steps
        steps["result"] = result
        if "ResultSelector" in state:
            selector = state["ResultSelector"]
            result = resolve_payload(selector, result, frame, field="ResultSelector")
            steps["afterResultSelector"] = result
        steps["afterResultPath"] = jsonpath.apply_result_path(
            _field(state, "ResultPath"), raw, result, frame
        )
    except StatesError:
        pass  # the execution failed there too: its error says why
    return steps


def _field(state: Mapping[str, Any], key: str) -> Any:
    """A path field as the states read it: absent, null (None) or a path."""
    return state.get(key, ABSENT)
