"""pytest fixtures for flows running in a container engine, or in the test's process.

Registered through the `pytest11` entry point, so a project that installs sfn-flows can use
the fixtures unchanged. Nothing starts unless a test asks for a fixture.

    def test_job(run_flow):
        result = run_flow("long-running-job", {"job_id": "j1", "items": ["a"]})
        assert result.succeeded
        result.assert_visited("ProcessData", "NotifyCompletion")

`simulate_flow(name, input)` runs the same workflow on the in-process engine instead, with
its real handlers and Waits that take no time (no Docker; not marked `containers`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from sfn_flows.testing.project_flows import ProjectFlows

ENGINE_ENV = "SFN_FLOWS_ENGINE"
PORT_ENV = "SFN_FLOWS_ENGINE_PORT"
IMAGE_ENV = "SFN_FLOWS_LOCAL_STACK_IMAGE"
STATUS_EVENTS_ENV = "SFN_FLOWS_STATUS_EVENTS"
STACK = "sfn-flows-tests"
# The fixtures that start an engine in Docker; a test using any of them (or a fixture that
# does) is marked `containers`.
ENGINE_FIXTURES = frozenset({"sfn_engine", "sfn_deployed", "run_flow", "sfn_mocked"})
# The first line of each EngineError a test was stopped by -> how many tests.
ENGINE_FAILURES = pytest.StashKey[dict[str, int]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sfn-flows")
    group.addoption(
        "--sfn-engine",
        default=None,
        help=f"engine for flow tests: sfn-flows-local (default), local-stack or "
        f"stepfunctions-local (env {ENGINE_ENV})",
    )
    group.addoption(
        "--sfn-status-events",
        action="store_true",
        default=None,
        help="the engine sends EventBridge 'Step Functions Execution Status Change' events to "
        f"the local stack (sfn-flows-local only; env {STATUS_EVENTS_ENV}=1)",
    )
    group.addoption(
        "--sfn-engine-port",
        default=None,
        help=f"publish the engine's local stack on this host port (env {PORT_ENV}); "
        "default a free port",
    )
    group.addoption(
        "--sfn-local-stack-image",
        default=None,
        help=f"use this local-stack image (pulled if absent, e.g. ministackorg/ministack:1.5.33) "
        f"instead of building one here (env {IMAGE_ENV})",
    )
    group.addoption(
        "--sfn-project",
        default=None,
        help="project folder with workflows/ and lambdas/ (default: rootdir)",
    )
    group.addoption(
        "--sfn-time-scale",
        default=None,
        help="multiply Wait seconds and retry intervals of deployed flows by FACTOR "
        "(env SFN_FLOWS_TIME_SCALE); default 1 = real time",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "containers: needs the sfn-flows engine in Docker (uses sfn_engine, sfn_deployed, "
        "run_flow or sfn_mocked, directly or through a fixture); set by the sfn-flows plugin. "
        'Run the other tests alone with -m "not containers".',
    )


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        # fixturenames is the closure: a user's fixture that asks for run_flow counts
        if ENGINE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.containers)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test stopped by an EngineError (a session fixture's is raised again for every test
    that needs it) is reported as its message: the cause and the fix on the first line,
    which is what the short summary line shows, and no traceback into the plugin. A failed
    test that held flow results gets a section with the Mermaid of each one's path."""
    report = yield
    if (
        report.when == "call"
        and report.failed
        and call.excinfo is not None
        # No FlowResult can exist before the module that defines it was imported.
        and "sfn_flows.engine.result" in sys.modules
    ):
        from sfn_flows.testing.failure_diagrams import diagram_sections

        frames = [entry.frame.f_locals for entry in call.excinfo.traceback]
        fixtures = getattr(item, "funcargs", {})
        report.sections.extend(diagram_sections(frames, fixtures))
    # No EngineError can have been raised before the module that defines it was imported.
    engines = sys.modules.get("sfn_flows.testing.engines")
    if (
        engines is not None
        and report.failed
        and call.excinfo is not None
        and isinstance(call.excinfo.value, engines.EngineError)
    ):
        text = f"EngineError: {call.excinfo.value}"
        report.longrepr = text
        failures = item.config.stash.setdefault(ENGINE_FAILURES, {})
        first = text.partition("\n")[0]
        failures[first] = failures.get(first, 0) + 1
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Each cause once and in full: the short summary cuts its lines at the terminal's
    width (unless on CI or with -vv), and a long test id leaves no room for it."""
    failures = config.stash.get(ENGINE_FAILURES, {})
    if failures:
        terminalreporter.write_sep("=", "sfn-flows engine")
        for first, count in failures.items():
            tests = "1 test" if count == 1 else f"{count} tests"
            terminalreporter.write_line(f"{tests} could not run: {first}")


@dataclass(frozen=True)
class EngineChoice:
    name: str
    host_port: int | None
    stack_image: str | None  # a published image to use instead of building one
    status_events: bool = False

    def local_stack_image(self) -> str:
        """The local-stack image's tag: the given one (pulled if absent) or the one built
        here (reused when its inputs have not changed)."""
        from sfn_flows.local.images import build_local_stack_image, pulled_image

        if self.stack_image:
            return pulled_image(self.stack_image).tag
        return build_local_stack_image().tag


def engine_choice(config: pytest.Config) -> EngineChoice:
    """The engine and host port asked for by option or environment, checked before anything
    starts."""
    from sfn_flows.testing.engines import ENGINES, EngineError

    name = config.getoption("--sfn-engine") or os.environ.get(ENGINE_ENV) or ENGINES[0]
    if name not in ENGINES:
        raise EngineError(
            f"unknown engine {name!r} (from --sfn-engine or {ENGINE_ENV}); choose one of "
            f"{', '.join(ENGINES)}"
        )
    image = config.getoption("--sfn-local-stack-image") or os.environ.get(IMAGE_ENV) or None
    events = _status_events(config)
    port_text = config.getoption("--sfn-engine-port") or os.environ.get(PORT_ENV)
    if port_text is None or port_text == "":
        return EngineChoice(name, None, image, events)
    if not str(port_text).isdigit() or not 1 <= int(port_text) <= 65535:
        raise EngineError(
            f"engine port {port_text!r} (from --sfn-engine-port or {PORT_ENV}) is not a port "
            "number; give 1-65535, or leave it unset to get a free port"
        )
    return EngineChoice(name, int(port_text), image, events)


def _status_events(config: pytest.Config) -> bool:
    from sfn_flows.testing.engines import EngineError

    if config.getoption("--sfn-status-events"):
        return True
    value = os.environ.get(STATUS_EVENTS_ENV, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise EngineError(
        f"{STATUS_EVENTS_ENV}={value!r} is not a switch; give 1 (send execution status events) "
        "or 0 (do not)"
    )


@dataclass(frozen=True)
class DeployedProject:
    root: Path
    stack: str
    outputs: dict[str, str]
    api_url: str | None
    target: Any


def _engine_failure(exc: Exception, doing: str = "start the engine") -> NoReturn:
    """Any failure of an engine fixture as one EngineError (reported by
    pytest_runtest_makereport above)."""
    from sfn_flows.testing.engines import engine_error

    raise engine_error(exc, doing) from None


def _docker_engine() -> None:
    """A Docker engine that answers: this machine's, installed and started when needed, or
    the one DOCKER_HOST names (never replaced by a local one)."""
    from sfn_flows.local.docker_engine import docker_answers, ensure_docker_engine
    from sfn_flows.testing.engines import EngineError

    host = os.environ.get("DOCKER_HOST", "")
    if _local_docker():
        ensure_docker_engine()
    # Another Docker that answers needs nothing more (ensure_docker_engine would only run
    # the same `docker info` a second time); one that does not is never replaced.
    elif not docker_answers():
        raise EngineError(
            f"Docker does not answer at DOCKER_HOST={host} (`docker info` fails); start it "
            "there, or unset DOCKER_HOST to use this machine's Docker (installed and started "
            "when missing)"
        )


def _local_docker() -> bool:
    """The Docker engine is this machine's (DOCKER_HOST unset or its default socket)."""
    return os.environ.get("DOCKER_HOST", "") in ("", "unix:///var/run/docker.sock")


