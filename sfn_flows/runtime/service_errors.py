"""Step Functions (and SQS) failures -> HTTP answers: 429/503 with Retry-After when retrying
helps (a throttle, an outage, no answer in time), 502 naming the problem otherwise. Neither
the AWS message (it can hold ARNs and account ids) nor a stack trace reaches the client or the
log: only the error code.

botocore is imported when an error is classified, not with the module: a client raised the
error, so botocore is loaded by then, and the handlers' cold import stays standard library.
"""

from __future__ import annotations

from typing import NamedTuple

from sfn_flows.runtime.responses import Response, error_response

# DescribeExecution's answers for an execution that is not there (or an ARN that cannot be one).
EXECUTION_NOT_FOUND_CODES = frozenset({"ExecutionDoesNotExist", "InvalidArn", "ResourceNotFound"})
# Codes the AWS SDKs treat as throttling, plus Step Functions' quota of open executions.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "ExecutionLimitExceeded",
    }
)
UNAVAILABLE_CODES = frozenset(
    {
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalServerError",
        "InternalError",
    }
)
THROTTLED_RETRY_AFTER = 2
UNAVAILABLE_RETRY_AFTER = 5


class AwsError(NamedTuple):
    code: str  # the service's error code, or the botocore exception's class name
    http_status: int | None  # the service's HTTP status; None when no answer came
    kind: str  # "service", "timeout" (no answer in time), "connection" (nothing was sent)


# The handler's own deadline passed first (deadline.py): like the SDK's read timeout.
DEADLINE_PASSED = AwsError("DeadlineExceeded", None, "timeout")


def aws_error(exc: BaseException) -> AwsError | None:
    """What went wrong in a call through botocore; None when `exc` did not come from it."""
    from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code") or "Unknown")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return AwsError(code, status if isinstance(status, int) else None, "service")
    if isinstance(exc, ReadTimeoutError):
        return AwsError(type(exc).__name__, None, "timeout")
    if isinstance(exc, BotoConnectionError):  # refused, DNS, connect timeout: nothing was sent
        return AwsError(type(exc).__name__, None, "connection")
    if isinstance(exc, BotoCoreError):
        return AwsError(type(exc).__name__, None, "client")
    return None


def failure_response(
    error: AwsError, action: str, what: str, *, service: str = "Step Functions"
) -> Response:
    """The answer for a failed `action` (e.g. StartExecution) on `what` (e.g. "workflow 'x'")
    of `service` (SQS for the intake's SendMessage)."""
    code, status = error.code, error.http_status
    sfn = service == "Step Functions"
    prefix, resource = ("StepFunctions", "state machine") if sfn else ("Queue", "queue")
    if error.kind == "service":
        if code in THROTTLING_CODES or status == 429:
            return error_response(
                429,
                "Throttled",
                f"{service} is throttling {action} for {what}; retry in {THROTTLED_RETRY_AFTER} s.",
                headers={"Retry-After": str(THROTTLED_RETRY_AFTER)},
                awsError=code,
            )
        if code in UNAVAILABLE_CODES or (status is not None and status >= 500):
            return _unavailable(action, what, code, service)
        return error_response(
            502,
            f"{prefix}Error",
            f"{service} refused {action} for {what} with {code}; "
            f"check the deployment (the {resource} and the Lambda's permissions).",
            awsError=code,
        )
    if error.kind == "timeout":
        return error_response(
            503,
            f"{prefix}Timeout",
            f"{service} did not answer {action} for {what} in time; "
            f"retry in {UNAVAILABLE_RETRY_AFTER} s.",
            headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
        )
    if error.kind == "connection":
        return _unavailable(action, what, code, service)
    return error_response(
        502,
        f"{prefix}Error",
        f"calling {service} ({action} for {what}) failed with {code}.",
        awsError=code,
    )


def _unavailable(action: str, what: str, code: str, service: str) -> Response:
    return error_response(
        503,
        "ServiceUnavailable",
        f"{service} is unavailable for {action} on {what} ({code}); "
        f"retry in {UNAVAILABLE_RETRY_AFTER} s.",
        headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
        awsError=code,
    )
