"""The AWS CLI, unchanged but for --endpoint-url, runs a callback flow on the server:
create-state-machine, start-execution, get-execution-history (for the task token),
send-task-success, describe-execution. Each command is a real `aws` subprocess with dummy
credentials and a deadline."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sfn_flows.server.app import RunningServer
from tests.server.executions_support import (
    HANG_GUARD_SECONDS,
    ROLE_ARN,
    callback_task,
    single,
    worker_server,
)
from tests.server.test_cli_serve import AWS, aws

__all__ = ["worker_server"]  # the fixture, used by name


def _run(server: RunningServer, *args: str) -> Any:
    result = aws(server, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_the_aws_cli_runs_and_answers_a_callback_flow(
    worker_server: Callable[..., RunningServer], tmp_path: Path
) -> None:
    assert AWS is not None, "the AWS CLI (aws) is part of the test environment"
    server = worker_server(virtual_time=True)
    definition = tmp_path / "flow.json"
    flow = {
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "Ask"},
            **single("Ask", callback_task(ResultPath="$.answer"))["States"],
        },
    }
    definition.write_text(json.dumps(flow))
    arn = _run(
        server,
        "create-state-machine",
        "--name",
        "cli-flow",
        "--definition",
        f"file://{definition}",
        "--role-arn",
        ROLE_ARN,
    )["stateMachineArn"]
    started = _run(
        server,
        "start-execution",
        "--state-machine-arn",
        arn,
        "--name",
        "by-cli",
        "--input",
        '{"order": 42}',
    )
    execution_arn = started["executionArn"]
    assert execution_arn.endswith(":execution:cli-flow:by-cli")

    task_token = None
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while task_token is None and time.monotonic() < deadline:
        events = _run(server, "get-execution-history", "--execution-arn", execution_arn)["events"]
        for event in events:
            if event["type"] == "TaskScheduled":
                parameters = json.loads(event["taskScheduledEventDetails"]["parameters"])
                task_token = parameters["Payload"]["token"]
    assert task_token is not None, "the Task sent its token"

    answered = aws(
        server, "send-task-success", "--task-token", task_token, "--task-output", '{"ok": 1}'
    )
    assert answered.returncode == 0, answered.stderr

    described = None
    while time.monotonic() < deadline:
        described = _run(server, "describe-execution", "--execution-arn", execution_arn)
        if described["status"] != "RUNNING":
            break
    assert described is not None and described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"order": 42, "answer": {"ok": 1}}

    again = aws(server, "send-task-success", "--task-token", task_token, "--task-output", "{}")
    assert again.returncode != 0
    assert "TaskTimedOut" in again.stderr

    reverse = _run(
        server,
        "get-execution-history",
        "--execution-arn",
        execution_arn,
        "--reverse-order",
        "--no-include-execution-data",
    )["events"]
    assert reverse[0]["type"] == "ExecutionSucceeded"
    assert "output" not in reverse[0]["executionSucceededEventDetails"]
