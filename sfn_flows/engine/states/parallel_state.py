"""Parallel: every branch runs on the state's input; the output is their outputs, in
branch order. A branch that fails stops the others, and the state fails with that branch's
error and cause, as AWS reports it.

Branches see the variables of the enclosing scope as they were when the state started;
what a branch assigns stays in the branch.
"""

from __future__ import annotations

from typing import Any

from sfn_flows.asl.definition import ParallelState
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.limits import MAX_NESTING
from sfn_flows.engine.scheduler import Fork, Strand
from sfn_flows.engine.states.execution_state import Attempt, ExecutionStateRunner
from sfn_flows.engine.states.program import Program
from sfn_flows.engine.states.runtime import Run


class ParallelRunner(ExecutionStateRunner):
    failed_event = "ParallelStateFailed"

    def __init__(self, spec: ParallelState) -> None:
        super().__init__(spec)
        self.parallel = spec
        self.branches = [Program(branch) for branch in spec.branches]

    def attempt(
        self, run: Run, frame: Frame, raw: Any, data: Any, number: int, entry: int
    ) -> Attempt:
        spec = self.parallel
        states = self.states_binding(frame, raw) if self.jsonata else None
        branch_input = self.effective_payload(
            run, frame, data, states, spec.arguments, spec.parameters
        )
        if run.depth >= MAX_NESTING:
            raise frame.runtime_error(f"Parallel and Map states nest deeper than {MAX_NESTING}.")
        run.emit("ParallelStateStarted")
        results: list[Any] = [None] * len(self.branches)
        failures: list[StatesError] = []

        def on_done(index: int, ok: bool, value: Any) -> bool:
            if ok:
                results[index] = value
                return False
            failures.append(value)
            return True

        yield Fork([self._branch(run, p, branch_input) for p in self.branches], 0, on_done)
        run.previous = len(run.runtime.history)
        if failures:
            raise failures[0]
        run.emit("ParallelStateSucceeded")
        return self.process_result(frame, raw, results, states)

    @staticmethod
    def _branch(run: Run, program: Program, value: Any) -> Any:
        def start() -> Strand:
            return program.strand(run.child(dict(run.variables)), value)

        return start
