"""What the execution tests share: state machines made through the API, waiting for an
execution's end or its task token (polling, with a deadline that only guards against a hang),
and a server whose Lambda Tasks run a project's handlers in the server (the way the pytest
plugin registers them), so that `.waitForTaskToken` Tasks wait for the test's answer."""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pytest

from sfn_flows.server.app import RunningServer

ROLE_ARN: Final = "arn:aws:iam::123456789012:role/sfn-flows-test"
# Only a guard against a hang: no test measures how long anything took.
HANG_GUARD_SECONDS: Final = 60.0
WAIT_FOR_TOKEN: Final = "arn:aws:states:::lambda:invoke.waitForTaskToken"


def create(sfn: Any, definition: dict[str, Any], name: str = "flow", kind: str = "STANDARD") -> str:
    answer = sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE_ARN, type=kind
    )
    arn: str = answer["stateMachineArn"]
    return arn


def single(name: str, state: dict[str, Any]) -> dict[str, Any]:
    """A definition of one state that ends it."""
    return {"StartAt": name, "States": {name: state | {"End": True}}}


def until(check: Callable[[], Any], what: str, seconds: float = HANG_GUARD_SECONDS) -> Any:
    """Poll `check` until it gives something truthy; fail naming `what` past the guard."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds} s")
        time.sleep(0.02)


def ended(sfn: Any, execution_arn: str, seconds: float = HANG_GUARD_SECONDS) -> dict[str, Any]:
    """DescribeExecution once the execution has ended."""

    def finished() -> dict[str, Any] | None:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        return None if described["status"] == "RUNNING" else described

    result: dict[str, Any] = until(finished, f"{execution_arn} ends", seconds)
    return result


def history(sfn: Any, execution_arn: str, **options: Any) -> list[dict[str, Any]]:
    """Every event, through every page."""
    events: list[dict[str, Any]] = []
    token = None
    while True:
        page = sfn.get_execution_history(
            executionArn=execution_arn, **options, **({"nextToken": token} if token else {})
        )
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events


def tokens(sfn: Any, execution_arn: str) -> list[str]:
    """The task tokens the execution's Tasks have sent so far (read from the Payload of
    their TaskScheduled events), oldest first."""
    found = []
    for event in history(sfn, execution_arn):
        if event["type"] == "TaskScheduled":
            parameters = json.loads(event["taskScheduledEventDetails"]["parameters"])
            found.append(parameters["Payload"]["token"])
    return found


def token(sfn: Any, execution_arn: str, count: int = 1) -> str:
    """The `count`-th task token the execution sends, once it has sent it."""
    sent = until(lambda: tokens(sfn, execution_arn)[count - 1 :], f"task token {count} sent")
    return str(sent[0])


def callback_task(**more: Any) -> dict[str, Any]:
    """A Task that invokes the `worker` function with its task token and waits for the
    answer."""
    return {
        "Type": "Task",
        "Resource": WAIT_FOR_TOKEN,
        "Parameters": {
            "FunctionName": "worker",
            "Payload": {"token.$": "$$.Task.Token", "input.$": "$"},
        },
    } | more


def worker_settings(folder: Path) -> dict[str, Any]:
    """ServerConfig settings under which two functions run in the server: `worker`, whose
    handler takes the token and returns (the test then answers for the worker), and `sleeper`,
    which sleeps `seconds`."""
    lambdas = folder / "lambdas"
    lambdas.mkdir(exist_ok=True)
    (lambdas / "callback_worker.py").write_text(
        textwrap.dedent(
            """\
            import time


            def take(event, context):
                return {"taken": True}


            def sleep(event, context):
                time.sleep(event["seconds"])
                return {"slept": event["seconds"]}
            """
        )
    )
    functions = {
        "worker": {"handler": "callback_worker.take"},
        "sleeper": {"handler": "callback_worker.sleep", "timeoutSeconds": 300},
    }
    functions_file = folder / "functions.json"
    functions_file.write_text(json.dumps({"functions": functions}))
    return {"lambdas_dir": lambdas, "functions": functions_file}


@pytest.fixture
def worker_server(
    serve_with: Callable[..., RunningServer], tmp_path: Path
) -> Callable[..., RunningServer]:
    """`worker_server(**settings)`: a server that runs the `worker` function itself."""

    def start(**settings: Any) -> RunningServer:
        return serve_with(**(worker_settings(tmp_path) | settings))

    return start
