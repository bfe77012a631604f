"""TagResource, UntagResource and ListTagsForResource on state machines, with AWS's limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.server import requests as read
from sfn_flows.server.errors import ApiError, invalid_arn, resource_not_found, validation
from sfn_flows.server.machine_records import Machine
from sfn_flows.server.protocol import Handler
from sfn_flows.server.state_machines import split_qualifier

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

MAX_TAGS: Final = 50
KEY_MAX: Final = 128
VALUE_MAX: Final = 256
# Besides Unicode letters, digits and white space, the only characters a tag may hold.
_SYMBOLS: Final = frozenset("_.:/=+-@")


def read_tags(body: Mapping[str, Any], *, required: bool) -> dict[str, str]:
    """The `tags` member, [{"key": ..., "value": ...}], as a dict (a later key wins)."""
    given = read.optional_list(body, "tags")
    if given is None:
        if required:
            raise read.missing("tags")
        return {}
    tags: dict[str, str] = {}
    for index, tag in enumerate(given):
        at = f"tags[{index}]"
        if not isinstance(tag, dict):
            raise read.serialization_of(at, "an object", tag)
        key = read.required_string(tag, "key", most=KEY_MAX, label=f"{at}.key")
        value = read.optional_string(tag, "value", most=VALUE_MAX, label=f"{at}.value") or ""
        _check_text(f"{at}.key", key)
        _check_text(f"{at}.value", value)
        if key.lower().startswith("aws:"):
            raise validation(
                f"{at}.key '{key}' starts with 'aws:', which AWS reserves for its own tags."
            )
        tags[key] = value
    if len(tags) > MAX_TAGS:
        raise _too_many(len(tags), "")
    return tags


def _check_text(label: str, text: str) -> None:
    for char in text:
        if not (char.isalnum() or char.isspace() or char in _SYMBOLS):
            raise validation(
                f"{label} holds {char!r}: tags may only contain Unicode letters, digits, white "
                "space and _ . : / = + - @"
            )


def _too_many(count: int, arn: str) -> ApiError:
    return ApiError(
        "TooManyTags",
        f"A resource has at most {MAX_TAGS} tags; this request would give it {count}. "
        "Remove some with UntagResource.",
        resourceName=arn,
    )


def _tagged(state: ServerState, body: Mapping[str, Any]) -> Machine:
    arn = read.required_string(body, "resourceArn", most=read.ARN_MAX)
    parsed = read.state_machine_arn(body, "resourceArn") if ":stateMachine:" in arn else None
    if parsed is None or split_qualifier(arn)[1] is not None:
        raise invalid_arn(
            "resourceArn", arn, "a state machine ARN (versions and aliases have no tags here)"
        )
    with state.machines.lock:
        if not state.machines.exists(arn):
            raise resource_not_found("Resource", arn)
        return state.machines.get(arn)


def tag_resource(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    machine = _tagged(state, body)
    tags = read_tags(body, required=True)
    with state.machines.lock:
        merged = machine.tags | tags
        if len(merged) > MAX_TAGS:
            raise _too_many(len(merged), machine.arn)
        machine.tags = merged
    return {}


def untag_resource(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    machine = _tagged(state, body)
    keys = read.optional_list(body, "tagKeys")
    if keys is None:
        raise read.missing("tagKeys")
    for index, key in enumerate(keys):
        if not isinstance(key, str):
            raise read.serialization_of(f"tagKeys[{index}]", "a string", key)
        read.required_string({"key": key}, "key", most=KEY_MAX, label=f"tagKeys[{index}]")
    with state.machines.lock:
        machine.tags = {k: v for k, v in machine.tags.items() if k not in set(keys)}
    return {}


def list_tags_for_resource(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    machine = _tagged(state, body)
    with state.machines.lock:
        tags = dict(machine.tags)
    return {"tags": [{"key": key, "value": value} for key, value in tags.items()]}


ACTIONS: dict[str, Handler] = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
