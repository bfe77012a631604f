"""The wait window: how long the API holds a request for the result of the execution it
started (or, on the status route, for the end of a running one).

MAX_WAIT_SECONDS caps every window. API Gateway's HTTP API ends a request after 30 s (its
integration timeout, which cannot be raised), and the API Lambdas' timeout
(deploy/template.py API_FUNCTION_TIMEOUT_SECONDS, 25 s) must hold the longest wait plus the
start of the execution and the margin kept to answer (deadline.py, 1 s): 20 + 1 leaves 4 s
for StartExecution and the request checks, and the Lambda ends 5 s before API Gateway would
answer 503 in its own format. The workflow model (Workflow.wait_seconds) has the same cap;
model/workflow.py cannot import the runtime, and a test holds the two equal.

An EXPRESS workflow whose worst case (the build's budget) fits in the cap is started with
StartSyncExecution: Step Functions answers when the execution ends, which the budget proves
is within the window, with no DescribeExecution at all (which AWS does not offer for EXPRESS
executions anyway).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_WAIT_SECONDS = 20


def starts_synchronously(workflow_type: str, budget: Mapping[str, Any] | None) -> bool:
    """Whether a workflow of this type and budget (the manifest's `budget`: seconds, bounded)
    is started with StartSyncExecution: EXPRESS, bounded, at most MAX_WAIT_SECONDS."""
    if workflow_type != "EXPRESS" or not isinstance(budget, Mapping):
        return False
    seconds = budget.get("seconds")
    return (
        budget.get("bounded") is True
        and isinstance(seconds, int | float)
        and 0 <= seconds <= MAX_WAIT_SECONDS
    )
