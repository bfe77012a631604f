"""A guarded worker whose work outlasts its Task's timeout, deployed into the real local
stack: the real Lambda (with the packaged sfn_flows runtime) stops before the Task's
deadline with a continuation, and the ContinueUntilDone loop, run by the local stack's own
Step Functions engine, invokes it again until the work is done.

The work (12 items of 0.25 s, slept for real) takes longer than one 3 s Task, so it cannot
finish in one invocation: without the guard the Task would time out. The assertions are on
the outcome (the local stack's history leaves out the states inside a Parallel), never on
elapsed time.
"""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.deploy.naming import state_machine_output
from sfn_flows.deploy.stack import deploy_project
from sfn_flows.project.build import compile_project, write_build

STACK = "sfn-flows-e2e-worker-deadline"

WORKFLOW = """
from sfn_flows import ContinueUntilDone, LambdaFunction, LambdaInvoke, Workflow

worker = LambdaFunction("SlowWorker", handler="slow_worker.handler", timeout_seconds=30)
work = LambdaInvoke("SlowWork", function=worker, timeout_seconds=3)
# A stalled start (a cold start on a busy machine) is retried rather than failing the job.
work.add_retry(["States.Timeout"], interval_seconds=1, max_attempts=2)
slow_job = Workflow(
    name="slow-job", start=ContinueUntilDone(work, max_iterations=20), timeout_seconds=600
)
"""

WORKER = """
import time

from sfn_flows.runtime import deadline_guard


@deadline_guard(margin_seconds=0.5)
def handler(event, budget):
    pause = event["seconds_per_item"]
    done = budget.continuation or 0
    for index in range(done, event["items"]):
        if budget.expired(2 * pause):
            return budget.partial(index, result={"done": index})
        time.sleep(pause)
    return {"items": event["items"], "iterations": budget.iteration, "resumed_at": done}
"""


@pytest.fixture(scope="module")
def state_machine(tmp_path_factory: pytest.TempPathFactory, local_target: Target) -> str:
    project: Path = tmp_path_factory.mktemp("worker-deadline")
    for folder, name, text in (
        ("workflows", "slow_job.py", WORKFLOW),
        ("lambdas", "slow_worker.py", WORKER),
    ):
        (project / folder).mkdir(exist_ok=True)
        (project / folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    result = compile_project(project / "workflows")
    assert result.ok, [p.render() for _, f in result.failures for p in f.problems]
    write_build(result, project / "build", project)
    deployed = deploy_project(
        local_target, stack=STACK, build_dir=project / "build", lambdas_dir=project / "lambdas"
    )
    return deployed.outputs[state_machine_output("slow-job")]


def run_to_end(target: Target, arn: str, body: Any, deadline: float = 120) -> dict[str, Any]:
    sfn = target.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(body))["executionArn"]
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.2)
    raise AssertionError(f"{execution} still RUNNING after {deadline} s")


def test_work_longer_than_the_task_timeout_finishes_through_continuations(
    local_target: Target, state_machine: str
) -> None:
    outcome = run_to_end(local_target, state_machine, {"items": 12, "seconds_per_item": 0.25})
    assert outcome["status"] == "SUCCEEDED", (outcome.get("error"), outcome.get("cause"))
    output = json.loads(outcome["output"])
    assert output["items"] == 12
    # 3 s of work in Tasks of 3 s: at least two invocations, each going on from the last.
    assert 2 <= output["iterations"] <= 20
    # The last invocation went on from where the one before it stopped.
    assert 0 < output["resumed_at"] < 12
