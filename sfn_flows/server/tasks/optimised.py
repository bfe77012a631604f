"""The optimised integrations the server calls on the local stack, with AWS's request and
result shapes (`arn:aws:states:::<service>:<action>[.waitForTaskToken]`).

- sqs:sendMessage, sns:publish: a MessageBody / Message that is not a string is sent as its
  JSON text; the result is the response with the SDK's HTTP metadata.
- dynamodb:putItem, getItem, updateItem, deleteItem: the response with the HTTP metadata.
- events:putEvents: an entry's Detail that is not a string is sent as its JSON text; the
  result is `{"Entries": [...], "FailedEntryCount": 0}` without metadata, and a failed entry
  fails the Task with `EventBridge.FailedEntry`, the response as the cause (recorded on AWS).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sfn_flows.engine.errors import StatesError
from sfn_flows.server.tasks.http_metadata import with_sdk_metadata, without_metadata
from sfn_flows.server.tasks.json_results import json_result


@dataclass(frozen=True)
class OptimisedAction:
    boto3_service: str
    operation: str  # boto3's method name
    prepare: Callable[[dict[str, Any]], dict[str, Any]]
    result: Callable[[dict[str, Any]], Any]


def _as_is(parameters: dict[str, Any]) -> dict[str, Any]:
    return parameters


def _text(value: Any) -> Any:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _message_body(parameters: dict[str, Any]) -> dict[str, Any]:
    if "MessageBody" in parameters:
        return {**parameters, "MessageBody": _text(parameters["MessageBody"])}
    return parameters


def _message(parameters: dict[str, Any]) -> dict[str, Any]:
    if "Message" in parameters:
        return {**parameters, "Message": _text(parameters["Message"])}
    return parameters


def _entries(parameters: dict[str, Any]) -> dict[str, Any]:
    entries = parameters.get("Entries")
    if not isinstance(entries, list):
        return parameters
    sent = [
        {**entry, "Detail": _text(entry["Detail"])}
        if isinstance(entry, dict) and "Detail" in entry
        else entry
        for entry in entries
    ]
    return {**parameters, "Entries": sent}


def _with_metadata(response: dict[str, Any]) -> Any:
    return json_result(with_sdk_metadata(response), "millis")


def _put_events(response: dict[str, Any]) -> Any:
    answer = json_result(without_metadata(response), "millis")
    answer = {
        "Entries": answer.get("Entries", []),
        "FailedEntryCount": answer.get("FailedEntryCount", 0),
    }
    if answer["FailedEntryCount"]:
        raise StatesError("EventBridge.FailedEntry", json.dumps(answer, separators=(",", ":")))
    return answer


ACTIONS: Final = {
    ("sqs", "sendMessage"): OptimisedAction("sqs", "send_message", _message_body, _with_metadata),
    ("sns", "publish"): OptimisedAction("sns", "publish", _message, _with_metadata),
    ("dynamodb", "putItem"): OptimisedAction("dynamodb", "put_item", _as_is, _with_metadata),
    ("dynamodb", "getItem"): OptimisedAction("dynamodb", "get_item", _as_is, _with_metadata),
    ("dynamodb", "updateItem"): OptimisedAction("dynamodb", "update_item", _as_is, _with_metadata),
    ("dynamodb", "deleteItem"): OptimisedAction("dynamodb", "delete_item", _as_is, _with_metadata),
    ("events", "putEvents"): OptimisedAction("events", "put_events", _entries, _put_events),
}
