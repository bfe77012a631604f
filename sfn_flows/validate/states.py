"""Per-state-type rules: one function per ASL state type, each checking its own fields."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from sfn_flows.asl.callbacks import is_callback_resource
from sfn_flows.asl.describe import describe
from sfn_flows.asl.fields import ALLOWED, JSONATA_REPLACEMENT, STATE_TYPES
from sfn_flows.asl.jsonata import is_jsonata
from sfn_flows.asl.pointers import escape_pointer_token, pointer
from sfn_flows.asl.scopes import nested_scopes
from sfn_flows.validate.choice_rules import check_choices
from sfn_flows.validate.payload import check_assign, check_template
from sfn_flows.validate.recovery import check_catch, check_retry
from sfn_flows.validate.report import Report
from sfn_flows.validate.targets import check_target
from sfn_flows.validate.values import (
    check_expression,
    check_path,
    check_path_or_intrinsic,
    check_resource,
    check_seconds,
    is_int,
    is_number,
    is_timestamp_or_placeholder,
    number_placeholder,
    resource_text,
)


class StateContext:
    """What a state's rules need from its surroundings."""

    __slots__ = ("jsonata", "names", "report", "walk_scope")

    def __init__(
        self,
        report: Report,
        names: set[str],
        jsonata: bool,
        walk_scope: Callable[[str, Any, frozenset[str]], None],
    ) -> None:
        self.report = report
        self.names = names
        self.jsonata = jsonata
        self.walk_scope = walk_scope


def check_state(ctx: StateContext, where: str, name: str, state: Any) -> None:
    report = ctx.report
    if not isinstance(state, dict):
        report.error(
            where, f"state {name!r} must be an object, not {describe(state)}.", "", "state"
        )
        return
    kind = state.get("Type")
    if not isinstance(kind, str) or kind not in ALLOWED:
        close = difflib.get_close_matches(str(kind), STATE_TYPES, n=1)
        report.error(
            f"{where}/Type",
            f"state {name!r} has Type {describe(kind)}.",
            f"use one of {', '.join(STATE_TYPES)}"
            + (f" (did you mean {close[0]!r}?)." if close else "."),
            "type",
        )
        return
    _check_fields(ctx, where, kind, state)
    _check_transition(ctx, where, kind, state)
    jsonata = ctx.jsonata
    for key in ("InputPath", "OutputPath"):
        if key in state and not jsonata:
            check_path(report, f"{where}/{key}", state[key], nullable=True)
    if "ResultPath" in state and not jsonata:
        check_path(
            report, f"{where}/ResultPath", state["ResultPath"], reference=True, nullable=True
        )
    for key in ("Parameters", "ResultSelector", "ItemSelector", "Arguments", "Output"):
        if key in state:
            check_template(
                report, f"{where}/{key}", state[key], jsonata=jsonata and key != "Parameters"
            )
    if "Assign" in state:
        check_assign(report, f"{where}/Assign", state["Assign"], jsonata=jsonata)
    if "Retry" in state:
        check_retry(report, f"{where}/Retry", state["Retry"])
    if "Catch" in state:
        check_catch(report, f"{where}/Catch", state["Catch"], jsonata=jsonata, names=ctx.names)
    _RULES[kind](ctx, where, state)


def _check_fields(ctx: StateContext, where: str, kind: str, state: dict[str, Any]) -> None:
    allowed = ALLOWED[kind]
    own = allowed.jsonata if ctx.jsonata else allowed.jsonpath
    other = allowed.jsonpath if ctx.jsonata else allowed.jsonata
    for key in state:
        if key in allowed.both or key in own:
            continue
        if key in other:
            if ctx.jsonata:
                fix = JSONATA_REPLACEMENT.get(key, "use the JSONata fields")
                ctx.report.error(
                    f"{where}/{key}",
                    f"{key} is a JSONPath field; this state uses JSONata.",
                    f'{fix}, or set "QueryLanguage": "JSONPath" on the state.',
                    "query-language",
                )
            else:
                ctx.report.error(
                    f"{where}/{key}",
                    f"{key} is a JSONata field; this state uses JSONPath.",
                    'set "QueryLanguage": "JSONata" on the state (or the machine).',
                    "query-language",
                )
            continue
        every = sorted(allowed.both | own)
        close = difflib.get_close_matches(str(key), every, n=1)
        hint = (
            f"did you mean {close[0]!r}?"
            if close
            else f"a {kind} state allows: {', '.join(every)}."
        )
        ctx.report.error(
            f"{where}/{escape_pointer_token(key)}",
            f"unknown field {key!r} in a {kind} state.",
            hint,
            "field",
        )


