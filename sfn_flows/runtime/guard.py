"""What every API handler does around its own work: one log line per request, and an
unexpected exception turned into a JSON 500 with the request id (logged without the
request, which may hold a client's data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sfn_flows.runtime.events import request_id_of
from sfn_flows.runtime.logs import RequestLog, log_unexpected
from sfn_flows.runtime.responses import Handler, Response, internal_error


def guarded(action: str, respond: Callable[[Any, RequestLog], Response]) -> Handler:
    def handler(event: Any, context: Any = None) -> Response:
        log = RequestLog(action, request_id_of(event, context))
        try:
            response = respond(event, log)
        except Exception as exc:  # the last line of defence: a JSON 500, never a traceback
            log_unexpected(
                f"{action}-crashed", exc, requestId=log.request_id, workflow=log.workflow
            )
            response = internal_error(log.request_id)
        log.answered(response)
        return response

    return handler
