"""A polling client for Step Functions executions: start, describe, wait, history; and
ApiClient, which starts and follows executions through a deployed sfn-flows HTTP API with
its wait window (Prefer: wait=N).

Standard library and boto3 only at import, like the Lambda runtime.
"""

from sfn_flows.asl.history import HistoryEvent, states_entered
from sfn_flows.client.api import ApiAnswer, ApiClient, ApiError
from sfn_flows.client.client import ExecutionClient
from sfn_flows.client.errors import (
    ExecutionInputError,
    ExecutionNotFound,
    StateMachineNotFound,
    StepFunctionsError,
    WaitTimeout,
)
from sfn_flows.client.execution import Execution, ExecutionStatus
from sfn_flows.client.inputs import MAX_INPUT_BYTES, check_input, encode_input
from sfn_flows.client.schedule import DEFAULT_SCHEDULE, PollSchedule

__all__ = [
    "DEFAULT_SCHEDULE",
    "MAX_INPUT_BYTES",
    "ApiAnswer",
    "ApiClient",
    "ApiError",
    "Execution",
    "ExecutionClient",
    "ExecutionInputError",
    "ExecutionNotFound",
    "ExecutionStatus",
    "HistoryEvent",
    "PollSchedule",
    "StateMachineNotFound",
    "StepFunctionsError",
    "WaitTimeout",
    "check_input",
    "encode_input",
    "states_entered",
]
