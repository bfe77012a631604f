"""The wait window's sample worker: works for `seconds` (0 by default), then answers
{"worked": <seconds>, "input": <its input>}; `fail` makes it raise."""

from __future__ import annotations

import time
from typing import Any


class WorkFailed(RuntimeError):
    """Raised when the input asks for a failure."""


def handler(event: dict[str, Any], context: object = None) -> dict[str, Any]:
    seconds = float(event.get("seconds", 0))
    time.sleep(min(max(seconds, 0.0), 9.0))
    if event.get("fail"):
        raise WorkFailed("the input asked this job to fail")
    return {"worked": seconds, "input": event}
