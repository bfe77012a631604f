"""Create, Describe, Update, Delete and ListStateMachineAlias(es): names routed to versions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.server import requests as read
from sfn_flows.server.errors import invalid_arn, validation
from sfn_flows.server.machine_records import Alias
from sfn_flows.server.pagination import page, page_request, paged_answer
from sfn_flows.server.protocol import Handler
from sfn_flows.server.state_machines import split_qualifier

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

# AWS's pattern for an alias name: letters, digits, '_', '-', '.', and not only digits (a name
# of digits would read as a version number).
_ALIAS_NAME: Final = re.compile(r"^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}$")
_DESCRIPTION_MAX: Final = 256


def create_state_machine_alias(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    name = read.required_string(body, "name", most=80)
    if not _ALIAS_NAME.match(name):
        raise read.constraint(
            "name",
            "Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])"
            "[a-zA-Z0-9_\\-\\.]+$ (letters, digits, '_', '-' and '.', not only digits)",
        )
    description = read.optional_string(body, "description", most=_DESCRIPTION_MAX)
    routing = _routing(body, required=True)
    assert routing is not None
    machine_arn = split_qualifier(routing[0][0])[0]
    now = state.machines.now()
    alias = Alias(f"{machine_arn}:{name}", name, description, routing, now)
    alias = state.machines.put_alias(machine_arn, alias, create=True)
    return {"stateMachineAliasArn": alias.arn, "creationDate": alias.created}


def describe_state_machine_alias(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    _, alias = state.machines.alias(_alias_arn(body))
    described: dict[str, Any] = {
        "stateMachineAliasArn": alias.arn,
        "name": alias.name,
        "routingConfiguration": [
            {"stateMachineVersionArn": arn, "weight": weight} for arn, weight in alias.routing
        ],
        "creationDate": alias.created,
    }
    if alias.description is not None:
        described["description"] = alias.description
    if alias.updated is not None:
        described["updateDate"] = alias.updated
    return described


def update_state_machine_alias(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    arn = _alias_arn(body)
    description = read.optional_string(body, "description", most=_DESCRIPTION_MAX)
    routing = _routing(body, required=False)
    if description is None and routing is None:
        raise validation(
            "UpdateStateMachineAlias needs a description or a routingConfiguration to change."
        )
    with state.machines.lock:
        machine, alias = state.machines.alias(arn)
        if routing is not None and split_qualifier(routing[0][0])[0] != machine.arn:
            raise validation(
                f"routingConfiguration must route to versions of '{machine.arn}', the alias's "
                "own state machine."
            )
        updated = Alias(
            alias.arn,
            alias.name,
            alias.description if description is None else description,
            alias.routing if routing is None else routing,
            alias.created,
            state.machines.now(),
        )
        state.machines.put_alias(machine.arn, updated, create=False)
    return {"updateDate": updated.updated}


def delete_state_machine_alias(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    state.machines.delete_alias(_alias_arn(body))
    return {}


def list_state_machine_aliases(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    arn = read.state_machine_arn(body).arn
    size, token = page_request(body)
    base, qualifier = split_qualifier(arn)
    if qualifier is not None and not qualifier.isdigit():
        raise invalid_arn("stateMachineArn", arn, "a state machine or version ARN")
    with state.machines.lock:
        if qualifier is None:
            machine = state.machines.get(base)
        else:
            machine, _ = state.machines.version(arn)
        aliases = sorted(machine.aliases.values(), key=lambda a: a.name)
    if qualifier is not None:
        aliases = [a for a in aliases if any(v == arn for v, _ in a.routing)]
    chosen, next_token = page(aliases, lambda a: a.name, size, token)
    items = [{"stateMachineAliasArn": a.arn, "creationDate": a.created} for a in chosen]
    return paged_answer("stateMachineAliases", items, next_token)


def _alias_arn(body: Mapping[str, Any]) -> str:
    arn = read.state_machine_arn(body, "stateMachineAliasArn").arn
    qualifier = split_qualifier(arn)[1]
    if qualifier is None or qualifier.isdigit():
        raise invalid_arn(
            "stateMachineAliasArn", arn, "an alias ARN, <state machine ARN>:<alias name>"
        )
    return arn


def _routing(body: Mapping[str, Any], *, required: bool) -> list[tuple[str, int]] | None:
    """1 or 2 versions of one state machine, with weights adding up to 100."""
    given = read.optional_list(body, "routingConfiguration")
    if given is None:
        if required:
            raise read.missing("routingConfiguration")
        return None
    if not 1 <= len(given) <= 2:
        raise read.constraint(
            "routingConfiguration",
            f"Member must have length between 1 and 2 (it has {len(given)}): an alias routes "
            "to one version, or splits between two",
        )
    routing = []
    for index, item in enumerate(given):
        at = f"routingConfiguration[{index}]"
        if not isinstance(item, dict):
            raise read.serialization_of(at, "an object", item)
        arn = read.state_machine_arn(item, "stateMachineVersionArn").arn
        qualifier = split_qualifier(arn)[1]
        if qualifier is None or not qualifier.isdigit():
            raise invalid_arn(
                f"{at}.stateMachineVersionArn", arn, "a version ARN, <state machine ARN>:<number>"
            )
        weight = read.optional_int(item, "weight", least=0, most=100, label=f"{at}.weight")
        if weight is None:
            raise read.missing(f"{at}.weight")
        routing.append((arn, weight))
    if len({arn for arn, _ in routing}) != len(routing):
        raise validation("routingConfiguration names the same version twice; name it once.")
    if len({split_qualifier(arn)[0] for arn, _ in routing}) != 1:
        raise validation("routingConfiguration must route to versions of one state machine.")
    total = sum(weight for _, weight in routing)
    if total != 100:
        raise validation(f"The weights in routingConfiguration add up to {total}; make them 100.")
    return routing


ACTIONS: dict[str, Handler] = {
    "CreateStateMachineAlias": create_state_machine_alias,
    "DescribeStateMachineAlias": describe_state_machine_alias,
    "UpdateStateMachineAlias": update_state_machine_alias,
    "DeleteStateMachineAlias": delete_state_machine_alias,
    "ListStateMachineAliases": list_state_machine_aliases,
}
