"""SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat: a worker answers a Task that waits
for its task token (`.waitForTaskToken`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.engine.execution import Execution
from sfn_flows.server import requests as read
from sfn_flows.server.actions.executions import executions_of, read_payload
from sfn_flows.server.errors import ApiError
from sfn_flows.server.protocol import Handler

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

_TOKEN_MAX: Final = 2048
_ERROR_MAX: Final = 256
_CAUSE_MAX: Final = 32_768


def send_task_success(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    token = _token(body)
    output = _output(body)
    _deliver(state, token, lambda execution: execution.send_task_success(token, output))
    return {}


def send_task_failure(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    token = _token(body)
    error = read.optional_string(body, "error", most=_ERROR_MAX)
    cause = read.optional_string(body, "cause", most=_CAUSE_MAX)
    _deliver(state, token, lambda execution: execution.send_task_failure(token, error, cause))
    return {}


def send_task_heartbeat(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    token = _token(body)
    _deliver(state, token, lambda execution: execution.send_task_heartbeat(token))
    return {}


def _token(body: dict[str, Any]) -> str:
    return read.required_string(body, "taskToken", most=_TOKEN_MAX)


def _output(body: dict[str, Any]) -> Any:
    """The Task's output: JSON text of at most 256 KiB in UTF-8 (InvalidOutput otherwise)."""
    return read_payload(body, "output", "InvalidOutput", "Invalid Output")[1]


def _deliver(state: ServerState, token: str, send: Callable[[Execution], None]) -> None:
    served = executions_of(state).by_token(token)
    if not served.deliver(token, send):
        raise ApiError(
            "TaskTimedOut",
            "Task Timed Out: 'Provided task does not exist anymore': the Task that waited for "
            "this taskToken timed out, was answered already, or its execution has ended.",
        )


ACTIONS: Final[dict[str, Handler]] = {
    "SendTaskSuccess": send_task_success,
    "SendTaskFailure": send_task_failure,
    "SendTaskHeartbeat": send_task_heartbeat,
}
