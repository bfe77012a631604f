"""Typed views of Step Functions history events, as GetExecutionHistory returns them.

Pure (standard library only), so the engine, the client and the test fixtures share one event type
without pulling in boto3.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# The details of every event sit under one key named like "<camelCaseType>EventDetails".
_DETAILS_SUFFIX = "EventDetails"
_STATE_DETAILS = ("stateEnteredEventDetails", "stateExitedEventDetails")
_FAILURE_SUFFIXES = ("Failed", "TimedOut", "Aborted")


@dataclass(frozen=True)
class HistoryEvent:
    """One history event; `details` is the event's "<type>EventDetails" mapping."""

    id: int
    type: str
    timestamp: datetime
    previous_id: int | None = None
    state_name: str | None = None
    error: str | None = None
    cause: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_state_entered(self) -> bool:
        return self.type.endswith("StateEntered")

    @property
    def is_state_exited(self) -> bool:
        return self.type.endswith("StateExited")

    @property
    def is_failure(self) -> bool:
        return self.type.endswith(_FAILURE_SUFFIXES)

    @classmethod
    def from_api(cls, event: Mapping[str, Any]) -> HistoryEvent:
        details: Mapping[str, Any] = {}
        key = ""
        for name, value in event.items():
            if name.endswith(_DETAILS_SUFFIX) and isinstance(value, Mapping):
                key, details = name, value
                break
        return cls(
            id=int(event["id"]),
            type=str(event["type"]),
            timestamp=event["timestamp"],
            previous_id=event.get("previousEventId"),
            state_name=details.get("name") if key in _STATE_DETAILS else None,
            error=details.get("error"),
            cause=details.get("cause"),
            details=details,
        )


def states_entered(events: Iterable[HistoryEvent]) -> list[str]:
    """Names of the states entered, in order (a state entered twice appears twice)."""
    return [e.state_name for e in events if e.is_state_entered and e.state_name is not None]
