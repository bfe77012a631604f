"""SQS events as Lambda's event source mapping builds them, from messages really received.

The shape follows AWS's documented example ("Using Lambda with Amazon SQS": Records with
messageId, receiptHandle, body, attributes, messageAttributes with camelCase keys
stringValue/dataType, md5OfBody, eventSource, eventSourceARN, awsRegion). The messages come
from a real queue of the local stack through ReceiveMessage: only the poller is left out,
which the end-to-end tests (tests/e2e/test_intake.py) run for real.
"""

from __future__ import annotations

import time
from typing import Any


def receive(sqs: Any, url: str, *, at_least: int = 1, wait: float = 10) -> list[dict[str, Any]]:
    """The messages of `url`, waiting (long polls) until `at_least` have come."""
    messages: list[dict[str, Any]] = []
    limit = time.monotonic() + wait
    while len(messages) < at_least and time.monotonic() < limit:
        answer = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        )
        messages += answer.get("Messages", [])
    return messages


def esm_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value["DataType"],
            }
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    }


def esm_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {"Records": [esm_record(message, queue_arn) for message in messages]}
