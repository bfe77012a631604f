"""A Task's TimeoutSeconds while the server waits on a call or a child execution for it.

On a virtual clock the Task's time has to pass on the execution's clock (TaskTimeout makes the
engine move it on); on a real clock it has passed already, so the Task just times out.
"""

from __future__ import annotations

import time

from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.tasks import TaskCall, TaskTimeout


class Deadline:
    """The real moment a Task's TimeoutSeconds ends (never, without one)."""

    def __init__(self, seconds: float | None) -> None:
        self._end = None if seconds is None else time.monotonic() + seconds

    def passed(self) -> bool:
        return self._end is not None and time.monotonic() >= self._end


def task_deadline(call: TaskCall) -> Deadline:
    return Deadline(call.timeout_seconds)


def timed_out(call: TaskCall, virtual_time: bool) -> StatesError:
    """The Task's States.Timeout, once its TimeoutSeconds have passed in real time."""
    if virtual_time:
        return TaskTimeout(call.timeout_seconds or 0.0)
    return StatesError("States.Timeout", None)
