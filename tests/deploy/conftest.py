"""A copy of the example project (workflows/ and lambdas/) to build and deploy in tmp folders."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


# cfn-lint checks a template against the resource specifications of these regions.
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]


def copy_project(target: Path, source: Path = ROOT) -> Path:
    for folder in ("workflows", "lambdas"):
        shutil.copytree(
            source / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return target


def built_copy(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    files: Mapping[str, str] | None = None,
    source: Path = ROOT,
) -> Path:
    """A copy of the project at `source` with `files` (path in the project -> text) added,
    built."""
    project = copy_project(tmp_path_factory.mktemp(name), source)
    for path, text in (files or {}).items():
        (project / path).write_text(text)
    build(project)
    return project


def assert_cfn_lint_clean(project: Path) -> None:
    from cfnlint.api import ManualArgs, lint

    text = (project / "build" / "template.json").read_text()
    matches = lint(text, config=ManualArgs(regions=REGIONS))
    assert matches == [], "\n".join(str(m) for m in matches)


def run_cli(cwd: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess; a traceback is never an acceptable answer."""
    result = subprocess.run(
        [sys.executable, "-m", "sfn_flows", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def build(project: Path) -> None:
    result = run_cli(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project, built once (read-only for the tests that use it)."""
    project = copy_project(tmp_path_factory.mktemp("built-project"))
    build(project)
    return project
