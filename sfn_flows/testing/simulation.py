"""`simulate` for tests: the engine's, also taking a project `Workflow` (compiled first)."""

from __future__ import annotations

from typing import Any

from sfn_flows.engine.result import FlowResult


def simulate(workflow_or_definition: Any, input: Any = None, **options: Any) -> FlowResult:
    """Run a Workflow, a compiled workflow or an ASL definition on the in-process engine.

    Takes the options of `sfn_flows.engine.simulate` (tasks, mocks, lambdas, lambdas_dir,
    clock...); with `lambdas_dir` (the project's lambdas/ folder) a workflow's functions run
    their own handlers in the test's process.
    """
    from sfn_flows.engine.simulate import simulate as run
    from sfn_flows.model.workflow import Workflow

    if isinstance(workflow_or_definition, Workflow):
        from sfn_flows.compile import compile_workflow

        workflow_or_definition = compile_workflow(workflow_or_definition)
    return run(workflow_or_definition, input, **options)
