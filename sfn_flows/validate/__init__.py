"""Validate any Amazon States Language definition; every problem is located by a JSON pointer.

Pure: no I/O and no AWS calls. `strict=True` turns warnings (missing Task timeouts, a missing
machine timeout) into errors, as compiled workflows require; a missing heartbeat stays a
warning (only a worker that sends heartbeats can use one).
"""

from __future__ import annotations

import json
import math
from typing import Any

from sfn_flows.validate.machine import check_machine
from sfn_flows.validate.problems import Problem, escape_pointer_token
from sfn_flows.validate.report import Report


def validate_definition(
    definition: Any, *, strict: bool = False, size: int | None = None
) -> list[Problem]:
    """All problems in `definition` (parsed JSON), in document order; [] when it is valid.

    `size` is the definition's size in bytes when it came from a file; otherwise the size of
    its compact JSON is used for the 1 MB limit.
    """
    report = Report(strict=strict)
    too_deep = False
    if size is None:
        # Measured first: a definition JSON cannot hold (a set, a datetime, a tuple key, an int
        # too long to print...) is reported where it is, and nothing else is checked.
        try:
            # allow_nan=False: NaN and Infinity are not JSON, and AWS rejects them.
            text = json.dumps(
                definition, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            )
            size = len(text.encode("utf-8", "surrogatepass"))
        except RecursionError:
            too_deep, size = True, 0
        except (TypeError, ValueError) as exc:
            where, what = _first_non_json(definition)
            fix = "use only objects with string keys, arrays, strings, numbers, booleans and null."
            report.error(where, f"{what} is not a JSON value ({exc}).", fix, "json")
            return report.problems
    try:
        check_machine(report, definition, size=size)
    except RecursionError:
        too_deep = True
    if too_deep:
        report.error("", "the definition is nested too deeply to check.", "flatten it.", "depth")
    return report.problems


def _first_non_json(definition: Any) -> tuple[str, str]:
    """Pointer to the first value json.dumps refuses, and what it is (iterative: no depth limit)."""
    stack: list[tuple[str, Any, bool]] = [("", definition, False)]
    inside: set[int] = set()  # the containers on the path to the current node
    while stack:
        where, node, leaving = stack.pop()
        if leaving:
            inside.discard(id(node))
        elif isinstance(node, dict | list | tuple):
            if id(node) in inside:
                return where, "an object that contains itself"
            inside.add(id(node))
            stack.append((where, node, True))
            if isinstance(node, dict):
                for key in node:
                    if not (key is None or isinstance(key, str | int | float)):
                        return where, f"the key {type(key).__name__} {_short(key)}"
                items = [(_json_key(k), v) for k, v in node.items()]
            else:
                items = [(str(i), v) for i, v in enumerate(node)]
            stack.extend(
                (f"{where}/{escape_pointer_token(token)}", value, False)
                for token, value in reversed(items)
            )
        elif isinstance(node, int) and not isinstance(node, bool):
            try:
                str(node)
            except ValueError:  # str() refuses ints beyond 4,300 digits
                return where, f"an integer of {node.bit_length()} bits"
        elif isinstance(node, float) and not math.isfinite(node):
            return where, f"the number {node}"
        elif not (node is None or isinstance(node, str | float | bool)):
            return where, f"{type(node).__name__} {_short(node)}"
    return "", "the definition"


def _json_key(key: str | float | None) -> str:
    """The key as json.dumps writes it (it turns True into "true", 1.5 into "1.5", ...)."""
    if isinstance(key, str):
        return key
    try:
        return json.dumps(key)
    except ValueError:  # an int key too long to print
        return _short(key)


def _short(value: Any) -> str:
    try:
        text = repr(value) if not isinstance(value, str) else value
    except Exception:  # an int too long to print, a broken __repr__
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 40 else text[:37] + "..."


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


__all__ = ["Problem", "errors", "validate_definition"]
