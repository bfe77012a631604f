"""WebSocket push with the state machines on the sfn-flows-local engine: the engine sends the
status change events (--sfn-status-events) to the local-stack container, where the project's
rule hands them to the notifier, as AWS's Step Functions would. tests/e2e/test_push.py covers
the same on the embedded local stack, whose own Step Functions sends the events."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.client import ExecutionClient
from sfn_flows.deploy.naming import state_machine_output
from sfn_flows.deploy.outputs import reachable_push_url
from sfn_flows.deploy.stack import deploy_project
from sfn_flows.project.build import compile_project, write_build
from sfn_flows.testing.engines import SFN_FLOWS_LOCAL, start_engine

ROOT = Path(__file__).resolve().parents[2]
# Held long enough to be running when the client subscribes: its end comes from the notifier.
PUSHED = """
from sfn_flows import Pass, Wait, Workflow

held = Workflow(
    name="held", start=Wait("Hold", seconds=2) >> Pass("Done"), timeout_seconds=60, push=True
)
"""


@pytest.fixture(scope="module")
def pushed(sfn_engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # sfn_engine: Docker runs and the images are built.
    project = tmp_path_factory.mktemp("push-in-container")
    for folder in ("workflows", "lambdas"):
        shutil.copytree(
            ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    (project / "workflows" / "held.py").write_text(PUSHED)
    result = compile_project(project / "workflows")
    assert result.ok, [p.render() for _, f in result.failures for p in f.problems]
    write_build(result, project / "build", project)
    engine = start_engine(
        SFN_FLOWS_LOCAL, sfn_engine.stack_image, lambdas_dir=project / "lambdas", status_events=True
    )
    try:
        local_stack = Target(endpoint_url=engine.endpoint_url)
        deployed = deploy_project(
            local_stack,
            stack="push-in-container",
            build_dir=project / "build",
            lambdas_dir=project / "lambdas",
        )
        outputs = engine.publish(project / "build", "push-in-container", deployed.outputs)
        yield engine, outputs, reachable_push_url(local_stack, outputs)
    finally:
        engine.stop()


def test_the_engines_events_are_pushed(pushed: Any) -> None:
    engine, outputs, push_url = pushed
    assert push_url and push_url.startswith("ws://")
    client = ExecutionClient(engine.target(), push_url=push_url)
    execution = client.start(outputs[state_machine_output("held")], {"job_id": "c1"})
    status = client.wait(execution.arn, timeout=60, push=True)
    assert client.push_fallback is None
    assert status.status == "SUCCEEDED"
    assert status.output == {"job_id": "c1"}
    assert dict(client.calls) == {"StartExecution": 1}
    assert dict(client.push_traffic) == {"connections": 1, "sent": 1, "received": 2}
