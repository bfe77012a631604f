"""Aliases through boto3: routing to one or two versions, what resolve() runs for an alias,
and AWS's errors for bad routing."""

from __future__ import annotations

import random
from typing import Any

import pytest

from sfn_flows.server.app import RunningServer
from sfn_flows.server.state_machines import StateMachines
from tests.server.test_machines import WAIT_DEFINITION, create, error_of


def two_versions(sfn: Any) -> str:
    arn: str = create(sfn, publish=True)["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=WAIT_DEFINITION, publish=True)
    return arn


def test_create_describe_update_list_delete(sfn: Any) -> None:
    arn = two_versions(sfn)
    created = sfn.create_state_machine_alias(
        name="live",
        description="what runs",
        routingConfiguration=[{"stateMachineVersionArn": arn + ":1", "weight": 100}],
    )
    alias_arn = created["stateMachineAliasArn"]
    assert alias_arn == arn + ":live"
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
    assert described["name"] == "live"
    assert described["description"] == "what runs"
    assert described["routingConfiguration"] == [
        {"stateMachineVersionArn": arn + ":1", "weight": 100}
    ]
    assert "updateDate" not in described
    sfn.update_state_machine_alias(
        stateMachineAliasArn=alias_arn,
        routingConfiguration=[
            {"stateMachineVersionArn": arn + ":1", "weight": 90},
            {"stateMachineVersionArn": arn + ":2", "weight": 10},
        ],
    )
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
    assert [r["weight"] for r in described["routingConfiguration"]] == [90, 10]
    assert described["description"] == "what runs"
    assert described["updateDate"] >= described["creationDate"]
    listed = sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in listed] == [alias_arn]
    by_version = sfn.list_state_machine_aliases(stateMachineArn=arn + ":2")
    assert len(by_version["stateMachineAliases"]) == 1
    # A version an alias routes to cannot be deleted.
    used = error_of(sfn.delete_state_machine_version, stateMachineVersionArn=arn + ":1")
    assert used["Code"] == "ConflictException"
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias_arn)
    gone = error_of(sfn.describe_state_machine_alias, stateMachineAliasArn=alias_arn)
    assert gone["Code"] == "ResourceNotFound"
    sfn.delete_state_machine_version(stateMachineVersionArn=arn + ":1")


def test_the_same_create_again_is_idempotent_and_another_conflicts(sfn: Any) -> None:
    arn = two_versions(sfn)
    routing = [{"stateMachineVersionArn": arn + ":1", "weight": 100}]
    first = sfn.create_state_machine_alias(name="a", routingConfiguration=routing)
    again = sfn.create_state_machine_alias(name="a", routingConfiguration=routing)
    assert again["creationDate"] == first["creationDate"]
    other = [{"stateMachineVersionArn": arn + ":2", "weight": 100}]
    error = error_of(sfn.create_state_machine_alias, name="a", routingConfiguration=other)
    assert error["Code"] == "ConflictException"


@pytest.mark.parametrize(
    ("routing", "code"),
    [
        ([(":1", 60), (":2", 30)], "ValidationException"),  # weights add up to 90
        ([(":1", 50), (":1", 50)], "ValidationException"),  # the same version twice
        ([(":1", 40), (":2", 30), (":2", 30)], "ValidationException"),  # three versions
        ([("", 100)], "InvalidArn"),  # not a version ARN
        ([(":9", 100)], "ResourceNotFound"),  # no such version
        ([(":1", 101)], "ValidationException"),
    ],
)
def test_bad_routing(sfn: Any, routing: list[tuple[str, int]], code: str) -> None:
    arn = two_versions(sfn)
    items = [{"stateMachineVersionArn": arn + suffix, "weight": w} for suffix, w in routing]
    error = error_of(sfn.create_state_machine_alias, name="a", routingConfiguration=items)
    assert error["Code"] == code


@pytest.mark.parametrize("name", ["123", "has space", "a" * 81, "a:b"])
def test_bad_alias_names(sfn: Any, name: str) -> None:
    arn = two_versions(sfn)
    items = [{"stateMachineVersionArn": arn + ":1", "weight": 100}]
    error = error_of(sfn.create_state_machine_alias, name=name, routingConfiguration=items)
    assert error["Code"] == "ValidationException"


def test_resolve_runs_the_version_an_alias_picks_by_weight(server: RunningServer, sfn: Any) -> None:
    arn = two_versions(sfn)
    sfn.create_state_machine_alias(
        name="split",
        routingConfiguration=[
            {"stateMachineVersionArn": arn + ":1", "weight": 75},
            {"stateMachineVersionArn": arn + ":2", "weight": 25},
        ],
    )
    machines: StateMachines = server.state.machines
    machines.chooser = random.Random(7)
    picks = [machines.resolve(arn + ":split").version_arn for _ in range(400)]
    assert {arn + ":1", arn + ":2"} == set(picks)
    assert 250 < picks.count(arn + ":1") < 350  # 75% of 400, for this seed exactly repeatable
    resolved = machines.resolve(arn + ":2")
    assert (resolved.version_arn, resolved.alias_arn) == (arn + ":2", None)
    assert resolved.definition == WAIT_DEFINITION
    assert machines.resolve(arn).version_arn is None
