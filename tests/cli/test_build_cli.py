"""`sfn-flows build` on real projects in temporary folders, through the real command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sfn_flows", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "workflows", tmp_path / "workflows", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def tasks_of(scope: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for state in scope["States"].values():
        if state["Type"] == "Task":
            found.append(state)
        for branch in state.get("Branches", []):
            found.extend(tasks_of(branch))
        if "ItemProcessor" in state:
            found.extend(tasks_of(state["ItemProcessor"]))
    return found


def test_build_examples(project: Path) -> None:
    result = run(project, "build")
    assert result.returncode == 0, result.stderr
    assert "long-running-job" in result.stdout and "order-fulfilment" in result.stdout
    assert "22.23 min" in result.stdout  # the long-running job's budget: 1334 s
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    names = [w["name"] for w in manifest["workflows"]]
    assert names == ["long-running-job", "order-fulfilment"]
    for entry in manifest["workflows"]:
        definition = json.loads((project / "build" / entry["definition"]).read_text())
        assert definition["TimeoutSeconds"] == entry["timeout_seconds"]
        tasks = tasks_of(definition)
        assert tasks and all("TimeoutSeconds" in t for t in tasks)
        assert entry["budget"]["bounded"] is True
        assert entry["budget"]["seconds"] <= entry["timeout_seconds"]
    job = manifest["workflows"][0]
    assert job["budget"]["seconds"] == 1334.0
    assert job["input_schema"]["required"] == ["job_id", "items"]
    assert manifest["functions"]["ProcessData"] == {
        "handler": "process_data.handler",
        "timeout_seconds": 300,
        "memory_mb": 256,
        "substitution": "ProcessDataFunctionArn",
    }


def test_build_is_byte_identical_twice(project: Path, tmp_path: Path) -> None:
    assert run(project, "build", "--out", "one").returncode == 0
    assert run(project, "build", "--out", "two").returncode == 0
    one = {p.name: p.read_bytes() for p in (project / "one").iterdir()}
    two = {p.name: p.read_bytes() for p in (project / "two").iterdir()}
    # two ASL files, manifest.json and the CloudFormation template.json
    assert one == two and len(one) == 4


def test_build_json(project: Path) -> None:
    result = run(project, "build", "--json")
    document = json.loads(result.stdout)
    assert document["ok"] is True
    budgets = {w["name"]: w["budget"]["seconds"] for w in document["workflows"]}
    assert budgets["long-running-job"] == 1334.0


def test_stale_outputs_are_removed(project: Path) -> None:
    (project / "build").mkdir()
    (project / "build" / "gone.asl.json").write_text("{}")
    assert run(project, "build").returncode == 0
    assert not (project / "build" / "gone.asl.json").exists()


def write_workflow(project: Path, name: str, body: str) -> None:
    (project / "workflows" / f"{name}.py").write_text(textwrap.dedent(body))


def test_bad_workflows_report_every_problem_and_write_nothing(project: Path) -> None:
    write_workflow(
        project,
        "broken",
        """
        from sfn_flows import Pass, Task, Workflow
        a = Task("NoTimeout", resource="arn:aws:states:::lambda:invoke")
        b = Pass("BadPath", input_path="$.a[")
        first = Workflow(name="first-broken", start=a >> b, timeout_seconds=60)
        c = Task("Slow", resource="arn:aws:states:::lambda:invoke", timeout_seconds=100)
        second = Workflow(name="second-broken", start=c, timeout_seconds=60)
        """,
    )
    result = run(project, "build")
    assert result.returncode == 1
    out = result.stdout
    assert "first-broken" in out and "/States/NoTimeout/TimeoutSeconds" in out
    assert "/States/BadPath/InputPath" in out
    assert "second-broken" in out and "budget" not in out.split("second-broken", 1)[0][-5:]
    assert "more than the workflow's timeout_seconds=60" in out
    assert "nothing written" in out
    assert not (project / "build").exists()


@pytest.mark.parametrize(
    ("source", "fragments"),
    [
        ("def broken(:\n", ["bad.py:1: syntax error"]),
        ("raise RuntimeError('boom')\n", ["bad.py:1: RuntimeError: boom"]),
        (
            "from sfn_flows import Pass, Workflow\n"
            "w = Workflow(name='x y', start=Pass('P'), timeout_seconds=5)\n",
            ["bad.py:2: invalid Workflow", "name: Value error", "contains ' '"],
        ),
        (
            "from sfn_flows import Pass, Workflow\nw = Workflow(name='x', start=Pass('P'))\n",
            ["bad.py:2: invalid Workflow", "timeout_seconds: Field required"],
        ),
        (
            "from sfn_flows import Choice, Pass\nChoice('C') >> Pass('P')\n",
            ["bad.py:2: state 'C' (Choice) cannot have a Next state"],
        ),
    ],
    ids=["syntax", "raises", "bad-name", "no-timeout", "chain-error"],
)
def test_broken_modules(project: Path, source: str, fragments: list[str]) -> None:
    (project / "workflows" / "bad.py").write_text(source)
    result = run(project, "build")
    assert result.returncode == 1
    for fragment in fragments:
        assert fragment in result.stderr


def test_missing_workflows_folder(tmp_path: Path) -> None:
    result = run(tmp_path, "build")
    assert result.returncode == 1
    assert "workflows: no such folder" in result.stderr and "--workflows" in result.stderr


def test_folder_without_workflows(tmp_path: Path) -> None:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "empty.py").write_text("x = 1\n")
    result = run(tmp_path, "build")
    assert result.returncode == 1 and "no workflows found" in result.stderr


def test_duplicate_workflow_names(project: Path) -> None:
    write_workflow(
        project,
        "again",
        """
        from sfn_flows import Pass, Workflow
        clash = Workflow(name="long-running-job", start=Pass("P"), timeout_seconds=5)
        """,
    )
    result = run(project, "build")
    assert result.returncode == 1
    assert "workflow name 'long-running-job' is also used by" in result.stderr
