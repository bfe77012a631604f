"""SQS intake: what the starter, the consumer, the status route and the template agree on.

A workflow built with `intake="sqs"` is not started in the request: the starter checks the
request as usual, sends it to the workflow's queue and answers 202 QUEUED; the consumer Lambda
(consumer.py) starts the execution from the queue. The message is the request itself:

- body: the execution's input, the compact JSON the starter would have given StartExecution;
- attributes (String): the workflow, the execution name (the request id: a fresh UUID, or
  derived from the Idempotency-Key exactly as on the direct path, so a retried request names
  the same execution) and the time the starter queued it.

The id a queued request answers with is "<workflow>~<name>~<queued at>~<input digest>": the
execution id, the time it was queued (milliseconds since the epoch, base 36) and a digest of
the request's input (input_digest). Until an execution of
that name exists the status route answers 202 QUEUED, but only while a message queued then
can still be in the queue (QUEUE_RETENTION_SECONDS, after which SQS deletes it): a mistyped
or forgotten id turns into a 404 instead of being QUEUED forever. The time lives in the id,
not in the name, because a keyed request's name must not depend on when it was sent (a retry
an hour later must find the same execution). The stamp only says how long to wait; forging it
gains nothing, since the route still reads only that workflow's execution of that name.

The digest is what tells a queued request from another one under the same Idempotency-Key:
a key reused with another body names the same execution, which the consumer started for the
first body and dead-letters the second (ExecutionNameTaken). Without the digest the second
request's id would read the first one's execution, output included; with it the status route
and the push socket see that the execution's input is not this request's and answer 409
IdempotencyKeyReused, as the direct path does. The three-part ids of before were never
released: only ids with a digest are queued ids.

Standard library only; pure but for `intake_queues`/`intake_sources`, which read (and cache)
the Lambda's environment.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from sfn_flows.runtime.config import ConfigError
from sfn_flows.runtime.names import EXECUTION_ID_SEPARATOR, execution_id, split_execution_id

SQS_INTAKE = "sqs"
DIRECT_INTAKE = "direct"
QUEUED = "QUEUED"  # the status of a request no execution has been started for yet
# The starter's environment: JSON object workflow -> URL of its intake queue.
INTAKE_QUEUES_ENV = "SFN_FLOWS_INTAKE_QUEUES"
# The consumer's environment: JSON object workflow -> {"queue": <intake queue ARN>,
# "dlq": <dead-letter queue URL>}: which queue a record comes from, where poison goes.
INTAKE_SOURCES_ENV = "SFN_FLOWS_INTAKE_SOURCES"

# Message attributes (names may hold letters, digits, '-', '_' and '.').
WORKFLOW_ATTRIBUTE = "sfn-flows.workflow"
NAME_ATTRIBUTE = "sfn-flows.execution-name"
QUEUED_AT_ATTRIBUTE = "sfn-flows.queued-at"
# Added by the consumer to a message it sends to the dead-letter queue.
REASON_ATTRIBUTE = "sfn-flows.poison-reason"
DETAIL_ATTRIBUTE = "sfn-flows.poison-detail"
SOURCE_MESSAGE_ATTRIBUTE = "sfn-flows.source-message-id"
REQUEST_ATTRIBUTES = (WORKFLOW_ATTRIBUTE, NAME_ATTRIBUTE, QUEUED_AT_ATTRIBUTE)

# How long SQS keeps a queued request (4 days, SQS's default): long enough to ride out a
# long outage of Step Functions or a broken deploy. The dead-letter queue keeps its messages
# 14 days (SQS's maximum), longer than the source as AWS advises: a standard queue's message
# keeps its first enqueue time when it moves.
QUEUE_RETENTION_SECONDS = 4 * 24 * 3600
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600
# The starter's and the status Lambda's clocks may differ a little; a stamp further ahead
# than this was not made by the starter.
CLOCK_SKEW_SECONDS = 300
_STAMP = re.compile(r"[0-9a-z]{1,12}")
# 64 bits of SHA-256: two bodies sent under one key collide with odds of 2**-64, and the id
# stays readable. Lower-case hex: URL-safe, and never a '~'.
DIGEST_HEX = 16
_DIGEST = re.compile(f"[0-9a-f]{{{DIGEST_HEX}}}")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


class QueuedId(NamedTuple):
    workflow: str
    name: str
    queued_at_ms: int
    digest: str  # input_digest of the request's input


def input_digest(value: object) -> str:
    """A short digest of a JSON value, the same for values the starter's and the consumer's
    `same_input` call equal: keys sorted, and a float that is an integer written as that
    integer (JSON's 1.0 is 1, as schema.json_equal reads it). A lone surrogate (JSON may
    escape one) is hashed as it is."""
    import hashlib  # on first use: its OpenSSL start-up is a few ms of every cold start

    text = json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_HEX]


def recorded_digest(execution: Mapping[str, Any]) -> str | None:
    """input_digest of an execution's recorded input (DescribeExecution's answer, or a status
    change event's detail: both carry `input` and `inputDetails`); None when it is not there
    or not JSON, which matches no request."""
    details = execution.get("inputDetails")
    recorded = execution.get("input")
    if (isinstance(details, dict) and details.get("included") is False) or not isinstance(
        recorded, str
    ):
        return None
    try:
        return input_digest(json.loads(recorded))
    except (ValueError, RecursionError):
        return None


def _canonical(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    return value


def queued_stamp(epoch_ms: int) -> str:
    """Milliseconds since the epoch in base 36 (8 characters until the year 2059)."""
    digits = []
    value = max(epoch_ms, 0)
    while True:
        value, digit = divmod(value, 36)
        digits.append(_DIGITS[digit])
        if not value:
            return "".join(reversed(digits))


def queued_execution_id(workflow: str, name: str, epoch_ms: int, digest: str) -> str:
    separator = EXECUTION_ID_SEPARATOR
    return f"{execution_id(workflow, name)}{separator}{queued_stamp(epoch_ms)}{separator}{digest}"


def split_queued_id(value: str) -> QueuedId | None:
    """(workflow, name, queued at, digest) of "<workflow>~<name>~<stamp>~<digest>", or None
    when it is not one."""
    rest, separator, digest = value.rpartition(EXECUTION_ID_SEPARATOR)
    if not separator or not _DIGEST.fullmatch(digest):
        return None
    base, separator, stamp = rest.rpartition(EXECUTION_ID_SEPARATOR)
    if not separator or not _STAMP.fullmatch(stamp):
        return None
    parts = split_execution_id(base)
    if parts is None:
        return None
    return QueuedId(parts[0], parts[1], int(stamp, 36), digest)


def still_queueable(queued_at_ms: int, now_ms: int) -> bool:
    """Whether a request queued at `queued_at_ms` may still be waiting in its queue."""
    age = (now_ms - queued_at_ms) / 1000
    return -CLOCK_SKEW_SECONDS <= age <= QUEUE_RETENTION_SECONDS


class IntakeSource(NamedTuple):
    workflow: str
    queue_arn: str
    dead_letter_url: str


T = TypeVar("T")
# Parsed once per (variable, value): a warm container reads nothing again.
_parsed: dict[tuple[str, str], Any] = {}


def intake_queues() -> Mapping[str, str]:
    """The starter's intake queues: workflow -> queue URL (empty when none is configured)."""
    return _cached(INTAKE_QUEUES_ENV, _queue_urls)