@pytest.fixture(scope="session")
def _sfn_sigterm_as_interrupt() -> Iterator[None]:
    """While containers run, SIGTERM (a cancelled CI job, `timeout`) ends the session like
    Ctrl-C, so the fixtures' teardown still removes them. A handler someone else installed
    is left alone."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt("SIGTERM: stopping the engine containers")

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.fixture(scope="session")
def sfn_engine(pytestconfig: pytest.Config, _sfn_sigterm_as_interrupt: None) -> Iterator[Any]:
    """The engine container, started once per session and removed at the end (also when
    tests fail or the run is interrupted by Ctrl-C or SIGTERM)."""
    from sfn_flows.testing.engines import (
        check_host_port_free,
        remove_leftover_containers,
        start_engine,
    )

    engine = None
    try:  # the finally also runs when setup is interrupted (Ctrl-C, SIGTERM)
        try:
            choice = engine_choice(pytestconfig)
            _docker_engine()
            if choice.host_port is not None and _local_docker():
                check_host_port_free(choice.host_port)
            image = choice.local_stack_image()
            remove_leftover_containers()
            engine = start_engine(
                choice.name,
                image,
                host_port=choice.host_port,
                lambdas_dir=_project_root(pytestconfig) / "lambdas",
                status_events=choice.status_events,
            )
        except Exception as exc:  # an interrupt is no failure to report: it propagates
            _engine_failure(exc)
        yield engine
    finally:
        if engine is not None:
            engine.stop()
            remove_leftover_containers()


@pytest.fixture(scope="session")
def sfn_time_scale(pytestconfig: pytest.Config) -> float:
    """Factor for Wait seconds and retry intervals of the deployed flows (1 = real time).

    Override it in a conftest.py (session scope) to shorten waits for a whole test folder.
    """
    from sfn_flows.errors import SfnFlowsError
    from sfn_flows.testing.timescale import ENV, parse_time_scale

    value, source = pytestconfig.getoption("--sfn-time-scale"), "--sfn-time-scale"
    if value is None:
        value, source = os.environ.get(ENV, "1"), ENV
    try:
        return parse_time_scale(value, source)
    except SfnFlowsError as exc:
        _engine_failure(exc)


@pytest.fixture(scope="session")
def _sfn_build(
    pytestconfig: pytest.Config,
    sfn_time_scale: float,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The project built (before sfn_engine: a project that does not build fails without
    starting a container)."""
    build_dir = tmp_path_factory.mktemp("sfn-build")
    try:
        _build_project(_project_root(pytestconfig), build_dir, sfn_time_scale)
    except Exception as exc:
        _engine_failure(exc, "build the project")
    return build_dir


