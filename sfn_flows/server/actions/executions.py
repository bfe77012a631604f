"""StartExecution, StartSyncExecution, StopExecution, DescribeExecution, ListExecutions and
DescribeStateMachineForExecution.

Express executions can be described, listed, stopped and read like Standard ones here (AWS
keeps no history of them and refuses these calls): a local engine is for looking inside.
"""

from __future__ import annotations

import math
import uuid
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.engine.execution import EXPRESS_MAX_SECONDS
from sfn_flows.engine.tasks.lambda_runtime import MAX_FUNCTION_SECONDS
from sfn_flows.server import requests as read
from sfn_flows.server.errors import ApiError, invalid_arn, validation
from sfn_flows.server.execution_driver import RUNNING, ServedExecution, StartRequest, present
from sfn_flows.server.executions import Executions
from sfn_flows.server.pagination import page, page_request
from sfn_flows.server.protocol import Handler
from sfn_flows.server.state_machines import split_qualifier

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

STATUSES: Final = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
EXECUTION_ARN_SHAPE: Final = "arn:aws:states:<region>:<account>:execution:<state machine>:<name>"
_INCLUDED_DATA: Final = ("ALL_DATA", "METADATA_ONLY")
_ERROR_MAX: Final = 256
_CAUSE_MAX: Final = 32_768
_TRACE_HEADER_MAX: Final = 256


def executions_of(state: ServerState) -> Executions:
    """The server's executions registry (what server/tasks/nested.py starts children with)."""
    return state.executions


# -- starting ------------------------------------------------------------------------------


