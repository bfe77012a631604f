"""`sfn-flows build`: compile every workflow, write the ASL and a manifest, or report all
problems and write nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sfn_flows.compile import CompiledWorkflow, compile_workflow
from sfn_flows.deploy.build_files import MANIFEST, TEMPLATE
from sfn_flows.deploy.template import RUNTIME, render_template
from sfn_flows.errors import WorkflowError
from sfn_flows.project.discover import Discovered, OnStuck, discover_workflows
from sfn_flows.project.function_checks import function_problems

ASL_SUFFIX = ".asl.json"


@dataclass
class BuildResult:
    compiled: list[tuple[Discovered, CompiledWorkflow]] = field(default_factory=list)
    failures: list[tuple[Discovered, WorkflowError]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def compile_project(
    workflows_dir: Path,
    *,
    lambdas_dir: Path | None = None,
    import_timeout: float | None = None,
    on_stuck: OnStuck | None = None,
) -> BuildResult:
    """Discover and compile every workflow, then check the Lambda functions they share:
    one definition per name, a handler in `lambdas_dir` (default: `lambdas/` next to the
    workflows folder) for each. `import_timeout` bounds each module's import (seconds);
    `on_stuck` ends the process when a module ignores its interruption (see
    discover_workflows): only a caller that may end the process passes one."""
    result = BuildResult()
    candidates: list[tuple[Discovered, CompiledWorkflow]] = []
    found = discover_workflows(workflows_dir, import_timeout=import_timeout, on_stuck=on_stuck)
    for item in found:
        try:
            candidates.append((item, compile_workflow(item.workflow)))
        except WorkflowError as exc:
            result.failures.append((item, exc))
    lambdas = workflows_dir.parent / "lambdas" if lambdas_dir is None else lambdas_dir
    checks = function_problems([item for item, _ in candidates], lambdas, runtime=RUNTIME)
    for (item, compiled), problems in zip(candidates, checks, strict=True):
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            result.failures.append((item, WorkflowError(errors, workflow=compiled.name)))
        else:
            warnings = (*compiled.warnings, *problems)
            result.compiled.append((item, replace(compiled, warnings=warnings)))
    # Failures in the order of discovery (sorted by name), wherever they were found.
    result.failures.sort(key=lambda failure: failure[0].workflow.name)
    return result


def write_build(result: BuildResult, out_dir: Path, project_root: Path) -> list[Path]:
    """Write `<name>.asl.json` per workflow, `manifest.json` and the CloudFormation
    `template.json` deploy uses; remove stale outputs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    definitions: dict[str, str] = {}
    for _, compiled in result.compiled:
        path = out_dir / f"{compiled.name}{ASL_SUFFIX}"
        definitions[compiled.name] = compiled.definition_json()
        _write_if_changed(path, definitions[compiled.name])
        written.append(path)
    document = manifest_document(result, project_root)
    manifest = out_dir / MANIFEST
    _write_if_changed(manifest, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    written.append(manifest)
    template = out_dir / TEMPLATE
    _write_if_changed(template, render_template(document, definitions))
    written.append(template)
    for stale in out_dir.glob(f"*{ASL_SUFFIX}"):
        if stale not in written:
            stale.unlink()
    return written


def manifest_document(result: BuildResult, project_root: Path) -> dict[str, Any]:
    """What later steps (deploy, the starter Lambda) need, without re-importing workflows."""
    workflows = []
    functions: dict[str, dict[str, Any]] = {}
    for item, compiled in result.compiled:
        wf = compiled.workflow
        states, tasks = compiled.state_counts()
        text = compiled.definition_json()
        workflows.append(
            {
                "name": wf.name,
                "type": wf.type,
                "source": _relative(item.source, project_root),
                "definition": f"{wf.name}{ASL_SUFFIX}",
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "states": states,
                "tasks": tasks,
                "timeout_seconds": wf.timeout_seconds,
                "sync_budget": wf.sync_budget,
                "wait_seconds": wf.wait_seconds,
                "budget": compiled.budget.as_dict(),
                "functions": [f.name for f in compiled.functions],
                "input_schema": wf.input_schema(),
                "output_schema": wf.output_schema(),
                "intake": wf.intake,
                "push": wf.push,
            }
        )
        for function in compiled.functions:
            functions[function.name] = {
                "handler": function.handler,
                "timeout_seconds": function.timeout_seconds,
                "memory_mb": function.memory_mb,
                "substitution": function.substitution,
            }
    return {
        "format": 1,
        "workflows": workflows,
        "functions": {name: functions[name] for name in sorted(functions)},
    }


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _write_if_changed(path: Path, text: str) -> None:
    # Unchanged files keep their mtime, so tools watching build/ see only real changes.
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.write_text(text, encoding="utf-8")
