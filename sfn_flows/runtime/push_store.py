"""The push socket's subscriptions: one DynamoDB item per (execution, connection).

    executionArn (partition key)  connectionId (sort key)  expiresAt (epoch seconds, the TTL)
    [inputDigest]

`inputDigest`, for a subscription to a request the SQS intake queued (intake.py), is the
digest of that request's input: the notifier posts the execution's end only when its input
has that digest (another request under the same Idempotency-Key gets a 409-like error).

The notifier reads an execution's subscribers with one Query on its partition; `$disconnect`
finds a connection's subscriptions through the KEYS_ONLY index BY_CONNECTION (connectionId,
executionArn). Items expire with the connection: API Gateway ends every WebSocket connection
after 2 hours, so a subscription never needs to outlive that. DynamoDB deletes expired items
lazily (within days), so reads skip them by `expiresAt` themselves.

Every call runs through the handler's Deadline (deadline.py), so none outlasts the Lambda.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, NamedTuple

from sfn_flows.runtime.deadline import Deadline

# The Lambdas' environment: the table's name (the template's Ref).
TABLE_ENV = "SFN_FLOWS_PUSH_TABLE"
EXECUTION_KEY = "executionArn"
CONNECTION_KEY = "connectionId"
EXPIRES_AT = "expiresAt"
INPUT_DIGEST = "inputDigest"
BY_CONNECTION = "ByConnection"
# API Gateway's longest WebSocket connection (2 hours), plus a minute for clocks to disagree.
SUBSCRIPTION_SECONDS = 2 * 3600 + 60


class Subscriber(NamedTuple):
    connection: str
    digest: str | None  # the queued request's input digest; None: any execution of the name


class Subscriptions:
    def __init__(
        self,
        client: Any,
        table: str,
        deadline: Deadline,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._table = table
        self._deadline = deadline
        self._clock = clock

    def add(self, execution_arn: str, connection_id: str, digest: str | None = None) -> None:
        item = {
            EXECUTION_KEY: {"S": execution_arn},
            CONNECTION_KEY: {"S": connection_id},
            EXPIRES_AT: {"N": str(int(self._clock()) + SUBSCRIPTION_SECONDS)},
        }
        if digest is not None:
            item[INPUT_DIGEST] = {"S": digest}
        self._deadline.run(lambda: self._client.put_item(TableName=self._table, Item=item))

    def remove(self, execution_arn: str, connection_id: str) -> None:
        key = {EXECUTION_KEY: {"S": execution_arn}, CONNECTION_KEY: {"S": connection_id}}
        self._deadline.run(lambda: self._client.delete_item(TableName=self._table, Key=key))

    def connections_of(self, execution_arn: str) -> list[Subscriber]:
        """The live connections subscribed to an execution, each with its input digest."""
        items = self._query(
            KeyConditionExpression=f"{EXECUTION_KEY} = :key",
            FilterExpression=f"{EXPIRES_AT} > :now",
            ExpressionAttributeValues={
                ":key": {"S": execution_arn},
                ":now": {"N": str(int(self._clock()))},
            },
        )
        return [
            Subscriber(item[CONNECTION_KEY]["S"], item.get(INPUT_DIGEST, {}).get("S"))
            for item in items
        ]

    def executions_of(self, connection_id: str) -> list[str]:
        """The executions a connection subscribed to (expired ones included: all go)."""
        items = self._query(
            IndexName=BY_CONNECTION,
            KeyConditionExpression=f"{CONNECTION_KEY} = :key",
            ExpressionAttributeValues={":key": {"S": connection_id}},
        )
        return [item[EXECUTION_KEY]["S"] for item in items]

    def _query(self, **params: Any) -> Iterator[dict[str, Any]]:
        request = {"TableName": self._table, **params}
        while True:
            answer: dict[str, Any] = self._deadline.run(partial(self._client.query, **request))
            yield from answer.get("Items", [])
            if not answer.get("LastEvaluatedKey"):
                return
            request = {**request, "ExclusiveStartKey": answer["LastEvaluatedKey"]}
