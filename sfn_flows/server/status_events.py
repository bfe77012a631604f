"""EventBridge "Step Functions Execution Status Change" events, as AWS emits them, to the local
stack's default event bus (SFN_FLOWS_STATUS_EVENTS=1 with SFN_FLOWS_AWS_ENDPOINT).

    {"source": "aws.states", "detail-type": "Step Functions Execution Status Change",
     "resources": [<executionArn>],
     "detail": {"executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate",
                "input", "inputDetails", "output", "outputDetails", "redriveCount",
                "redriveDate", "redriveStatus", "redriveStatusReason", "error", "cause"}}

Dates are epoch milliseconds; a field the execution does not have yet is null, as in AWS's
examples. Standard executions only: Express workflows emit none on AWS.

An execution never waits for EventBridge: `execution_changed` puts the event on a bounded queue
and returns; one background thread (started with the first event) sends them in order, each
call bounded by a timeout. A full queue drops the event, a failed call is logged; neither
raises. `close()` sends what is queued, up to a deadline.
"""

from __future__ import annotations

import datetime
import json
import logging
import queue
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, cast

from sfn_flows.server.config import ConfigError, ServerConfig

SOURCE: Final = "aws.states"
DETAIL_TYPE: Final = "Step Functions Execution Status Change"
QUEUE_SIZE: Final = 10_000
CALL_SECONDS: Final = 5.0
CLOSE_SECONDS: Final = 5.0
_BATCH: Final = 10  # PutEvents takes at most 10 entries
_STOP: Final = object()
_log = logging.getLogger("sfn_flows.server")

PutEvents = Callable[[list[dict[str, Any]]], None]


def status_change_entry(
    description: Mapping[str, Any], source: str = SOURCE
) -> dict[str, Any] | None:
    """The PutEvents entry for an execution described as DescribeExecution describes it;
    None for an Express execution (AWS emits no status events for those)."""
    arn = str(description.get("executionArn") or "")
    if not arn or ":express:" in arn:
        return None
    status = description.get("status")
    stopped = description.get("stopDate")
    detail: dict[str, Any] = {
        "executionArn": arn,
        "stateMachineArn": description.get("stateMachineArn"),
        "name": description.get("name"),
        "status": status,
        "startDate": epoch_millis(description.get("startDate")),
        "stopDate": epoch_millis(stopped),
        "input": description.get("input"),
        "inputDetails": description.get("inputDetails") or {"included": True},
        "output": description.get("output"),
        "outputDetails": description.get("outputDetails"),
    }
    for optional in ("stateMachineVersionArn", "stateMachineAliasArn"):
        if description.get(optional) is not None:
            detail[optional] = description[optional]
    detail.update(_redrive(description, status))
    detail["error"] = description.get("error")
    detail["cause"] = description.get("cause")
    moment = stopped if stopped is not None else description.get("startDate")
    entry: dict[str, Any] = {
        "Source": source,
        "DetailType": DETAIL_TYPE,
        "Resources": [arn],
        "Detail": json.dumps(detail, separators=(",", ":")),
        "EventBusName": "default",
    }
    millis = epoch_millis(moment)
    if millis is not None:
        entry["Time"] = datetime.datetime.fromtimestamp(millis / 1000, datetime.UTC)
    return entry


def _redrive(description: Mapping[str, Any], status: Any) -> dict[str, Any]:
    """The redrive fields: given by the description, else those of an execution never
    redriven (a failed one may be, a running or succeeded one may not)."""
    if status in ("RUNNING", "SUCCEEDED"):
        default_status = "NOT_REDRIVABLE"
        reason: str | None = f"Execution is {status} and cannot be redriven"
    else:
        default_status, reason = "REDRIVABLE", None
    return {
        "redriveCount": description.get("redriveCount", 0),
        "redriveDate": epoch_millis(description.get("redriveDate")),
        "redriveStatus": description.get("redriveStatus", default_status),
        "redriveStatusReason": description.get("redriveStatusReason", reason),
    }


def epoch_millis(value: Any) -> int | None:
    """A date as epoch milliseconds: from a datetime, epoch seconds or ISO 8601 text."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
        return int(moment.timestamp() * 1000)
    if isinstance(value, int | float):
        return int(value * 1000)
    if isinstance(value, str):
        try:
            return epoch_millis(datetime.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


class StatusEvents:
    """Sends the status events of the server's executions (see the module docstring)."""

    def __init__(
        self,
        config: ServerConfig,
        put_events: PutEvents | None = None,
        *,
        queue_size: int = QUEUE_SIZE,
        source: str | None = None,
    ) -> None:
        if put_events is None and config.aws_endpoint is None:
            raise ConfigError(
                "SFN_FLOWS_STATUS_EVENTS is on but there is no EventBridge to send the events "
                "to: set SFN_FLOWS_AWS_ENDPOINT to the local stack's URL (or turn it off)."
            )
        self._config = config
        self._put_events = put_events
        # Another source only where the EventBridge refuses aws.* from callers (the tests').
        self._source = source or SOURCE
        self._refusals: set[str] = set()
        self._queue: queue.Queue[object] = queue.Queue(queue_size)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.dropped = 0

    def execution_changed(self, description: Mapping[str, Any]) -> None:
        """Queue the event of an execution's new status; never raises, never waits."""
        try:
            entry = status_change_entry(description, self._source)
            if entry is None or self._closed:
                return
            self._start()
            self._queue.put_nowait(entry)
        except queue.Full:
            self.dropped += 1
            if self.dropped == 1:
                _log.warning("status events: the queue is full; events are dropped")
        except Exception:
            _log.exception("status events: the event could not be queued")

    def close(self, deadline_seconds: float = CLOSE_SECONDS) -> None:
        """Send what is queued, waiting up to the deadline; later events are not sent."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is None:
            return
        try:
            self._queue.put(_STOP, timeout=deadline_seconds)
        except queue.Full:
            return
        thread.join(deadline_seconds)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._send_all, name="sfn-flows-status-events", daemon=True
                )
                self._thread.start()

    def _send_all(self) -> None:
        put_events = self._put_events or self._client_put_events()
        while True:
            batch = [self._queue.get()]
            while len(batch) < _BATCH and batch[-1] is not _STOP:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            entries = [entry for entry in batch if entry is not _STOP]
            if entries:
                try:
                    put_events(cast(list[dict[str, Any]], entries))
                except Exception as error:
                    _log.warning("status events: PutEvents failed: %s", error)
            if batch[-1] is _STOP:
                return

    def _client_put_events(self) -> PutEvents:
        from sfn_flows.server.tasks.clients import Clients

        assert self._config.aws_endpoint is not None
        client = Clients(self._config.region).client(
            "events", self._config.aws_endpoint, CALL_SECONDS
        )

        def put_events(entries: list[dict[str, Any]]) -> None:
            answer = client.put_events(Entries=entries)
            for refused in answer.get("Entries", []):
                code = refused.get("ErrorCode")
                if code and code not in self._refusals:
                    self._refusals.add(code)
                    _log.warning(
                        "status events: EventBridge refused an event (%s: %s)%s",
                        code,
                        refused.get("ErrorMessage"),
                        _SOURCE_REFUSED if code == "NotAuthorizedForSourceException" else "",
                    )

        return put_events


# Why a local stack may refuse them: as AWS does, MiniStack lets no caller but its own services
# put events from an aws.* source.
_SOURCE_REFUSED: Final = (
    "; the local stack takes aws.* sources from its own services only (as AWS does), so "
    "rules matching source aws.states see no event from the engine server"
)
