"""Failures inside an execution, named as AWS names them.

A `StatesError` is what Retry and Catch see: an error name and a cause string. Every
evaluator (paths, intrinsics, JSONata, Choice, Tasks) raises it; the state that is running
decides whether a retrier or catcher handles it, and the execution ends FAILED when none
does.
"""

from __future__ import annotations

from sfn_flows.errors import SfnFlowsError


class StatesError(Exception):
    """A failure as Step Functions reports it: `error` (e.g. `States.Runtime`) and `cause`.
    `heartbeat`: a Task missed its heartbeat (reported as States.Timeout, but matched by
    States.HeartbeatTimeout too; see sfn_flows.asl.error_names)."""

    def __init__(self, error: str, cause: str | None = None, *, heartbeat: bool = False) -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause
        self.heartbeat = heartbeat


def runtime_cause(state_name: str, entered_event_id: int, detail: str) -> str:
    """The cause AWS writes for a failure inside a state's own processing."""
    return (
        f"An error occurred while executing the state '{state_name}' "
        f"(entered at the event id #{entered_event_id}). {detail}"
    )


class EngineUsageError(SfnFlowsError):
    """The engine was asked for something it cannot do (invalid definition, unknown Task...).

    Raised before an execution starts, or when a test's own set-up is wrong; never for a
    failure that AWS would report inside the execution (that is a `StatesError`).
    """
