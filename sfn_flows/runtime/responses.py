"""Proxy-integration responses: the same shape answers REST (1.0) and HTTP API (2.0) events."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sfn_flows.runtime.logs import log_request

Response = dict[str, Any]
Handler = Callable[[Any, Any], Response]

JSON_HEADERS = {
    "Content-Type": "application/json",
    # Answers describe an execution at one moment: no cache may replay them to a poller.
    "Cache-Control": "no-store",
}


def json_response(status: int, body: object, headers: Mapping[str, str] | None = None) -> Response:
    return {
        "statusCode": status,
        "headers": {**JSON_HEADERS, **(headers or {})},
        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def error_response(
    status: int,
    error: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: object,
) -> Response:
    """{"error": <machine-readable code>, "message": <what is wrong and how to fix it>, ...}."""
    return json_response(status, {"error": error, "message": message, **extra}, headers)


def internal_error(request_id: str) -> Response:
    return error_response(
        500,
        "InternalError",
        f"the request failed unexpectedly; report request id {request_id} to the API's operators.",
        requestId=request_id,
    )


def configuration_error(exc: Exception, request_id: str) -> Response:
    # The reason names files, variables and ARNs of the deployment: for the log, not the client.
    log_request("configuration-error", requestId=request_id, problem=str(exc))
    return error_response(
        500,
        "ConfigurationError",
        "the API is misconfigured; its operators find the reason in the function's log under "
        f"request id {request_id}.",
        requestId=request_id,
    )
