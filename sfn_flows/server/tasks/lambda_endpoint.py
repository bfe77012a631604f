"""A Lambda function the server does not run itself, invoked through LAMBDA_ENDPOINT's Invoke.

The request and the result are the in-process engine's (engine/tasks/lambda_service.py): the
event the function receives, `lambda:invoke`'s response envelope (Payload, StatusCode,
ExecutedVersion, SdkHttpMetadata, LogResult with LogType Tail), or the payload itself for a
function-ARN resource. A function error is named by the errorType the function reported, with
Lambda's error document as the cause; a response whose payload holds no errorType is
Lambda.Unknown, as Step Functions reports an error Lambda did not classify.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.tasks import TaskAnswer, TaskCall
from sfn_flows.engine.tasks.integrations import entered_time
from sfn_flows.engine.tasks.lambda_service import (
    LambdaTarget,
    function_failed,
    request_event,
    task_result,
)


def invoke_parameters(target: LambdaTarget) -> dict[str, Any]:
    """boto3's Invoke parameters for the Task's function and event."""
    event = request_event(target)  # refuses a Payload that is not JSON, as Lambda does
    parameters: dict[str, Any] = {
        "FunctionName": target.name,
        "Payload": json.dumps(event, separators=(",", ":")).encode("utf-8"),
    }
    if target.qualifier:
        parameters["Qualifier"] = target.qualifier
    if target.log_tail:
        parameters["LogType"] = "Tail"
    return parameters


def invoke_result(call: TaskCall, target: LambdaTarget, response: dict[str, Any]) -> TaskAnswer:
    """The Task's answer for Lambda's Invoke response; StatesError for a function error."""
    body = response.get("Payload")
    raw = bytes(body.read()) if body is not None and hasattr(body, "read") else bytes(body or b"")
    if response.get("FunctionError"):
        raise _function_error(target, raw)
    try:
        payload: Any = json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        payload = raw.decode("utf-8", "replace")
    metadata = response.get("ResponseMetadata") or {}
    request_id = str(metadata.get("RequestId") or "")
    log = _log(response.get("LogResult"))
    result = task_result(target, payload, len(raw), request_id, entered_time(call), log)
    return TaskAnswer(result)


def _function_error(target: LambdaTarget, raw: bytes) -> StatesError:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        document = None
    if isinstance(document, dict) and isinstance(document.get("errorType"), str):
        return function_failed(target, document)
    return StatesError("Lambda.Unknown", raw.decode("utf-8", "replace"))


def _log(log_result: Any) -> str | None:
    if not isinstance(log_result, str):
        return None
    try:
        return base64.b64decode(log_result).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None
