"""The status reader: `GET /executions/{id}` -> DescribeExecution -> 200, or 202 while running.

With `Prefer: wait=N` (prefer.py) it is a long poll: the answer comes as soon as the execution
is no longer running (200), or after N seconds with the usual 202 (long_poll.py). Without the
header it answers at once, as a short poll.

The id is "<workflow>~<execution name>" or the execution's ARN (URL-encoded or not), or for a
request an SQS-intake workflow queued, "<workflow>~<name>~<queued at>~<input digest>": 202
QUEUED until its execution exists, within the queue's retention (queued_status.py), and 409
IdempotencyKeyReused when that execution was started with another input (another request
under the same Idempotency-Key); a long poll of it waits through QUEUED as through RUNNING.
Only
executions of the state machines in SFN_FLOWS_STATE_MACHINES are described: an id that is
malformed, names another workflow, or an ARN of another state machine, account, region or
partition gets the same 404 as an execution that does not exist, so the API never tells
anything about executions that are not its own.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from sfn_flows.runtime.clients import ClientFactory, stepfunctions_client
from sfn_flows.runtime.config import (
    ApiConfig,
    ConfigError,
    ConfigLoader,
    WorkflowTarget,
    load_api_config,
)
from sfn_flows.runtime.deadline import Deadline, DeadlineExceeded
from sfn_flows.runtime.events import HttpRequest
from sfn_flows.runtime.execution_answers import execution_answer, retry_after_seconds
from sfn_flows.runtime.guard import accepted_request, guarded
from sfn_flows.runtime.intake import QUEUED
from sfn_flows.runtime.key_reuse import key_reused
from sfn_flows.runtime.logs import RequestLog
from sfn_flows.runtime.long_poll import wait_for_end
from sfn_flows.runtime.names import execution_id, parse_execution_arn, split_execution_id
from sfn_flows.runtime.prefer import (
    PREFER_HEADER,
    PREFERENCE_APPLIED_HEADER,
    PreferError,
    parse_prefer,
)
from sfn_flows.runtime.queued_status import (
    describe_queued,
    other_request,
    queued_answer,
    queued_request,
)
from sfn_flows.runtime.responses import (
    Handler,
    Response,
    configuration_error,
    error_response,
)
from sfn_flows.runtime.service_errors import (
    DEADLINE_PASSED,
    EXECUTION_NOT_FOUND_CODES,
    aws_error,
    failure_response,
)

__all__ = ["make_status_handler", "not_found", "retry_after_seconds"]
_ROUTE = re.compile(r"/executions/([^/]+)/?\Z")


def make_status_handler(
    *,
    client: ClientFactory = stepfunctions_client,
    config: ConfigLoader = load_api_config,
) -> Handler:
    return guarded(
        "status", lambda event, deadline, log: _describe(event, client, config, deadline, log)
    )


def not_found() -> Response:
    """One body for every id that is not an execution of this API, whatever the reason."""
    return error_response(
        404,
        "ExecutionNotFound",
        "no such execution in this API; use the executionId the starter answered with "
        '("<workflow>~<execution name>") or the execution ARN.',
    )


def _describe(
    event: Any, client: ClientFactory, config: ConfigLoader, deadline: Deadline, log: RequestLog
) -> Response:
    began = deadline.clock()
    request = accepted_request(
        event,
        reader="status reader",
        method="GET",
        usage="read an execution with GET /executions/<id>",
    )
    if not isinstance(request, HttpRequest):
        return request
    try:
        wait = parse_prefer(request.header(PREFER_HEADER)).wait
    except PreferError as exc:
        return error_response(400, "InvalidPrefer", str(exc))
    raw_id = request.path_parameter("id")
    if raw_id is None:
        route = _ROUTE.search(request.path)
        raw_id = unquote(route.group(1)) if route else None
    try:
        api = config()
    except ConfigError as exc:
        return configuration_error(exc, log.request_id)
    # "<workflow>~<name>~<queued at>~<input digest>" (intake.py)
    queued = queued_request(raw_id or "", api)
    found = (queued[0], queued[1].name) if queued else resolve_execution(raw_id or "", api)
    if found is None:
        return not_found()
    target, name = found
    log.workflow, log.execution = target.name, name
    arn = target.state_machine.execution_arn(name)
    sfn = client()

    def described_now() -> dict[str, Any]:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        return described

    # A queued request's execution may not exist yet: read as QUEUED, waited through.
    describe = describe_queued(described_now) if queued else described_now
    try:
        described = deadline.run(describe)
    except DeadlineExceeded:
        return failure_response(DEADLINE_PASSED, "DescribeExecution", f"workflow {target.name!r}")
    except Exception as exc:
        error = aws_error(exc)
        if error is None:
            raise
        if error.code in EXECUTION_NOT_FOUND_CODES:
            return not_found()
        return failure_response(error, "DescribeExecution", f"workflow {target.name!r}")
    if queued and described.get("status") == QUEUED and queued_answer(*queued) is None:
        return not_found()  # its message can no longer be in the queue
    if not _ours(described, target):
        return not_found()  # an ARN this API built, answered for another machine: not ours
    if queued and other_request(queued[1], described):
        return key_reused(execution_id(target.name, name))  # never another request's result
    headers = {}
    if wait is not None:
        described = wait_for_end(describe, deadline, began + wait, described) or described
        headers[PREFERENCE_APPLIED_HEADER] = f"wait={wait}"
        if not _ours(described, target):
            return not_found()  # started while the request waited, on another machine
        if queued and other_request(queued[1], described):
            return key_reused(execution_id(target.name, name))  # started while it waited
    if queued and described.get("status") == QUEUED:
        return queued_answer(*queued, headers=headers) or not_found()
    return execution_answer(target, name, arn, described, headers)


def _ours(described: dict[str, Any], target: WorkflowTarget) -> bool:
    """Whether a description is of an execution of the target's state machine (a QUEUED
    request has none yet)."""
    if described.get("status") == QUEUED and "stateMachineArn" not in described:
        return True
    return described.get("stateMachineArn") == target.state_machine.base


def resolve_execution(raw_id: str, api: ApiConfig) -> tuple[WorkflowTarget, str] | None:
    if raw_id.startswith("arn:"):
        arn = parse_execution_arn(raw_id)
        if arn is None:
            return None
        workflow = api.by_state_machine(arn.partition, arn.region, arn.account, arn.state_machine)
        return (api.workflows[workflow], arn.name) if workflow is not None else None
    parts = split_execution_id(raw_id)
    if parts is None or parts[0] not in api.workflows:
        return None
    return api.workflows[parts[0]], parts[1]
