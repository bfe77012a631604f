"""Pass: its input (or Parameters, or Result) becomes its output."""

from __future__ import annotations

from typing import Any

from sfn_flows.asl.definition import ABSENT, PassState
from sfn_flows.engine import jsonpath
from sfn_flows.engine.payload import resolve_payload
from sfn_flows.engine.states.base import Outcome, StateRunner
from sfn_flows.engine.states.runtime import Run


class PassRunner(StateRunner):
    def __init__(self, spec: PassState) -> None:
        super().__init__(spec)
        self.parameters = spec.parameters
        self.result = spec.result
        self.result_path = spec.result_path

    def execute_now(self, run: Run, raw: Any) -> Outcome:
        frame = self.enter(run, raw)
        if self.jsonata:
            states = self.states_binding(frame, raw)
            assigned = self.evaluate_assign(frame, raw, states)
            output = self.jsonata_output(frame, states, raw)
        else:
            data = self.filtered_input(frame, raw)
            result = data
            if self.parameters is not ABSENT:
                result = resolve_payload(self.parameters, data, frame, field="Parameters")
            if self.result is not ABSENT:
                result = self.result
            assigned = self.evaluate_assign(frame, result, None)
            output = jsonpath.apply_result_path(self.result_path, raw, result, frame)
        return self.finish(run, frame, output, assigned), self.next
