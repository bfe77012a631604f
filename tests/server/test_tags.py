"""TagResource, UntagResource and ListTagsForResource through boto3, with AWS's limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfn_flows.server.app import RunningServer
from tests.server.test_machines import ARN_PREFIX, create, error_of
from tests.server.test_protocol import post


def test_tag_untag_list(sfn: Any) -> None:
    arn = create(sfn, tags=[{"key": "team", "value": "a"}])["stateMachineArn"]
    sfn.tag_resource(
        resourceArn=arn, tags=[{"key": "team", "value": "b"}, {"key": "env", "value": ""}]
    )
    tags = sfn.list_tags_for_resource(resourceArn=arn)["tags"]
    assert tags == [{"key": "team", "value": "b"}, {"key": "env", "value": ""}]
    sfn.untag_resource(resourceArn=arn, tagKeys=["team", "absent"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": ""}]


def test_at_most_fifty_tags(sfn: Any) -> None:
    arn = create(sfn, tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])["stateMachineArn"]
    error = error_of(sfn.tag_resource, resourceArn=arn, tags=[{"key": "one-more", "value": "v"}])
    assert error["Code"] == "TooManyTags"
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "k0", "value": "replaced"}])  # no new key


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ({"key": "k", "value": "v" * 257}, "ValidationException"),
        ({"key": "bad#char", "value": "v"}, "ValidationException"),
        ({"key": "aws:reserved", "value": "v"}, "ValidationException"),
    ],
)
def test_bad_tags(sfn: Any, tag: dict[str, str], code: str) -> None:
    arn = create(sfn)["stateMachineArn"]
    assert error_of(sfn.tag_resource, resourceArn=arn, tags=[tag])["Code"] == code


def test_an_empty_key_boto3_would_refuse_is_refused_by_the_server_too(
    server: RunningServer, sfn: Any
) -> None:
    arn = create(sfn)["stateMachineArn"]
    body = json.dumps({"resourceArn": arn, "tags": [{"key": "", "value": "v"}]}).encode()
    status, payload, _ = post(server, body, "AWSStepFunctions.TagResource")
    assert (status, payload["__type"]) == (400, "ValidationException")


def test_unknown_and_malformed_resources(sfn: Any) -> None:
    error = error_of(sfn.list_tags_for_resource, resourceArn=ARN_PREFIX + "none")
    assert error["Code"] == "ResourceNotFound"
    error = error_of(sfn.list_tags_for_resource, resourceArn="arn:aws:sqs:us-east-1:1:q")
    assert error["Code"] == "InvalidArn"
