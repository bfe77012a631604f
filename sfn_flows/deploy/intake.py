"""The SQS intake's part of the template: queues, the consumer and who may do what.

For each workflow built with `intake="sqs"`: an intake queue, its dead-letter queue (redrive
after MAX_RECEIVE_COUNT receives), an event source mapping to the one consumer Lambda of the
project, an alarm on the dead-letter queue, and outputs naming both queues.

One queue per workflow, not one per project: a burst (or a backlog while Step Functions
throttles) on one workflow never delays another workflow's requests, since each mapping
polls its own queue; each dead-letter queue holds one workflow's poison, so it is read,
alarmed on and redriven by workflow; and a message in one workflow's queue can never start
another (the consumer checks the queue against the workflow). The consumer is shared: it
only routes records to StartExecution, and one function keeps the project's cold starts and
log groups few.

IAM: the starter may send to the intake queues only (and no longer StartExecution on
those workflows); the consumer may receive and delete on the intake queues, send to their
dead-letter queues, StartExecution on the intake state machines and DescribeExecution on
their executions, nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfn_flows.deploy.naming import STATE_MACHINES_ENV, logical_id, state_machine_logical_id
from sfn_flows.deploy.package import CONSUMER_HANDLER
from sfn_flows.runtime.intake import (
    DEAD_LETTER_RETENTION_SECONDS,
    INTAKE_QUEUES_ENV,
    INTAKE_SOURCES_ENV,
    QUEUE_RETENTION_SECONDS,
    SQS_INTAKE,
)

CONSUMER_NAME = "IntakeConsumer"
# A batch of 10 StartExecution calls takes well under a second; the rest is headroom for
# retries under throttling, and each call has a deadline within it (runtime/deadline.py).
CONSUMER_TIMEOUT_SECONDS = 30
CONSUMER_MEMORY_MB = 256
# AWS: "set the source queue's visibility timeout to at least six times the timeout that
# you configure on your function" (Lambda's retries of a throttled batch fit in it).
VISIBILITY_TIMEOUT_SECONDS = 6 * CONSUMER_TIMEOUT_SECONDS
# Receives before SQS moves a message the consumer kept failing on (not poison: throttling,
# an outage, a broken deploy) to the dead-letter queue: 10 x 180 s rides out half an hour.
MAX_RECEIVE_COUNT = 10
BATCH_SIZE = 10
# Concurrent consumer invocations per queue (the mapping's MaximumConcurrency, 2 to 1000):
# bounds the StartExecution rate a burst produces, which shares the account's quota.
MAX_CONCURRENCY = 5
# SQS's largest message: a 256 KiB input plus the request's attributes does not fit in 256 KiB.
MAX_MESSAGE_BYTES = 1_048_576


@dataclass
class IntakePlan:
    """What the template adds for the intake workflows (empty when there are none)."""

    queues: list[dict[str, Any]] = field(default_factory=list)
    starter_statements: list[dict[str, Any]] = field(default_factory=list)
    starter_environment: dict[str, Any] = field(default_factory=dict)
    consumer: dict[str, Any] | None = None  # the keywords of the consumer function

    def is_intake(self, workflow: str) -> bool:
        return any(queue["workflow"] == workflow for queue in self.queues)


def intake_plan(entries: list[Mapping[str, Any]], executions: Mapping[str, Any]) -> IntakePlan:
    """`entries`: the manifest's workflows; `executions`: state machine logical id -> the
    IAM resource of its executions (as the starter's policy writes it)."""
    names = [entry["name"] for entry in entries if entry.get("intake") == SQS_INTAKE]
    if not names:
        return IntakePlan()
    queues = [_queue(name) for name in names]
    machines = [queue["state_machine_id"] for queue in queues]
    queue_arns = [{"Fn::GetAtt": [q["queue_id"], "Arn"]} for q in queues]
    consumer_statements = [
        _allow("ReceiveIntakeRequests", QUEUE_CONSUMER_ACTIONS, queue_arns),
        _allow(
            "DeadLetterPoison",
            "sqs:SendMessage",
            [{"Fn::GetAtt": [q["dead_letter_id"], "Arn"]} for q in queues],
        ),
        _allow("StartIntakeStateMachines", "states:StartExecution", [{"Ref": m} for m in machines]),
        _allow(
            "DescribeIntakeExecutions",
            "states:DescribeExecution",
            [executions[m] for m in machines],
        ),
    ]
    consumer_environment = {
        STATE_MACHINES_ENV: _sub({q["workflow"]: f"${{{q['state_machine_id']}}}" for q in queues}),
        INTAKE_SOURCES_ENV: _sub(
            {
                q["workflow"]: {
                    "queue": f"${{{q['queue_id']}.Arn}}",
                    "dlq": f"${{{q['dead_letter_id']}}}",
                }
                for q in queues
            }
        ),
    }
    return IntakePlan(
        queues=queues,
        starter_statements=[_allow("QueueIntakeRequests", "sqs:SendMessage", queue_arns)],
        starter_environment={
            INTAKE_QUEUES_ENV: _sub({q["workflow"]: f"${{{q['queue_id']}}}" for q in queues})
        },
        consumer={
            "name": CONSUMER_NAME,
            "handler": CONSUMER_HANDLER,
            "timeout_seconds": CONSUMER_TIMEOUT_SECONDS,
            "memory_mb": CONSUMER_MEMORY_MB,
            "description": "sfn-flows SQS intake: starts the queued requests' executions",
            "statements": consumer_statements,
            "environment": consumer_environment,
        },
    )


# What an event source mapping needs of its queue (AWS's execution-role requirements).
QUEUE_CONSUMER_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]


def _queue(workflow: str) -> dict[str, Any]:
    base = f"{logical_id(workflow)}Intake"
    return {
        "workflow": workflow,
        "state_machine_id": state_machine_logical_id(workflow),
        "queue_id": f"{base}Queue",
        "dead_letter_id": f"{base}DeadLetterQueue",
        "mapping_id": f"{base}EventSourceMapping",
        "alarm_id": f"{base}DeadLetterAlarm",
        "alarm_description": (
            f"A request to workflow {workflow} is in its dead-letter queue (see the message's "
            "sfn-flows.poison-reason attribute, or the consumer's log)"
        ),
        "queue_output": f"{base}QueueUrl",
        "dead_letter_output": f"{base}DeadLetterQueueUrl",
        "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS,
        "retention": QUEUE_RETENTION_SECONDS,
        "dead_letter_retention": DEAD_LETTER_RETENTION_SECONDS,
        "max_receive_count": MAX_RECEIVE_COUNT,
        "max_message_bytes": MAX_MESSAGE_BYTES,
        "batch_size": BATCH_SIZE,
        "max_concurrency": MAX_CONCURRENCY,
    }


def _allow(sid: str, action: str | list[str], resources: list[Any]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resources}


def _sub(value: Mapping[str, Any]) -> dict[str, str]:
    """An environment value: JSON whose ${...} CloudFormation fills in."""
    return {"Fn::Sub": json.dumps(value, separators=(",", ":"), sort_keys=True)}
