"""Terminal and JSON rendering shared by the commands."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

from sfn_flows.validate.problems import Problem

# Problems and results go to stdout; failures of the tool itself go to stderr.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


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