def intake_sources() -> Mapping[str, IntakeSource]:
    """The consumer's queues by queue ARN (empty when none is configured)."""
    return _cached(INTAKE_SOURCES_ENV, _sources)


def clear_intake_cache() -> None:
    _parsed.clear()


def _cached(variable: str, parse: Callable[[dict[str, object]], T]) -> T:
    raw = os.environ.get(variable) or ""
    key = (variable, raw)
    if key not in _parsed:
        _parsed[key] = parse(_json_object(variable, raw))
    value: T = _parsed[key]
    return value


def _queue_urls(document: dict[str, object]) -> dict[str, str]:
    queues: dict[str, str] = {}
    for workflow, url in document.items():
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ConfigError(
                f"{INTAKE_QUEUES_ENV}: workflow {workflow!r} maps to {url!r}, which is not "
                "a queue URL."
            )
        queues[workflow] = url
    return queues


def _sources(document: dict[str, object]) -> dict[str, IntakeSource]:
    sources: dict[str, IntakeSource] = {}
    for workflow, entry in document.items():
        queue = entry.get("queue") if isinstance(entry, dict) else None
        dlq = entry.get("dlq") if isinstance(entry, dict) else None
        if not (isinstance(queue, str) and queue.startswith("arn:")) or not (
            isinstance(dlq, str) and dlq.startswith(("https://", "http://"))
        ):
            raise ConfigError(
                f'{INTAKE_SOURCES_ENV}: workflow {workflow!r} needs {{"queue": <queue ARN>, '
                f'"dlq": <dead-letter queue URL>}}, not {entry!r}.'
            )
        sources[queue] = IntakeSource(workflow, queue, dlq)
    return sources


def _json_object(variable: str, raw: str) -> dict[str, object]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{variable} is not JSON ({exc}).") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{variable} must be a JSON object keyed by workflow name.")
    return value
