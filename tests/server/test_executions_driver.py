"""The executions registry and its drivers, used directly (no HTTP): an execution the engine
cannot run on ends FAILED instead of staying RUNNING, and executions named alike in two state
machines get tokens of their own. Tasks are answered by the engine's own `tasks` callables,
given through the registry's TaskSetups seam."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import pytest

from sfn_flows.engine import EngineUsageError, Pending
from sfn_flows.server.config import ServerConfig
from sfn_flows.server.execution_driver import StartRequest
from sfn_flows.server.executions import Executions
from tests.server.executions_support import HANG_GUARD_SECONDS, ROLE_ARN, single

RESOURCE = "arn:aws:states:::lambda:invoke.waitForTaskToken"


@dataclass(frozen=True)
class Answers:
    """A TaskSetup: keyword arguments for the Engine."""

    tasks: dict[str, Any]


class TaskAnswers:
    """TaskSetups answering every Task of RESOURCE with `answer`."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def setup(self, state_machine_arn: str, test_case: str | None) -> Answers:
        return Answers({RESOURCE: self.answer})


def _request(machine: str, name: str) -> StartRequest:
    definition = single(
        "Ask", {"Type": "Task", "Resource": RESOURCE, "Parameters": {"FunctionName": "f"}}
    )
    return StartRequest(
        state_machine_arn=f"arn:aws:states:us-east-1:123456789012:stateMachine:{machine}",
        state_machine_name=machine,
        type="STANDARD",
        definition=json.dumps(definition),
        role_arn=ROLE_ARN,
        revision_id=None,
        update_date=time.time(),
        logging=None,
        tracing=None,
        version_arn=None,
        alias_arn=None,
        name=name,
        input_text="{}",
        input={},
        trace_header=None,
        test_case=None,
    )


@pytest.fixture
def registry() -> Any:
    made: list[Executions] = []

    def make(answer: Any) -> Executions:
        executions = Executions(ServerConfig(virtual_time=True), TaskAnswers(answer))
        made.append(executions)
        return executions

    yield make
    for executions in made:
        executions.close()


def test_an_execution_the_engine_cannot_run_ends_failed(registry: Any) -> None:
    def broken(_: Any) -> Any:
        raise EngineUsageError("nothing answers this Task")

    served, _ = registry(broken).start(_request("flow", "one"))
    assert served.done.wait(HANG_GUARD_SECONDS)
    described = served.describe()
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert "nothing answers this Task" in described["cause"]
    assert served.history_events()[-1]["type"] == "ExecutionFailed"


def test_executions_named_alike_in_two_machines_have_tokens_of_their_own(registry: Any) -> None:
    executions = registry(lambda _: Pending())
    first, _ = executions.start(_request("first", "same-name"))
    second, _ = executions.start(_request("second", "same-name"))

    def pending(served: Any) -> list[str]:
        deadline = time.monotonic() + HANG_GUARD_SECONDS
        while not served.execution.pending_tokens and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(served.execution.pending_tokens)

    first_tokens, second_tokens = pending(first), pending(second)
    assert first_tokens and second_tokens and first_tokens != second_tokens
    assert executions.by_token(first_tokens[0]) is first
    assert executions.by_token(second_tokens[0]) is second
