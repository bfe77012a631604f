"""GetExecutionHistory: the events the engine recorded, paged, in either order, with or
without the execution's data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sfn_flows.server import requests as read
from sfn_flows.server.actions.executions import read_execution
from sfn_flows.server.pagination import page, page_request
from sfn_flows.server.protocol import Handler

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

# What includeExecutionData=false leaves out of every event's details.
_EXECUTION_DATA: Final = ("input", "inputDetails", "output", "outputDetails")


def get_execution_history(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    size, token = page_request(body)
    reverse = bool(read.optional_bool(body, "reverseOrder"))
    include_data = read.optional_bool(body, "includeExecutionData")
    served = read_execution(state, body)
    events = served.history_events()
    if reverse:
        events.reverse()
    # The token holds the last event id given: pages do not shift while the execution runs.
    chosen, next_token = page(
        events, (lambda e: -e["id"]) if reverse else (lambda e: e["id"]), size, token
    )
    request = served.origin.request
    # What the execution was started with, as given: the input's own text (the engine writes
    # it compact), and the version or alias it went through.
    started = {
        "input": request.input_text,
        "stateMachineVersionArn": request.version_arn,
        "stateMachineAliasArn": request.alias_arn,
    }
    answer: dict[str, Any] = {
        "events": [_api_event(event, include_data is not False, started) for event in chosen]
    }
    if next_token is not None:
        answer["nextToken"] = next_token
    return answer


def _api_event(
    event: dict[str, Any], include_data: bool, started: dict[str, str | None]
) -> dict[str, Any]:
    shaped = dict(event)
    shaped["timestamp"] = event["timestamp"].timestamp()
    if event["type"] == "ExecutionStarted":
        details = dict(event.get("executionStartedEventDetails") or {})
        details.update({key: value for key, value in started.items() if value is not None})
        shaped["executionStartedEventDetails"] = details
    if not include_data:
        for key, value in shaped.items():
            if key.endswith("EventDetails") and isinstance(value, dict):
                shaped[key] = {k: v for k, v in value.items() if k not in _EXECUTION_DATA}
    return shaped


ACTIONS: Final[dict[str, Handler]] = {"GetExecutionHistory": get_execution_history}