@pytest.fixture(scope="session")
def sfn_deployed(pytestconfig: pytest.Config, _sfn_build: Path, sfn_engine: Any) -> DeployedProject:
    """The project's workflows and Lambdas built and deployed into the engine."""
    try:
        return _deploy_build(_project_root(pytestconfig), _sfn_build, sfn_engine, STACK)
    except Exception as exc:
        _engine_failure(exc, "deploy the project into the engine")


def _project_root(config: pytest.Config) -> Path:
    return Path(config.getoption("--sfn-project") or config.rootpath)


def _build_project(root: Path, build_dir: Path, time_scale: float) -> None:
    """Build root/workflows into build_dir (Wait seconds and retry intervals scaled)."""
    from sfn_flows.project.build import write_build
    from sfn_flows.testing.project_flows import compile_flows
    from sfn_flows.testing.timescale import scale_build

    # Its ProjectFlowsError (no workflows folder, build problems) becomes an EngineError
    # with the same message in the fixtures (_engine_failure).
    result = compile_flows(root)
    write_build(result, build_dir, root)
    if time_scale != 1:
        scale_build(build_dir, time_scale)


def _deploy_build(root: Path, build_dir: Path, engine: Any, stack: str) -> DeployedProject:
    """Deploy into the engine's local stack (deploy's own code), then let the engine make the
    workflows runnable where it runs state machines."""
    from sfn_flows.aws import Target
    from sfn_flows.deploy.outputs import reachable_api_url
    from sfn_flows.deploy.stack import deploy_project

    local_stack = Target(endpoint_url=engine.endpoint_url)
    deployed = deploy_project(
        local_stack, stack=stack, build_dir=build_dir, lambdas_dir=root / "lambdas"
    )
    outputs = engine.publish(build_dir, stack, deployed.outputs)
    return DeployedProject(
        root, stack, outputs, reachable_api_url(local_stack, outputs), engine.target()
    )


@dataclass
class MockedProject:
    """The project deployed into its own engine started with a mock config."""

    deployed: DeployedProject
    test_cases: dict[str, list[str]]
    engine: Any
    build_dir: Path | None = None
    stopped: bool = False

    def stop(self) -> None:
        """Stop the engine now (else at the end of the session)."""
        if not self.stopped:
            self.stopped = True
            self.engine.stop()

    def run(
        self,
        workflow: str,
        payload: Any = None,
        *,
        test_case: str,
        timeout: float = 60.0,
        execution_name: str | None = None,
    ) -> Any:
        """Run `workflow` with the mocks of `test_case` -> FlowResult."""
        from sfn_flows.deploy.naming import state_machine_output
        from sfn_flows.testing.flows import run_and_describe

        key = state_machine_output(workflow)
        if key not in self.deployed.outputs:
            pytest.fail(f"workflow {workflow!r} is not deployed", pytrace=False)
        if test_case not in self.test_cases.get(workflow, []):
            pytest.fail(
                f"workflow {workflow!r} has no mock test case {test_case!r} (it has: "
                f"{', '.join(self.test_cases.get(workflow, [])) or 'none'}); add it with "
                "MockConfig.test_case(...)",
                pytrace=False,
            )
        return run_and_describe(
            execution_client(self.deployed.target),
            f"{self.deployed.outputs[key]}#{test_case}",
            {} if payload is None else payload,
            timeout=timeout,
            name=execution_name,
            definition=built_definition(self.build_dir, workflow) if self.build_dir else None,
        )


