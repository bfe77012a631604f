"""sfn-flows: AWS Step Functions workflows as typed Python objects.

    from sfn_flows import Workflow, LambdaFunction, LambdaInvoke, Fail

The names below are the public API. They load on first use (PEP 562), so code that needs
only a slice of the package (the Lambda runtime: `sfn_flows.runtime`) does not pay for
pydantic and the compiler at cold start.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Budget": "sfn_flows.budget",
    "compute_budget": "sfn_flows.budget",
    "CompiledWorkflow": "sfn_flows.compile",
    "compile_workflow": "sfn_flows.compile",
    "SfnFlowsError": "sfn_flows.errors",
    "WorkflowError": "sfn_flows.errors",
    "validate_definition": "sfn_flows.validate",
    **{
        name: "sfn_flows.model"
        for name in (
            "MAX_ITERATIONS_EXCEEDED",
            "OMIT",
            "AwsSdkCall",
            "Catch",
            "Chain",
            "Choice",
            "ContinueUntilDone",
            "Fail",
            "ItemBatcher",
            "ItemReader",
            "LambdaFunction",
            "LambdaInvoke",
            "Map",
            "Parallel",
            "Pass",
            "ResultWriter",
            "Retry",
            "ServiceTask",
            "State",
            "Succeed",
            "Task",
            "Wait",
            "Workflow",
            "conditions",
        )
    },
}

__all__ = [
    "MAX_ITERATIONS_EXCEEDED",
    "OMIT",
    "AwsSdkCall",
    "Budget",
    "Catch",
    "Chain",
    "Choice",
    "CompiledWorkflow",
    "ContinueUntilDone",
    "Fail",
    "ItemBatcher",
    "ItemReader",
    "LambdaFunction",
    "LambdaInvoke",
    "Map",
    "Parallel",
    "Pass",
    "ResultWriter",
    "Retry",
    "ServiceTask",
    "SfnFlowsError",
    "State",
    "Succeed",
    "Task",
    "Wait",
    "Workflow",
    "WorkflowError",
    "compile_workflow",
    "compute_budget",
    "conditions",
    "validate_definition",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sfn_flows' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from sfn_flows.budget import Budget, compute_budget
    from sfn_flows.compile import CompiledWorkflow, compile_workflow
    from sfn_flows.errors import SfnFlowsError, WorkflowError
    from sfn_flows.model import (
        MAX_ITERATIONS_EXCEEDED,
        OMIT,
        AwsSdkCall,
        Catch,
        Chain,
        Choice,
        ContinueUntilDone,
        Fail,
        ItemBatcher,
        ItemReader,
        LambdaFunction,
        LambdaInvoke,
        Map,
        Parallel,
        Pass,
        ResultWriter,
        Retry,
        ServiceTask,
        State,
        Succeed,
        Task,
        Wait,
        Workflow,
        conditions,
    )
    from sfn_flows.validate import validate_definition