def _check_transition(ctx: StateContext, where: str, kind: str, state: dict[str, Any]) -> None:
    if kind in ("Choice", "Succeed", "Fail"):
        return  # Next/End were already reported as fields these states do not have
    has_next = "Next" in state
    end = state.get("End")
    if "End" in state and end is not True:
        ctx.report.error(
            f"{where}/End",
            f"End must be true when present, not {describe(end)}.",
            "remove it and give a Next, or set it to true.",
            "transition",
        )
    if has_next and end is True:
        ctx.report.error(
            where,
            'a state has either Next or "End": true, not both.',
            "remove one of them.",
            "transition",
        )
    elif not has_next and end is not True:
        ctx.report.error(
            where,
            'this state has neither Next nor "End": true.',
            'add "Next": "<state>" or "End": true.',
            "transition",
        )
    elif has_next:
        check_target(ctx.report, f"{where}/Next", "Next", state["Next"], ctx.names)


def _task(ctx: StateContext, where: str, state: dict[str, Any]) -> None:
    report = ctx.report
    check_resource(report, f"{where}/Resource", state.get("Resource"))
    timeout = _timeout_field(ctx, where, state, "TimeoutSeconds")
    heartbeat = _timeout_field(ctx, where, state, "HeartbeatSeconds")
    if timeout is None:
        report.warn(
            where,
            "this Task has no TimeoutSeconds: if the work hangs, the execution waits until the "
            "whole state machine times out (a year for STANDARD).",
            'add "TimeoutSeconds" (or TimeoutSecondsPath).',
            "missing-timeout",
        )
    resource = resource_text(state.get("Resource"))
    if heartbeat is None and resource is not None and is_callback_resource(resource):
        # Only a worker that calls SendTaskHeartbeat can keep a heartbeat alive; a person
        # approving or a child execution cannot, so this stays advice in strict mode too.
        report.recommend(
            where,
            "this Task waits for a callback or a job but has no HeartbeatSeconds: a lost "
            "worker is only noticed when the whole timeout expires.",
            'if its worker sends SendTaskHeartbeat, add "HeartbeatSeconds" smaller than '
            "TimeoutSeconds.",
            "missing-heartbeat",
        )
    if is_int(timeout) and is_int(heartbeat) and heartbeat >= timeout:
        report.error(
            f"{where}/HeartbeatSeconds",
            f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout}).",
            "lower HeartbeatSeconds or raise TimeoutSeconds.",
            "heartbeat",
        )
    if "Credentials" in state and not isinstance(state["Credentials"], dict):
        report.error(
            f"{where}/Credentials", "Credentials must be an object with RoleArn.", "", "field"
        )


def _timeout_field(ctx: StateContext, where: str, state: dict[str, Any], key: str) -> Any:
    """Checks KEY and KEY+'Path'; returns the static value, a marker for dynamic ones, or None."""
    path_key = f"{key}Path"
    if key in state and path_key in state:
        ctx.report.error(
            where, f"{key} and {path_key} are mutually exclusive.", "keep one.", "timeout"
        )
    if key in state:
        what = "seconds"
        check_seconds(ctx.report, f"{where}/{key}", state[key], jsonata=ctx.jsonata, what=what)
        return state[key]
    if path_key in state:
        check_path(ctx.report, f"{where}/{path_key}", state[path_key], reference=True)
        return path_key
    return None


def _pass(ctx: StateContext, where: str, state: dict[str, Any]) -> None:
    return  # everything a Pass has is checked by the shared rules


def _choice(ctx: StateContext, where: str, state: dict[str, Any]) -> None:
    check_choices(ctx.report, where, state, jsonata=ctx.jsonata, names=ctx.names)
    if "Default" in state:
        check_target(ctx.report, f"{where}/Default", "Default", state["Default"], ctx.names)