@pytest.fixture(scope="session")
def sfn_mocked(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    sfn_time_scale: float,
    _sfn_sigterm_as_interrupt: None,
) -> Iterator[Callable[..., MockedProject]]:
    """`sfn_mocked(mocks, *, time_scale=None) -> MockedProject`: a separate engine started
    with `mocks` (a sfn_flows.testing.mocks.MockConfig) as its SFN_MOCK_CONFIG, the project
    deployed into it; `.run(workflow, input, test_case=...)`. Call it once per config (in a
    module-scoped fixture): each call starts a container, all stopped at session end."""
    from sfn_flows.testing.engines import start_engine
    from sfn_flows.testing.mocks import MockConfig

    root = _project_root(pytestconfig)
    started: list[MockedProject] = []

    def start(mocks: MockConfig, *, time_scale: float | None = None) -> MockedProject:
        folder = tmp_path_factory.mktemp("sfn-mocked")
        build_dir = folder / "build"
        config = folder / "mock-config.json"
        try:
            choice = engine_choice(pytestconfig)
            _build_project(root, build_dir, sfn_time_scale if time_scale is None else time_scale)
            mocks.validate(build_dir)
            config.write_text(mocks.to_json(STACK), encoding="utf-8")
            _docker_engine()
            engine = start_engine(
                choice.name,
                choice.local_stack_image(),
                mock_config=config,
                lambdas_dir=root / "lambdas",
                status_events=choice.status_events,
            )
            try:
                deployed = _deploy_build(root, build_dir, engine, STACK)
            except BaseException:
                engine.stop()
                raise
        except Exception as exc:
            _engine_failure(exc, "start the mocked engine")
        cases = {workflow: mocks.test_cases(workflow) for workflow in mocks.workflows()}
        project = MockedProject(deployed, cases, engine, build_dir)
        started.append(project)
        return project

    try:
        yield start
    finally:
        for project in started:
            project.stop()


@pytest.fixture
def run_flow(sfn_deployed: DeployedProject, _sfn_build: Path) -> Callable[..., Any]:
    """`run_flow(name, input=None, *, timeout=60, name_suffix=None) -> FlowResult`."""
    from sfn_flows.deploy.naming import state_machine_output
    from sfn_flows.testing.flows import FlowResult, run_and_describe

    client = execution_client(sfn_deployed.target)

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
            definition=built_definition(_sfn_build, workflow),
        )

    return run


def built_definition(build_dir: Path, workflow: str) -> dict[str, Any] | None:
    """The ASL the build wrote for `workflow` (what was deployed), for FlowResult.diagram()."""
    import json

    from sfn_flows.project.build import ASL_SUFFIX

    path = build_dir / f"{workflow}{ASL_SUFFIX}"
    if not path.is_file():
        return None
    definition: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return definition


def execution_client(target: Any) -> Any:
    """A client that polls the engine's executions often: it is local, a poll costs it a few
    milliseconds, and a flow done in 30 ms would otherwise wait for the default schedule's
    first poll at 1 s. Polls back off to at most 0.25 s + 10 % of the time waited."""
    from sfn_flows.client import ExecutionClient
    from sfn_flows.client.schedule import PollSchedule

    schedule = PollSchedule(first=0.02, floor=0.02, growth=2.0, max_lateness_base=0.25)
    return ExecutionClient(target, schedule=schedule)


@pytest.fixture(scope="session")
def simulate_flow(pytestconfig: pytest.Config) -> ProjectFlows:
    """The project's own workflows on the in-process engine, no Docker: `simulate_flow(name,
    input=None, *, tasks=None, mocks=None, test_case=None, lambdas=None, clock=None) ->
    FlowResult`, each function running its handler from lambdas/ in the test's process and
    Waits taking no time (a `sfn_flows.testing.ProjectFlows`; `.start(...)` gives an
    Execution to answer `.waitForTaskToken` callbacks). Compiled once per session."""
    from sfn_flows.errors import SfnFlowsError
    from sfn_flows.testing.project_flows import load_project

    try:
        return load_project(_project_root(pytestconfig))
    except SfnFlowsError as exc:  # no workflows folder, a broken module, a build problem
        problem = str(exc)
    pytest.fail(problem, pytrace=False)  # here, so pytest shows no exception it replaced
