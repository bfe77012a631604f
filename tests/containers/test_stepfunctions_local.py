"""The project's long-running job on AWS's Step Functions Local, its Lambdas in the local
stack on the same Docker network. The image cannot be pulled on machines without a registry:
then this test skips and says how to run it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.client import ExecutionClient
from sfn_flows.deploy.stack import deploy_project
from sfn_flows.local.images import build_local_stack_image
from sfn_flows.project.build import compile_project, write_build
from sfn_flows.testing import stepfunctions_local
from sfn_flows.testing.engines import CONTAINER_PORT, _wait_until_ready

ROOT = Path(__file__).resolve().parents[2]
STACK = "sfn-local-lambdas"


def test_is_skipped_with_the_reason_and_the_fix_when_the_image_is_absent() -> None:
    reason = stepfunctions_local.available("amazon/aws-stepfunctions-local:no-such-tag")
    assert reason is not None
    assert "docker pull amazon/aws-stepfunctions-local:no-such-tag" in reason


def test_long_running_job_on_stepfunctions_local(tmp_path: Path, sfn_engine: Any) -> None:
    # sfn_engine: a running Docker engine and the local-stack image (for the Lambdas).
    reason = stepfunctions_local.available()
    if reason:
        pytest.skip(reason)
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.network import Network

    for folder in ("workflows", "lambdas"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    build = compile_project(tmp_path / "workflows")
    write_build(build, tmp_path / "build", tmp_path)
    with Network() as network:
        stack = (
            DockerContainer(build_local_stack_image().tag)
            .with_exposed_ports(CONTAINER_PORT)
            .with_network(network)
            .with_network_aliases(stepfunctions_local.LOCAL_STACK_ALIAS)
        )
        with stack:
            endpoint = (
                f"http://{stack.get_container_host_ip()}:{stack.get_exposed_port(CONTAINER_PORT)}"
            )
            _wait_until_ready(endpoint, stack, limit=float("inf"))
            target = Target(endpoint_url=endpoint)
            deploy_project(
                target, stack=STACK, build_dir=tmp_path / "build", lambdas_dir=tmp_path / "lambdas"
            )
            sfn_local = stepfunctions_local.start(network)
            try:
                client = Target(endpoint_url=sfn_local.endpoint_url).client("stepfunctions")
                definitions = {
                    c.name: c.definition_json()
                    for _, c in build.compiled
                    if c.name == "long-running-job"
                }
                arns = stepfunctions_local.create_state_machines(
                    client, definitions, stepfunctions_local.deployed_function_arns(target, STACK)
                )
                runner = ExecutionClient(client)
                execution = runner.start(arns["long-running-job"], {"job_id": "sl", "items": ["a"]})
                final = runner.wait(execution.arn, timeout=120)
            finally:
                sfn_local.stop()
    assert final.status == "SUCCEEDED", (final.error, final.cause)
    assert final.output == {"job_id": "sl", "processed": 1, "notified": True}
