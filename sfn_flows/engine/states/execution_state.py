"""The states that do work and may fail in ways Retry and Catch handle: Task, Parallel and
Map. Each attempt runs the state's own work and its result processing (ResultSelector,
ResultPath, Assign, Output); a failure goes to the retriers, then to the catchers."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from sfn_flows.asl.definition import ABSENT, Catcher, Retrier
from sfn_flows.engine import jsonpath
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonata import evaluate_template
from sfn_flows.engine.payload import resolve_payload
from sfn_flows.engine.scheduler import Operation, Sleep
from sfn_flows.engine.states.base import Execution, StateRunner, check_assigned, check_nesting
from sfn_flows.engine.states.recovery import Retries, caught, find_catcher, next_try
from sfn_flows.engine.states.runtime import Run

Attempt = Generator[Operation, Any, tuple[Any, dict[str, Any] | None]]


class ExecutionStateRunner(StateRunner):
    blocking = True
    retries = True
    # The event recorded when the state fails for good, before its catchers are tried
    # (None: each attempt records its own failure).
    failed_event: str | None = None

    def __init__(self, spec: Any) -> None:
        super().__init__(spec)
        self.retriers: tuple[Retrier, ...] = spec.retry
        self.catchers: tuple[Catcher, ...] = spec.catch
        self.catch_targets: list[StateRunner] = []
        self.result_selector: Any = spec.result_selector
        self.result_path: Any = spec.result_path

    def link(self, runners: Mapping[str, StateRunner]) -> None:
        super().link(runners)
        self.catch_targets = [runners[c.next] for c in self.catchers]

    def attempt(
        self, run: Run, frame: Frame, raw: Any, data: Any, number: int, entry: int
    ) -> Attempt:
        """Try `number` (0 first) of the state's `entry`-th entry (0 first) in the
        execution: the state's work and its result processing; (output, assigned)."""
        raise NotImplementedError
        yield  # pragma: no cover

    def execute(self, run: Run, raw: Any) -> Execution:
        frame = self.enter(run, raw)
        data = self.filtered_input(frame, raw)
        retries = Retries(self.retriers) if self.retriers else None
        entry = run.runtime.count_entry(self.name)
        number = 0
        while True:
            try:
                output, assigned = yield from self.attempt(run, frame, raw, data, number, entry)
            except StatesError as error:
                delay = retries.delay(error, run.runtime.rng) if retries is not None else None
                if delay is not None:
                    next_try(frame)
                    number += 1
                    if delay > 0:
                        yield Sleep(delay)
                    continue
                if self.failed_event is not None:
                    run.emit(self.failed_event)
                catcher = find_catcher(self.catchers, error) if self.catchers else None
                if catcher is None:
                    raise
                output, assigned = caught(catcher, self.jsonata, frame, raw, error)
                check_nesting(run, frame, output, "output")
                if assigned:
                    check_assigned(run, frame, assigned)
                    run.variables.update(assigned)
                self.leave(run, output, assigned)
                return output, self.catch_targets[self.catchers.index(catcher)]
            return self.finish(run, frame, output, assigned), self.next

    def effective_payload(
        self,
        run: Run,
        frame: Frame,
        data: Any,
        states: dict[str, Any] | None,
        arguments: Any,
        parameters: Any,
    ) -> Any:
        """What the work receives: Arguments (JSONata), Parameters (JSONPath) or the input."""
        if states is not None:
            if arguments is ABSENT:
                return states["input"]
            payload = evaluate_template(arguments, frame, states, field="Arguments")
        elif parameters is ABSENT:
            return data
        else:
            payload = resolve_payload(parameters, data, frame, field="Parameters")
        # Checked before the work gets it: an integration writes it out as JSON.
        check_nesting(run, frame, payload, "Arguments" if states is not None else "Parameters")
        return payload

    def process_result(
        self, frame: Frame, raw: Any, result: Any, states: dict[str, Any] | None
    ) -> tuple[Any, dict[str, Any] | None]:
        """The state's output from its result: Assign, then ResultSelector and ResultPath
        (JSONPath), or Assign and Output with `$states.result` (JSONata)."""
        if states is not None:
            states["result"] = result
            assigned = self.evaluate_assign(frame, raw, states)
            return self.jsonata_output(frame, states, result), assigned
        assigned = self.evaluate_assign(frame, result, None)
        if self.result_selector is not ABSENT:
            result = resolve_payload(self.result_selector, result, frame, field="ResultSelector")
        return jsonpath.apply_result_path(self.result_path, raw, result, frame), assigned
