"""Execution ARNs and the short ids `<workflow>~<execution name>` the API and the CLI use
(`<workflow>~<execution name>~<queued at>~<input digest>` for a request the SQS intake
queued)."""

from __future__ import annotations

from datetime import UTC, datetime

from sfn_flows.errors import SfnFlowsError
from sfn_flows.runtime.intake import input_digest, split_queued_id
from sfn_flows.runtime.names import (
    EXECUTION_ID_SEPARATOR,
    EXECUTION_NAME_MAX,
    is_valid_execution_name,
)


class ExecutionIdError(SfnFlowsError):
    """A string that is neither an execution ARN nor `<workflow>~<name>`."""


def execution_name_problem(name: str) -> str | None:
    """Why Step Functions would refuse `name` as an execution name (None: it would not).

    The rules are runtime.names' (the API starter's); this only says which one `name` breaks.
    """
    if not name:
        return "it is empty"
    if len(name) > EXECUTION_NAME_MAX:
        return f"{len(name)} characters"
    for position, char in enumerate(name, 1):
        if not is_valid_execution_name(char):
            return f"{char!r} at position {position}"
    return None


def require_execution_name(name: str, where: str, error: type[SfnFlowsError]) -> str:
    """`name`, or `error` saying that `where` (e.g. "--name 'a b'") breaks which rule."""
    problem = execution_name_problem(name)
    if problem is not None:
        raise error(
            f"{where} is not a valid execution name ({problem}); Step Functions takes 1 to "
            f"{EXECUTION_NAME_MAX} characters, no whitespace, control or special characters "
            "such as : / ~ $ (letters, digits, '-' and '_' are always safe)."
        )
    return name


def is_arn(text: str) -> bool:
    return text.startswith("arn:")


def split_execution_id(execution_id: str) -> tuple[str, str]:
    """`<workflow>~<name>`, or the SQS intake's `<workflow>~<name>~<queued at>~<digest>`, ->
    (workflow, name)."""
    queued = split_queued_id(execution_id)
    if queued is not None:
        return queued.workflow, queued.name
    workflow, separator, name = execution_id.partition(EXECUTION_ID_SEPARATOR)
    if not separator or not workflow or not name:
        raise ExecutionIdError(
            f"{execution_id!r} is neither an execution ARN nor an id "
            f"'<workflow>{EXECUTION_ID_SEPARATOR}<execution name>'; pass one of those "
            "(`sfn-flows run` prints both)."
        )
    return workflow, require_execution_name(name, f"{execution_id!r}: {name!r}", ExecutionIdError)


def queued_at(execution_id: str) -> datetime | None:
    """When the SQS intake queued the request of an id `<workflow>~<name>~<queued at>~<digest>`
    (None for any other id)."""
    queued = split_queued_id(execution_id)
    if queued is None:
        return None
    return datetime.fromtimestamp(queued.queued_at_ms / 1000, UTC)


def started_for_another_request(execution_id: str, execution_input: object) -> bool:
    """Whether the execution a queued id names was started with another input than that
    request's (`execution_input`, parsed): its Idempotency-Key was reused with another body,
    and the request was dead-lettered. False for any other id."""
    queued = split_queued_id(execution_id)
    return queued is not None and input_digest(execution_input) != queued.digest


def execution_id(workflow: str, name: str) -> str:
    return f"{workflow}{EXECUTION_ID_SEPARATOR}{name}"


def execution_arn(state_machine_arn: str, name: str) -> str:
    """The ARN Step Functions gives execution `name` of a state machine."""
    marker = ":stateMachine:"
    if marker not in state_machine_arn:
        raise ExecutionIdError(
            f"{state_machine_arn!r} is not a state machine ARN (no {marker!r} in it)."
        )
    return f"{state_machine_arn.replace(marker, ':execution:', 1)}:{name}"


def require_execution_arn(arn: str) -> str:
    """`arn` itself, unless it is plainly another kind of ARN (a common mix-up)."""
    if ":stateMachine:" in arn:
        raise ExecutionIdError(
            f"{arn} is a state machine ARN; pass an execution ARN (with ':execution:') or an "
            "id '<workflow>~<execution name>'."
        )
    return arn
