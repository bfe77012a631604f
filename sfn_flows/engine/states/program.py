"""A machine (the definition, a Parallel branch or a Map processor) as runner objects, and
the loop that walks it: state after state until one ends the machine."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sfn_flows.asl.definition import (
    ChoiceState,
    FailState,
    Machine,
    MapState,
    ParallelState,
    PassState,
    State,
    SucceedState,
    TaskState,
    WaitState,
)
from sfn_flows.engine.scheduler import Strand
from sfn_flows.engine.states.base import StateRunner
from sfn_flows.engine.states.runtime import Run


class Program:
    """The runners of one machine, linked by their transitions."""

    __slots__ = ("machine", "runners", "start")

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.runners: dict[str, StateRunner] = {
            name: _runner(state) for name, state in machine.states.items()
        }
        for runner in self.runners.values():
            runner.link(self.runners)
        self.start = self.runners[machine.start_at]

    def strand(self, run: Run, value: Any) -> Strand:
        """Run the machine from StartAt on `value`; the strand's result is its output."""
        runner: StateRunner | None = self.start
        while runner is not None:
            if runner.blocking:
                value, runner = yield from runner.execute(run, value)
            else:
                value, runner = runner.execute_now(run, value)
        return value


def _runner(state: State) -> StateRunner:
    module, name = _RUNNERS[type(state)]
    runner: type[StateRunner] = getattr(import_module(f"sfn_flows.engine.states.{module}"), name)
    return runner(state)


# Imported when a definition first uses the type: the runner modules import this one.
_RUNNERS: dict[type[State], tuple[str, str]] = {
    PassState: ("pass_state", "PassRunner"),
    TaskState: ("task_state", "TaskRunner"),
    ChoiceState: ("choice_state", "ChoiceRunner"),
    WaitState: ("wait_state", "WaitRunner"),
    SucceedState: ("succeed_state", "SucceedRunner"),
    FailState: ("fail_state", "FailRunner"),
    ParallelState: ("parallel_state", "ParallelRunner"),
    MapState: ("map_state", "MapRunner"),
}
