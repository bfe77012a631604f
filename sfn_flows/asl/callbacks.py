"""Resources whose Task waits for someone else to report back: a job run to completion
(`.sync`, `.sync:2`), a callback with the task token (`.waitForTaskToken`), or an activity
worker. A lost callback or a stuck job is noticed early only through a heartbeat, and Express
executions run none of them."""

from __future__ import annotations

import re
from typing import Literal

WaitsFor = Literal["sync", "callback", "activity"]

_SYNC = re.compile(r"\.sync(:\d+)?$")
_CALLBACK = ".waitForTaskToken"
_ACTIVITY = re.compile(r"^arn:[^:]+:states:[^:]*:[^:]*:activity:")


def waits_for(resource: str) -> WaitsFor | None:
    """What a Task on `resource` waits for; None for a request-response call."""
    if _SYNC.search(resource):
        return "sync"
    if resource.endswith(_CALLBACK):
        return "callback"
    if _ACTIVITY.search(resource):
        return "activity"
    return None


def is_callback_resource(resource: str) -> bool:
    """True for `.waitForTaskToken`, `.sync` and activity Tasks, which may want a heartbeat."""
    return waits_for(resource) is not None


def waits_for_task_token(resource: str) -> bool:
    return resource.endswith(_CALLBACK)
