"""The execution's history, as GetExecutionHistory returns it.

Events are numbered from 1 in the order they happen, and AWS writes the id of a state's
entered event into its runtime causes ("entered at the event id #N"), so every event AWS
records takes its number here too. Payloads are kept as values and turned into the JSON
strings of the API only when the history is read: a run that nobody inspects never pays
for serialising every state's input and output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from sfn_flows.asl.history import HistoryEvent
from sfn_flows.engine.clock import to_datetime
from sfn_flows.engine.limits import MAX_HISTORY_EVENTS
from sfn_flows.engine.scheduler import EndExecution

# Detail fields the API gives as JSON text (recorded here as values); each is followed by a
# "<field>Details" object.
_JSON_FIELDS: Final = ("input", "output", "parameters")
_NOT_TRUNCATED: Final[Mapping[str, bool]] = {"truncated": False}


def _details_key(event_type: str) -> str:
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


class HistoryLimitExceeded(EndExecution):
    """The history reached AWS's 25,000 events: the execution fails."""

    def __init__(self) -> None:
        super().__init__(
            "States.Runtime",
            f"The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS}).",
        )


class History:
    """The events of one execution, in order."""

    __slots__ = ("_events", "limit")

    def __init__(self, limit: int = MAX_HISTORY_EVENTS) -> None:
        self._events: list[tuple[str, float, int, dict[str, Any] | None]] = []
        self.limit = limit

    def __len__(self) -> int:
        return len(self._events)

    def add(
        self, event_type: str, moment: float, previous: int, details: dict[str, Any] | None = None
    ) -> int:
        """Record an event; its id. Raises HistoryLimitExceeded past the limit."""
        events = self._events
        if len(events) >= self.limit:
            raise HistoryLimitExceeded()
        events.append((event_type, moment, previous, details))
        return len(events)

    def add_final(
        self, event_type: str, moment: float, previous: int, details: dict[str, Any] | None
    ) -> int:
        """The execution's last event, recorded even at the limit (it reports the failure)."""
        self._events.append((event_type, moment, previous, details))
        return len(self._events)

    def api_events(self) -> list[dict[str, Any]]:
        """Every event as a GetExecutionHistory event (timestamps as aware datetimes)."""
        return list(self._iter_api())

    def history_events(self) -> list[HistoryEvent]:
        return [HistoryEvent.from_api(event) for event in self._iter_api()]

    def _iter_api(self) -> Iterator[dict[str, Any]]:
        for number, (event_type, moment, previous, details) in enumerate(self._events, 1):
            event: dict[str, Any] = {
                "id": number,
                "type": event_type,
                "timestamp": to_datetime(moment),
            }
            if previous:
                event["previousEventId"] = previous
            if details is not None:
                event[_details_key(event_type)] = _api_details(details)
            yield event


def _api_details(details: Mapping[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {}
    for key, value in details.items():
        if key in _JSON_FIELDS:
            shaped[key] = to_json(value)
            shaped[key + "Details"] = dict(_NOT_TRUNCATED)
        elif key == "assignedVariables":
            shaped[key] = {name: to_json(v) for name, v in value.items()}
            shaped["assignedVariablesDetails"] = dict(_NOT_TRUNCATED)
        else:
            shaped[key] = value
    return shaped


def to_json(value: Any) -> str:
    """Compact JSON, as AWS writes payloads in events and outputs."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
