"""sfn-flows: AWS Step Functions workflows as typed Python objects.

    from sfn_flows import Workflow, LambdaFunction, LambdaInvoke, Fail

The names below are the public API; everything else is reachable through the subpackages
(`sfn_flows.model`, `sfn_flows.compile`, `sfn_flows.validate`, `sfn_flows.budget`).
"""

from sfn_flows.budget import Budget, compute_budget
from sfn_flows.compile import CompiledWorkflow, compile_workflow
from sfn_flows.errors import SfnFlowsError, WorkflowError
from sfn_flows.model import (
    AwsSdkCall,
    Catch,
    Chain,
    Choice,
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

__all__ = [
    "AwsSdkCall",
    "Budget",
    "Catch",
    "Chain",
    "Choice",
    "CompiledWorkflow",
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
