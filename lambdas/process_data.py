"""Worker of the long-running job: processes every item of the request.

Runs inside Lambda, invoked by Step Functions with the execution input as the event. Kept to
the standard library so the cold start stays small. `simulate_seconds` and `fail` in the
input let tests and demos exercise the slow path and the failure path with real code.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any


class JobInputError(ValueError):
    """The event lacks what the job needs; Step Functions reports it as the error name."""


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    job_id = event.get("job_id")
    items = event.get("items")
    if not isinstance(job_id, str) or not isinstance(items, list):
        raise JobInputError("the event needs 'job_id' (string) and 'items' (list)")
    if event.get("fail"):
        raise RuntimeError(f"job {job_id} failed as requested by the input")
    delay = float(event.get("simulate_seconds", 0))
    if delay > 0:
        time.sleep(min(delay, 900.0))
    digests = [hashlib.sha256(str(item).encode()).hexdigest()[:12] for item in items]
    return {
        "job_id": job_id,
        "processed": len(items),
        "digests": digests,
        "notify": event.get("notify"),
    }
