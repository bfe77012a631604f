"""What every state does the same way: record its entry and exit, build the context object
its fields see, and evaluate the fields both query languages share (Assign, Output, the
JSONPath path fields).

A state is one runner object built once per definition; `execute_now` (states that never
wait) or `execute` (a generator, for states that wait on time, a callback or child strands)
takes the state's raw input and returns its output and the state to go to next (None at
the end of the machine or branch).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, ClassVar

from sfn_flows.asl.definition import ABSENT, State
from sfn_flows.engine import jsonpath
from sfn_flows.engine.context import state_context_at
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonata import evaluate_template
from sfn_flows.engine.limits import MAX_JSON_DEPTH, MAX_PAYLOAD_BYTES, data_limit_exceeded
from sfn_flows.engine.payload import resolve_payload
from sfn_flows.engine.scheduler import Operation
from sfn_flows.engine.states.runtime import Run

Outcome = tuple[Any, "StateRunner | None"]
Execution = Generator[Operation, Any, Outcome]


class StateRunner:
    """One state of the definition, ready to run."""

    blocking: ClassVar[bool] = False
    # Task, Map and Parallel retry: their context object's State has a RetryCount.
    retries: ClassVar[bool] = False

    def __init__(self, spec: State) -> None:
        self.spec = spec
        self.name = spec.name
        self.jsonata = spec.is_jsonata
        self.next: StateRunner | None = None
        self.entered_type = spec.type + "StateEntered"
        self.exited_type = spec.type + "StateExited"
        self.assign: Any = getattr(spec, "assign", ABSENT)
        self.output: Any = getattr(spec, "output", ABSENT)
        self.input_path: Any = getattr(spec, "input_path", ABSENT)
        self.output_path: Any = getattr(spec, "output_path", ABSENT)

    def link(self, runners: Mapping[str, StateRunner]) -> None:
        """Resolve Next (and any other transition) to the runner objects."""
        if self.spec.next is not None:
            self.next = runners[self.spec.next]

    # -- running -------------------------------------------------------------------------

    def execute_now(self, run: Run, raw: Any) -> Outcome:
        raise NotImplementedError

    def execute(self, run: Run, raw: Any) -> Execution:
        raise NotImplementedError
        yield  # pragma: no cover - makes this a generator for the type checker

    # -- shared steps ----------------------------------------------------------------------

    def enter(self, run: Run, raw: Any) -> Frame:
        entered = run.emit(self.entered_type, {"name": self.name, "input": raw})
        runtime = run.runtime
        context = state_context_at(
            runtime.context_base, self.name, runtime.now_iso(), 0 if self.retries else None
        )
        return Frame(self.name, entered, context, run.variables)

    def leave(self, run: Run, output: Any, assigned: dict[str, Any] | None) -> None:
        details: dict[str, Any] = {"name": self.name, "output": output}
        if assigned:
            details["assignedVariables"] = assigned
        run.emit(self.exited_type, details)

    def filtered_input(self, frame: Frame, raw: Any) -> Any:
        """The input after InputPath (JSONPath states; a JSONata state has none)."""
        if self.jsonata or self.input_path is ABSENT:
            return raw
        return jsonpath.apply_input_path(self.input_path, raw, frame)

    def states_binding(self, frame: Frame, raw: Any) -> dict[str, Any]:
        """`$states` for a JSONata field, before any result."""
        return {"input": raw, "context": frame.context}

    def evaluate_assign(
        self, frame: Frame, data: Any, states: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """The variables this state assigns, evaluated before any of them is set."""
        if self.assign is ABSENT:
            return None
        return assign_values(self.assign, self.jsonata, frame, data, states)

    def jsonata_output(self, frame: Frame, states: dict[str, Any], default: Any) -> Any:
        if self.output is ABSENT:
            return default
        return evaluate_template(self.output, frame, states, field="Output")

    def finish(self, run: Run, frame: Frame, output: Any, assigned: dict[str, Any] | None) -> Any:
        """Check the output's size, apply OutputPath, set the variables, record the exit."""
        try:
            size, depth = run.runtime.sizes.measure(output)
        except RecursionError:
            size, depth = 0, MAX_JSON_DEPTH + 1
        if depth > MAX_JSON_DEPTH:
            raise _too_deep(frame, "output")
        if size > MAX_PAYLOAD_BYTES:
            raise data_limit_exceeded(self.name)
        if assigned:
            check_assigned(run, frame, assigned)
        # OutputPath still sees the variables as they were: the state's own assignments
        # take effect once it is done (recorded: an OutputPath on $answer reads the old value).
        if self.output_path is not ABSENT:
            output = jsonpath.apply_output_path(self.output_path, output, frame)
        if assigned:
            run.variables.update(assigned)
        self.leave(run, output, assigned)
        return output


def check_nesting(run: Run, frame: Frame, value: Any, what: str) -> None:
    """Fail the state when a value it made nests deeper than the engine carries JSON (a loop
    that wraps its data one level deeper each turn, a parsed text): States.Runtime, like the
    service limits, since no Catch could do anything useful with it."""
    if run.runtime.sizes.too_deep(value):
        raise _too_deep(frame, what)


def _too_deep(frame: Frame, what: str) -> StatesError:
    return frame.runtime_error(
        f"The state's {what} is nested more than {MAX_JSON_DEPTH} levels deep, deeper than "
        "the engine carries JSON."
    )


def check_assigned(run: Run, frame: Frame, assigned: dict[str, Any]) -> None:
    for name, value in assigned.items():
        check_nesting(run, frame, value, f"value for the variable '{name}'")


def assign_values(
    template: Any, jsonata: bool, frame: Frame, data: Any, states: dict[str, Any] | None
) -> dict[str, Any]:
    """Evaluate an Assign block (a state's or a catcher's or a Choice rule's)."""
    if jsonata:
        values = evaluate_template(template, frame, states or {}, field="Assign")
    else:
        values = resolve_payload(template, data, frame, field="Assign")
    return dict(values) if isinstance(values, Mapping) else {}
