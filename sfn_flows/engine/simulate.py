"""`simulate()`: run a definition or a compiled workflow in the test's process, in
virtual time, and get the same `FlowResult` the container-backed fixtures return."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sfn_flows.engine.clock import Clock
from sfn_flows.engine.definitions import function_handlers
from sfn_flows.engine.errors import EngineUsageError
from sfn_flows.engine.execution import Engine
from sfn_flows.engine.result import FlowResult


def simulate(
    workflow_or_definition: Any,
    input: Any = None,
    *,
    tasks: Mapping[str, Any] | None = None,
    mocks: Any = None,
    test_case: str | None = None,
    lambdas: Any = None,
    lambdas_dir: str | Path | None = None,
    clock: Clock | None = None,
    execution_name: str | None = None,
    state_machine_name: str | None = None,
    state_machine_type: str = "STANDARD",
    validate: bool = True,
) -> FlowResult:
    """Run `workflow_or_definition` on `input` to its end and describe what happened.

    - `workflow_or_definition`: an ASL dict, its JSON text, or a compiled workflow (an
      object with a `definition` dict, as `sfn_flows.compile.compile_workflow` returns;
      with `lambdas_dir`, its functions run their handlers from there).
      A definition AWS would refuse raises EngineUsageError with the validator's reasons.
    - `tasks`: callables answering Task states, by state name, function name or resource.
    - `mocks`: Step Functions Local's mock config (a dict, with `test_case`) or a
      `MockedTasks`; every invocation counts, retries included.
    - `lambdas`: function name -> handler ("module.function" in `lambdas_dir`, or a callable).
    - `clock`: a VirtualClock (the default: waits take no time) or a RealClock.

    A `.waitForTaskToken` Task nobody answers times out as on AWS (its TimeoutSeconds, the
    machine's, or AWS's limit); use `Engine(...).start()` to answer callbacks in a test.
    """
    if isinstance(mocks, Mapping):
        if test_case is None:
            raise EngineUsageError(
                "mocks is a mock config document: name the test case to run with "
                "test_case='<name>'."
            )
        from sfn_flows.engine.tasks.mock_config import MockedTasks

        mocks = MockedTasks.from_document(mocks, test_case=test_case)
    if lambdas is None and lambdas_dir is not None:
        # A compiled workflow's functions run their own handlers from `lambdas_dir`.
        lambdas = function_handlers(workflow_or_definition) or None
    name = state_machine_name or getattr(workflow_or_definition, "name", None)
    engine = Engine(
        workflow_or_definition,
        tasks=tasks,
        mocks=mocks,
        lambdas=lambdas,
        lambdas_dir=lambdas_dir,
        clock=clock,
        state_machine_name=name if isinstance(name, str) and name else "StateMachine",
        state_machine_type=state_machine_type,
        validate=validate,
    )
    return engine.run(input, execution_name=execution_name)
