"""`sfn-flows status <arn|id>`: one execution's status, dates, and output or error."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from sfn_flows.cli.render import out, print_json, seconds
from sfn_flows.cli.run_command import (
    EndpointOption,
    JsonOption,
    ProfileOption,
    RegionOption,
    StackOption,
)
from sfn_flows.deploy.naming import DEFAULT_STACK

if TYPE_CHECKING:
    from sfn_flows.client import ExecutionStatus

_STATUS_STYLE = {"SUCCEEDED": "green", "RUNNING": "yellow", "PENDING_REDRIVE": "yellow"}


def status(
    execution: Annotated[
        str,
        typer.Argument(
            help="Execution ARN, or id <workflow>~<execution name> (as `sfn-flows run` prints), "
            "or the id the API answered a queued request with."
        ),
    ],
    as_json: JsonOption = False,
    stack: StackOption = DEFAULT_STACK,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
    region: RegionOption = None,
) -> None:
    """Show one execution: status, start and stop dates, output or error and cause."""
    # Here, not at the top: boto3 and the deploy code would slow every other command's start.
    from sfn_flows.client import ExecutionClient
    from sfn_flows.client.errors import ExecutionNotFound, StepFunctionsError
    from sfn_flows.client.execution import iso
    from sfn_flows.client.ids import (
        execution_arn,
        execution_id,
        is_arn,
        queued_at,
        require_execution_arn,
        split_execution_id,
        started_for_another_request,
    )
    from sfn_flows.deploy.outputs import state_machine_arn
    from sfn_flows.deploy.targeting import resolve_target

    # The ARN or id is checked before the target is resolved: a typo costs no call.
    if is_arn(execution):
        arn, execution_ref = require_execution_arn(execution), None
        target = resolve_target(endpoint_url, profile, region)
    else:
        workflow, name = split_execution_id(execution)
        target = resolve_target(endpoint_url, profile, region)
        arn = execution_arn(state_machine_arn(target, stack, workflow), name)
        execution_ref = execution
    try:
        current = ExecutionClient(target).describe(arn)
    except ExecutionNotFound:
        queued = queued_at(execution)
        if queued is None:
            raise
        raise StepFunctionsError(
            f"execution {execution} has not started on the {target.describe()}: its request "
            f"was queued at {iso(queued)} and waits in the SQS intake queue of workflow "
            f"{workflow!r}, or was refused and sits in that queue's dead-letter queue with the "
            "reason (the stack's outputs name both queues); ask again later."
        ) from None
    if started_for_another_request(execution, current.input):
        raise StepFunctionsError(
            f"execution {execution} is not the execution of that request: "
            f"{execution_id(workflow, name)} was started with a different body under the same "
            "Idempotency-Key, and the request was refused (the SQS intake's dead-letter queue "
            "holds it, reason ExecutionNameTaken); send it again with a new key."
        )
    if as_json:
        print_json({"executionId": execution_ref, **current.as_dict()})
    else:
        render(current, execution_ref)


def render(current: ExecutionStatus, execution_ref: str | None) -> None:
    from sfn_flows.client.execution import iso

    style = _STATUS_STYLE.get(current.status, "red")
    if execution_ref:
        out.print(f"execution  {escape(execution_ref)}")
    out.print(f"arn        {escape(current.arn)}")
    out.print(f"status     [{style}]{current.status}[/{style}]")
    out.print(f"started    {iso(current.start_date)}")
    if current.stop_date is not None and current.duration is not None:
        took = seconds(round(current.duration, 2))
        out.print(f"stopped    {iso(current.stop_date)} (after {took})")
    if current.succeeded:
        out.print("output")
        out.print(escape(json.dumps(current.output, indent=2, ensure_ascii=False)))
    elif current.finished:
        out.print(f"error      {escape(current.error or '(none)')}")
        out.print(f"cause      {escape(current.cause or '(none)')}")
