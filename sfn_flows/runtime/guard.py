"""What every API handler does around its own work: a deadline from Lambda's context (see
deadline.py), one log line per request, and an unexpected exception turned into a JSON 500
with the request id (logged without the request, which may hold a client's data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sfn_flows.runtime.deadline import Deadline
from sfn_flows.runtime.events import HttpRequest, NotAnHttpEvent, parse_event, request_id_of
from sfn_flows.runtime.logs import RequestLog, log_unexpected
from sfn_flows.runtime.responses import Handler, Response, error_response, internal_error


def guarded(action: str, respond: Callable[[Any, Deadline, RequestLog], Response]) -> Handler:
    def handler(event: Any, context: Any = None) -> Response:
        deadline = Deadline.of(context)  # first: the clock runs from the invocation's start
        log = RequestLog(action, request_id_of(event, context))
        try:
            response = respond(event, deadline, log)
        except Exception as exc:  # the last line of defence: a JSON 500, never a traceback
            log_unexpected(
                f"{action}-crashed", exc, requestId=log.request_id, workflow=log.workflow
            )
            response = internal_error(log.request_id)
        log.answered(response)
        return response

    return handler


def accepted_request(event: Any, *, reader: str, method: str, usage: str) -> HttpRequest | Response:
    """The event as an HTTP request, or the 400/405 a client gets for a wrong event or
    method. `reader` names the handler in the message; `usage` says how to call it."""
    try:
        request = parse_event(event)
    except NotAnHttpEvent as exc:
        return error_response(
            400,
            "BadEvent",
            f"the {reader} answers API Gateway proxy events (REST or HTTP API): {exc}.",
        )
    if request.method != method:
        return error_response(
            405,
            "MethodNotAllowed",
            f"{request.method} is not allowed here; {usage}.",
            headers={"Allow": method},
        )
    return request