def _wait(ctx: StateContext, where: str, state: dict[str, Any]) -> None:
    report = ctx.report
    given = [k for k in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if k in state]
    if len(given) != 1:
        report.error(
            where,
            "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath"
            + (f"; found {', '.join(given)}" if given else "")
            + ".",
            'e.g. "Seconds": 10.',
            "wait",
        )
    if "Seconds" in state:
        check_seconds(report, f"{where}/Seconds", state["Seconds"], jsonata=ctx.jsonata, minimum=0)
    if "Timestamp" in state:
        value = state["Timestamp"]
        if ctx.jsonata and is_jsonata(value):
            check_expression(report, f"{where}/Timestamp", value)
        elif not is_timestamp_or_placeholder(value):
            report.error(
                f"{where}/Timestamp",
                f"{describe(value)} is not an RFC 3339 timestamp.",
                'e.g. "2026-01-31T12:00:00Z".',
                "wait",
            )
    for key in ("SecondsPath", "TimestampPath"):
        if key in state:
            check_path(report, f"{where}/{key}", state[key], reference=True)


def _succeed(ctx: StateContext, where: str, state: dict[str, Any]) -> None:
    return  # InputPath/OutputPath/Output are checked by the shared rules


def _fail(ctx: StateContext, where: str, state: dict[str, Any]) -> None:
    report = ctx.report
    for key in ("Error", "Cause"):
        path_key = f"{key}Path"
        if key in state and path_key in state:
            report.error(
                where, f"{key} and {path_key} are mutually exclusive.", "keep one.", "fail"
            )
        if key in state:
            value = state[key]
            if not isinstance(value, str):
                report.error(
                    f"{where}/{key}", f"{key} must be a string, not {describe(value)}.", "", "fail"
                )
            elif ctx.jsonata and is_jsonata(value):
                check_expression(report, f"{where}/{key}", value)
        if path_key in state:
            check_path_or_intrinsic(report, f"{where}/{path_key}", state[path_key])


def _parallel(ctx: StateContext, where: str, state: dict[str, Any]) -> None:
    branches = state.get("Branches")
    if not isinstance(branches, list) or not branches:
        ctx.report.error(
            f"{where}/Branches",
            "a Parallel state needs a non-empty Branches list.",
            "add at least one branch with StartAt and States.",
            "parallel",
        )
        return
    for nested in nested_scopes(state):
        ctx.walk_scope(where + pointer(*nested.tokens), nested.value, nested.allowed)


def _map(ctx: StateContext, where: str, state: dict[str, Any]) -> None:
    report = ctx.report
    processors = nested_scopes(state)
    if len(processors) != 1:
        report.error(
            where,
            "a Map state needs exactly one of ItemProcessor or Iterator (legacy).",
            'add "ItemProcessor": {"StartAt": ..., "States": {...}}.',
            "map",
        )
    mode = "INLINE"
    for nested in processors:
        at = where + pointer(*nested.tokens)
        ctx.walk_scope(at, nested.value, nested.allowed)
        processor = nested.value
        config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
        if config is not None:
            mode = _processor_config(report, f"{at}/ProcessorConfig", config)
    if "ItemSelector" in state and "Parameters" in state:
        report.error(
            where,
            "ItemSelector and Parameters (legacy) are mutually exclusive.",
            "keep ItemSelector.",
            "map",
        )
    if mode != "DISTRIBUTED":
        # AWS accepts ToleratedFailure* on inline Maps (seen in the conformance corpus).
        for key in ("ItemReader", "ItemBatcher", "ResultWriter"):
            if key in state:
                report.error(
                    f"{where}/{key}",
                    f"{key} needs a distributed Map.",
                    "set ItemProcessor.ProcessorConfig to " + _DISTRIBUTED_CONFIG + ".",
                    "map",
                )
        if "Label" in state:
            # AWS's own ASL schema (amazon-states-language-service) allows Label on any Map,
            # and public projects deploy it on inline ones: accepted, but it names Map Runs,
            # which only a distributed Map starts.
            report.warn(
                f"{where}/Label",
                "Label only has an effect on a distributed Map (it names the Map Run); AWS "
                "accepts and ignores it on an inline Map.",
                "remove it, or make the Map distributed with ItemProcessor.ProcessorConfig "
                + _DISTRIBUTED_CONFIG
                + ".",
                "map-label-inline",
            )
    if "ItemsPath" in state:
        check_path(report, f"{where}/ItemsPath", state["ItemsPath"])
    if "Items" in state:
        check_template(report, f"{where}/Items", state["Items"], jsonata=True)
    _number_field(ctx, where, state, "MaxConcurrency", 0, None, integer=True)
    _number_field(ctx, where, state, "ToleratedFailurePercentage", 0, 100, integer=False)
    _number_field(ctx, where, state, "ToleratedFailureCount", 0, None, integer=True)
    for key in ("ItemReader", "ItemBatcher", "ResultWriter"):
        if key in state:
            _map_part(ctx, f"{where}/{key}", key, state[key])
    if "Label" in state and not (isinstance(state["Label"], str) and 0 < len(state["Label"]) <= 40):
        report.error(f"{where}/Label", "Label must be a string of 1 to 40 characters.", "", "map")


