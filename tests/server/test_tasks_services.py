"""aws-sdk:* and the optimised integrations, called on the embedded local stack (MiniStack):
SQS, SNS, DynamoDB and EventBridge, with the result shapes and error names AWS gives
(the conformance corpus recorded them on AWS; its expectations are quoted here)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.engine import Engine
from sfn_flows.engine.errors import StatesError
from sfn_flows.server.tasks import TaskSetups
from sfn_flows.server.tasks.optimised import ACTIONS

from .test_tasks_setup import ACCOUNT, MACHINE_ARN, REGION, config, run, single, task

STATES = "arn:aws:states:::"
SDK_HEADERS = {"Content-Length", "Content-Type", "Date", "x-amzn-RequestId"}


@dataclass(frozen=True)
class Stack:
    endpoint: str
    queue_url: str
    topic_arn: str
    table: str
    clients: dict[str, Any]


@pytest.fixture(scope="module")
def stack(local_target: Target) -> Stack:
    suffix = uuid.uuid4().hex[:8]
    sqs: Any = local_target.client("sqs")
    sns: Any = local_target.client("sns")
    dynamodb: Any = local_target.client("dynamodb")
    queue_url = sqs.create_queue(QueueName=f"tasks-{suffix}")["QueueUrl"]
    topic_arn = sns.create_topic(Name=f"tasks-{suffix}")["TopicArn"]
    table = f"tasks-{suffix}"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert local_target.endpoint_url is not None
    return Stack(
        local_target.endpoint_url,
        queue_url,
        topic_arn,
        table,
        {"sqs": sqs, "sns": sns, "dynamodb": dynamodb},
    )


@pytest.fixture
def setups(stack: Stack) -> TaskSetups:
    return TaskSetups(config(aws_endpoint=stack.endpoint))


def receive(stack: Stack) -> list[str]:
    answer = stack.clients["sqs"].receive_message(
        QueueUrl=stack.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=2
    )
    return [message["Body"] for message in answer.get("Messages", [])]


def assert_sdk_metadata(result: dict[str, Any]) -> None:
    metadata = result["SdkHttpMetadata"]
    assert metadata["HttpStatusCode"] == 200
    assert set(metadata["HttpHeaders"]) >= SDK_HEADERS
    # AWS's headers only: not the local stack's CORS or S3-style ones.
    assert not [name for name in metadata["HttpHeaders"] if name.lower().startswith("access-")]
    assert "x-amz-id-2" not in metadata["HttpHeaders"]
    assert metadata["AllHttpHeaders"]["Content-Type"] == [metadata["HttpHeaders"]["Content-Type"]]
    request_id = result["SdkResponseMetadata"]["RequestId"]
    assert request_id == metadata["HttpHeaders"]["x-amzn-RequestId"]


def test_sqs_send_message_sends_an_object_body_as_json(setups: TaskSetups, stack: Stack) -> None:
    definition = single(
        task(
            STATES + "sqs:sendMessage",
            {"QueueUrl": stack.queue_url, "MessageBody": {"order.$": "$.order"}},
        )
    )
    result = run(setups, definition, {"order": 42})
    assert result.status == "SUCCEEDED", result.cause
    assert set(result.output) == {
        "MD5OfMessageBody",
        "MessageId",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
    }
    assert_sdk_metadata(result.output)
    assert receive(stack) == ['{"order":42}']


def test_sqs_send_message_wait_for_task_token_waits_for_the_callback(
    setups: TaskSetups, stack: Stack
) -> None:
    definition = single(
        task(
            STATES + "sqs:sendMessage.waitForTaskToken",
            {"QueueUrl": stack.queue_url, "MessageBody": {"token.$": "$$.Task.Token"}},
        )
    )
    setup = setups.setup(MACHINE_ARN, None)
    engine = Engine(definition, region=REGION, account=ACCOUNT, **setup.engine_arguments())
    execution = engine.start({})
    assert execution.run().status == "RUNNING"
    [body] = receive(stack)
    token = json.loads(body)["token"]
    assert execution.pending_tokens == [token]
    execution.send_task_success(token, {"approved": True})
    assert execution.run().output == {"approved": True}


def test_an_sqs_error_is_named_as_the_optimised_integration_names_it(
    setups: TaskSetups, stack: Stack
) -> None:
    definition = single(
        task(
            STATES + "sqs:sendMessage",
            {"QueueUrl": stack.queue_url + "-missing", "MessageBody": "lost"},
        )
    )
    result = run(setups, definition)
    assert result.error == "SQS.QueueDoesNotExistException"
    assert "(Service: AmazonSQS; Status Code: 400; Error Code: " in (result.cause or "")


def test_sns_publish(setups: TaskSetups, stack: Stack) -> None:
    definition = single(
        task(STATES + "sns:publish", {"TopicArn": stack.topic_arn, "Message": {"hello": 1}})
    )
    result = run(setups, definition)
    assert result.status == "SUCCEEDED", result.cause
    assert set(result.output) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}


def test_dynamodb_put_update_get_delete_item(setups: TaskSetups, stack: Stack) -> None:
    key = {"id": {"S": "order-1"}}
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": task(
                STATES + "dynamodb:putItem",
                {"TableName": stack.table, "Item": {**key, "state": {"S": "new"}}},
                ResultPath="$.put",
                Next="Update",
            ),
            "Update": task(
                STATES + "dynamodb:updateItem",
                {
                    "TableName": stack.table,
                    "Key": key,
                    "UpdateExpression": "SET #s = :s",
                    "ExpressionAttributeNames": {"#s": "state"},
                    "ExpressionAttributeValues": {":s": {"S": "paid"}},
                    "ReturnValues": "UPDATED_NEW",
                },
                ResultPath="$.update",
                Next="Get",
            ),
            "Get": task(
                STATES + "dynamodb:getItem",
                {"TableName": stack.table, "Key": key},
                ResultPath="$.get",
                Next="Delete",
            ),
            "Delete": task(
                STATES + "dynamodb:deleteItem",
                {"TableName": stack.table, "Key": key},
                ResultPath="$.delete",
            ),
        },
    }
    result = run(setups, definition)
    assert result.status == "SUCCEEDED", result.cause
    output = result.output
    assert set(output["put"]) == {"SdkHttpMetadata", "SdkResponseMetadata"}
    assert output["update"]["Attributes"] == {"state": {"S": "paid"}}
    assert output["get"]["Item"] == {"id": {"S": "order-1"}, "state": {"S": "paid"}}
    for step in ("put", "update", "get", "delete"):
        assert_sdk_metadata(output[step])
    assert "Item" not in stack.clients["dynamodb"].get_item(TableName=stack.table, Key=key)


def test_a_dynamodb_error_of_the_optimised_integration(setups: TaskSetups) -> None:
    definition = single(
        task(STATES + "dynamodb:putItem", {"TableName": "no-such-table", "Item": {}})
    )
    result = run(setups, definition)
    # Recorded on AWS: "Requested resource not found (Service: AmazonDynamoDBv2; Status Code:
    # 400; Error Code: ResourceNotFoundException; Request ID: <request_id>; Proxy: null)"
    assert result.error == "DynamoDB.ResourceNotFoundException"
    assert (result.cause or "").startswith(
        "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; "
        "Error Code: ResourceNotFoundException; Request ID: "
    )
    assert (result.cause or "").endswith("; Proxy: null)")


def test_aws_sdk_dynamodb_put_and_get_item(setups: TaskSetups, stack: Stack) -> None:
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": task(
                STATES + "aws-sdk:dynamodb:putItem",
                {"TableName": stack.table, "Item": {"id": {"S": "sdk-1"}, "n": {"N": "3"}}},
                ResultPath="$.put",
                Next="Get",
            ),
            "Get": task(
                STATES + "aws-sdk:dynamodb:getItem",
                {"TableName": stack.table, "Key": {"id": {"S": "sdk-1"}}},
                ResultPath="$.get",
            ),
        },
    }
    result = run(setups, definition)
    assert result.status == "SUCCEEDED", result.cause
    # Recorded on AWS: aws-sdk results carry no SDK metadata; putItem answers {}.
    assert result.output["put"] == {}
    assert result.output["get"] == {"Item": {"id": {"S": "sdk-1"}, "n": {"N": "3"}}}


def test_aws_sdk_errors_are_named_as_the_aws_sdk_integration_names_them(
    setups: TaskSetups,
) -> None:
    definition = single(
        task(
            STATES + "aws-sdk:dynamodb:putItem",
            {"TableName": "no-such-table", "Item": {"id": {"S": "x"}}},
        )
    )
    result = run(setups, definition)
    # Recorded on AWS: DynamoDb.ResourceNotFoundException, "Requested resource not found
    # (Service: DynamoDb, Status Code: 400, Request ID: <request_id>)"
    assert result.error == "DynamoDb.ResourceNotFoundException"
    assert (result.cause or "").startswith(
        "Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: "
    )


def test_aws_sdk_members_are_pascal_case_both_ways(setups: TaskSetups, stack: Stack) -> None:
    # SQS's members are PascalCase already; Step Functions' own (sfn) are camelCase in the
    # API and PascalCase in a Task: {"MaxResults": 1} in, {"StateMachines": [...]} out.
    definition = {
        "StartAt": "Queues",
        "States": {
            "Queues": task(
                STATES + "aws-sdk:sqs:listQueues",
                {"QueueNamePrefix": stack.queue_url.rsplit("/", 1)[1]},
                ResultPath="$.queues",
                Next="Machines",
            ),
            "Machines": task(
                STATES + "aws-sdk:sfn:listStateMachines",
                {"MaxResults": 1},
                ResultPath="$.machines",
            ),
        },
    }
    result = run(setups, definition)
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["queues"]["QueueUrls"] == [stack.queue_url]
    assert "StateMachines" in result.output["machines"]


def test_an_unknown_aws_sdk_service_or_action_is_a_runtime_error(setups: TaskSetups) -> None:
    service = run(setups, single(task(STATES + "aws-sdk:nosuchservice:doIt", {})))
    assert service.error == "States.Runtime"
    assert "no service 'nosuchservice'" in (service.cause or "")
    action = run(setups, single(task(STATES + "aws-sdk:dynamodb:doIt", {})))
    assert "no action 'doIt'" in (action.cause or "")


def test_events_put_events(setups: TaskSetups) -> None:
    entries = [{"Source": "orders", "DetailType": "OrderPlaced", "Detail": {"order": 1}}]
    result = run(setups, single(task(STATES + "events:putEvents", {"Entries": entries})))
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["FailedEntryCount"] == 0
    assert list(result.output) == ["Entries", "FailedEntryCount"]
    assert set(result.output["Entries"][0]) == {"EventId"}


def test_a_failed_put_events_entry_fails_the_task_with_the_response_as_cause() -> None:
    # MiniStack accepts every entry, so this runs the shaping on the response AWS recorded.
    response = {
        "FailedEntryCount": 1,
        "Entries": [
            {"EventId": "e-1"},
            {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        ],
        "ResponseMetadata": {"RequestId": "r"},
    }
    with pytest.raises(StatesError) as raised:
        ACTIONS[("events", "putEvents")].result(response)
    assert raised.value.error == "EventBridge.FailedEntry"
    assert raised.value.cause == (
        '{"Entries":[{"EventId":"e-1"},{"ErrorCode":"MalformedDetail",'
        '"ErrorMessage":"Detail is malformed."}],"FailedEntryCount":1}'
    )


def test_parameters_the_api_does_not_take_fail_with_the_services_generic_error(
    setups: TaskSetups,
) -> None:
    result = run(setups, single(task(STATES + "dynamodb:getItem", {"TableName": "t"})))
    assert result.error == "DynamoDB.AmazonDynamoDBException"
    assert "Missing required parameter" in (result.cause or "")
