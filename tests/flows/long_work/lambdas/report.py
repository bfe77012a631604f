"""Reports of the checksum job: the requester hears of the result, or that it is unfinished."""

from __future__ import annotations

from typing import Any


def done(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    return {"job_id": event["job_id"], "checksums": len(event["checksums"])}


def unfinished(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    return {"job_id": event["job_id"], "error": event["error"]["Error"]}
