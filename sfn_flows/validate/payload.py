"""Payload templates (Parameters, ResultSelector, ItemSelector, Assign) and JSONata
templates (Arguments, Output, Assign): walk them once and check every dynamic value."""

from __future__ import annotations

import re
from typing import Any

from sfn_flows.asl.describe import describe
from sfn_flows.asl.jsonata import is_jsonata, opens_jsonata
from sfn_flows.asl.pointers import escape_pointer_token
from sfn_flows.validate.report import Report
from sfn_flows.validate.values import check_expression, check_path_or_intrinsic

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_template(report: Report, where: str, value: Any, *, jsonata: bool) -> None:
    """Iterative walk: payloads can be deep and large, recursion would cost and can overflow."""
    # Children are pushed in reverse so that problems come out in document order.
    stack: list[tuple[str, Any, bool]] = [(where, value, False)]
    while stack:
        at, node, dynamic = stack.pop()
        if dynamic:
            check_path_or_intrinsic(report, at, node)
        elif isinstance(node, dict):
            stack.extend(
                (
                    f"{at}/{escape_pointer_token(key)}",
                    child,
                    not jsonata and isinstance(key, str) and key.endswith(".$"),
                )
                for key, child in reversed(node.items())
            )
        elif isinstance(node, list):
            stack.extend(
                (f"{at}/{index}", node[index], False) for index in reversed(range(len(node)))
            )
        elif jsonata and opens_jsonata(node):
            if is_jsonata(node):
                check_expression(report, at, node)
            else:
                report.warn(
                    at,
                    "this string starts with '{%' but does not end with '%}', "
                    "so it is a literal, not a JSONata expression.",
                    "close it with '%}' if it is meant as an expression.",
                    "jsonata-literal",
                )


def check_assign(report: Report, where: str, value: Any, *, jsonata: bool) -> None:
    if not isinstance(value, dict):
        report.error(
            where,
            f"Assign must be an object of variable names, not {describe(value)}.",
            "",
            "assign",
        )
        return
    for key in value:
        name = key[:-2] if isinstance(key, str) and key.endswith(".$") else key
        if not isinstance(name, str) or not _VARIABLE_NAME.match(name) or name == "states":
            report.error(
                f"{where}/{escape_pointer_token(key)}",
                f"{key!r} is not a valid variable name.",
                "start with a letter or '_', then letters, digits or '_' ('states' is reserved).",
                "assign",
            )
    check_template(report, where, value, jsonata=jsonata)