def start_execution(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    served, _ = executions_of(state).start(_start_request(state, body))
    return {"executionArn": served.origin.arn, "startDate": served.start_date}


def start_sync_execution(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    read.optional_enum(body, "includedData", _INCLUDED_DATA)
    request = _start_request(state, body)
    if request.type != "EXPRESS":
        raise ApiError(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine: StartSyncExecution "
            "runs EXPRESS state machines; start a STANDARD one with StartExecution.",
        )
    served, _ = executions_of(state).start(request)
    if not served.done.wait(_sync_bound(executions_of(state).scale)):
        raise RuntimeError(f"{served.origin.arn} ran past every bound of an Express execution")
    answer = served.describe()
    for field in ("redriveCount", "redriveStatus", "redriveStatusReason"):
        answer.pop(field, None)
    stop = answer.get("stopDate", served.start_date)
    answer["billingDetails"] = {
        # Express is billed by 100 ms and by 64 MB.
        "billedDurationInMilliseconds": max(100, math.ceil((stop - served.start_date) * 10) * 100),
        "billedMemoryUsedInMB": 64,
    }
    return answer


def _sync_bound(scale: float) -> float:
    """How long StartSyncExecution may wait: the Express limit (stretched by a time scale
    above 1), plus the longest a Lambda handler may run past it."""
    return EXPRESS_MAX_SECONDS * max(1.0, scale) + MAX_FUNCTION_SECONDS + 60


def _start_request(state: ServerState, body: dict[str, Any]) -> StartRequest:
    raw_arn = read.required_string(body, "stateMachineArn", most=read.ARN_MAX)
    # Step Functions Local: "<state machine ARN>#<test case>" runs the test case of the
    # SFN_MOCK_CONFIG file.
    arn, hash_sign, test_case = raw_arn.partition("#")
    machine_arn = read.state_machine_arn({"stateMachineArn": arn}).arn
    resolved = state.machines.resolve(machine_arn)
    name = read.name(body) if body.get("name") is not None else str(uuid.uuid4())
    input_text, input_value = _input(body)
    trace_header = read.optional_string(body, "traceHeader", most=_TRACE_HEADER_MAX)
    if resolved.version_arn is not None:
        _, version = state.machines.version(resolved.version_arn)
        revision, updated = version.revision, version.created
    else:
        machine = state.machines.get(resolved.state_machine_arn)
        revision, updated = machine.revision, machine.updated or machine.created
    return StartRequest(
        state_machine_arn=resolved.state_machine_arn,
        state_machine_name=resolved.name,
        type=resolved.type,
        definition=resolved.definition,
        role_arn=resolved.role_arn,
        revision_id=resolved.revision_id,
        update_date=updated,
        logging=revision.logging,
        tracing=revision.tracing,
        version_arn=resolved.version_arn,
        alias_arn=resolved.alias_arn,
        name=name,
        input_text=input_text,
        input=input_value,
        trace_header=trace_header,
        test_case=test_case if hash_sign else None,
    )


def _input(body: dict[str, Any]) -> tuple[str, Any]:
    """The execution's input ("{}" when not given)."""
    if body.get("input") is None:
        return "{}", {}
    return read_payload(body, "input", "InvalidExecutionInput", "Invalid Execution Input")


def read_payload(body: dict[str, Any], field: str, code: str, label: str) -> tuple[str, Any]:
    """A payload field: JSON text of at most 256 KiB in UTF-8, as (text, value); `code` is
    AWS's error for one that is too large or not JSON."""
    text = read.required_string(body, field, most=4 * read.PAYLOAD_MAX, least=0)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > read.PAYLOAD_MAX:
        raise ApiError(
            code,
            f"{label}: {field} is {size} bytes of UTF-8; Step Functions takes at most "
            f"{read.PAYLOAD_MAX} (256 KiB). Pass large data by reference (an S3 key).",
        )
    parsed = read.json_text(body, field, code=code, most=4 * read.PAYLOAD_MAX)
    assert parsed is not None
    return parsed


# -- one execution -------------------------------------------------------------------------


def read_execution(state: ServerState, body: dict[str, Any]) -> ServedExecution:
    """The execution `executionArn` names: InvalidArn for what is not an execution ARN,
    ExecutionDoesNotExist for one this server did not start."""
    arn = read.required_string(body, "executionArn", most=read.ARN_MAX)
    parts = arn.split(":")
    standard = len(parts) == 8 and parts[5] == "execution"
    express = len(parts) == 9 and parts[5] == "express"
    if parts[0] != "arn" or parts[2] != "states" or not (standard or express):
        raise invalid_arn("executionArn", arn, EXECUTION_ARN_SHAPE)
    if not all(parts[1:5]) or not all(parts[6:]):
        raise invalid_arn("executionArn", arn, EXECUTION_ARN_SHAPE)
    served: ServedExecution = executions_of(state).get(arn)
    return served


def describe_execution(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    included = read.optional_enum(body, "includedData", _INCLUDED_DATA)
    described = read_execution(state, body).describe()
    if included == "METADATA_ONLY":
        for field in ("input", "output"):
            if described.pop(field, None) is not None:
                described[field + "Details"] = {"included": False}
    return described


def stop_execution(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    served = read_execution(state, body)
    error = read.optional_string(body, "error", most=_ERROR_MAX)
    cause = read.optional_string(body, "cause", most=_CAUSE_MAX)
    # A finished execution stays as it ended; the answer gives the date it stopped.
    executions_of(state).stop(served, error, cause)
    return {"stopDate": served.describe()["stopDate"]}


def describe_state_machine_for_execution(
    state: ServerState, body: dict[str, Any]
) -> dict[str, Any]:
    read.optional_enum(body, "includedData", _INCLUDED_DATA)
    request = read_execution(state, body).origin.request
    described: dict[str, Any] = {
        "stateMachineArn": request.state_machine_arn,
        "name": request.state_machine_name,
        "definition": request.definition,
        "roleArn": request.role_arn,
        "updateDate": request.update_date,
    }
    optional = {
        "loggingConfiguration": request.logging,
        "tracingConfiguration": request.tracing,
        "revisionId": request.revision_id,
    }
    described.update(present(optional))
    return described


# -- listing -------------------------------------------------------------------------------


def list_executions(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    size, token = page_request(body)
    status = read.optional_enum(body, "statusFilter", STATUSES)
    redrive = read.optional_enum(body, "redriveFilter", ("REDRIVEN", "NOT_REDRIVEN"))
    if read.optional_string(body, "mapRunArn", most=2000) is not None:
        raise ApiError(
            "ResourceNotFound",
            "Resource not found: this engine runs no Distributed Map as a Map Run; list the "
            "executions of a state machine with stateMachineArn.",
        )
    if body.get("stateMachineArn") is None:
        raise validation("Must provide a StateMachine ARN or MapRun ARN")
    arn = read.state_machine_arn(body).arn
    if status == "PENDING_REDRIVE":
        raise validation(
            "The PENDING_REDRIVE statusFilter needs a mapRunArn, not a stateMachineArn."
        )
    base, qualifier = split_qualifier(arn)
    _check_listed(state, arn, qualifier)
    listed = []
    for served in executions_of(state).of_machine(base):
        item = _list_item(served.describe())  # one snapshot: the execution runs on meanwhile
        if qualifier is not None and arn not in (
            item.get("stateMachineVersionArn"),
            item.get("stateMachineAliasArn"),
        ):
            continue
        if (status is None or item["status"] == status) and redrive != "REDRIVEN":
            listed.append((_newest_first(item, served.origin.sequence), item))
    # Newest first: running ones by their start, the others by their stop.
    listed.sort(key=lambda pair: pair[0])
    chosen, next_token = page(listed, lambda pair: pair[0], size, token)
    answer: dict[str, Any] = {"executions": [item for _, item in chosen]}
    if next_token is not None:
        answer["nextToken"] = next_token
    return answer


def _check_listed(state: ServerState, arn: str, qualifier: str | None) -> None:
    """StateMachineDoesNotExist (or ResourceNotFound) for what is not there."""
    if qualifier is None:
        state.machines.get(arn)
    elif qualifier.isdigit():
        state.machines.version(arn)
    else:
        state.machines.alias(arn)


def _newest_first(item: dict[str, Any], sequence: int) -> tuple[float, int]:
    return (-item.get("stopDate", item["startDate"]), -sequence)


def _list_item(described: dict[str, Any]) -> dict[str, Any]:
    return {field: described[field] for field in _LIST_FIELDS if field in described}


_LIST_FIELDS: Final = (
    "executionArn",
    "stateMachineArn",
    "name",
    "status",
    "startDate",
    "stopDate",
    "stateMachineVersionArn",
    "stateMachineAliasArn",
    "redriveCount",
)


ACTIONS: Final[dict[str, Handler]] = {
    "StartExecution": start_execution,
    "StartSyncExecution": start_sync_execution,
    "StopExecution": stop_execution,
    "DescribeExecution": describe_execution,
    "ListExecutions": list_executions,
    "DescribeStateMachineForExecution": describe_state_machine_for_execution,
}

__all__ = ["ACTIONS", "RUNNING", "executions_of", "read_execution", "read_payload"]
