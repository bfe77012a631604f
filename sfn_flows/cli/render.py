"""Terminal and JSON rendering shared by the commands."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from rich.table import Table

    from sfn_flows.validate.problems import Problem

# Wider than any table: what a table measures against to find its own width.
_UNBOUNDED_WIDTH = 1_000_000

# Problems and results go to stdout; failures of the tool itself go to stderr.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def print_table(table: Table) -> None:
    """On a terminal a table fits the window; into a pipe or a file it is printed at its
    full width: a program or a log reads it, and a cell cut to "…" loses the figure."""
    if out.is_terminal:
        out.print(table)
        return
    # Measured against a width no table reaches, so the measure is the table's own.
    natural = out.measure(table, options=out.options.update_width(_UNBOUNDED_WIDTH)).maximum
    wide = Console(file=out.file, width=natural, highlight=False)
    wide.print(table)


def problem_line(prefix: str, problem: Problem) -> str:
    style = "red" if problem.severity == "error" else "yellow"
    where = problem.pointer or "/"
    severity = f"[{style}]{problem.severity}[/{style}]"
    text = f"{escape(prefix)}{escape(where)}: {severity}: {escape(problem.message)}"
    if problem.fix:
        text += f" [dim]Fix: {escape(problem.fix)}[/dim]"
    return text


def seconds(value: float) -> str:
    if value >= 3600:
        return f"{value / 3600:.4g} h"
    if value >= 60:
        return f"{value / 60:.4g} min"
    return f"{value:g} s"
