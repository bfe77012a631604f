"""CreateStateMachine, Describe, Update, Delete, ListStateMachines, and their versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.server import requests as read
from sfn_flows.server.actions.tags import read_tags
from sfn_flows.server.definitions import read_definition
from sfn_flows.server.errors import ApiError, invalid_arn, validation
from sfn_flows.server.machine_records import Machine, Revision, Version
from sfn_flows.server.pagination import page, page_request, paged_answer
from sfn_flows.server.protocol import Handler
from sfn_flows.server.state_machines import new_revision, split_qualifier

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

TYPES: Final = ("STANDARD", "EXPRESS")
_LOG_LEVELS: Final = ("ALL", "ERROR", "FATAL", "OFF")
_DESCRIPTION_MAX: Final = 256


def create_state_machine(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    name = read.name(body)
    machine_type = read.optional_enum(body, "type", TYPES) or "STANDARD"
    definition, _ = read_definition(body, machine_type)
    role_arn = read.role_arn(body, required=True)
    assert role_arn is not None
    logging = _logging(body) or _DEFAULT_LOGGING
    tracing = _tracing(body) or {"enabled": False}
    tags = read_tags(body, required=False)
    publish, description = _publishing(body, "versionDescription")
    _encryption(body)
    machine, version = state.machines.create(
        name,
        machine_type,
        new_revision(definition, role_arn, logging, tracing),
        tags=tags,
        publish=publish,
        version_description=description,
    )
    answer: dict[str, Any] = {"stateMachineArn": machine.arn, "creationDate": machine.created}
    if version is not None:
        answer["stateMachineVersionArn"] = version.arn
    return answer


def describe_state_machine(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    arn = read.state_machine_arn(body).arn
    read.optional_enum(body, "includedData", ("ALL_DATA", "METADATA_ONLY"))
    _, qualifier = split_qualifier(arn)
    if qualifier is None:
        machine = state.machines.get(arn)
        described = _described(machine, machine.revision, machine.arn, machine.created)
        return described
    if not qualifier.isdigit():
        raise invalid_arn(
            "stateMachineArn",
            arn,
            "a state machine or version ARN (describe an alias with DescribeStateMachineAlias)",
        )
    machine, version = state.machines.version(arn)
    described = _described(machine, version.revision, version.arn, version.created)
    if version.description is not None:
        described["description"] = version.description
    return described


def _described(machine: Machine, revision: Revision, arn: str, created: float) -> dict[str, Any]:
    return {
        "stateMachineArn": arn,
        "name": machine.name,
        "status": "ACTIVE",
        "definition": revision.definition,
        "roleArn": revision.role_arn,
        "type": machine.type,
        "creationDate": created,
        "loggingConfiguration": revision.logging,
        "tracingConfiguration": revision.tracing,
        "revisionId": revision.revision_id,
    }


def update_state_machine(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    arn = _unqualified(body, "stateMachineArn")
    machine = state.machines.get(arn)
    changes: dict[str, Any] = {}
    if "definition" in body and body["definition"] is not None:
        changes["definition"] = read_definition(body, machine.type)[0]
    role_arn = read.role_arn(body, required=False)
    if role_arn is not None:
        changes["role_arn"] = role_arn
    logging = _logging(body)
    if logging is not None:
        changes["logging"] = logging
    tracing = _tracing(body)
    if tracing is not None:
        changes["tracing"] = tracing
    publish, description = _publishing(body, "versionDescription")
    _encryption(body)
    if not changes and not publish:
        raise ApiError(
            "MissingRequiredParameter",
            "Either the definition, the roleArn, the loggingConfiguration or the "
            "tracingConfiguration must be specified.",
        )
    machine, version = state.machines.update(
        arn, changes, publish=publish, version_description=description
    )
    answer: dict[str, Any] = {
        "updateDate": machine.updated,
        "revisionId": machine.revision.revision_id,
    }
    if version is not None:
        answer["stateMachineVersionArn"] = version.arn
    return answer


def delete_state_machine(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    arn = _unqualified(body, "stateMachineArn")
    state.machines.delete(arn)
    return {}


def list_state_machines(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    size, token = page_request(body)
    chosen, next_token = page(state.machines.all(), lambda m: m.name, size, token)
    items = [
        {"stateMachineArn": m.arn, "name": m.name, "type": m.type, "creationDate": m.created}
        for m in chosen
    ]
    return paged_answer("stateMachines", items, next_token)


def publish_state_machine_version(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    arn = _unqualified(body, "stateMachineArn")
    revision_id = read.optional_string(body, "revisionId", most=256)
    description = read.optional_string(body, "description", most=_DESCRIPTION_MAX)
    version = state.machines.publish(arn, revision_id, description)
    return {"creationDate": version.created, "stateMachineVersionArn": version.arn}


def list_state_machine_versions(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    arn = _unqualified(body, "stateMachineArn")
    size, token = page_request(body)
    machine = state.machines.get(arn)
    with state.machines.lock:
        versions: list[Version] = sorted(
            machine.versions.values(), key=lambda v: v.number, reverse=True
        )
    # Newest first, as AWS lists them.
    chosen, next_token = page(versions, lambda v: -v.number, size, token)
    items = [{"stateMachineVersionArn": v.arn, "creationDate": v.created} for v in chosen]
    return paged_answer("stateMachineVersions", items, next_token)


def delete_state_machine_version(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    arn = read.state_machine_arn(body, "stateMachineVersionArn").arn
    _, qualifier = split_qualifier(arn)
    if qualifier is None or not qualifier.isdigit():
        raise invalid_arn(
            "stateMachineVersionArn", arn, "a version ARN, <state machine ARN>:<number>"
        )
    state.machines.delete_version(arn)
    return {}


# -- fields ----------------------------------------------------------------------------------

_DEFAULT_LOGGING: Final[dict[str, Any]] = {"level": "OFF", "includeExecutionData": False}


def _unqualified(body: Mapping[str, Any], field: str) -> str:
    arn = read.state_machine_arn(body, field).arn
    if split_qualifier(arn)[1] is not None:
        raise invalid_arn(field, arn, "a state machine ARN without a version or alias")
    return arn


def _logging(body: Mapping[str, Any]) -> dict[str, Any] | None:
    given = read.optional_object(body, "loggingConfiguration")
    if given is None:
        return None
    label = "loggingConfiguration"
    level = read.optional_enum(given, "level", _LOG_LEVELS, f"{label}.level") or "OFF"
    include = read.optional_bool(given, "includeExecutionData", f"{label}.includeExecutionData")
    destinations = read.optional_list(given, "destinations", f"{label}.destinations") or []
    groups = []
    for index, destination in enumerate(destinations):
        at = f"{label}.destinations[{index}]"
        if not isinstance(destination, dict):
            raise read.serialization_of(at, "an object", destination)
        group = read.optional_object(destination, "cloudWatchLogsLogGroup", at) or {}
        arn = read.optional_string(group, "logGroupArn", most=256, label=f"{at}.logGroupArn")
        if arn is None or not arn.startswith("arn:") or ":log-group:" not in arn:
            raise ApiError(
                "InvalidLoggingConfiguration",
                f"Invalid Logging Configuration: {at} needs cloudWatchLogsLogGroup.logGroupArn, "
                "a CloudWatch Logs log group ARN (arn:aws:logs:<region>:<account>:log-group:"
                "<name>:*).",
            )
        groups.append({"cloudWatchLogsLogGroup": {"logGroupArn": arn}})
    if level != "OFF" and not groups:
        raise ApiError(
            "InvalidLoggingConfiguration",
            f"Invalid Logging Configuration: level {level} needs one destination (a CloudWatch "
            "Logs log group); give loggingConfiguration.destinations, or level OFF.",
        )
    logging: dict[str, Any] = {"level": level, "includeExecutionData": bool(include)}
    if groups:
        logging["destinations"] = groups
    return logging


def _tracing(body: Mapping[str, Any]) -> dict[str, Any] | None:
    given = read.optional_object(body, "tracingConfiguration")
    if given is None:
        return None
    enabled = read.optional_bool(given, "enabled", "tracingConfiguration.enabled")
    return {"enabled": bool(enabled)}


def _publishing(body: Mapping[str, Any], field: str) -> tuple[bool, str | None]:
    publish = bool(read.optional_bool(body, "publish"))
    description = read.optional_string(body, field, most=_DESCRIPTION_MAX)
    if description is not None and not publish:
        raise validation(
            f'{field} can only be set when publish is true: add "publish": true, or leave '
            f"{field} out."
        )
    return publish, description


def _encryption(body: Mapping[str, Any]) -> None:
    """Read for its shape only: the server keeps nothing at rest, so it encrypts nothing."""
    given = read.optional_object(body, "encryptionConfiguration")
    if given is not None:
        read.optional_enum(
            given,
            "type",
            ("AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY"),
            "encryptionConfiguration.type",
        )


ACTIONS: dict[str, Handler] = {
    "CreateStateMachine": create_state_machine,
    "DescribeStateMachine": describe_state_machine,
    "UpdateStateMachine": update_state_machine,
    "DeleteStateMachine": delete_state_machine,
    "ListStateMachines": list_state_machines,
    "PublishStateMachineVersion": publish_state_machine_version,
    "ListStateMachineVersions": list_state_machine_versions,
    "DeleteStateMachineVersion": delete_state_machine_version,
}
