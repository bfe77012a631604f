"""Give every Task a timeout, and every callback Task the heartbeat its author chose (or a
warning that it has none); say which Task lacks a timeout."""

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
    wants_heartbeat = task.needs_heartbeat and not task.declines_heartbeat
    if wants_heartbeat and not task.has_heartbeat:
        if workflow.default_heartbeat_seconds is None:
            problems.append(_no_heartbeat(task, where))
        else:
            body["HeartbeatSeconds"] = workflow.default_heartbeat_seconds
    return ordered(body), problems


def _no_heartbeat(task: Task, where: str) -> Problem:
    # Advice, not an error: a heartbeat only helps when the worker can send one, and a Task
    # whose worker never does would fail at the first missed beat.
    return Problem(
        f"{where}/HeartbeatSeconds",
        f"Task {task.name!r} waits for a job or a callback ({task.resource}) without a "
        "heartbeat: if its worker dies, the Task waits out its whole timeout.",
        "if the worker can report that it is alive (SendTaskHeartbeat with the task token: an "
        "activity worker, a callback worker, a job given $$.Task.Token), set heartbeat_seconds "
        "below the timeout (or default_heartbeat_seconds on the Workflow); if it cannot (a "
        "person approving, a child execution), set heartbeat_seconds=None to say so.",
        severity="warning",
        code="missing-heartbeat",
    )
