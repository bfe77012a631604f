"""`load_project` (what `simulate_flow` returns) on small projects written for each case:
callbacks answered by the test, stand-in handlers, and the set-up mistakes it names."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.testing import (
    MockConfig,
    MockConfigError,
    ProjectFlows,
    ProjectFlowsError,
    Return,
    load_project,
)

APPROVAL = """
from sfn_flows import LambdaFunction, LambdaInvoke, Workflow

ask_fn = LambdaFunction("AskApprover", handler="ask.handler", timeout_seconds=10)
ask = LambdaInvoke(
    "AskApprover",
    function=ask_fn,
    wait_for_task_token=True,
    payload_response_only=False,
    timeout_seconds=3600,
    heartbeat_seconds=600,
)
approval = Workflow(name="approval", start=ask, timeout_seconds=20000)
"""

ASK = """
def handler(event, context=None):
    # A real one would mail event["taskToken"] to the approver.
    return {"sent": True}
"""


def write_project(root: Path, workflows: dict[str, str], lambdas: dict[str, str]) -> Path:
    for folder, files in (("workflows", workflows), ("lambdas", lambdas)):
        (root / folder).mkdir(parents=True)
        for name, text in files.items():
            (root / folder / f"{name}.py").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def approval(tmp_path: Path) -> ProjectFlows:
    return load_project(write_project(tmp_path, {"approval": APPROVAL}, {"ask": ASK}))


def test_the_test_answers_a_callback_the_real_handler_sent(approval: ProjectFlows) -> None:
    execution = approval.start("approval", {"doc": "d-1"})
    waiting = execution.run()
    assert waiting.status == "RUNNING"
    (token,) = execution.pending_tokens
    execution.send_task_success(token, {"approved": True})
    result = execution.run()
    assert result.succeeded, (result.error, result.cause)
    assert result.output == {"approved": True}
    assert [e.type for e in result.events if e.state_name is None][-3:] == [
        "TaskSubmitted",
        "TaskSucceeded",
        "ExecutionSucceeded",
    ]


def test_an_unanswered_callback_times_out_at_its_heartbeat(approval: ProjectFlows) -> None:
    result = approval("approval", {"doc": "d-2"})
    # AWS reports a missed heartbeat as States.Timeout (see sfn_flows.asl.error_names).
    assert (result.status, result.error) == ("FAILED", "States.Timeout")


def test_a_stand_in_keeps_the_functions_declared_timeout(approval: ProjectFlows) -> None:
    seen: list[tuple[str, int]] = []

    def records(event: Any, context: Any) -> Any:
        seen.append((event["taskToken"], context.get_remaining_time_in_millis()))
        return {"sent": True}

    execution = approval.engine("approval", lambdas={"AskApprover": records}).start({})
    execution.run()
    # It got the token, and the 10 s of AskApprover's LambdaFunction, not Lambda's 900 s.
    ((token, left_ms),) = seen
    assert execution.pending_tokens == [token]
    assert 9_000 < left_ms <= 10_000


def test_mocks_are_checked_against_the_projects_workflows(approval: ProjectFlows) -> None:
    mocks = (
        MockConfig()
        .response("R", {"0": Return({})})
        .test_case("approval", "Case", {"AskApprovr": "R"})
    )
    with pytest.raises(MockConfigError, match="no state 'AskApprovr'"):
        approval("approval", {}, mocks=mocks, test_case="Case")
    with pytest.raises(ProjectFlowsError, match="no test_case for workflow 'approval'"):
        approval("approval", {}, mocks=mocks)
    with pytest.raises(ProjectFlowsError, match="test_case='Case' was given without mocks"):
        approval("approval", {}, test_case="Case")
    with pytest.raises(ProjectFlowsError, match="mocks is list"):
        approval("approval", {}, mocks=[], test_case="Case")


def test_a_folder_without_workflows_says_how_to_point_at_the_project(tmp_path: Path) -> None:
    with pytest.raises(ProjectFlowsError, match=r"workflows: no such folder.*--sfn-project DIR"):
        load_project(tmp_path)


@pytest.mark.parametrize("query_language", ["JSONPath", "JSONata"])
def test_a_callback_task_with_default_shapes_returns_what_the_callback_sent(
    tmp_path: Path, query_language: str
) -> None:
    # LambdaInvoke unwraps Lambda's Payload by default; a callback's result has none, so
    # unwrapping it would fail the state with "Invalid path '$.Payload'" (as AWS would).
    source = APPROVAL.replace("    payload_response_only=False,\n", "").replace(
        "timeout_seconds=20000)", f'timeout_seconds=20000, query_language="{query_language}")'
    )
    flows = load_project(write_project(tmp_path, {"approval": source}, {"ask": ASK}))
    execution = flows.start("approval", {"doc": "d-3"})
    (token,) = (execution.run(), execution.pending_tokens)[1]
    execution.send_task_success(token, {"approved": False})
    result = execution.run()
    assert result.succeeded, (result.error, result.cause)
    assert result.output == {"approved": False}
