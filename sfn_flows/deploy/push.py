"""WebSocket push's part of the template: for a build with `push=True` workflows, the
WebSocket API, the subscriptions table, the rule on their status change events, the socket and
notifier Lambdas, and who may do what.

    client --wss--> PushApi: $connect, $disconnect, subscribe, $default --> PushSocket Lambda
    execution ends --> EventBridge rule (the push workflows' ARNs, ended statuses only)
                   --> PushNotifier Lambda --> @connections POST --> client

One WebSocket API and one table per project, not per workflow: a client waiting for several
executions of different workflows needs one connection; the rule lists the push workflows'
state machines, so the other workflows' executions never invoke the notifier.

`$default` takes every message that is not a subscription (not JSON, another action) to the
same Lambda, which answers it with an error message: without it API Gateway would answer such
messages itself with a bare "Forbidden". The socket Lambda answers through @connections, as
the notifier does, rather than through route responses: one way to the client for both, and
the one the local stack also has (MiniStack 1.5.33's CloudFormation has no
AWS::ApiGatewayV2::RouteResponse).

IAM: the socket may put and delete subscriptions, query the by-connection index, describe the
push workflows' executions and post to this API's connections; the notifier may query and
delete subscriptions and post to this API's connections (execute-api:ManageConnections on
<api>/push/POST/@connections/*); nothing else. No access log on the stage: a WebSocket API
logs through the account-wide API Gateway CloudWatch role, which a project's stack should not
set for its whole account.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfn_flows.deploy.naming import STATE_MACHINES_ENV, state_machine_logical_id
from sfn_flows.deploy.package import NOTIFIER_HANDLER, SOCKET_HANDLER
from sfn_flows.runtime.push_clients import CONNECTIONS_ENDPOINT_ENV
from sfn_flows.runtime.push_messages import CONNECT, DEFAULT, DISCONNECT, FINISHED, SUBSCRIBE
from sfn_flows.runtime.push_store import (
    BY_CONNECTION,
    CONNECTION_KEY,
    EXECUTION_KEY,
    EXPIRES_AT,
    TABLE_ENV,
)

PUSH_STAGE = "push"
SOCKET_NAME = "PushSocket"
NOTIFIER_NAME = "PushNotifier"
API_ID = "PushApi"
TABLE_ID = "PushSubscriptionsTable"
NOTIFIER_ID = "PushNotifierFunction"
SOCKET_ID = "PushSocketFunction"
# Each socket request is a DynamoDB write and a DescribeExecution, each with a deadline.
SOCKET_TIMEOUT_SECONDS = 10
# Posts go one after another; a minute leaves room for many subscribers of one execution.
NOTIFIER_TIMEOUT_SECONDS = 60
MEMORY_MB = 256
ARN_PREFIX = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${PushApi}"
# (route key, logical id prefix)
ROUTES = (
    (CONNECT, "PushConnect"),
    (DISCONNECT, "PushDisconnect"),
    (SUBSCRIBE, "PushSubscribe"),
    (DEFAULT, "PushDefault"),
)


@dataclass
class PushPlan:
    """What the template adds for the push workflows (empty when there are none)."""

    workflows: list[str] = field(default_factory=list)
    functions: list[dict[str, Any]] = field(default_factory=list)  # `_function` keywords
    resources: dict[str, Any] = field(default_factory=dict)  # push.json.j2's data


def push_plan(entries: list[Mapping[str, Any]], executions: Mapping[str, Any]) -> PushPlan:
    """`entries`: the manifest's workflows; `executions`: state machine logical id -> the
    IAM resource of its executions (as the starter's policy writes it)."""
    names = [entry["name"] for entry in entries if entry.get("push")]
    if not names:
        return PushPlan()
    machines = [state_machine_logical_id(name) for name in names]
    table_arn = {"Fn::GetAtt": [TABLE_ID, "Arn"]}
    environment = {
        STATE_MACHINES_ENV: {
            "Fn::Sub": json.dumps(
                {name: f"${{{machine}}}" for name, machine in zip(names, machines, strict=True)},
                separators=(",", ":"),
            )
        },
        TABLE_ENV: {"Ref": TABLE_ID},
        CONNECTIONS_ENDPOINT_ENV: {
            "Fn::Sub": f"https://${{{API_ID}}}.execute-api.${{AWS::Region}}"
            f".${{AWS::URLSuffix}}/{PUSH_STAGE}"
        },
    }
    post = _allow(
        "PostToOwnConnections",
        "execute-api:ManageConnections",
        [{"Fn::Sub": f"{ARN_PREFIX}/{PUSH_STAGE}/POST/@connections/*"}],
    )
    socket = {
        "name": SOCKET_NAME,
        "handler": SOCKET_HANDLER,
        "timeout_seconds": SOCKET_TIMEOUT_SECONDS,
        "memory_mb": MEMORY_MB,
        "description": "sfn-flows push: subscribes WebSocket connections to executions",
        "statements": [
            _allow("KeepSubscriptions", ["dynamodb:PutItem", "dynamodb:DeleteItem"], [table_arn]),
            _allow(
                "FindConnectionSubscriptions",
                "dynamodb:Query",
                [{"Fn::Sub": f"${{{TABLE_ID}.Arn}}/index/{BY_CONNECTION}"}],
            ),
            _allow(
                "DescribeOwnPushExecutions",
                "states:DescribeExecution",
                [executions[machine] for machine in machines],
            ),
            post,
        ],
        "environment": environment,
    }
    notifier = {
        "name": NOTIFIER_NAME,
        "handler": NOTIFIER_HANDLER,
        "timeout_seconds": NOTIFIER_TIMEOUT_SECONDS,
        "memory_mb": MEMORY_MB,
        "description": "sfn-flows push: posts an ended execution's status to its subscribers",
        "statements": [
            _allow("ServeSubscriptions", ["dynamodb:Query", "dynamodb:DeleteItem"], [table_arn]),
            post,
        ],
        "environment": environment,
    }
    return PushPlan(
        workflows=names,
        functions=[socket, notifier],
        resources={
            "stage": PUSH_STAGE,
            "socket_id": SOCKET_ID,
            "notifier_id": NOTIFIER_ID,
            "table_id": TABLE_ID,
            "execution_key": EXECUTION_KEY,
            "connection_key": CONNECTION_KEY,
            "expires_at": EXPIRES_AT,
            "by_connection": BY_CONNECTION,
            "routes": [{"key": key, "id": f"{prefix}Route"} for key, prefix in ROUTES],
            "socket_source_arn": {"Fn::Sub": f"{ARN_PREFIX}/{PUSH_STAGE}/*"},
            "event_pattern": {
                "source": ["aws.states"],
                "detail-type": ["Step Functions Execution Status Change"],
                "detail": {
                    "stateMachineArn": [{"Ref": machine} for machine in machines],
                    "status": sorted(FINISHED),
                },
            },
        },
    )


def _allow(sid: str, action: str | list[str], resources: list[Any]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resources}
