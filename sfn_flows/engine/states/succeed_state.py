"""Succeed: the machine (or the branch, or the iteration) ends here with its input."""

from __future__ import annotations

from typing import Any

from sfn_flows.asl.definition import SucceedState
from sfn_flows.engine.states.base import Outcome, StateRunner
from sfn_flows.engine.states.runtime import Run


class SucceedRunner(StateRunner):
    def __init__(self, spec: SucceedState) -> None:
        super().__init__(spec)

    def execute_now(self, run: Run, raw: Any) -> Outcome:
        frame = self.enter(run, raw)
        if self.jsonata:
            output = self.jsonata_output(frame, self.states_binding(frame, raw), raw)
        else:
            output = self.filtered_input(frame, raw)
        return self.finish(run, frame, output, None), None
