"""Payload templates of JSONPath states: Parameters, ResultSelector, ItemSelector, the
legacy Map Parameters and Assign.

A key ending in ``.$`` takes its value from a path (``$.a``), the context object
(``$$.Execution.Id``), a variable (``$name.a``) or an intrinsic call
(``States.Format(...)``), and loses the ``.$``; every other value is copied as it is, at
any depth, inside objects and arrays. A path that selects nothing fails the state with
AWS's cause: "The JSONPath '$.x' specified for the field 'x.$' could not be found in the
input '{...}'".
"""

from __future__ import annotations

from typing import Any

from sfn_flows.asl.intrinsics import is_intrinsic
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.intrinsics import call_intrinsic, java_json
from sfn_flows.engine.jsonpath import PathNotFound, select

__all__ = ["resolve_payload", "resolve_value"]


def resolve_payload(template: Any, data: Any, frame: Frame, *, field: str) -> Any:
    """The value of the template `template` (the state's `field`, e.g. ``Parameters``)
    with ``$`` = `data`. The result shares no object or array with the template."""
    if isinstance(template, dict):
        resolved: dict[str, Any] = {}
        for key, value in template.items():
            if isinstance(key, str) and key.endswith(".$"):
                resolved[key[:-2]] = resolve_value(value, data, frame, field=key)
            else:
                resolved[key] = resolve_payload(value, data, frame, field=field)
        return resolved
    if isinstance(template, list):
        # A loop, not a comprehension: one frame a level lets templates nest as deep as the
        # engine carries JSON.
        items = []
        for item in template:
            items.append(resolve_payload(item, data, frame, field=field))
        return items
    return template


def resolve_value(expression: Any, data: Any, frame: Frame, *, field: str) -> Any:
    """One dynamic value: the string of a ``key.$``, or of ErrorPath, CausePath and the
    like. `field` is the name AWS puts in the cause (``key.$``, ``ErrorPath``)."""
    if not isinstance(expression, str):
        raise frame.runtime_error(
            f"The value of the field '{field}' must be a path or an intrinsic function, "
            f"not {java_json(expression)}"
        )
    try:
        if is_intrinsic(expression):
            return call_intrinsic(expression, data, frame)
        return select(expression, data, frame)
    except PathNotFound as missing:
        raise frame.runtime_error(
            f"The JSONPath '{missing.path}' specified for the field '{field}' could not be "
            f"found in the input '{_shown(missing.searched)}'"
        ) from None


def _shown(value: Any) -> str:
    try:
        return java_json(value)
    except RecursionError:
        return "(an input nested too deeply to show)"
