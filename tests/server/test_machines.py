"""State machines and their versions through boto3: create (with AWS's idempotency), describe,
update, delete, list with pages, publish, and the errors AWS answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import PASS_DEFINITION, ROLE_ARN

ARN_PREFIX = "arn:aws:states:us-east-1:123456789012:stateMachine:"
WAIT_DEFINITION = '{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}}'


def create(sfn: Any, name: str = "machine", **extra: Any) -> dict[str, Any]:
    arguments = {"name": name, "definition": PASS_DEFINITION, "roleArn": ROLE_ARN} | extra
    result: dict[str, Any] = sfn.create_state_machine(**arguments)
    return result


def error_of(call: Any, **arguments: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**arguments)
    error: dict[str, str] = caught.value.response["Error"]
    return error


def test_create_then_describe(sfn: Any) -> None:
    created = create(sfn, type="EXPRESS", tracingConfiguration={"enabled": True})
    assert created["stateMachineArn"] == ARN_PREFIX + "machine"
    described = sfn.describe_state_machine(stateMachineArn=created["stateMachineArn"])
    assert described["name"] == "machine"
    assert described["definition"] == PASS_DEFINITION
    assert described["roleArn"] == ROLE_ARN
    assert described["type"] == "EXPRESS"
    assert described["status"] == "ACTIVE"
    assert described["creationDate"] == created["creationDate"]
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": True}
    assert described["revisionId"]


def test_the_same_create_again_answers_the_same_machine(sfn: Any) -> None:
    first = create(sfn)
    # roleArn and tags are not compared (AWS: they are ignored, and not updated).
    again = create(sfn, roleArn=ROLE_ARN + "-other", tags=[{"key": "k", "value": "v"}])
    assert again["stateMachineArn"] == first["stateMachineArn"]
    assert again["creationDate"] == first["creationDate"]
    assert sfn.describe_state_machine(stateMachineArn=first["stateMachineArn"])["roleArn"] == (
        ROLE_ARN
    )
    error = error_of(
        sfn.create_state_machine, name="machine", definition=WAIT_DEFINITION, roleArn=ROLE_ARN
    )
    assert error["Code"] == "StateMachineAlreadyExists"
    error = error_of(
        sfn.create_state_machine,
        name="machine",
        definition=PASS_DEFINITION,
        roleArn=ROLE_ARN,
        type="EXPRESS",
    )
    assert error["Code"] == "StateMachineAlreadyExists"


@pytest.mark.parametrize(
    "name",
    ["a b", "a/b", "a:b", "with*star", "x" * 81, "tab\there", "bell\x07", "\ud800", "\ufffe"],
)
def test_invalid_names_are_refused(sfn: Any, name: str) -> None:
    arguments = {"name": name, "definition": PASS_DEFINITION, "roleArn": ROLE_ARN}
    with pytest.raises(ClientError) as caught:
        sfn.create_state_machine(**arguments)
    code = caught.value.response["Error"]["Code"]
    assert code == ("ValidationException" if len(name) > 80 else "InvalidName")


def test_an_invalid_definition_names_the_pointer_and_the_reason(sfn: Any) -> None:
    broken = {"StartAt": "A", "States": {"A": {"Type": "Task", "End": True}}}
    error = error_of(
        sfn.create_state_machine, name="m", definition=json.dumps(broken), roleArn=ROLE_ARN
    )
    assert error["Code"] == "InvalidDefinition"
    assert "/States/A" in error["Message"]
    assert "Resource" in error["Message"]
    error = error_of(sfn.create_state_machine, name="m", definition="{oops", roleArn=ROLE_ARN)
    assert error["Code"] == "InvalidDefinition"
    assert "INVALID_JSON_DESCRIPTION" in error["Message"]


def test_an_express_machine_cannot_wait_for_a_callback(sfn: Any) -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    text = json.dumps(definition)
    error = error_of(
        sfn.create_state_machine, name="m", definition=text, roleArn=ROLE_ARN, type="EXPRESS"
    )
    assert error["Code"] == "InvalidDefinition"
    assert "/States/T/Resource" in error["Message"]
    assert create(sfn, "standard", definition=text)["stateMachineArn"]


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"roleArn": "not-an-arn"}, "InvalidArn"),
        ({"type": "BATCH"}, "ValidationException"),
        ({"versionDescription": "v"}, "ValidationException"),
        ({"loggingConfiguration": {"level": "ALL"}}, "InvalidLoggingConfiguration"),
        ({"tags": [{"key": "a" * 129, "value": "v"}]}, "ValidationException"),
        ({"tags": [{"key": f"k{i}", "value": "v"} for i in range(51)]}, "TooManyTags"),
    ],
)
def test_bad_create_fields(sfn: Any, arguments: dict[str, Any], code: str) -> None:
    assert error_of(create, sfn=sfn, **arguments)["Code"] == code


def test_update_changes_the_revision_and_can_publish(sfn: Any) -> None:
    arn = create(sfn)["stateMachineArn"]
    before = sfn.describe_state_machine(stateMachineArn=arn)["revisionId"]
    updated = sfn.update_state_machine(
        stateMachineArn=arn, definition=WAIT_DEFINITION, publish=True, versionDescription="v1"
    )
    assert updated["revisionId"] != before
    assert updated["stateMachineVersionArn"] == arn + ":1"
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == WAIT_DEFINITION
    version = sfn.describe_state_machine(stateMachineArn=arn + ":1")
    assert version["stateMachineArn"] == arn + ":1"
    assert version["description"] == "v1"
    assert version["definition"] == WAIT_DEFINITION
    error = error_of(sfn.update_state_machine, stateMachineArn=arn)
    assert error["Code"] == "MissingRequiredParameter"
    bad = error_of(sfn.update_state_machine, stateMachineArn=arn, definition='{"States": 1}')
    assert bad["Code"] == "InvalidDefinition"
    missing = error_of(
        sfn.update_state_machine, stateMachineArn=ARN_PREFIX + "none", roleArn=ROLE_ARN
    )
    assert missing["Code"] == "StateMachineDoesNotExist"


def test_versions_publish_list_and_delete(sfn: Any) -> None:
    created = create(sfn, publish=True, versionDescription="first")
    arn = created["stateMachineArn"]
    assert created["stateMachineVersionArn"] == arn + ":1"
    # The current revision is published already: the same version again.
    assert sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"] == (
        arn + ":1"
    )
    revision = sfn.update_state_machine(stateMachineArn=arn, definition=WAIT_DEFINITION)
    stale = error_of(
        sfn.publish_state_machine_version, stateMachineArn=arn, revisionId="not-the-current"
    )
    assert stale["Code"] == "ConflictException"
    published = sfn.publish_state_machine_version(
        stateMachineArn=arn, revisionId=revision["revisionId"]
    )
    assert published["stateMachineVersionArn"] == arn + ":2"
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [arn + ":2", arn + ":1"]
    sfn.delete_state_machine_version(stateMachineVersionArn=arn + ":1")
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [arn + ":2"]
    gone = error_of(sfn.describe_state_machine, stateMachineArn=arn + ":1")
    assert gone["Code"] == "StateMachineDoesNotExist"
    # Numbers are not reused.
    sfn.update_state_machine(stateMachineArn=arn, definition=PASS_DEFINITION, publish=True)
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert listed[0]["stateMachineVersionArn"] == arn + ":3"


def test_delete_and_arn_errors(sfn: Any) -> None:
    arn = create(sfn)["stateMachineArn"]
    sfn.delete_state_machine(stateMachineArn=arn)
    assert error_of(sfn.describe_state_machine, stateMachineArn=arn)["Code"] == (
        "StateMachineDoesNotExist"
    )
    sfn.delete_state_machine(stateMachineArn=arn)  # deleting again succeeds, as AWS's does
    for bad in ("arn:aws:states:us-east-1:123456789012:execution:m:e", "nope", ARN_PREFIX):
        assert error_of(sfn.describe_state_machine, stateMachineArn=bad)["Code"] == "InvalidArn"


def test_list_pages_through_every_machine_once(sfn: Any) -> None:
    names = [f"m{i:02d}" for i in range(25)]
    for name in reversed(names):
        create(sfn, name)
    seen: list[str] = []
    token = None
    for _ in range(10):
        page = sfn.list_state_machines(maxResults=10, **({"nextToken": token} if token else {}))
        seen.extend(m["name"] for m in page["stateMachines"])
        token = page.get("nextToken")
        if token is None:
            break
    assert seen == names
    paginator = sfn.get_paginator("list_state_machines")
    listed = [
        m["name"]
        for p in paginator.paginate(PaginationConfig={"PageSize": 7})
        for m in p["stateMachines"]
    ]
    assert listed == names
