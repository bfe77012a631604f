"""The answer to an Idempotency-Key reused with another body: 409 IdempotencyKeyReused.

The starter gives it when the key's execution exists with another input; for the SQS intake,
whose starter queues without looking, the status route and the push socket give it when the
execution a queued id names was started with another input than that request's (intake.py's
digest says whose it is).
"""

from __future__ import annotations

from sfn_flows.runtime.responses import Response, error_response

IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_REUSED = "IdempotencyKeyReused"


def key_reused_message(execution_id: str) -> str:
    return (
        f"this {IDEMPOTENCY_HEADER} was already used with a different body (execution "
        f"{execution_id}); use a new key for a new request."
    )


def key_reused(execution_id: str) -> Response:
    return error_response(
        409, KEY_REUSED, key_reused_message(execution_id), executionId=execution_id
    )
