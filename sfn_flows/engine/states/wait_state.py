"""Wait: the path pauses for some seconds or until a timestamp, then passes its input on.

On the virtual clock the pause costs no wall time. The causes for a bad SecondsPath or
TimestampPath value are AWS's, as recorded.
"""

from __future__ import annotations

import json
from typing import Any

from sfn_flows.asl.definition import ABSENT, WaitState
from sfn_flows.asl.jsonata import expression_text, is_jsonata
from sfn_flows.engine import jsonpath
from sfn_flows.engine.choice import parse_timestamp
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonata import evaluate_expression
from sfn_flows.engine.scheduler import Sleep
from sfn_flows.engine.states.base import Execution, StateRunner
from sfn_flows.engine.states.runtime import Run


class WaitRunner(StateRunner):
    blocking = True

    def __init__(self, spec: WaitState) -> None:
        super().__init__(spec)
        self.seconds = spec.seconds
        self.timestamp = spec.timestamp
        self.seconds_path = spec.seconds_path
        self.timestamp_path = spec.timestamp_path

    def execute(self, run: Run, raw: Any) -> Execution:
        frame = self.enter(run, raw)
        if self.jsonata:
            states = self.states_binding(frame, raw)
            until = self._jsonata_until(run, frame, states)
            assigned = self.evaluate_assign(frame, raw, states)
            output = self.jsonata_output(frame, states, raw)
        else:
            data = self.filtered_input(frame, raw)
            until = self._jsonpath_until(run, frame, data)
            assigned = self.evaluate_assign(frame, data, None)
            output = data
        now = run.runtime.now
        if until > now:
            yield Sleep(until - now)
        return self.finish(run, frame, output, assigned), self.next

    def _jsonpath_until(self, run: Run, frame: Frame, data: Any) -> float:
        now = run.runtime.now
        if self.seconds is not ABSENT:
            return now + float(self.seconds)
        if self.timestamp is not ABSENT:
            return _instant(self.timestamp) or now
        if self.seconds_path is not ABSENT:
            path = str(self.seconds_path)
            value = jsonpath.select(path, data, frame)
            if isinstance(value, bool) or not isinstance(value, int):
                raise frame.runtime_error(
                    f"The SecondsPath parameter cannot be parsed as a long value: "
                    f"{path} == {_shown(value)}"
                )
            if value < 0:
                raise frame.runtime_error(
                    f"The SecondsPath parameter references a negative value: {path} == {value}"
                )
            return now + value
        path = str(self.timestamp_path)
        value = jsonpath.select(path, data, frame)
        instant = _instant(value) if isinstance(value, str) else None
        if instant is None:
            raise frame.runtime_error(
                "The TimestampPath parameter does not reference a valid ISO-8601 extended "
                f"offset date-time format string: {path} == {_shown(value)}"
            )
        return instant

    def _jsonata_until(self, run: Run, frame: Frame, states: dict[str, Any]) -> float:
        now = run.runtime.now
        if self.seconds is not ABSENT:
            value = evaluate_expression(
                self.seconds, frame, states, field="Seconds", expected="integer"
            )
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise frame.error(
                    "States.QueryEvaluationError",
                    _bad_result(self.seconds, "Seconds", "a non-negative integer", value),
                )
            return now + value
        value = evaluate_expression(self.timestamp, frame, states, field="Timestamp")
        instant = _instant(value) if isinstance(value, str) else None
        if instant is None:
            raise frame.error(
                "States.QueryEvaluationError",
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
                f"format string: {_shown(value)}",
            )
        return instant


def _instant(text: Any) -> float | None:
    parsed = parse_timestamp(text) if isinstance(text, str) else None
    if parsed is None:
        return None
    seconds, nanos = parsed
    return seconds + nanos / 1e9


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _bad_result(template: Any, field: str, expected: str, value: Any) -> str:
    if isinstance(template, str) and is_jsonata(template):
        return (
            f"The JSONata expression '{expression_text(template)}' specified for the field "
            f"'{field}' returned an unexpected result: expected {expected}, got {_shown(value)}"
        )
    return f"The {field} field must be {expected}, not {_shown(value)}."
