"""Choice: the first rule that matches names the next state; otherwise Default.

A matching rule's own Assign and Output apply (JSONata); when Default is taken, the
state's. With no match and no Default the state fails with States.NoChoiceMatched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfn_flows.asl.definition import ABSENT, ChoiceRule, ChoiceState
from sfn_flows.engine.choice import rule_matches
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonata import evaluate_condition, evaluate_template
from sfn_flows.engine.states.base import Outcome, StateRunner, assign_values
from sfn_flows.engine.states.runtime import Run


class ChoiceRunner(StateRunner):
    def __init__(self, spec: ChoiceState) -> None:
        super().__init__(spec)
        self.rules: tuple[ChoiceRule, ...] = spec.choices
        self.targets: list[StateRunner] = []
        self.default: StateRunner | None = None

    def link(self, runners: Mapping[str, StateRunner]) -> None:
        self.targets = [runners[rule.next] for rule in self.rules]
        spec = self.spec
        assert isinstance(spec, ChoiceState)
        if spec.default is not None:
            self.default = runners[spec.default]

    def execute_now(self, run: Run, raw: Any) -> Outcome:
        frame = self.enter(run, raw)
        states = self.states_binding(frame, raw) if self.jsonata else None
        data = self.filtered_input(frame, raw)
        matched = self._match(frame, data, states)
        if matched is None:
            if self.default is None:
                # AWS's cause, word for word (unverified against a recording).
                raise StatesError("States.NoChoiceMatched", "No Matches!")
            target = self.default
            assign, output = self.assign, self.output
        else:
            target = self.targets[matched]
            rule = self.rules[matched]
            assign, output = rule.assign, rule.output
        assigned = None
        if assign is not ABSENT:
            assigned = assign_values(assign, self.jsonata, frame, data, states)
        if self.jsonata:
            assert states is not None
            result = raw
            if output is not ABSENT:
                result = evaluate_template(output, frame, states, field="Output")
        else:
            result = data
        return self.finish(run, frame, result, assigned), target

    def _match(self, frame: Frame, data: Any, states: dict[str, Any] | None) -> int | None:
        for index, rule in enumerate(self.rules):
            if self.jsonata:
                assert states is not None
                if evaluate_condition(rule.condition, frame, states):
                    return index
            elif rule_matches(rule.raw, data, frame):
                return index
        return None
