"""What the API answers about one execution: 200 with its result once it has ended (status,
output, or error and cause), 202 with Retry-After while it runs. The status route answers so,
and the starter too when the execution ends within its wait window."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sfn_flows.runtime.config import WorkflowTarget
from sfn_flows.runtime.long_poll import OPEN_STATUSES
from sfn_flows.runtime.names import execution_id
from sfn_flows.runtime.responses import Response, json_response


def execution_answer(
    target: WorkflowTarget,
    name: str,
    arn: str,
    described: dict[str, Any],
    headers: dict[str, str] | None = None,
    **extra: object,
) -> Response:
    """200 with the result of an execution that ended, else 202 with Retry-After. `extra`
    adds fields to the body."""
    body = {**execution_body(target, name, arn, described), **extra}
    headers = dict(headers or {})
    code = 202 if body["status"] in OPEN_STATUSES else 200
    if code == 202:
        headers["Retry-After"] = str(retry_after_seconds(described.get("startDate")))
    return json_response(code, body, headers)


def execution_body(
    target: WorkflowTarget, name: str, arn: str, described: dict[str, Any]
) -> dict[str, Any]:
    """The execution as DescribeExecution (or StartSyncExecution) answered."""
    return {
        "executionId": execution_id(target.name, name),
        "executionArn": arn,
        "status": str(described.get("status")),
        "output": _output(described),
        "error": described.get("error"),
        "cause": described.get("cause"),
        "startDate": iso_date(described.get("startDate")),
        "stopDate": iso_date(described.get("stopDate")),
    }


def retry_after_seconds(start: object, now: datetime | None = None) -> int:
    """Poll often while an execution is young, less once it has run a while."""
    if not isinstance(start, datetime):
        return 2
    age = ((now or datetime.now(UTC)) - start).total_seconds()
    return 1 if age < 10 else 2 if age < 60 else 5


def iso_date(value: object) -> str | None:
    if isinstance(value, datetime):
        stamp = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value if isinstance(value, str) else None


def _output(described: dict[str, Any]) -> Any:
    if described.get("outputDetails", {}).get("included") is False:
        return None
    output = described.get("output")
    if not isinstance(output, str):
        return None
    try:
        return json.loads(output)
    except ValueError:
        return output  # Step Functions records JSON; anything else is shown as it is
