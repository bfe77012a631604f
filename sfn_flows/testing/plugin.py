"""pytest fixtures for flows running in a container engine.

Registered through the `pytest11` entry point, so a project that installs sfn-flows can use
the fixtures unchanged. Nothing starts unless a test asks for a fixture.

    def test_job(run_flow):
        result = run_flow("long-running-job", {"job_id": "j1", "items": ["a"]})
        assert result.succeeded
        result.assert_visited("ProcessData", "NotifyCompletion")
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ENGINE_ENV = "SFN_FLOWS_ENGINE"
STACK = "sfn-flows-tests"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sfn-flows")
    group.addoption(
        "--sfn-engine",
        default=None,
        help=f"engine for flow tests (env {ENGINE_ENV}); default local-stack",
    )
    group.addoption(
        "--sfn-project",
        default=None,
        help="project folder with workflows/ and lambdas/ (default: rootdir)",
    )


@dataclass(frozen=True)
class DeployedProject:
    root: Path
    stack: str
    outputs: dict[str, str]
    api_url: str | None
    target: Any


def _fail(exc: Exception) -> None:
    # A clear one-line error in the test report, not a traceback into the plugin.
    pytest.fail(f"{type(exc).__name__}: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def sfn_engine(pytestconfig: pytest.Config) -> Iterator[Any]:
    """The engine container, started once per session and removed at the end."""
    from sfn_flows.errors import SfnFlowsError
    from sfn_flows.local.docker_engine import ensure_docker_engine
    from sfn_flows.local.images import build_local_stack_image
    from sfn_flows.testing.engines import remove_leftover_containers, start_engine

    name = pytestconfig.getoption("--sfn-engine") or os.environ.get(ENGINE_ENV, "local-stack")
    try:
        ensure_docker_engine()
        image = build_local_stack_image()
        remove_leftover_containers()
        engine = start_engine(name, image.tag)
    except SfnFlowsError as exc:
        _fail(exc)
    try:
        yield engine
    finally:
        engine.stop()
        remove_leftover_containers()


@pytest.fixture(scope="session")
def sfn_deployed(
    pytestconfig: pytest.Config, sfn_engine: Any, tmp_path_factory: pytest.TempPathFactory
) -> DeployedProject:
    """The project's workflows and Lambdas built and deployed into the engine."""
    from sfn_flows.aws import Target
    from sfn_flows.deploy.outputs import reachable_api_url
    from sfn_flows.deploy.stack import deploy_project
    from sfn_flows.errors import SfnFlowsError
    from sfn_flows.project.build import compile_project, write_build

    root = Path(pytestconfig.getoption("--sfn-project") or pytestconfig.rootpath)
    build_dir = tmp_path_factory.mktemp("sfn-build")
    target = Target(endpoint_url=sfn_engine.endpoint_url)
    try:
        result = compile_project(root / "workflows")
        if not result.ok:
            problems = [
                f"{i.workflow.name}: {p.render()}" for i, f in result.failures for p in f.problems
            ]
            pytest.fail("the project does not build:\n" + "\n".join(problems), pytrace=False)
        write_build(result, build_dir, root)
        deployed = deploy_project(
            target, stack=STACK, build_dir=build_dir, lambdas_dir=root / "lambdas"
        )
    except SfnFlowsError as exc:
        _fail(exc)
    return DeployedProject(
        root, STACK, deployed.outputs, reachable_api_url(target, deployed.outputs), target
    )


@pytest.fixture
def run_flow(sfn_deployed: DeployedProject) -> Callable[..., Any]:
    """`run_flow(name, input=None, *, timeout=60, name_suffix=None) -> FlowResult`."""
    from sfn_flows.client import ExecutionClient
    from sfn_flows.deploy.naming import state_machine_output
    from sfn_flows.testing.flows import FlowResult, run_and_describe

    client = ExecutionClient(sfn_deployed.target)

    def run(
        workflow: str,
        payload: Any = None,
        *,
        timeout: float = 60.0,
        execution_name: str | None = None,
    ) -> FlowResult:
        key = state_machine_output(workflow)
        if key not in sfn_deployed.outputs:
            pytest.fail(
                f"workflow {workflow!r} is not deployed (outputs: {sorted(sfn_deployed.outputs)})",
                pytrace=False,
            )
        return run_and_describe(
            client,
            sfn_deployed.outputs[key],
            {} if payload is None else payload,
            timeout=timeout,
            name=execution_name,
        )

    return run
