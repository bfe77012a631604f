"""`sfn-flows validate FILE...`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from sfn_flows.cli.render import out, print_json, problem_line
from sfn_flows.errors import InputFileError


def validate(
    files: Annotated[list[Path], typer.Argument(help="ASL definitions (.json, .yaml, .yml).")],
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Treat warnings (e.g. Tasks without TimeoutSeconds) as errors."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Validate Amazon States Language files; list every problem with its JSON pointer."""
    # Here, not at the top: `sfn-flows --help` and the other commands need no validator.
    from sfn_flows.project.files import load_definition
    from sfn_flows.validate import validate_definition
    from sfn_flows.validate.problems import Problem

    results: list[dict[str, Any]] = []
    failed = False
    for path in files:
        try:
            loaded = load_definition(path)
        except InputFileError as exc:
            failed = True
            results.append({"file": str(path), "ok": False, "error": str(exc), "problems": []})
            if not as_json:
                out.print(f"[red]error[/red]: {escape(str(exc))}")
            continue
        problems = [
            Problem(
                duplicate.pointer,
                f"key {duplicate.key!r} appears twice in one object; only the last value counts.",
                "remove the duplicate.",
                "error" if strict else "warning",
                "duplicate-key",
            )
            for duplicate in loaded.duplicate_keys
        ]
        problems += validate_definition(
            loaded.definition,
            strict=strict,
            size=loaded.size,
            source=loaded.source,
            json_bytes=loaded.json_bytes,
        )
        ok = not any(p.severity == "error" for p in problems)
        failed = failed or not ok
        results.append({"file": str(path), "ok": ok, "problems": [p.as_dict() for p in problems]})
        if not as_json:
            for problem in problems:
                out.print(problem_line(f"{path}: ", problem))
            errors = sum(p.severity == "error" for p in problems)
            status = "[green]valid[/green]" if ok else f"[red]{errors} error(s)[/red]"
            out.print(
                f"{escape(str(path))}: {status}"
                + (f", {len(problems) - errors} warning(s)" if len(problems) > errors else "")
            )
    if as_json:
        print_json({"ok": not failed, "files": results})
    if failed:
        raise typer.Exit(1)
