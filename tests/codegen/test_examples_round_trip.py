"""The issue's target: every built workflow of the project's examples makes the round trip
build -> import -> build with byte-identical ASL. Run as a user runs it: `sfn-flows build`,
`sfn-flows import build/<name>.asl.json` for each, `sfn-flows build` of the imported modules
(with the same lambdas/), all as processes.

The sample projects of the tests go the same way: the worker deadline guard's
(tests/flows/long_work, a ContinueUntilDone loop) and the container tests' hello project.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.codegen.building import ruff
from tests.containers.sample_project import HANDLER, WORKFLOW

ROOT = Path(__file__).resolve().parents[2]


def sfn_flows(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sfn_flows", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def hello_project(root: Path) -> Path:
    (root / "workflows").mkdir(parents=True)
    (root / "lambdas").mkdir()
    (root / "workflows" / "hello.py").write_text(textwrap.dedent(WORKFLOW))
    (root / "lambdas" / "greet.py").write_text(textwrap.dedent(HANDLER))
    return root


def copied_project(source: Path, root: Path) -> Path:
    for folder in ("workflows", "lambdas"):
        shutil.copytree(
            source / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return root


@pytest.mark.parametrize("project", ["examples", "long_work", "hello"])
def test_build_import_build_gives_the_same_asl(project: str, tmp_path: Path) -> None:
    original = tmp_path / "original"
    if project == "examples":
        copied_project(ROOT, original)
    elif project == "long_work":
        copied_project(ROOT / "tests" / "flows" / "long_work", original)
    else:
        hello_project(original)
    sfn_flows(original, "build")
    definitions = sorted((original / "build").glob("*.asl.json"))
    assert definitions, "the project built no workflow"

    imported = tmp_path / "imported"
    shutil.copytree(original / "lambdas", imported / "lambdas")
    for definition in definitions:
        report = sfn_flows(imported, "import", str(definition))
        assert "byte for byte" in report.stdout, report.stdout
    modules = sorted((imported / "workflows").glob("*.py"))
    assert len(modules) == len(definitions)
    sfn_flows(imported, "build")

    for definition in definitions:
        rebuilt = imported / "build" / definition.name
        assert rebuilt.read_bytes() == definition.read_bytes(), definition.name
    # The manifest beside each definition named the functions' handlers, timeouts and
    # memory and the workflows' types: the CloudFormation template is the same too.
    template = "template.json"
    assert (imported / "build" / template).read_bytes() == (
        original / "build" / template
    ).read_bytes()
    formatted = ruff("format", "--check", *map(str, modules))
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
