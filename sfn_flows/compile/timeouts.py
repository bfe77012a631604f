"""Give every Task a timeout (and every callback Task a heartbeat), or say which lacks one."""

from __future__ import annotations

from typing import Any

from sfn_flows.model.order import ordered
from sfn_flows.model.task import Task
from sfn_flows.model.workflow import Workflow
from sfn_flows.validate.problems import Problem


def resolve_task_timeouts(
    task: Task, body: dict[str, Any], where: str, workflow: Workflow
) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    if not task.has_timeout:
        if workflow.default_task_timeout is None:
            problems.append(
                Problem(
                    f"{where}/TimeoutSeconds",
                    f"Task {task.name!r} has no timeout.",
                    "set timeout_seconds on the Task, or default_task_timeout on the Workflow.",
                    code="missing-timeout",
                )
            )
        else:
            body["TimeoutSeconds"] = workflow.default_task_timeout
    if task.needs_heartbeat and not task.has_heartbeat:
        if workflow.default_heartbeat_seconds is None:
            problems.append(
                Problem(
                    f"{where}/HeartbeatSeconds",
                    f"Task {task.name!r} waits for a callback or a job ({task.resource}) "
                    "but has no heartbeat.",
                    "set heartbeat_seconds (smaller than its timeout) on the Task, or "
                    "default_heartbeat_seconds on the Workflow.",
                    code="missing-heartbeat",
                )
            )
        else:
            body["HeartbeatSeconds"] = workflow.default_heartbeat_seconds
    return ordered(body), problems
