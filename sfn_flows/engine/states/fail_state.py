"""Fail: the machine (or the branch) fails with an error name and a cause."""

from __future__ import annotations

from typing import Any

from sfn_flows.asl.definition import ABSENT, FailState
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonata import evaluate_template
from sfn_flows.engine.payload import resolve_value
from sfn_flows.engine.states.base import Outcome, StateRunner
from sfn_flows.engine.states.runtime import Run


class FailRunner(StateRunner):
    def __init__(self, spec: FailState) -> None:
        super().__init__(spec)
        self.error = spec.error
        self.cause = spec.cause
        self.error_path = spec.error_path
        self.cause_path = spec.cause_path

    def execute_now(self, run: Run, raw: Any) -> Outcome:
        frame = self.enter(run, raw)
        error = self._text(frame, raw, self.error, self.error_path, "Error")
        cause = self._text(frame, raw, self.cause, self.cause_path, "Cause")
        # An empty name stands for "no error": AWS reports none.
        raise StatesError(error or "", cause)

    def _text(self, frame: Frame, raw: Any, literal: Any, path: Any, field: str) -> str | None:
        if path is not ABSENT:
            value = resolve_value(path, raw, frame, field=field + "Path")
        elif literal is ABSENT:
            return None
        elif self.jsonata:
            states = self.states_binding(frame, raw)
            value = evaluate_template(literal, frame, states, field=field)
        else:
            value = literal
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)
