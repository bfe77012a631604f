"""An SQS record of the intake -> the request it carries, or the reason it is poison.

Pure: no AWS call, no clock. Poison is what no retry can fix (the message itself is wrong):
the consumer sends it to the dead-letter queue at once with the reason, instead of letting
SQS redeliver it until maxReceiveCount. What a retry may fix (the deployment's configuration,
a service's answer) is never called poison.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from sfn_flows.runtime.config import ApiConfig, WorkflowTarget
from sfn_flows.runtime.intake import (
    DETAIL_ATTRIBUTE,
    NAME_ATTRIBUTE,
    REASON_ATTRIBUTE,
    REQUEST_ATTRIBUTES,
    SOURCE_MESSAGE_ATTRIBUTE,
    SQS_INTAKE,
    WORKFLOW_ATTRIBUTE,
    IntakeSource,
)
from sfn_flows.runtime.names import EXECUTION_NAME_MAX, is_valid_execution_name
from sfn_flows.runtime.request_body import MAX_INPUT_BYTES

DETAIL_LIMIT = 1024  # characters of the reason's detail kept in the dead-letter message
# What SQS refuses in a message (its attributes' values included).
_SQS_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class NotAnSqsEvent(ValueError):
    """The consumer was invoked with something that is not a batch of SQS records."""


class Poison(Exception):
    """A message no retry can start: `reason` is a code, `detail` says what is wrong."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class UnknownSource(Exception):
    """A record from a queue this consumer is not configured for: a deployment problem."""


class Record(NamedTuple):
    """What every record has, poison or not."""

    message_id: str
    source_arn: str
    body: str
    attributes: Mapping[str, str]  # the String message attributes


class QueuedRequest(NamedTuple):
    message_id: str
    target: WorkflowTarget
    name: str
    text: str  # the execution's input, as queued
    value: Any  # the same, parsed


def records_of(event: object) -> list[Record]:
    """The records of an event source mapping's SQS event."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise NotAnSqsEvent(
            'the intake consumer takes SQS events ({"Records": [...]}) from its event source '
            "mappings; it was invoked with something else"
        )
    return [_record(item, index) for index, item in enumerate(records)]


def _record(item: object, index: int) -> Record:
    if not isinstance(item, dict):
        raise NotAnSqsEvent(f"record {index} is not an object")
    message_id, source, body = item.get("messageId"), item.get("eventSourceARN"), item.get("body")
    if not (isinstance(message_id, str) and message_id):
        # Without its id a record's failure cannot be reported alone: the batch fails whole.
        raise NotAnSqsEvent(f"record {index} has no messageId")
    if not isinstance(source, str) or not isinstance(body, str):
        raise NotAnSqsEvent(f"record {index} ({message_id}) lacks its eventSourceARN or body")
    return Record(message_id, source, body, _string_attributes(item.get("messageAttributes")))


def _string_attributes(raw: object) -> dict[str, str]:
    # The event source mapping writes attributes as {"stringValue", "dataType"} (camelCase).
    attributes: dict[str, str] = {}
    if isinstance(raw, dict):
        for name, value in raw.items():
            text = value.get("stringValue") if isinstance(value, dict) else None
            if isinstance(name, str) and isinstance(text, str):
                attributes[name] = text
    return attributes


def read_request(
    record: Record, sources: Mapping[str, IntakeSource], api: ApiConfig
) -> QueuedRequest:
    """The request of `record`; Poison when the message cannot be started, UnknownSource
    when it comes from a queue this consumer was not deployed with."""
    source = sources.get(record.source_arn)
    if source is None or source.workflow not in api.workflows:
        raise UnknownSource(record.source_arn)
    workflow = record.attributes.get(WORKFLOW_ATTRIBUTE)
    name = record.attributes.get(NAME_ATTRIBUTE)
    if workflow is None or name is None:
        missing = [a for a in (WORKFLOW_ATTRIBUTE, NAME_ATTRIBUTE) if a not in record.attributes]
        raise Poison(
            "NotAnIntakeRequest",
            f"the message lacks the String attribute(s) {', '.join(missing)} that the API's "
            f"starter sets; send requests through POST /{source.workflow}/executions.",
        )
    target = api.workflows.get(workflow)
    if target is None or target.intake != SQS_INTAKE:
        intake = sorted(n for n, t in api.workflows.items() if t.intake == SQS_INTAKE)
        raise Poison(
            "UnknownWorkflow",
            f"workflow {workflow[:100]!r} is not one this consumer starts; it starts "
            f"{', '.join(intake)}.",
        )
    if workflow != source.workflow:
        # Starting it would let whoever may send to one queue start another workflow.
        raise Poison(
            "WrongQueue",
            f"the message names workflow {workflow!r} but came from the queue of workflow "
            f"{source.workflow!r}; each workflow's requests go to its own queue.",
        )
    if not is_valid_execution_name(name):
        raise Poison(
            "InvalidExecutionName",
            f"{name[:100]!r} is not a valid execution name (1 to {EXECUTION_NAME_MAX} "
            'characters, no whitespace, control characters or any of <>{}[]?*"#%\\^|~`$&,;:/).',
        )
    return QueuedRequest(record.message_id, target, name, record.body, parse_input(record.body))


def parse_input(text: str) -> Any:
    """The execution's input: one JSON value within Step Functions' 256 KiB."""
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_INPUT_BYTES:
        raise Poison(
            "InputTooLarge",
            f"the body is {size} bytes; an execution's input is limited to {MAX_INPUT_BYTES}.",
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise Poison("InvalidJson", "the body nests arrays or objects too deeply.") from None
    except ValueError as exc:  # JSONDecodeError says where, without quoting the body
        raise Poison("InvalidJson", f"the body is not JSON: {exc}.") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def dead_letter_attributes(record: Record, poison: Poison) -> dict[str, str]:
    """The attributes of the message sent to the dead-letter queue: the request's own (what
    the starter sets, nothing else a sender added: a message has at most 10) and why."""
    kept = {
        name: record.attributes[name] for name in REQUEST_ATTRIBUTES if name in record.attributes
    }
    return {
        **kept,
        REASON_ATTRIBUTE: poison.reason,
        DETAIL_ATTRIBUTE: _SQS_REFUSED.sub("\ufffd", poison.detail[:DETAIL_LIMIT]),
        SOURCE_MESSAGE_ATTRIBUTE: record.message_id,
    }
