"""When an engine fixture fails, every test that depends on it carries the one-line cause
(and the fix) in pytest's short summary, and the session says it once in full: real sample
sessions where the engine cannot be had (a port in use, an unreachable Docker, a project
that does not build)."""

from __future__ import annotations

import socket
import textwrap
from typing import Any

import docker
import pytest

from sfn_flows.testing.engines import EngineError, engine_error

from .sample_project import ENGINE_TESTS, write_sample_project

pytest_plugins = ["pytester"]

BROKEN_WORKFLOW = """
from sfn_flows import LambdaFunction, LambdaInvoke, Pass, Workflow

greet_fn = LambdaFunction("Greet", handler="greet.handler", timeout_seconds=10)
greet = LambdaInvoke("Greet", function=greet_fn, timeout_seconds=300)
hello = Workflow(name="hello", start=greet >> Pass("Done"), timeout_seconds=60)
"""

BUDGET_PROBLEM = (
    "hello: /TimeoutSeconds: error: the longest path can take 1207 s (Greet -> Done), more "
    "than the workflow's timeout_seconds=60. Fix: raise timeout_seconds"
)


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _session(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    columns: int,
    *args: str,
    errors: int = 3,
) -> pytest.RunResult:
    monkeypatch.setenv("COLUMNS", str(columns))
    for variable in ("CI", "BUILD_NUMBER"):  # pytest never cuts summary lines on CI
        monkeypatch.delenv(variable, raising=False)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=300)
    result.assert_outcomes(passed=4 - errors, errors=errors)
    return result


def _summary_errors(result: pytest.RunResult) -> list[str]:
    start = next(i for i, line in enumerate(result.outlines) if "short test summary info" in line)
    return [line for line in result.outlines[start:] if line.startswith("ERROR ")]


def _check(
    result: pytest.RunResult, cause: str, fix: str, columns: int, *, errors: int = 3
) -> None:
    """Each short summary line carries the cause, cut where pytest cuts it at 80 columns
    (`cause` starts with what fits there), with the fix when the width allows; the cause and
    the fix once in full whatever the width."""
    lines = _summary_errors(result)
    assert len(lines) == errors, result.outlines
    for line in lines:
        assert f" - EngineError: {cause}" in line, line
        if columns > 200:
            assert fix in line, line
    result.stdout.fnmatch_lines([f"{errors} tests could not run: EngineError: {cause}*{fix}*"])
    assert "Traceback" not in result.stdout.str()


@pytest.mark.parametrize("columns", [80, 250])
def test_a_port_in_use(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    sfn_engine: Any,
    busy_port: int,
    columns: int,
) -> None:
    write_sample_project(pytester, ENGINE_TESTS)
    result = _session(
        pytester,
        monkeypatch,
        columns,
        "--sfn-engine-port",
        str(busy_port),
        "--sfn-local-stack-image",
        sfn_engine.stack_image,
    )
    _check(result, f"host port {busy_port} is already", "--sfn-engine-port", columns)


@pytest.mark.parametrize("columns", [80, 250])
def test_docker_that_does_not_answer(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, free_port: int, columns: int
) -> None:
    # A real Docker endpoint where nothing listens, as with a remote daemon that is down.
    write_sample_project(pytester, ENGINE_TESTS)
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{free_port}")
    result = _session(pytester, monkeypatch, columns)
    _check(result, "Docker does not answer", f"DOCKER_HOST=tcp://127.0.0.1:{free_port}", columns)


@pytest.mark.parametrize("columns", [80, 250])
def test_a_project_that_does_not_build(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, sfn_engine: Any, columns: int
) -> None:
    write_sample_project(pytester, ENGINE_TESTS)
    pytester.makepyfile(**{"workflows/hello": textwrap.dedent(BROKEN_WORKFLOW)})
    # test_engine needs no build and passes; the two flow tests carry the problem
    result = _session(
        pytester, monkeypatch, columns, "--sfn-local-stack-image", sfn_engine.stack_image, errors=2
    )
    _check(result, "the project does not build", BUDGET_PROBLEM, columns, errors=2)


def test_an_error_that_is_not_ours_keeps_its_details(free_port: int) -> None:
    # A real Docker client error: nothing listens on the port.
    with pytest.raises(docker.errors.DockerException) as raised:
        docker.DockerClient(base_url=f"tcp://127.0.0.1:{free_port}", timeout=5).version()
    error = engine_error(raised.value)
    assert isinstance(error, EngineError)
    first, _, details = str(error).partition("\n")
    assert first.startswith("could not start the engine: DockerException: Error while fetching")
    assert "check that Docker answers (`docker info`)" in first
    assert "Traceback" in details and "Connection refused" in details


def test_our_own_error_is_kept_as_it_is() -> None:
    error = EngineError("host port 1 is already in use; choose a free port")
    assert engine_error(error) is error
