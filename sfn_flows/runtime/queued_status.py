"""The status route's side of the SQS intake: 202 QUEUED while a request waits in its queue.

A queued request's id is "<workflow>~<name>~<queued at>~<input digest>" (intake.py). The
route reads the execution of that name as for any id; only when Step Functions has none does
it ask here: 202 QUEUED while a message queued at that time may still be in the queue (its
retention), nothing (the caller's 404) once it cannot be, or when the time lies in the
future. A long poll (`Prefer: wait=N`) of a queued request waits through QUEUED as through
RUNNING. An execution of that name started with another input is another request's, under
the same Idempotency-Key (`other_request`): the route answers 409, never its result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sfn_flows.runtime.config import ApiConfig, WorkflowTarget
from sfn_flows.runtime.intake import (
    QUEUED,
    SQS_INTAKE,
    QueuedId,
    queued_execution_id,
    recorded_digest,
    split_queued_id,
    still_queueable,
)
from sfn_flows.runtime.responses import Response, json_response
from sfn_flows.runtime.service_errors import EXECUTION_NOT_FOUND_CODES, aws_error

# Queued requests usually start within a second or two of being sent.
QUEUED_RETRY_AFTER = 1


def queued_request(raw_id: str, api: ApiConfig) -> tuple[WorkflowTarget, QueuedId] | None:
    """The workflow and request of a queued request's id; None for any other id, and for a
    queued id of a workflow this API does not take through SQS."""
    queued = split_queued_id(raw_id)
    if queued is None:
        return None
    target = api.workflows.get(queued.workflow)
    if target is None or target.intake != SQS_INTAKE:
        return None
    return target, queued


def describe_queued(describe: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """`describe` for a queued request's execution, reading "no such execution" as
    {"status": "QUEUED"}: the consumer has not started it yet, and a long poll
    (long_poll.wait_for_end) waits on through it as through RUNNING."""

    def describe_or_queued() -> dict[str, Any]:
        try:
            return describe()
        except Exception as exc:
            error = aws_error(exc)
            if error is not None and error.code in EXECUTION_NOT_FOUND_CODES:
                return {"status": QUEUED}
            raise

    return describe_or_queued


def other_request(queued: QueuedId, described: Mapping[str, Any]) -> bool:
    """Whether the execution a queued id names (described, or a status change event's detail)
    was started with another input than that request's: the consumer dead-lettered this one
    (ExecutionNameTaken). A description without the input cannot show it is this request's,
    so it counts as another's."""
    return described.get("status") != QUEUED and recorded_digest(described) != queued.digest


def queued_answer(
    target: WorkflowTarget,
    queued: QueuedId,
    clock: Callable[[], float] = time.time,
    headers: Mapping[str, str] | None = None,
) -> Response | None:
    """202 QUEUED for a request whose execution does not exist yet, or None (404) once its
    message can no longer be in the queue."""
    if not still_queueable(queued.queued_at_ms, int(clock() * 1000)):
        return None
    queued_at = datetime.fromtimestamp(queued.queued_at_ms / 1000, UTC)
    return json_response(
        202,
        {
            "executionId": queued_execution_id(*queued),
            "requestId": queued.name,
            "executionArn": target.state_machine.execution_arn(queued.name),
            "status": QUEUED,
            "queuedAt": queued_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "output": None,
            "error": None,
            "cause": None,
            "startDate": None,
            "stopDate": None,
        },
        {"Retry-After": str(QUEUED_RETRY_AFTER), **(headers or {})},
    )
