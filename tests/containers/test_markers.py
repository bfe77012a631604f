"""Markers that let a user run the fast tests alone: the plugin marks every test that needs
its engine (`containers`), this repository marks the tests that start the embedded local
stack (`e2e`). Selecting them starts no Docker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .sample_project import ENGINE_TESTS, write_sample_project

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
ENGINE_FIXTURES = ("sfn_engine", "sfn_deployed", "run_flow", "sfn_mocked")

SAMPLE_TESTS = (
    ENGINE_TESTS
    + """

def test_deployed(sfn_deployed):
    assert sfn_deployed.outputs


def test_mocked(sfn_mocked):
    assert sfn_mocked


def test_time_scale_alone_needs_no_engine(sfn_time_scale):
    assert sfn_time_scale == 1
"""
)

# Records every fixture that is set up: none of the engine's may be.
RECORDING_CONFTEST = """
def pytest_fixture_setup(fixturedef, request):
    with open(request.config.rootpath / "fixtures-set-up.txt", "a") as log:
        log.write(fixturedef.argname + "\\n")
"""


def test_not_containers_runs_the_others_without_an_engine(pytester: pytest.Pytester) -> None:
    write_sample_project(pytester, SAMPLE_TESTS)
    pytester.makeconftest(RECORDING_CONFTEST)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--strict-markers", "-m", "not containers", timeout=120
    )
    result.assert_outcomes(passed=2, deselected=5)
    set_up = (pytester.path / "fixtures-set-up.txt").read_text().split()
    assert "sfn_time_scale" in set_up  # the log works
    assert not set(set_up) & set(ENGINE_FIXTURES)


def test_containers_selects_every_test_that_needs_the_engine(pytester: pytest.Pytester) -> None:
    write_sample_project(pytester, SAMPLE_TESTS)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--strict-markers", "--collect-only", "-q", "-m", "containers"
    )
    selected = {line.split("::")[1] for line in result.outlines if "::" in line}
    assert selected == {"test_run", "test_fixture", "test_engine", "test_deployed", "test_mocked"}


def test_the_marker_is_registered_with_a_description(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.containers: *Docker*"])


def _selected(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {line for line in done.stdout.splitlines() if "::" in line}


def test_this_repositorys_fast_selection_leaves_out_docker_and_the_local_stack() -> None:
    paths = [
        "tests/e2e",
        "tests/local",
        "tests/deploy/test_deploy_local.py",
        "tests/runtime/test_through_gateway.py",
        "tests/unit/test_docker_engine.py",
        "tests/containers/test_user_project.py",
        "tests/containers/test_stepfunctions_local.py",
    ]
    everything = _selected(*paths)
    fast = _selected("-m", "not containers and not e2e", *paths)
    e2e = _selected("-m", "e2e", *paths)
    docker = everything - fast - e2e
    assert docker == {
        "tests/unit/test_docker_engine.py::test_a_running_engine_is_left_alone",
        "tests/containers/test_user_project.py::test_sample_project_uses_the_fixtures",
        "tests/containers/test_stepfunctions_local.py::"
        "test_sample_project_runs_there_or_is_refused_with_the_fix",
    }
    assert {test for test in everything if test.startswith(("tests/e2e/", "tests/local/"))} <= e2e
    # tests using the local_stack fixture, directly or through others (gateways)
    assert "tests/deploy/test_deploy_local.py::test_second_deploy_changes_nothing" in e2e
    assert "tests/runtime/test_through_gateway.py::test_http_api_idempotency_and_conflict" in e2e
    assert {
        "tests/deploy/test_deploy_local.py::test_deploy_to_an_unreachable_endpoint",
        "tests/unit/test_docker_engine.py::test_stale_pidfiles_are_removed",
        "tests/containers/test_stepfunctions_local.py::test_the_reason_names_the_fix",
    } <= fast
