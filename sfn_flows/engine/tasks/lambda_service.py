"""What Step Functions sees of Lambda: which function a Task invokes, with what event, and
the result or failure as the integration reports it.

Two resources invoke a function:
- `arn:aws:states:::lambda:invoke` (optionally `.waitForTaskToken`): the payload's
  `FunctionName` (name, partial or full ARN, optional qualifier) receives the payload's
  `Payload`; the result is Lambda's Invoke response (`ExecutedVersion`, `Payload`,
  `SdkHttpMetadata`, `SdkResponseMetadata`, `StatusCode`); a failure's cause is the error
  document as compact JSON.
- `arn:aws:lambda:<region>:<account>:function:<name>`: that function receives the whole
  payload; the result is what it returned; a failure's cause is the document as Python's
  json.dumps writes it (with spaces), as recorded on AWS.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Final

from sfn_flows.engine.errors import StatesError

_INVOKE: Final = re.compile(r"arn:[^:]+:states:::lambda:invoke(\.waitForTaskToken)?")
_FUNCTION_ARN: Final = re.compile(
    r"arn:(?P<partition>[^:]+):lambda:(?P<region>[^:]+):(?P<account>\d{12}):function:"
    r"(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?"
)
_PARTIAL_ARN: Final = re.compile(
    r"(?P<account>\d{12}):function:(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?"
)
_NAME: Final = re.compile(r"(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[^:]+))?")


@dataclass(frozen=True, slots=True)
class LambdaTarget:
    """The function a Task invokes, and the event it sends."""

    name: str
    region: str
    account: str
    qualifier: str | None
    event: Any
    via_invoke: bool  # arn:aws:states:::lambda:invoke, not a function ARN
    callback: bool  # .waitForTaskToken: the function's result is not the Task's

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.name}"


def lambda_target(resource: str, payload: Any, region: str, account: str) -> LambdaTarget | None:
    """The function `resource` invokes, or None when the Task is not a Lambda invocation.

    Raises StatesError when `lambda:invoke` is given no usable FunctionName."""
    invoke = _INVOKE.fullmatch(resource)
    if invoke is not None:
        function = payload.get("FunctionName") if isinstance(payload, dict) else None
        name, region, account, qualifier = _function_ref(function, region, account)
        event = payload.get("Payload", {}) if isinstance(payload, dict) else {}
        return LambdaTarget(
            name, region, account, qualifier, event, True, invoke.group(1) is not None
        )
    direct = _FUNCTION_ARN.fullmatch(resource)
    if direct is not None:
        return LambdaTarget(
            direct["name"],
            direct["region"],
            direct["account"],
            direct["qualifier"],
            payload,
            False,
            False,
        )
    return None


def _function_ref(function: Any, region: str, account: str) -> tuple[str, str, str, str | None]:
    if isinstance(function, str):
        for pattern in (_FUNCTION_ARN, _PARTIAL_ARN, _NAME):
            match = pattern.fullmatch(function)
            if match is not None:
                found = match.groupdict()
                return (
                    found["name"],
                    found.get("region") or region,
                    found.get("account") or account,
                    found.get("qualifier"),
                )
    raise StatesError(
        "Lambda.InvalidParameterValueException",
        f"FunctionName {json.dumps(function)} is not a function name or ARN "
        "(name, 123456789012:function:name or arn:aws:lambda:region:account:function:name).",
    )


def not_found(target: LambdaTarget) -> StatesError:
    """Lambda's answer for a function that does not exist, as the integration reports it."""
    return StatesError(
        "Lambda.ResourceNotFoundException",
        f"Function not found: {target.arn}:{target.qualifier or '$LATEST'} (Service: AWSLambda; "
        "Status Code: 404; Error Code: ResourceNotFoundException; "
        f"Request ID: {uuid.uuid4()}; Proxy: null)",
    )


def function_failed(target: LambdaTarget, document: dict[str, Any]) -> StatesError:
    """A function error: its errorType names the error, the document is the cause."""
    separators = (",", ":") if target.via_invoke else (", ", ": ")
    return StatesError(
        str(document.get("errorType") or "Lambda.Unknown"),
        json.dumps(document, separators=separators),
    )


def task_result(target: LambdaTarget, payload: Any, size: int, request_id: str, now: float) -> Any:
    """The Task's result for a function that returned `payload` (`size` bytes on the wire)."""
    if not target.via_invoke:
        return payload
    date = _http_date(now)
    trace = f"Root=1-{int(now):08x}-{uuid.uuid4().hex[:24]}"
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(size),
        "Content-Type": "application/json",
        "Date": date,
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
        "X-Amzn-Trace-Id": trace,
    }
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }


_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    *("Jan", "Feb", "Mar", "Apr", "May", "Jun"),
    *("Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
)


def _http_date(moment: float) -> str:
    """An HTTP Date header (RFC 7231), in English whatever the locale."""
    t = time.gmtime(moment)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


def service_label(resource: str) -> str:
    """How a result-size failure names the task: the service of an optimized integration
    (`arn:aws:states:::lambda:invoke` -> 'lambda'), else the whole resource ARN."""
    match = re.fullmatch(r"arn:[^:]+:states:::([^:]+):.*", resource)
    return match.group(1) if match else resource
