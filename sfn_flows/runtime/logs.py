"""One JSON line per request, with only what is safe to keep: never a body or a header value.

Lines go through the `sfn_flows.runtime` logger at INFO: Lambda's runtime forwards them to
CloudWatch; elsewhere they are silent unless logging is configured. SFN_FLOWS_LOG_LEVEL
changes the level (the Python runtime's root logger would otherwise drop INFO).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

logger = logging.getLogger("sfn_flows.runtime")
_level = os.environ.get("SFN_FLOWS_LOG_LEVEL", "INFO").upper()
logger.setLevel(_level if _level in logging.getLevelNamesMapping() else "INFO")


def log_request(event: str, **fields: str | int | None) -> None:
    logger.info(json.dumps({"event": event, **fields}, ensure_ascii=False))


class RequestLog:
    """The one line a request leaves: filled in as the handler learns which workflow and
    execution the request is about, written with the answer's status and error code."""

    def __init__(self, event: str, request_id: str) -> None:
        self.event = event
        self.request_id = request_id
        self.workflow: str | None = None  # set only once it is a workflow of this API
        self.execution: str | None = None

    def answered(self, response: dict[str, Any]) -> None:
        status = response["statusCode"]
        record: dict[str, str | int | None] = {
            "event": self.event,
            "requestId": self.request_id,
            "workflow": self.workflow,
            "execution": self.execution,
            "status": status,
        }
        if status >= 400:
            # The codes of our own error bodies: never the message, which may quote input.
            try:
                body = json.loads(response["body"])
            except (KeyError, TypeError, ValueError):
                body = {}
            record["error"] = body.get("error")
            if "awsError" in body:
                record["awsError"] = body["awsError"]
        elif response["headers"].get("Idempotent-Replayed"):
            record["replayed"] = 1
        logger.info(json.dumps(record, ensure_ascii=False))


def log_unexpected(event: str, exc: BaseException, **fields: str | int | None) -> None:
    """An unexpected exception: its type and where it happened, but not its message.

    Messages of arbitrary exceptions can quote the data being processed (a KeyError quotes
    the key, a ValueError the value), and that data is the client's request.
    """
    import traceback  # on first use: with linecache and tokenize, a few ms of cold start

    frames = [
        f"{frame.filename}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(exc.__traceback__)
    ]
    record = {"event": event, **fields, "exception": type(exc).__name__, "frames": frames}
    logger.error(json.dumps(record, ensure_ascii=False))
