"""What Step Functions sees of Lambda: which function a Task invokes, with what event, and
the result or failure as the integration reports it.

Two resources invoke a function:
- `arn:aws:states:::lambda:invoke` (optionally `.waitForTaskToken`): the payload's
  `FunctionName` (name, partial or full ARN, optional qualifier) receives the payload's
  `Payload` as the body of Lambda's Invoke request: a JSON string is sent as its text (so
  `"0.0"` arrives as the number 0.0, and text that is not JSON is refused by Lambda with
  InvalidRequestContentException), any other value as its JSON, and a missing or null
  `Payload` as `{}`. The result is Lambda's Invoke response (`ExecutedVersion`, `Payload`,
  `SdkHttpMetadata`, `SdkResponseMetadata`, `StatusCode`, and `LogResult` with `LogType:
  "Tail"`); a failure's cause is the error document as compact JSON.
- `arn:aws:lambda:<region>:<account>:function:<name>`: that function receives the whole
  payload; the result is what it returned; a failure's cause is the document as Python's
  json.dumps writes it (with spaces), as recorded on AWS.
"""

from __future__ import annotations

import functools
import json
import os
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
    """The function a Task invokes, and what it sends."""

    name: str
    region: str
    account: str
    qualifier: str | None
    payload: Any  # lambda:invoke's `Payload` (_ABSENT when not given), or the whole payload
    via_invoke: bool  # arn:aws:states:::lambda:invoke, not a function ARN
    callback: bool  # .waitForTaskToken: the function's result is not the Task's
    log_type: Any = "None"  # lambda:invoke's LogType: "Tail" returns the log's last 4 KB

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.name}"

    @property
    def log_tail(self) -> bool:
        """Does the Task ask for the log's tail? Raises StatesError for an unknown LogType,
        as Lambda refuses it."""
        if self.log_type in ("None", "Tail"):
            return bool(self.log_type == "Tail")
        raise StatesError(
            "Lambda.ValidationException",
            f"1 validation error detected: Value {json.dumps(self.log_type)} at 'logType' "
            "failed to satisfy constraint: Member must satisfy enum value set: [Tail, None] "
            "(Service: AWSLambda; Status Code: 400; Error Code: ValidationException; "
            f"Request ID: {uuid.uuid4()}; Proxy: null)",
        )


_ABSENT: Final = object()


def lambda_target(resource: str, payload: Any, region: str, account: str) -> LambdaTarget | None:
    """The function `resource` invokes, or None when the Task is not a Lambda invocation.

    Raises StatesError when `lambda:invoke` is given no usable FunctionName."""
    invoke = _INVOKE.fullmatch(resource)
    if invoke is not None:
        fields = payload if isinstance(payload, dict) else {}
        name, region, account, qualifier = _function_ref(
            fields.get("FunctionName"), region, account
        )
        return LambdaTarget(
            name,
            region,
            account,
            qualifier,
            fields.get("Payload", _ABSENT),
            True,
            invoke.group(1) is not None,
            fields.get("LogType", "None"),
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


def request_event(target: LambdaTarget) -> Any:
    """The event the function receives, decoded afresh from the Invoke request's body as
    Lambda's runtime decodes it (so the handler may change it freely).

    Raises StatesError (Lambda.InvalidRequestContentException) for a body that is not JSON."""
    sent = target.payload
    if not target.via_invoke:
        return json.loads(json.dumps(sent))
    if sent is _ABSENT or sent is None:
        return {}
    if not isinstance(sent, str):
        return json.loads(json.dumps(sent))
    try:
        return json.loads(sent, parse_constant=_no_constant)
    except ValueError as error:
        raise StatesError(
            "Lambda.InvalidRequestContentException",
            "Could not parse request body into json: Could not parse payload into json: "
            f"{_parse_problem(sent, error)} (Service: AWSLambda; Status Code: 400; "
            f"Error Code: InvalidRequestContentException; Request ID: {uuid.uuid4()}; "
            "Proxy: null)",
        ) from None


def _no_constant(name: str) -> Any:
    # Lambda's JSON parser knows no NaN or Infinity; Python's does.
    raise ValueError(f"Non-standard token '{name}'")


_TOKEN: Final = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")


def _parse_problem(text: str, error: ValueError) -> str:
    """Why Lambda's parser refused the body: a bare word in its words, else Python's reason."""
    word = _TOKEN.match(text)
    if word is not None and word.group(1) not in ("true", "false", "null"):
        return (
            f"Unrecognized token '{word.group(1)}': was expecting (JSON String, Number, "
            "Array, Object or token 'null', 'true' or 'false')"
        )
    return str(error)


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


def task_result(
    target: LambdaTarget,
    payload: Any,
    size: int,
    request_id: str,
    now: float,
    log: str | None = None,
) -> Any:
    """The Task's result for a function that returned `payload` (`size` bytes on the wire);
    `log` is the invocation's log, returned in part when the Task asked for its tail."""
    if not target.via_invoke:
        return payload
    date = _http_date(int(now))
    trace = f"Root=1-{int(now):08x}-{os.urandom(12).hex()}"
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
    tail: dict[str, str] = {}
    if target.log_tail:
        tail["LogResult"] = log_result(log or "")
        headers["X-Amz-Log-Result"] = tail["LogResult"]
    return {
        "ExecutedVersion": "$LATEST",
        **tail,
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }


# Lambda returns the last 4 KB of the invocation's log with LogType "Tail".
LOG_TAIL_BYTES: Final = 4096


def log_result(log: str) -> str:
    """`LogResult`: the log's last 4 KB, base64-encoded."""
    import base64  # here, not at import: only a Task that asks for the log pays for it

    return base64.b64encode(log.encode("utf-8")[-LOG_TAIL_BYTES:]).decode("ascii")


_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    *("Jan", "Feb", "Mar", "Apr", "May", "Jun"),
    *("Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
)


@functools.lru_cache(maxsize=16)  # a run's Tasks mostly start within the same few seconds
def _http_date(moment: int) -> str:
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
