"""`sfn-flows build`."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from sfn_flows.cli.render import err, out, print_json, print_table, problem_line, seconds

if TYPE_CHECKING:
    from sfn_flows.compile import CompiledWorkflow
    from sfn_flows.project.build import BuildResult
    from sfn_flows.project.discover import StuckImport

# The shell's convention for a command ended by SIGINT (128 + 2).
INTERRUPTED_EXIT_CODE = 130


def positive_seconds(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"{value:g} is not a positive number of seconds.")
    return value


# The options of every command that compiles the project as `sfn-flows build` does.
WorkflowsOption = Annotated[
    Path, typer.Option("--workflows", "-w", help="Folder of workflow modules.")
]
LambdasOption = Annotated[
    Path | None,
    typer.Option(
        "--lambdas",
        help="Folder of the Lambda handlers the workflows' functions name "
        "(default: lambdas/ next to the workflows folder).",
    ),
]
ImportTimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--import-timeout",
        metavar="SECONDS",
        callback=positive_seconds,
        help="Stop and name a workflow module whose import takes longer "
        "(default: $SFN_FLOWS_IMPORT_TIMEOUT, or 60).",
    ),
]


def build(
    workflows: WorkflowsOption = Path("workflows"),
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Where to write the build.")] = Path(
        "build"
    ),
    lambdas: LambdasOption = None,
    import_timeout: ImportTimeoutOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Compile and validate every workflow; write build/<name>.asl.json, manifest.json and
    the CloudFormation template.json that `sfn-flows deploy` deploys."""
    # Here, not at the top: the compiler and the template renderer cost start-up time that
    # every other command would pay.
    from sfn_flows.project.build import write_build

    result = compile_workflows(workflows, lambdas, import_timeout)
    if result.ok:
        write_build(result, out_dir, Path.cwd())
    if as_json:
        print_json(_document(result, out_dir))
    else:
        _render(result, out_dir)
    if not result.ok:
        raise typer.Exit(1)


def compile_workflows(
    workflows: Path, lambdas: Path | None, import_timeout: float | None
) -> BuildResult:
    """Every workflow compiled as `sfn-flows build` compiles them (shared by the commands that
    need the build): Ctrl-C during a module's import exits with 130, and a module that left a
    thread running or ignored its interruption ends the process, naming it."""
    from sfn_flows.project.build import compile_project
    from sfn_flows.project.discover import ImportInterrupted, ImportLeftThreads

    # Taken now: while a module is imported, os._exit is the import guard's, which refuses.
    end_stuck_build = partial(_end_stuck_build, os._exit)
    try:
        return compile_project(
            workflows, lambdas_dir=lambdas, import_timeout=import_timeout, on_stuck=end_stuck_build
        )
    except ImportInterrupted as exc:
        err.print(f"[red]interrupted[/red]: {escape(str(exc))}")
        raise typer.Exit(INTERRUPTED_EXIT_CODE) from None
    except ImportLeftThreads as exc:
        for line in str(exc).splitlines():
            err.print(f"[red]error[/red]: {escape(line)}")
        # A normal exit would wait for the module's threads, maybe forever.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)


def _end_stuck_build(exit_now: Callable[[int], object], stuck: StuckImport) -> None:
    """A workflow module ignores the interruption of its import: the import cannot be
    stopped, so the process ends here (from the watch thread), after saying which module."""
    label = "interrupted" if stuck.interrupted else "error"
    err.print(f"[red]{label}[/red]: {escape(stuck.message)}")
    sys.stdout.flush()
    sys.stderr.flush()
    exit_now(INTERRUPTED_EXIT_CODE if stuck.interrupted else 1)


def _render(result: BuildResult, out_dir: Path) -> None:
    from rich.table import Table

    if result.compiled:
        table = Table(show_edge=False, pad_edge=False)
        table.add_column("workflow", no_wrap=True)
        table.add_column("type")
        for column in ("states", "tasks", "budget", "timeout", "used"):
            table.add_column(column, justify="right", no_wrap=True)
        for _, compiled in result.compiled:
            table.add_row(*_row(compiled))
        print_table(table)
        for _, compiled in result.compiled:
            path = " > ".join(compiled.budget.critical_path)
            out.print(f"longest path of {compiled.name}: {escape(path)}")
    for _, compiled in result.compiled:
        for problem in compiled.warnings:
            out.print(problem_line(f"{compiled.name}: ", problem))
    for item, failure in result.failures:
        for problem in failure.problems:
            out.print(problem_line(f"{item.workflow.name} ({item.source}): ", problem))
    if result.ok:
        out.print(
            f"wrote {len(result.compiled)} workflow(s), manifest.json and template.json "
            f"(CloudFormation) to {escape(str(out_dir))}/"
        )
    else:
        count = sum(len(f.problems) for _, f in result.failures)
        out.print(
            f"[red]build failed[/red]: {count} problem(s) in {len(result.failures)} "
            "workflow(s); nothing written."
        )


def _row(compiled: CompiledWorkflow) -> tuple[str, ...]:
    states, tasks = compiled.state_counts()
    budget = compiled.budget
    timeout = compiled.workflow.timeout_seconds
    shown = seconds(budget.seconds) + ("" if budget.bounded else "+")
    used = f"{budget.seconds / timeout:.0%}" + ("" if budget.bounded else "+")
    return (
        compiled.name,
        compiled.workflow.type,
        str(states),
        str(tasks),
        shown,
        seconds(timeout),
        used,
    )


def _document(result: BuildResult, out_dir: Path) -> dict[str, Any]:
    from sfn_flows.deploy.build_files import TEMPLATE

    workflows: list[dict[str, Any]] = []
    for item, compiled in result.compiled:
        states, tasks = compiled.state_counts()
        workflows.append(
            {
                "name": compiled.name,
                "source": str(item.source),
                "ok": True,
                "type": compiled.workflow.type,
                "states": states,
                "tasks": tasks,
                "timeout_seconds": compiled.workflow.timeout_seconds,
                "budget": compiled.budget.as_dict(),
                "output": str(out_dir / f"{compiled.name}.asl.json"),
                "problems": [p.as_dict() for p in compiled.warnings],
            }
        )
    for item, failure in result.failures:
        workflows.append(
            {
                "name": item.workflow.name,
                "source": str(item.source),
                "ok": False,
                "problems": [p.as_dict() for p in failure.problems],
            }
        )
    document: dict[str, Any] = {"ok": result.ok, "workflows": workflows}
    if result.ok:
        document["template"] = str(out_dir / TEMPLATE)
    return document
