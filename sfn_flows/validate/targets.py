"""Transitions (StartAt, Next, Default, a Choice rule's or a Catcher's Next) and state names:
each is the name of a state, so a string. YAML 1.1 turns an unquoted `Yes`, `No`, `On`,
`Off`, `True` or `False` into a boolean, which is the usual way a name stops being one."""

from __future__ import annotations

from typing import Any

from sfn_flows.asl.describe import describe
from sfn_flows.validate.report import Report


def choose_from(names: set[str]) -> str:
    listed = ", ".join(sorted(names)[:12])
    return f"name a state of this scope: {listed}." if names else "add the target state."


def yaml_hint(report: Report, value: Any) -> str:
    """Why YAML made `value` (meant as a name) something else; "" when the input was not YAML."""
    if not report.from_yaml:
        return ""
    if isinstance(value, bool):
        return " (YAML 1.1 reads an unquoted yes/no/on/off/true/false as a boolean)"
    if value is None:
        return " (YAML reads an empty value as null)"
    if isinstance(value, int | float):
        return " (YAML reads an unquoted number as a number)"
    return ""


def quote_fix(report: Report, value: Any, example: str) -> str:
    """How to write the name as a string; `example` shows the quoted form."""
    if report.from_yaml and isinstance(value, bool | int | float):
        return f"quote the name in the YAML file, e.g. {example}."
    return ""


def check_target(report: Report, where: str, field: str, value: Any, names: set[str]) -> None:
    """`field` (Next, Default) names a state of the scope in `names`."""
    if not isinstance(value, str):
        not_a_name(report, where, field, value, names, "next")
    elif value not in names:
        report.error(where, f"{field} target {value!r} does not exist.", choose_from(names), "next")


def not_a_name(
    report: Report, where: str, field: str, value: Any, names: set[str], code: str
) -> None:
    report.error(
        where,
        f"{field} must be a string (the name of a state), not {describe(value)}"
        f"{yaml_hint(report, value)}.",
        quote_fix(report, value, f'{field}: "Yes"') or choose_from(names),
        code,
    )
