"""Build generated modules as `sfn-flows build` does: the build's own discovery imports them
from a folder, and each workflow is compiled (or, when the build refuses it, assembled, to
see what it would write)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from sfn_flows.compile import assemble_definition, compile_workflow
from sfn_flows.errors import WorkflowError
from sfn_flows.project.discover import discover_workflows


def written(definition: Any) -> str:
    """A definition as `sfn-flows build` writes it (CompiledWorkflow.definition_json)."""
    return json.dumps(definition, indent=2, ensure_ascii=False) + "\n"


def build_modules(folder: Path, texts: dict[str, str]) -> dict[str, tuple[str, bool]]:
    """Write each text as `folder/<module>.py`, discover and compile every workflow. By
    module name: the ASL as the build writes it, and whether the build accepts it."""
    folder.mkdir(parents=True, exist_ok=True)
    for module, text in texts.items():
        (folder / f"{module}.py").write_text(text, encoding="utf-8")
    built: dict[str, tuple[str, bool]] = {}
    for item in discover_workflows(folder, import_timeout=120):
        try:
            built[item.source.stem] = (compile_workflow(item.workflow).definition_json(), True)
        except WorkflowError:
            built[item.source.stem] = (written(assemble_definition(item.workflow)), False)
    return built


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    """ruff (a dev dependency) on generated files, with no project configuration."""
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--isolated"],
        capture_output=True,
        text=True,
        timeout=300,
    )
