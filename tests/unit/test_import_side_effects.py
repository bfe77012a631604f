"""Importing any module of sfn_flows changes nothing: no environment variable set, no thread
started, no signal handler installed. The pytest plugin (entry point `pytest11`) is imported in
every session of every project that installs sfn-flows, so it loads nothing of deploy, Docker or
testcontainers until a test asks for an engine.

Each check runs in a fresh interpreter, so modules this test session already imported count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from testcontainers.core.config import testcontainers_config

from sfn_flows.testing.engines import RYUK_ENV, ryuk_off

ROOT = Path(__file__).resolve().parents[2]

IMPORT_EVERYTHING = """
import json, os, pkgutil, signal, sys, threading, traceback

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD)

def handlers():
    return {s.name: repr(signal.getsignal(s)) for s in SIGNALS}

env, threads, signals, cwd = dict(os.environ), threading.active_count(), handlers(), os.getcwd()
import sfn_flows

failed = {}
def on_error(name):
    failed[name] = traceback.format_exc(limit=-3)

names = ["sfn_flows"]
for info in pkgutil.walk_packages(sfn_flows.__path__, "sfn_flows.", onerror=on_error):
    # `python -m sfn_flows` runs the CLI: importing the program is running it.
    if info.name != "sfn_flows.__main__":
        names.append(info.name)
for name in names:
    try:
        __import__(name)
    except BaseException:
        on_error(name)
after = dict(os.environ)
print(json.dumps({
    "imported": names,
    "failed": failed,
    "environment": {k: [env.get(k), after.get(k)] for k in env.keys() | after.keys()
                    if env.get(k) != after.get(k)},
    "threads": [threads, threading.active_count()],
    "signals": [signals, handlers()],
    "cwd": [cwd, os.getcwd()],
}))
"""

PLUGIN_MODULES = """
import json, sys
import sfn_flows.testing.plugin
print(json.dumps(sorted(sys.modules)))
"""

# Never loaded by importing the plugin: they come with the fixtures that start an engine, or
# with the names of sfn_flows.testing a test uses (the plugin imports that package).
NOT_AT_PLUGIN_IMPORT = (
    "sfn_flows.deploy",
    "sfn_flows.client",
    "sfn_flows.engine",
    "sfn_flows.project",
    "docker",
    "testcontainers",
    "boto3",
    "botocore",
    "pydantic",
    "ministack",
)

TESTING_EXPORTS = """
import json, sys
import sfn_flows.testing as testing
before = sorted(sys.modules)
values = {name: getattr(testing, name) for name in testing.__all__}
from sfn_flows.testing import *  # noqa: F403
print(json.dumps({
    "before": before,
    "exports": {name: [value.__module__, getattr(value, "__qualname__", "")]
                for name, value in values.items()},
}))
"""


def run_fresh(code: str) -> Any:
    """Run `code` in a new interpreter whose environment holds none of the variables
    sfn-flows or testcontainers read, so that setting one (even with setdefault) shows."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TESTCONTAINERS_", "TC_", "SFN_FLOWS_", "RYUK_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_importing_every_module_changes_nothing() -> None:
    report = run_fresh(IMPORT_EVERYTHING)
    assert report["failed"] == {}
    # Real coverage: every subpackage was walked, not just the top.
    assert {"sfn_flows.runtime.starter", "sfn_flows.testing.plugin", "sfn_flows.cli.app"} <= set(
        report["imported"]
    )
    assert report["environment"] == {}
    assert report["threads"][0] == report["threads"][1]
    assert report["signals"][0] == report["signals"][1]
    assert report["cwd"][0] == report["cwd"][1]


def test_importing_the_pytest_plugin_loads_no_engine_code() -> None:
    loaded = run_fresh(PLUGIN_MODULES)
    heavy = [
        name
        for name in loaded
        if any(name == top or name.startswith(f"{top}.") for top in NOT_AT_PLUGIN_IMPORT)
    ]
    assert heavy == []


def test_the_testing_package_loads_its_names_on_first_use() -> None:
    report = run_fresh(TESTING_EXPORTS)
    loaded = [name for name in report["before"] if name.startswith("sfn_flows.")]
    assert loaded == ["sfn_flows.testing"]
    # Every name of the eager package it replaced still imports, from where it lives.
    assert report["exports"] == {
        "ContainerEngine": ["sfn_flows.testing.engines", "ContainerEngine"],
        "Engine": ["sfn_flows.testing.engines", "Engine"],
        "EngineError": ["sfn_flows.testing.engines", "EngineError"],
        "FlowResult": ["sfn_flows.engine.result", "FlowResult"],
        "MockConfig": ["sfn_flows.testing.mocks", "MockConfig"],
        "MockConfigError": ["sfn_flows.testing.mocks", "MockConfigError"],
        "ProjectFlows": ["sfn_flows.testing.project_flows", "ProjectFlows"],
        "ProjectFlowsError": ["sfn_flows.testing.project_flows", "ProjectFlowsError"],
        "Return": ["sfn_flows.testing.mocks", "Return"],
        "Throw": ["sfn_flows.testing.mocks", "Throw"],
        "load_project": ["sfn_flows.testing.project_flows", "load_project"],
        "simulate": ["sfn_flows.testing.simulation", "simulate"],
    }


def test_an_unknown_name_of_the_testing_package_is_an_attribute_error() -> None:
    import sfn_flows.testing

    with pytest.raises(AttributeError, match="has no attribute 'run_flow'"):
        sfn_flows.testing.run_flow  # noqa: B018


@pytest.fixture
def no_ryuk_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the variable nor ~/.testcontainers.properties decides about Ryuk."""
    monkeypatch.delenv(RYUK_ENV, raising=False)
    monkeypatch.setattr(testcontainers_config, "tc_properties", {})
    monkeypatch.setattr(testcontainers_config, "_ryuk_disabled", None)


@pytest.mark.usefixtures("no_ryuk_choice")
def test_ryuk_is_off_only_while_the_plugin_starts_its_containers() -> None:
    environment = dict(os.environ)
    assert testcontainers_config.ryuk_disabled is False  # testcontainers' default
    with ryuk_off():
        assert testcontainers_config.ryuk_disabled is True
        assert dict(os.environ) == environment
    assert testcontainers_config.ryuk_disabled is False


@pytest.mark.usefixtures("no_ryuk_choice")
def test_ryuk_setting_is_restored_after_a_failed_start() -> None:
    with pytest.raises(RuntimeError), ryuk_off():
        raise RuntimeError("docker refused")
    assert testcontainers_config.ryuk_disabled is False


@pytest.mark.usefixtures("no_ryuk_choice")
def test_a_users_ryuk_choice_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RYUK_ENV, "false")
    with ryuk_off():
        assert testcontainers_config.ryuk_disabled is False
