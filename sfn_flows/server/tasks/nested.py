"""`arn:aws:states:::states:startExecution` (and `.sync`, `.sync:2`, `.waitForTaskToken`): a
child execution started in this same server, as StartExecution starts one.

- request-response: `{"ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"}`
  (StartDate in epoch milliseconds), recorded on AWS;
- `.sync`: the child's description once it has ended, its members in PascalCase, sorted,
  dates in epoch milliseconds, Input and Output as JSON text; `.sync:2` the same with Input
  and Output as JSON values. A child that did not succeed fails the Task with
  States.TaskFailed, the description (with its Error and Cause) as the cause.

The parent's Task waits for the child (bounded by the Task's TimeoutSeconds, and by the child's
driver, which ends when the server stops). Input given as a JSON value is sent as its text.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.tasks import TaskAnswer, TaskCall
from sfn_flows.server.errors import ApiError
from sfn_flows.server.tasks.http_metadata import with_sdk_metadata
from sfn_flows.server.tasks.service_errors import OPTIMISED, service_failure
from sfn_flows.server.tasks.task_time import task_deadline, timed_out

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

_PARAMETERS: Final = {
    "StateMachineArn": "stateMachineArn",
    "Name": "name",
    "TraceHeader": "traceHeader",
}
_POLL_SECONDS: Final = 0.25


class NestedExecutions:
    """Starts the child executions of states:startExecution Tasks in the server."""

    def __init__(self, state: ServerState, virtual_time: bool) -> None:
        self._state = state
        self._virtual_time = virtual_time

    def __call__(self, call: TaskCall, pattern: str) -> TaskAnswer:
        from sfn_flows.server.actions.executions import executions_of, start_execution

        body = _request(call)
        try:
            started = start_execution(self._state, body)
        except ApiError as error:
            raise _api_failure(error) from None
        arn = started["executionArn"]
        if not pattern.startswith(".sync"):
            return TaskAnswer(_started(arn, started["startDate"]))
        child = executions_of(self._state).get(arn)
        deadline = task_deadline(call)
        while not child.done.wait(_POLL_SECONDS):
            if deadline.passed():
                raise timed_out(call, self._virtual_time)
            if child.join(0):  # its driver ended before the child did: the server stops
                raise StatesError("States.TaskFailed", f"the server stopped before {arn} ended")
        return TaskAnswer(_ended(child.describe(), parsed=pattern == ".sync:2"))


def _request(call: TaskCall) -> dict[str, Any]:
    parameters = call.payload if isinstance(call.payload, dict) else {}
    body = {field: parameters[key] for key, field in _PARAMETERS.items() if key in parameters}
    given = parameters.get("Input", {})
    body["input"] = given if isinstance(given, str) else json.dumps(given, separators=(",", ":"))
    return body


def _api_failure(error: ApiError) -> StatesError:
    """StartExecution's refusal, as the optimised integration reports it (the server's
    errors are all in Step Functions' model)."""
    return service_failure(
        OPTIMISED["states"], error.code, error.message, error.status, str(uuid.uuid4()), error.code
    )


def _started(arn: str, start_date: float) -> dict[str, Any]:
    body = {"executionArn": arn, "startDate": start_date}
    text = json.dumps(body, separators=(",", ":"))
    request_id = str(uuid.uuid4())
    response = {
        "ExecutionArn": arn,
        "StartDate": _millis(start_date),
        "ResponseMetadata": {
            "RequestId": request_id,
            "HTTPStatusCode": 200,
            "HTTPHeaders": {
                "content-type": "application/x-amz-json-1.0",
                "content-length": str(len(text)),
                "x-amzn-requestid": request_id,
            },
        },
    }
    return with_sdk_metadata(response)


def _ended(described: dict[str, Any], *, parsed: bool) -> dict[str, Any]:
    """The .sync result: DescribeExecution's members in PascalCase, in name order."""
    answer: dict[str, Any] = {}
    for key, value in described.items():
        if key in ("startDate", "stopDate", "redriveDate"):
            value = _millis(value)
        elif isinstance(value, dict):
            value = {name[:1].upper() + name[1:]: item for name, item in value.items()}
        answer[key[:1].upper() + key[1:]] = value
    if parsed:
        for key in ("Input", "Output"):
            if isinstance(answer.get(key), str):
                answer[key] = json.loads(answer[key])
    answer = dict(sorted(answer.items()))
    if answer.get("Status") != "SUCCEEDED":
        raise StatesError("States.TaskFailed", json.dumps(answer, separators=(",", ":")))
    return answer


def _millis(value: Any) -> Any:
    return int(value * 1000) if isinstance(value, int | float) else value
