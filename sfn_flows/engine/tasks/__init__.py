"""What answers a Task: mocks in Step Functions Local's format, a test's callables, Lambda
handlers run in the test's process, or a fallback (see integrations.py for the order)."""

from sfn_flows.engine.tasks.calls import Pending, TaskAnswer, TaskCall, TaskTimeout
from sfn_flows.engine.tasks.integrations import Fallback, Integrations, TaskCallable
from sfn_flows.engine.tasks.lambda_functions import FunctionSpec, InProcessFunction, LambdaFunctions
from sfn_flows.engine.tasks.lambda_runtime import LambdaContext
from sfn_flows.engine.tasks.mock_config import MockedTasks

__all__ = [
    "Fallback",
    "FunctionSpec",
    "InProcessFunction",
    "Integrations",
    "LambdaContext",
    "LambdaFunctions",
    "MockedTasks",
    "Pending",
    "TaskAnswer",
    "TaskCall",
    "TaskCallable",
    "TaskTimeout",
]
