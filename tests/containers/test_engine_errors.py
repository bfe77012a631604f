"""Bad input around the engine, with real Docker: each is a clear error naming the cause and
the fix, within a deadline, and leaves no container behind."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from sfn_flows.local.images import ImageBuildError, ImageRecipe, build_local_stack_image
from sfn_flows.testing.engines import (
    RUN_LABEL,
    EngineError,
    check_host_port_free,
    start_local_stack,
)

from . import leftovers
from .sample_project import write_sample_project

pytest_plugins = ["pytester"]


@pytest.fixture
def no_container_left(sfn_engine: Any) -> Iterator[str]:
    """sfn_engine: Docker is running and the image is built. Yields the run tag: nothing that
    carries it may be left when the test ends."""
    with leftovers.no_container_left() as run:
        yield run


def _recipe(requirements: str, extra_step: str = "") -> ImageRecipe:
    default = ImageRecipe.default()
    return ImageRecipe(default.dockerfile + extra_step, requirements)


def test_a_pin_that_does_not_exist(no_container_left: str) -> None:
    with pytest.raises(ImageBuildError) as raised:
        build_local_stack_image(recipe=_recipe("sfn-flows-no-such-package==1.0\n"), deadline=300)
    message = str(raised.value)
    assert message.startswith("could not download the wheels:")
    assert "No matching distribution found for sfn-flows-no-such-package==1.0" in message
    assert "check the pins" in message


def test_a_dockerfile_step_that_fails(no_container_left: str) -> None:
    # The LABEL puts the run tag on the build's intermediate containers: one left would count.
    recipe = _recipe(
        "six==1.16.0\n",
        f"LABEL {RUN_LABEL}={no_container_left}\n"
        "RUN /opt/venv/bin/python -c 'raise SystemExit(3)'\n",
    )
    with pytest.raises(ImageBuildError) as raised:
        build_local_stack_image(recipe=recipe, deadline=300)
    message = str(raised.value)
    assert message.startswith("could not build the image:")
    assert "non-zero code: 3" in message
    assert "rebuild with `sfn-flows local image`" in message


def test_a_container_that_never_becomes_ready(sfn_engine: Any, no_container_left: str) -> None:
    with pytest.raises(EngineError) as raised:
        start_local_stack(sfn_engine.stack_image, command="sleep 600", deadline=1)
    first, _, details = str(raised.value).partition("\n")
    assert first.startswith("the local-stack engine did not become ready within 1 s (still ")
    assert "The container was removed" in first and "free memory and CPU" in first
    assert "last log lines: " in details


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("true", ("exited with code 0 before it answered", "last log lines: (none)")),
        (
            "/opt/venv/bin/python -c \"print('boom'); raise SystemExit(4)\"",
            ("exited with code 4 before it answered", "last log lines: boom"),
        ),
    ],
    ids=["at-once", "after-a-line"],
)
def test_a_container_that_exits(
    sfn_engine: Any, no_container_left: str, command: str, expected: tuple[str, str]
) -> None:
    # A deadline far beyond the test's duration: the exit must be noticed, not waited out.
    with pytest.raises(EngineError) as raised:
        start_local_stack(sfn_engine.stack_image, command=command, deadline=600)
    first, _, details = str(raised.value).partition("\n")
    cause, log = expected
    assert first.startswith(f"the local-stack container {cause}; check that the image runs")
    assert "The container was removed" in first
    assert log in details


def test_a_host_port_in_use(sfn_engine: Any, no_container_left: str, busy_port: int) -> None:
    with pytest.raises(EngineError) as raised:
        start_local_stack(sfn_engine.stack_image, host_port=busy_port, deadline=30)
    first = str(raised.value).partition("\n")[0]
    assert first.startswith(f"host port {busy_port} is already in use; choose a free port")
    assert "--sfn-engine-port" in first


def test_a_host_port_in_use_is_found_before_docker_is_asked(busy_port: int) -> None:
    with pytest.raises(EngineError) as raised:
        check_host_port_free(busy_port)
    first, _, details = str(raised.value).partition("\n")
    assert first.startswith(f"host port {busy_port} is already in use; choose a free port")
    assert details.startswith("something on this machine listens on it")
    with socket.socket() as probe:  # a port nothing listens on passes
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    check_host_port_free(free)


SAMPLE_TEST = """
def test_hello(run_flow):
    assert run_flow("hello", {}).succeeded
"""


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            ["--sfn-engine", "nope"],
            "EngineError: unknown engine 'nope' (from --sfn-engine or SFN_FLOWS_ENGINE); "
            "choose one of sfn-flows-local, local-stack, stepfunctions-local",
        ),
        (
            ["--sfn-engine-port", "70000"],
            "EngineError: engine port '70000' (from --sfn-engine-port or SFN_FLOWS_ENGINE_PORT) "
            "is not a port number; give 1-65535, or leave it unset to get a free port",
        ),
        (
            ["--sfn-engine-port", "{busy_port}"],
            "EngineError: host port {busy_port} is already in use; choose a free port "
            "(--sfn-engine-port / SFN_FLOWS_ENGINE_PORT) *",
        ),
        (
            ["--sfn-local-stack-image", "sfn-flows/no-such-image:1"],
            "EngineError: could not pull sfn-flows/no-such-image:1: * Fix: check the name "
            "and that a registry is reachable from this machine, or leave the image unset *",
        ),
    ],
    ids=["unknown-engine", "not-a-port", "port-in-use", "image-not-pullable"],
)
def test_the_plugin_reports_engine_problems_as_one_line(
    pytester: pytest.Pytester,
    no_container_left: str,
    busy_port: int,
    options: list[str],
    expected: str,
) -> None:
    write_sample_project(pytester, SAMPLE_TEST)
    options = [option.format(busy_port=busy_port) for option in options]
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *options, timeout=300)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{expected.format(busy_port=busy_port)}*"])
    assert "Traceback" not in result.stdout.str()
