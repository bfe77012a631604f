"""Notifications of the long-running job: completion and failure.

A real deployment would publish to SNS or call a webhook; here the notice is returned (and
logged) so the execution's output shows what the requester was told.
"""

from __future__ import annotations

import json
from typing import Any


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    notice = {
        "job_id": event.get("job_id"),
        "processed": int(event.get("processed", 0)),
        "notified": True,
    }
    print(json.dumps({"notice": "job-completed", **notice}))
    return notice


def failure_handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    error = event.get("error") or {}
    notice = {
        "job_id": event.get("job_id"),
        "error": error.get("Error"),
        "notified": True,
    }
    # The cause can hold the worker's stack trace: log only the error name.
    print(json.dumps({"notice": "job-failed", **notice}))
    return notice
