"""`sfn-flows import FILE`: an existing ASL definition as a module of workflows/."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from sfn_flows.cli.render import err, out, print_json, problem_line

if TYPE_CHECKING:
    from sfn_flows.codegen import Imported
    from sfn_flows.codegen.manifest import BuildHints

# AWS's own bounds for a Task's TimeoutSeconds.
_MAX_TASK_TIMEOUT = 99_999_999
_STDOUT = "-"


def import_asl(
    file: Annotated[Path, typer.Argument(help="The ASL definition (.json, .yaml, .yml).")],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="The module to write (default: workflows/<name>.py); '-' prints it.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the output module if it exists.")
    ] = False,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", help="The workflow's name (default: from the build's manifest or the file)."
        ),
    ] = None,
    task_timeout: Annotated[
        int,
        typer.Option(
            "--task-timeout",
            min=1,
            max=_MAX_TASK_TIMEOUT,
            metavar="SECONDS",
            help="default_task_timeout for Tasks without a timeout (sfn-flows requires one).",
        ),
    ] = 900,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Turn an ASL definition into a workflow module written with the builder API; say how
    the ASL it builds differs from the definition (the timeouts sfn-flows adds)."""
    # Here, not at the top: the model, the compiler and the validator are for this command.
    from sfn_flows.codegen import import_definition
    from sfn_flows.codegen.names import definition_stem, module_name, workflow_name
    from sfn_flows.errors import InputFileError
    from sfn_flows.project.files import load_definition
    from sfn_flows.validate import validate_definition

    hints = _manifest_hints(file)
    chosen = name or (hints.workflow_name if hints else workflow_name(definition_stem(file)))
    if workflow_name(chosen) != chosen:
        raise typer.BadParameter(
            f"{chosen!r} is not a workflow name: use letters, digits, '-' and '_' (at most 80).",
            param_hint="--name",
        )
    target = _target(output, module_name(chosen))
    if target is not None:
        _check_target(file, target, force)
    try:
        loaded = load_definition(file)
    except InputFileError as exc:
        _fail(str(exc), as_json)
    problems = validate_definition(
        loaded.definition, size=loaded.size, source=loaded.source, json_bytes=loaded.json_bytes
    )
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        if as_json:
            print_json({"ok": False, "file": str(file), "problems": [p.as_dict() for p in errors]})
        else:
            for problem in errors:
                out.print(problem_line(f"{file}: ", problem))
            err.print(
                f"[red]error[/red]: {escape(str(file))} is not valid ASL "
                f"({len(errors)} error(s) above); nothing was written."
            )
        raise typer.Exit(1)
    imported = import_definition(
        loaded.definition,
        source_name=file.name,
        workflow_name=chosen,
        task_timeout=task_timeout,
        workflow_type=hints.workflow_type
        if hints and chosen == hints.workflow_name
        else "STANDARD",
        functions=hints.functions if hints else None,
    )
    if target is None:
        if not as_json:  # with --json, the module is in the document
            sys.stdout.write(imported.text)
    else:
        _check_target(file, target, force)  # again: the file may have appeared meanwhile
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(imported.text, encoding="utf-8")
    duplicates = [
        f"{d.pointer or '/'}: key {d.key!r} appears twice; the last value was imported."
        for d in loaded.duplicate_keys
    ]
    if as_json:
        print_json(_as_json(file, target, imported, duplicates))
        return
    _report(file, target, imported, duplicates)


def _manifest_hints(file: Path) -> BuildHints | None:
    """What build/manifest.json says of this definition, when the file is one it lists."""
    from sfn_flows.codegen.manifest import hints_from_manifest

    manifest = file.parent / "manifest.json"
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None  # no build folder beside it: the file alone says what there is
    return hints_from_manifest(document, file.name)


def _target(output: str | None, module: str) -> Path | None:
    if output == _STDOUT:
        return None
    return Path(output) if output is not None else Path("workflows") / f"{module}.py"


def _check_target(source: Path, target: Path, force: bool) -> None:
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise typer.BadParameter(
            f"{target} is the definition being imported; write the module elsewhere.",
            param_hint="--output",
        )
    if target.is_dir():
        raise typer.BadParameter(
            f"{target} is a folder; give the module's file name, e.g. {target / 'flow.py'}.",
            param_hint="--output",
        )
    if target.exists() and not force:
        err.print(
            f"[red]error[/red]: {escape(str(target))} exists; nothing was written. Pass --force "
            "to overwrite it, or -o another file."
        )
        raise typer.Exit(1)


def _fail(message: str, as_json: bool) -> typer.Exit:
    if as_json:
        print_json({"ok": False, "error": message})
    else:
        err.print(f"[red]error[/red]: {escape(message)}")
    raise typer.Exit(1)


def _counts(imported: Imported) -> tuple[int, int]:
    from sfn_flows.asl.scopes import iter_states

    states = tasks = 0
    for state in iter_states(imported.built):
        states += 1
        tasks += state.value.get("Type") == "Task"
    return states, tasks


def _report(file: Path, target: Path | None, imported: Imported, duplicates: list[str]) -> None:
    console = err if target is None else out
    states, tasks = _counts(imported)
    where = "stdout" if target is None else str(target)
    console.print(
        f"[green]imported[/green] {escape(str(file))} -> {escape(where)}: workflow "
        f"{escape(imported.workflow_name)!r}, {states} states ({tasks} Tasks)"
    )
    for line in imported.summary():
        console.print(escape(line) if line else "")
    for line in duplicates:
        console.print(f"[yellow]warning[/yellow]: {escape(str(file))}{escape(line)}")
    for problem in imported.problems:
        if problem.severity != "error":
            console.print(problem_line("build: ", problem))


def _as_json(
    file: Path, target: Path | None, imported: Imported, duplicates: list[str]
) -> dict[str, Any]:
    states, tasks = _counts(imported)
    return {
        "ok": True,
        "file": str(file),
        "output": None if target is None else str(target),
        "workflow": imported.workflow_name,
        "states": states,
        "tasks": tasks,
        "outcome": imported.outcome(),
        "differences": [
            {"pointer": d.pointer, "kind": d.kind, "text": d.describe()}
            for d in imported.differences
        ],
        "raw_fields": [
            {"pointer": r.pointer, "state": r.state, "field": r.key, "reason": r.reason}
            for r in imported.raw
        ],
        "guessed_handlers": list(imported.guessed_handlers),
        "duplicate_keys": duplicates,
        "builds": imported.builds,
        "build_problems": [p.as_dict() for p in imported.problems],
        **({"module": imported.text} if target is None else {}),
    }
