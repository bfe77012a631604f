"""`simulate` for tests: the engine's, also taking a project `Workflow`.

A Workflow is compiled first. Its Lambda functions stand in the ASL as CloudFormation
substitutions (`${ProcessDataFunctionArn}`), which deploy fills in; here each becomes the
function's ARN in the engine's account and region, and with `lambdas_dir` (the project's
`lambdas/` folder) the functions run their own handlers in the test's process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sfn_flows.engine.context import DEFAULT_ACCOUNT, DEFAULT_REGION
from sfn_flows.engine.result import FlowResult


def simulate(
    workflow_or_definition: Any,
    input: Any = None,
    *,
    lambdas: Any = None,
    lambdas_dir: str | Path | None = None,
    **options: Any,
) -> FlowResult:
    """Run a Workflow, a compiled workflow or an ASL definition on the in-process engine.

    Takes the options of `sfn_flows.engine.simulate` (tasks, mocks, lambdas, clock...).
    """
    from sfn_flows.compile import CompiledWorkflow, compile_workflow
    from sfn_flows.engine.simulate import simulate as run
    from sfn_flows.model.workflow import Workflow

    target = workflow_or_definition
    if isinstance(target, Workflow):
        target = compile_workflow(target)
    if isinstance(target, CompiledWorkflow):
        text = json.dumps(target.definition)
        handlers: dict[str, str] = {}
        for function in target.functions:
            arn = f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:{function.name}"
            text = text.replace(function.arn_placeholder, arn)
            handlers[function.name] = function.handler
        if lambdas is None and lambdas_dir is not None:
            lambdas = handlers
        options.setdefault("state_machine_name", target.name)
        target = json.loads(text)
    return run(target, input, lambdas=lambdas, lambdas_dir=lambdas_dir, **options)
