"""Validate any Amazon States Language definition; every problem is located by a JSON pointer.

Pure: no I/O and no AWS calls. `strict=True` turns warnings (missing Task timeouts, a missing
machine timeout) into errors, as compiled workflows require; a missing heartbeat stays a
warning (only a worker that sends heartbeats can use one).
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal

from sfn_flows.validate.machine import check_machine
from sfn_flows.validate.problems import Problem, escape_pointer_token
from sfn_flows.validate.report import Report
from sfn_flows.validate.size import MAX_DEFINITION_BYTES, NotJsonError, json_size

Source = Literal["json", "yaml"]


def validate_definition(
    definition: Any,
    *,
    strict: bool = False,
    size: int | None = None,
    source: Source | None = None,
    json_bytes: int | None = None,
) -> list[Problem]:
    """All problems in `definition` (parsed JSON), in document order; [] when it is valid.

    `size` is the size in bytes of the file the definition came from. AWS receives a JSON
    file's text as it is, so for JSON that size is what counts. CloudFormation sends a YAML
    file as JSON, so for `source="yaml"` the larger of the file and its JSON counts; with no
    size, the compact JSON does. `source="yaml"` also explains names YAML turned into booleans.
    `json_bytes` is the size of the compact JSON, when the caller measured it already
    (load_definition does for a YAML file): it is not measured again.
    A definition over the 1 MB limit is refused at once: nothing else is checked.
    """
    report = Report(strict=strict, from_yaml=source == "yaml", from_json_file=source == "json")
    as_json: int | None = None
    if size is None or source == "yaml":
        # Measured first: a definition JSON cannot hold (a set, a datetime, a tuple key, an int
        # too long to print, a value that contains itself...) is reported where it is, and
        # nothing else is checked.
        try:
            as_json = json_size(definition) if json_bytes is None else json_bytes
        except NotJsonError as exc:
            where, what = _first_non_json(definition)
            fix = "use only objects with string keys, arrays, strings, numbers, booleans and null."
            report.error(where, f"{what} is not a JSON value ({exc}).", fix, "json")
            return report.problems
    if _too_big(report, definition, size, as_json, source):
        return report.problems
    try:
        check_machine(report, definition)
    except RecursionError:
        report.error("", "the definition is nested too deeply to check.", "flatten it.", "depth")
    return report.problems


def _too_big(
    report: Report, definition: Any, size: int | None, as_json: int | None, source: Source | None
) -> bool:
    """Reports the definition when AWS would refuse its size."""
    measured = max(size or 0, as_json or 0)
    if measured <= MAX_DEFINITION_BYTES:
        return False
    what = f"the definition is {measured:,} bytes"
    if source == "yaml" and as_json == measured and measured != size:
        what = f"as JSON (what CloudFormation sends for a YAML file) {what}"
    fix = "split it (e.g. into nested state machines) or shrink payload templates."
    if source == "json":
        # AWS counts the text as sent, indentation included; say when removing it is enough.
        try:
            compact = json_size(definition) if as_json is None else as_json
        except NotJsonError:
            compact = measured
        if compact <= MAX_DEFINITION_BYTES:
            fix = f"remove the indentation and line breaks: compact, it is {compact:,} bytes."
    report.error(
        "", f"{what}; Step Functions accepts at most {MAX_DEFINITION_BYTES:,}.", fix, "size"
    )
    return True


def _first_non_json(definition: Any) -> tuple[str, str]:
    """Pointer to the first value json.dumps refuses, and what it is (iterative: no depth limit)."""
    stack: list[tuple[str, Any, bool]] = [("", definition, False)]
    inside: set[int] = set()  # the containers on the path to the current node
    # Containers left without a finding: a shared one (YAML aliases) is searched only once.
    clean: set[int] = set()
    while stack:
        where, node, leaving = stack.pop()
        if leaving:
            inside.discard(id(node))
            clean.add(id(node))
        elif id(node) in clean:
            continue
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
