"""Run a deployed workflow and describe what happened, for assertions in tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfn_flows.client import ExecutionClient, states_entered
from sfn_flows.engine.result import FlowResult

__all__ = ["FlowResult", "run_and_describe"]


def run_and_describe(
    client: ExecutionClient,
    state_machine_arn: str,
    payload: Any,
    *,
    timeout: float,
    name: str | None = None,
    definition: Mapping[str, Any] | None = None,
) -> FlowResult:
    """Start an execution, wait for its end and read its history. `definition`: the ASL it
    runs, kept for `FlowResult.diagram()`."""
    execution = client.start(state_machine_arn, payload, name=name)
    final = client.wait(execution.arn, timeout=timeout)
    events = client.history(execution.arn)
    return FlowResult(
        status=final.status,
        output=final.output,
        error=final.error,
        cause=final.cause,
        execution_arn=execution.arn,
        states=states_entered(events),
        events=events,
        definition=definition,
    )
