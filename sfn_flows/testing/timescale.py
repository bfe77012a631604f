"""Shrink (or stretch) the static waits and retry intervals of a definition, for tests.

AWS's Step Functions Local has `WAIT_TIME_SCALE`; MiniStack has nothing like it, so a flow
with `Wait(seconds=600)` would really wait ten minutes in the container engine. The
`sfn_deployed` fixture runs each built definition through `scale_definition` when the session
time scale (option `--sfn-time-scale`, env `SFN_FLOWS_TIME_SCALE`, fixture `sfn_time_scale`)
is not 1.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path
from typing import Any

from sfn_flows.asl.retry import INTEGER_MINIMUMS
from sfn_flows.asl.scopes import iter_states
from sfn_flows.errors import SfnFlowsError

ENV = "SFN_FLOWS_TIME_SCALE"


class TimeScaleError(SfnFlowsError):
    """The time scale is not a finite number >= 0."""


def parse_time_scale(value: object, source: str) -> float:
    """`value` (from `source`, e.g. "--sfn-time-scale") as a factor, or TimeScaleError."""
    try:
        factor = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        factor = math.nan
    if not math.isfinite(factor) or factor < 0:
        raise TimeScaleError(
            f"{source}: {value!r} is not a time scale; give a number >= 0 "
            "(1 = real time, 0.01 = waits and retry intervals 100 times shorter, 0 = no waits)."
        )
    return factor


def scale_definition(definition: dict[str, Any], factor: float) -> dict[str, Any]:
    """A copy of the ASL `definition` with its static times multiplied by `factor`.

    - Wait `Seconds` (a number): `ceil(seconds * factor)`, at least 0, kept an integer (so
      with 0.01 a 600 s wait becomes 6 s; with 0 it becomes 0 s).
    - Retry `IntervalSeconds` and `MaxDelaySeconds`: `ceil(value * factor)`, at least 1 (the
      AWS minimum). A retrier without `IntervalSeconds` keeps the AWS default of 1 s.
    - Nested states are scaled too: Parallel `Branches`, Map `ItemProcessor` / `Iterator`.

    Left untouched: Wait `Timestamp` (an absolute time, not a duration), `SecondsPath` /
    `TimestampPath` and JSONata `Seconds` / `Timestamp` expressions (their value is only known
    at run time), `BackoffRate`, and task `TimeoutSeconds` / `HeartbeatSeconds`.
    The input is not changed. A negative or non-finite factor raises TimeScaleError.
    """
    factor = parse_time_scale(factor, "scale_definition")
    scaled = copy.deepcopy(definition)
    for state in iter_states(scaled):
        if isinstance(state.value, dict):
            _scale_state(state.value, factor)
    return scaled


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scale_state(state: dict[str, Any], factor: float) -> None:
    kind = state.get("Type")
    if kind == "Wait" and _is_number(state.get("Seconds")):
        state["Seconds"] = max(0, math.ceil(state["Seconds"] * factor))
    for retrier in state.get("Retry") or []:
        if not isinstance(retrier, dict):
            continue
        for key in ("IntervalSeconds", "MaxDelaySeconds"):
            if _is_number(retrier.get(key)):
                # Never below the least AWS accepts (1 s).
                minimum = INTEGER_MINIMUMS[key]
                retrier[key] = max(minimum, math.ceil(retrier[key] * factor))


def scale_build(build_dir: Path, factor: float) -> list[str]:
    """Rewrite every `<name>.asl.json` of a `write_build` output through `scale_definition`
    and update its `sha256` in `manifest.json` (deploy's `read_build` checks it).

    `template.json` is left as written: `deploy_project` renders the template again from the
    manifest and the definitions. Returns the names of the workflows rewritten.
    """
    factor = parse_time_scale(factor, "scale_build")
    manifest_path = build_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    rewritten: list[str] = []
    for entry in manifest.get("workflows", []):
        path = build_dir / entry["definition"]
        before = path.read_text(encoding="utf-8")
        text = json.dumps(
            scale_definition(json.loads(before), factor), indent=2, ensure_ascii=False
        )
        text += "\n"
        if text != before:
            path.write_text(text, encoding="utf-8")
            entry["sha256"] = hashlib.sha256(text.encode()).hexdigest()
            rewritten.append(entry["name"])
    manifest_path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return rewritten