_DISTRIBUTED_CONFIG = '{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}'


def _processor_config(report: Report, where: str, config: Any) -> str:
    if not isinstance(config, dict):
        report.error(where, "ProcessorConfig must be an object.", "", "map")
        return "INLINE"
    mode = config.get("Mode", "INLINE")
    if mode not in ("INLINE", "DISTRIBUTED"):
        report.error(
            f"{where}/Mode", f"Mode is INLINE or DISTRIBUTED, not {describe(mode)}.", "", "map"
        )
    if "ExecutionType" in config and config["ExecutionType"] not in ("STANDARD", "EXPRESS"):
        report.error(
            f"{where}/ExecutionType",
            f"ExecutionType is STANDARD or EXPRESS, not {describe(config['ExecutionType'])}.",
            "",
            "map",
        )
    if mode == "DISTRIBUTED" and "ExecutionType" not in config:
        report.error(
            where,
            "a distributed Map needs an ExecutionType.",
            'add "ExecutionType": "STANDARD" (or "EXPRESS").',
            "map",
        )
    for key in config:
        if key not in ("Mode", "ExecutionType"):
            report.error(
                f"{where}/{escape_pointer_token(key)}",
                f"unknown field {key!r} in ProcessorConfig.",
                "allowed: Mode, ExecutionType.",
                "map",
            )
    return str(mode)


def _number_field(
    ctx: StateContext,
    where: str,
    state: dict[str, Any],
    key: str,
    low: float,
    high: float | None,
    *,
    integer: bool,
) -> None:
    path_key = f"{key}Path"
    if key in state and path_key in state:
        ctx.report.error(where, f"{key} and {path_key} are mutually exclusive.", "keep one.", "map")
    if path_key in state:
        check_path(ctx.report, f"{where}/{path_key}", state[path_key], reference=True)
    if key not in state:
        return
    value = state[key]
    if ctx.jsonata and is_jsonata(value):
        check_expression(ctx.report, f"{where}/{key}", value)
        return
    if number_placeholder(ctx.report, f"{where}/{key}", value):
        return
    ok = (
        (is_int(value) if integer else is_number(value))
        and value >= low
        and (high is None or value <= high)
    )
    if not ok:
        bound = f"from {low} to {high}" if high is not None else f">= {low}"
        ctx.report.error(
            f"{where}/{key}",
            f"{key} must be {'an integer' if integer else 'a number'} {bound}, "
            f"not {describe(value)}.",
            "",
            "map",
        )


def _map_part(ctx: StateContext, where: str, key: str, value: Any) -> None:
    if not isinstance(value, dict):
        ctx.report.error(where, f"{key} must be an object, not {describe(value)}.", "", "map")
        return
    if key == "ItemReader":
        check_resource(ctx.report, f"{where}/Resource", value.get("Resource"))
    if key == "ResultWriter" and "Resource" in value:
        check_resource(ctx.report, f"{where}/Resource", value["Resource"])
    for template in ("Parameters", "Arguments", "BatchInput"):
        if template in value:
            check_template(
                ctx.report,
                f"{where}/{template}",
                value[template],
                jsonata=ctx.jsonata and template != "Parameters",
            )


_RULES: dict[str, Callable[[StateContext, str, dict[str, Any]], None]] = {
    "Task": _task,
    "Pass": _pass,
    "Choice": _choice,
    "Wait": _wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Parallel": _parallel,
    "Map": _map,
}
