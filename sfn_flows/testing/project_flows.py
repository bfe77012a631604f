"""The project's own workflows on the in-process engine, without Docker.

They are discovered and compiled as `sfn-flows build` does; each `LambdaFunction` runs its
handler ("module.function" in the project's `lambdas/`) in the test's process, with its
declared timeout and memory, and the `${<Name>FunctionArn}` placeholders of the compiled ASL
(the substitutions deploy fills in) become that function's ARN in the engine's account.

    flows = load_project(Path("."))
    result = flows("order-fulfilment", {"order_id": "o-1", "kind": "digital", ...})
    result.assert_path("RouteByKind", "DeliverDigital", "Delivered")

The pytest plugin's `simulate_flow` fixture is `load_project(<rootdir or --sfn-project>)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.errors import SfnFlowsError

if TYPE_CHECKING:
    from sfn_flows.compile import CompiledWorkflow
    from sfn_flows.engine.clock import Clock
    from sfn_flows.engine.execution import Engine, Execution
    from sfn_flows.engine.result import FlowResult
    from sfn_flows.engine.tasks.lambda_functions import FunctionSpec, LambdaFunctions
    from sfn_flows.engine.tasks.mock_config import MockedTasks
    from sfn_flows.project.build import BuildResult

# Mock configs name state machines after a stack (deploy's naming); the simulated ones
# belong to this one.
MOCK_STACK: Final = "simulated"


class ProjectFlowsError(SfnFlowsError):
    """The project's workflows cannot be run as asked: no workflows folder, a workflow that
    does not build, an unknown workflow name or a mock test case it does not have."""


def compile_flows(root: Path) -> BuildResult:
    """Every workflow of `root/workflows` compiled, its functions checked against
    `root/lambdas`, as `sfn-flows build` does; ProjectFlowsError names every problem."""
    from sfn_flows.project.build import compile_project

    workflows = root / "workflows"
    if not workflows.is_dir():
        raise ProjectFlowsError(
            f"{workflows}: no such folder; run pytest in the project's root or give it with "
            "--sfn-project DIR"
        )
    result = compile_project(workflows, lambdas_dir=root / "lambdas")
    if not result.ok:
        problems = [
            f"{i.workflow.name}: {p.render()}" for i, f in result.failures for p in f.problems
        ]
        if len(problems) == 1:
            raise ProjectFlowsError(f"the project does not build: {problems[0]}")
        raise ProjectFlowsError(
            f"the project does not build: {problems[0]} (and {len(problems) - 1} more "
            "below)\n" + "\n".join(problems)
        )
    return result


def load_project(root: Path) -> ProjectFlows:
    """The workflows of the project at `root` (with `workflows/` and `lambdas/`), compiled
    and ready to run."""
    result = compile_flows(root)
    return ProjectFlows(root, {compiled.name: compiled for _, compiled in result.compiled})


class ProjectFlows:
    """The project's compiled workflows by name. Calling it runs one to its end:
    `flows(name, input, tasks=..., mocks=..., test_case=..., lambdas=..., clock=...)`.

    The handler modules are imported once and kept between executions, as a warm Lambda
    container keeps them.
    """

    def __init__(self, root: Path, compiled: Mapping[str, CompiledWorkflow]) -> None:
        self.root = root
        self.lambdas_dir = root / "lambdas"
        self._compiled = dict(compiled)
        self._functions: LambdaFunctions | None = None

    @property
    def names(self) -> list[str]:
        return sorted(self._compiled)

    def compiled(self, name: str) -> CompiledWorkflow:
        """The compiled workflow `name`; ProjectFlowsError lists the known names."""
        __tracebackhide__ = True  # pytest shows the test's line and the message, not ours
        compiled = self._compiled.get(name)
        if compiled is None:
            raise ProjectFlowsError(
                f"the project at {self.root} has no workflow {name!r}; its workflows: "
                f"{', '.join(self.names) or 'none'}"
            )
        return compiled

    def definition(self, name: str) -> dict[str, Any]:
        """The ASL of workflow `name` as the engine runs it: function ARNs filled in."""
        from sfn_flows.engine.execution import load_definition

        return load_definition(self.compiled(name))

    def function_specs(self, name: str) -> dict[str, FunctionSpec]:
        """Workflow `name`'s functions -> their handlers, with the declared timeout and
        memory (the timeout bounds a handler that blocks, as Lambda's does)."""
        from sfn_flows.engine.tasks.lambda_functions import InProcessFunction

        return {
            function.name: InProcessFunction(
                function.handler, function.timeout_seconds, function.memory_mb
            )
            for function in self.compiled(name).functions
        }

    def engine(
        self,
        name: str,
        *,
        tasks: Mapping[str, Any] | None = None,
        mocks: Any = None,
        test_case: str | None = None,
        lambdas: Mapping[str, FunctionSpec] | None = None,
        clock: Clock | None = None,
    ) -> Engine:
        """An engine for workflow `name`; `.start(input)` gives an Execution a test drives
        (`.waitForTaskToken` callbacks, `advance`).

        - `tasks`: callables answering Tasks, by state name, function name or resource.
        - `mocks`: a `MockConfig` (with `test_case`), Step Functions Local's mock-config
          document (with `test_case`) or a `MockedTasks`; every attempt counts, retries
          included.
        - `lambdas`: function name -> handler ("module.function" in lambdas/, or a callable
          `(event, context)`) replacing the function's own; the others keep theirs.
        - `clock`: a VirtualClock (the default: Waits and retry intervals take no time) or
          a RealClock.
        """
        from sfn_flows.engine.execution import Engine

        __tracebackhide__ = True
        compiled = self.compiled(name)
        return Engine(
            self.definition(name),
            tasks=tasks,
            mocks=self._mocked(name, mocks, test_case),
            lambdas=self._lambdas(name, lambdas),
            clock=clock,
            state_machine_name=name,
            state_machine_type=compiled.workflow.type,
        )

    def start(
        self, name: str, input: Any = None, *, execution_name: str | None = None, **options: Any
    ) -> Execution:
        """An execution of workflow `name`, not yet run (options as for `engine`)."""
        __tracebackhide__ = True
        return self.engine(name, **options).start(input, execution_name=execution_name)

    def __call__(
        self,
        name: str,
        input: Any = None,
        *,
        tasks: Mapping[str, Any] | None = None,
        mocks: Any = None,
        test_case: str | None = None,
        lambdas: Mapping[str, FunctionSpec] | None = None,
        clock: Clock | None = None,
        execution_name: str | None = None,
    ) -> FlowResult:
        """Run workflow `name` on `input` to its end -> FlowResult (options as for
        `engine`)."""
        __tracebackhide__ = True
        engine = self.engine(
            name, tasks=tasks, mocks=mocks, test_case=test_case, lambdas=lambdas, clock=clock
        )
        return engine.run(input, execution_name=execution_name)

    def _lambdas(self, name: str, overrides: Mapping[str, FunctionSpec] | None) -> LambdaFunctions:
        from sfn_flows.engine.tasks.lambda_functions import InProcessFunction, LambdaFunctions

        if not overrides:
            if self._functions is None:
                every = {
                    function: spec
                    for workflow in self.names
                    for function, spec in self.function_specs(workflow).items()
                }
                self._functions = LambdaFunctions(every, self.lambdas_dir)
            return self._functions
        specs = self.function_specs(name)
        for function, handler in overrides.items():
            declared = specs.get(function)
            if isinstance(declared, InProcessFunction) and not isinstance(
                handler, InProcessFunction
            ):
                # A stand-in keeps the function's own limits.
                handler = InProcessFunction(handler, declared.timeout_seconds, declared.memory_mb)
            specs[function] = handler
        return LambdaFunctions(specs, self.lambdas_dir)

    def _mocked(self, name: str, mocks: Any, test_case: str | None) -> MockedTasks | None:
        __tracebackhide__ = True
        from sfn_flows.engine.tasks.mock_config import MockedTasks
        from sfn_flows.testing.mocks import MockConfig

        if mocks is None:
            if test_case is not None:
                raise ProjectFlowsError(
                    f"test_case={test_case!r} was given without mocks; pass the MockConfig "
                    "that defines it with mocks=..."
                )
            return None
        if isinstance(mocks, MockedTasks):
            return mocks
        if not isinstance(mocks, MockConfig | Mapping):
            raise ProjectFlowsError(
                f"mocks is {type(mocks).__name__}; give a sfn_flows.testing.MockConfig (with "
                "test_case=...), a mock config document (with test_case=...) or a MockedTasks"
            )
        cases = mocks.test_cases(name) if isinstance(mocks, MockConfig) else None
        if test_case is None or (cases is not None and test_case not in cases):
            given = "no test_case" if test_case is None else f"no test case {test_case!r}"
            known = "" if cases is None else f" (it has: {', '.join(cases) or 'none'})"
            raise ProjectFlowsError(
                f"the mocks have {given} for workflow {name!r}{known}; name one with "
                "test_case=... (add it with MockConfig.test_case(...))"
            )
        if isinstance(mocks, Mapping):
            return MockedTasks.from_document(mocks, test_case=test_case)
        mocks.validate({n: self.compiled(n).definition for n in self.names})
        from sfn_flows.deploy.template import state_machine_name

        return MockedTasks.from_document(
            mocks.to_document(MOCK_STACK),
            test_case=test_case,
            state_machine=state_machine_name(MOCK_STACK, name),
        )
