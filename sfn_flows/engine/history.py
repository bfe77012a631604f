"""The execution's history, as GetExecutionHistory returns it.

Events are numbered from 1 in the order they happen, and AWS writes the id of a state's
entered event into its runtime causes ("entered at the event id #N"), so every event AWS
records takes its number here too. Payloads are kept as values and turned into the JSON
strings of the API only when the history is read: a run that nobody inspects never pays
for serialising every state's input and output.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, overload

from sfn_flows.asl.history import HistoryEvent
from sfn_flows.engine.clock import to_datetime
from sfn_flows.engine.json_text import compact_json
from sfn_flows.engine.limits import MAX_EXECUTION_EVENTS, MAX_HISTORY_EVENTS
from sfn_flows.engine.scheduler import EndExecution

# Detail fields the API gives as JSON text (recorded here as values); each is followed by a
# "<field>Details" object.
_JSON_FIELDS: Final = ("input", "output", "parameters")
_NOT_TRUNCATED: Final[Mapping[str, bool]] = {"truncated": False}


# (type, moment, previous event id or 0, details with payloads as values)
_Record = tuple[str, float, int, dict[str, Any] | None]


def _details_key(event_type: str) -> str:
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


class HistoryLimitExceeded(EndExecution):
    """The history reached AWS's 25,000 events: the execution fails, with AWS's error and
    cause, in event 25,000 itself."""

    def __init__(self) -> None:
        super().__init__(
            "States.Runtime",
            f"The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS}).",
        )


class WorkLimitExceeded(EndExecution):
    """An execution and its Distributed Map child executions recorded more events than the
    engine runs for one test (each child has a history of its own and its own limit, so
    children of children could otherwise run for hours)."""

    def __init__(self) -> None:
        super().__init__(
            "States.Runtime",
            f"The execution and its child executions recorded more than {MAX_EXECUTION_EVENTS:,} "
            "events; the engine stops there.",
        )


class EventTally:
    """The events of an execution and of all its child executions, counted together."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


class History:
    """The events of one execution, in order."""

    __slots__ = ("_events", "limit", "tally")

    def __init__(self, limit: int = MAX_HISTORY_EVENTS, tally: EventTally | None = None) -> None:
        self._events: list[_Record] = []
        self.limit = limit
        self.tally = EventTally() if tally is None else tally

    def __len__(self) -> int:
        return len(self._events)

    def add(
        self, event_type: str, moment: float, previous: int, details: dict[str, Any] | None = None
    ) -> int:
        """Record an event; its id. Raises HistoryLimitExceeded past the limit."""
        events = self._events
        # AWS's cut: event number `limit` is the ExecutionFailed that reports it.
        if len(events) >= self.limit - 1:
            raise HistoryLimitExceeded()
        tally = self.tally
        tally.count += 1
        if tally.count > MAX_EXECUTION_EVENTS:
            raise WorkLimitExceeded()
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

    def history_events(self) -> HistoryView:
        """The events as HistoryEvent objects, made when first read (a run nobody inspects
        pays for none of them); payloads become JSON text when `details` is read."""
        return HistoryView(self._events[:])

    def state_names(self) -> list[str]:
        """The states entered, in order."""
        return [
            details["name"]
            for event_type, _, _, details in self._events
            if details is not None and event_type.endswith("StateEntered")
        ]

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


class HistoryView(Sequence[HistoryEvent]):
    """A read-only list of an execution's HistoryEvents, built on first access."""

    __slots__ = ("_built", "_records")

    def __init__(self, records: list[_Record]) -> None:
        self._records = records
        self._built: list[HistoryEvent] | None = None

    def _events(self) -> list[HistoryEvent]:
        if self._built is None:
            self._built = _history_events(self._records)
        return self._built

    @overload
    def __getitem__(self, index: int) -> HistoryEvent: ...

    @overload
    def __getitem__(self, index: slice) -> list[HistoryEvent]: ...

    def __getitem__(self, index: int | slice) -> HistoryEvent | list[HistoryEvent]:
        return self._events()[index]

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[HistoryEvent]:
        return iter(self._events())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HistoryView):
            other = other._events()
        return isinstance(other, list) and self._events() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._events())


def _history_events(records: list[_Record]) -> list[HistoryEvent]:
    events = []
    moment_seen = -1.0
    timestamp = to_datetime(0.0)
    for number, (event_type, moment, previous, details) in enumerate(records, 1):
        if moment != moment_seen:
            # Events of one (virtual) moment share one datetime.
            moment_seen, timestamp = moment, to_datetime(moment)
        raw = details or {}
        named = event_type.endswith(("StateEntered", "StateExited"))
        events.append(
            HistoryEvent(
                id=number,
                type=event_type,
                timestamp=timestamp,
                previous_id=previous or None,
                state_name=raw.get("name") if named else None,
                error=raw.get("error"),
                cause=raw.get("cause"),
                details=_LazyDetails(raw),
            )
        )
    return events


class _LazyDetails(Mapping[str, Any]):
    """An event's details in the API's shape, made on first read."""

    __slots__ = ("_raw", "_shaped")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = raw
        self._shaped: dict[str, Any] | None = None

    def _details(self) -> dict[str, Any]:
        if self._shaped is None:
            self._shaped = _api_details(self._raw)
        return self._shaped

    def __getitem__(self, key: str) -> Any:
        return self._details()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._details())

    def __len__(self) -> int:
        return len(self._details())

    def __repr__(self) -> str:
        return repr(self._details())


def _api_details(details: Mapping[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {}
    for key, value in details.items():
        if key in _JSON_FIELDS:
            shaped[key] = compact_json(value)
            shaped[key + "Details"] = dict(_NOT_TRUNCATED)
        elif key == "assignedVariables":
            shaped[key] = {name: compact_json(v) for name, v in value.items()}
            shaped["assignedVariablesDetails"] = dict(_NOT_TRUNCATED)
        else:
            shaped[key] = value
    return shaped
