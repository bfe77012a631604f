"""Validate any Amazon States Language definition; every problem is located by a JSON pointer.

Pure: no I/O and no AWS calls. `strict=True` turns warnings (missing Task timeouts and
heartbeats, a missing machine timeout) into errors, as compiled workflows require.
"""

from __future__ import annotations

from typing import Any

from sfn_flows.validate.machine import check_machine
from sfn_flows.validate.problems import Problem
from sfn_flows.validate.report import Report


def validate_definition(definition: Any, *, strict: bool = False, size: int | None = None) -> list[Problem]:
    """All problems in `definition` (parsed JSON), in document order; [] when it is valid.

    `size` is the definition's size in bytes when it came from a file; otherwise the size of
    its compact JSON is used for the 1 MB limit.
    """
    report = Report(strict=strict)
    try:
        check_machine(report, definition, size=size)
    except RecursionError:
        report.error("", "the definition is nested too deeply to check.", "flatten it.", "depth")
    return report.problems


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


__all__ = ["Problem", "errors", "validate_definition"]
