"""What the wait window adds to the build: the API Lambdas' timeout, StartSyncExecution on
the EXPRESS machines whose budget fits (and on nothing else), and the workflows' defaults in
the manifest and the API configuration file. tests/e2e/wait_project is the project."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.deploy.naming import API_CONFIG_FILE, state_machine_logical_id
from sfn_flows.deploy.package import build_package
from sfn_flows.deploy.template import API_FUNCTION_TIMEOUT_SECONDS
from sfn_flows.runtime.deadline import SAFETY_MARGIN_SECONDS
from sfn_flows.runtime.wait_window import MAX_WAIT_SECONDS

from .conftest import assert_cfn_lint_clean, built_copy, load_json
from .test_template import as_list, statements

PROJECT = Path(__file__).resolve().parents[1] / "e2e" / "wait_project"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_copy(tmp_path_factory, "wait-project", source=PROJECT)


@pytest.fixture(scope="module")
def template(project: Path) -> dict[str, Any]:
    document: dict[str, Any] = load_json(project / "build" / "template.json")
    return document


def test_cfn_lint_passes(project: Path) -> None:
    assert_cfn_lint_clean(project)


def test_the_api_lambdas_outlast_the_longest_wait_and_end_before_api_gateway() -> None:
    assert MAX_WAIT_SECONDS + SAFETY_MARGIN_SECONDS < API_FUNCTION_TIMEOUT_SECONDS < 30


def test_api_lambdas_have_the_wait_windows_timeout(template: dict[str, Any]) -> None:
    for function in ("ApiStarterFunction", "ApiStatusFunction"):
        properties = template["Resources"][function]["Properties"]
        assert properties["Timeout"] == API_FUNCTION_TIMEOUT_SECONDS


def test_only_the_starter_may_start_synchronously_and_only_the_fitting_express_machine(
    template: dict[str, Any],
) -> None:
    def granted(role: str) -> dict[str, Any]:
        found = statements(template, role)
        return {action: s["Resource"] for s in found for action in as_list(s["Action"])}

    starter = granted("ApiStarterFunctionRole")
    assert starter["states:StartSyncExecution"] == [
        {"Ref": state_machine_logical_id("express-job")}
    ]
    assert "states:StartSyncExecution" not in granted("ApiStatusFunctionRole")


def test_the_defaults_reach_the_manifest_and_the_api_configuration(project: Path) -> None:
    manifest = load_json(project / "build" / "manifest.json")
    waits = {entry["name"]: entry["wait_seconds"] for entry in manifest["workflows"]}
    assert waits == {
        "express-job": None,
        "long-job": None,
        "quick-job": None,
        "waiting-job": 10,
    }
    package = build_package(project / "lambdas", manifest)
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        config = json.loads(archive.read(API_CONFIG_FILE))["workflows"]
    assert config["waiting-job"]["wait_seconds"] == 10
    assert config["express-job"]["sync"] is True
    assert "sync" not in config["quick-job"] and "wait_seconds" not in config["quick-job"]
