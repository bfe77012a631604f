"""Fuzz the definition-level contracts: no input may crash them.

* ``validate_definition(anything)`` returns a list of ``Problem`` and never raises;
* ``compute_budget(anything)`` never raises and returns a ``Budget`` with seconds >= 0;
* ``load_definition(path)`` returns or raises ``InputFileError`` for any file bytes.

Three input families: random JSON (and non-JSON Python values), "almost valid" ASL built
from the grammar with random mutations, and random file bytes.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_flows.budget import Budget, compute_budget
from sfn_flows.errors import InputFileError
from sfn_flows.project.files import load_definition
from sfn_flows.project.json_definition import read_json
from sfn_flows.validate import validate_definition
from sfn_flows.validate.problems import Problem
from sfn_flows.validate.size import NotJsonError, json_size, measure_json
from sfn_flows.validate.values import UnquotedPlaceholder

FUZZ = settings.get_profile("sfn-fuzz")


def examples(weight: float) -> settings:
    """The fuzz profile with ``weight`` times its example count."""
    return settings(FUZZ, max_examples=max(10, int(FUZZ.max_examples * weight)))


# ---------------------------------------------------------------------------------------------
# Building blocks: the strings that steer the validator into its interesting branches.
# ---------------------------------------------------------------------------------------------

STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
JUNK_TYPES = (
    "task",
    "Tsak",
    "Paralel",
    "",
    "States.ALL",
    None,
    1,
    True,
    ["Task"],
    {"Type": "Task"},
)

PATH_FRAGMENTS = (
    "$",
    "$$",
    "$.",
    "$..",
    ".a",
    ".b",
    "..c",
    "[0]",
    "[-1]",
    "[*]",
    "['x']",
    '["y"]',
    "['a','b']",
    "[0,1]",
    "[1:2]",
    "[::2]",
    "[?(@.a > 1)]",
    "[(@.length-1)]",
    ".length()",
    "(",
    ")",
    "[",
    "]",
    "'",
    '"',
    "\\",
    " ",
    ".*",
    "$var",
    "$states",
    "$$.Execution.Id",
    "$$.Task.Token",
    "$$.Map.Item",
    ".ü",
    ".a-b",
    ".日本",
    "@",
    "?",
    ",",
    ":",
    "~",
    "/",
    "\x00",
)
INTRINSIC_NAMES = (
    "States.Format",
    "States.StringToJson",
    "States.JsonToString",
    "States.Array",
    "States.ArrayPartition",
    "States.ArrayContains",
    "States.ArrayRange",
    "States.ArrayGetItem",
    "States.ArrayLength",
    "States.ArrayUnique",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.JsonMerge",
    "States.MathRandom",
    "States.MathAdd",
    "States.StringSplit",
    "States.UUID",
    "States.format",
    "States.Nope",
    "states.Format",
    "States.",
    "States",
)
INTRINSIC_ARGS = (
    "'{}'",
    "'a{}b{}'",
    "'\\{'",
    "'\\x'",
    "'",
    "1",
    "-2.5e3",
    "1e",
    "true",
    "null",
    "nope",
    "$",
    "$.a",
    "$.a b",
    "$.['a b']",
    "$$.Execution.Id",
    "$[0]",
    "$.a[?(@.b)]",
    "",
    " ",
    ",",
    "(",
    ")",
)
JSONATA_BODIES = (
    "$states.input",
    "$states.input.a + 1",
    "$states.result.Payload",
    "1 +",
    "(",
    ")",
    "$count([1,2,3])",
    "$not(",
    "a.b[0]",
    "$x := 1",
    "function($a){$a}",
    "'str'",
    '"',
    "",
    " ",
    "{",
    "}",
    "%",
    "$states.context.Execution.Id",
    "[1..10]",
    "$$",
    "@",
    "#",
)
ARNS = (
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::batch:submitJob.sync",
    "arn:aws:states:::glue:startJobRun.sync:2",
    "arn:aws:states:us-east-1:123456789012:activity:act",
    "arn:aws:lambda:us-east-1:123456789012:function:f",
    "arn:aws:states:::aws-sdk:s3:getObject",
    "${ProcessFunctionArn}",
    "${",
    "arn:",
    "not-an-arn",
    "",
)
ASL_KEYS = (
    "Type",
    "Next",
    "End",
    "Comment",
    "QueryLanguage",
    "Resource",
    "Parameters",
    "Arguments",
    "Output",
    "Assign",
    "InputPath",
    "OutputPath",
    "ResultPath",
    "ResultSelector",
    "Result",
    "TimeoutSeconds",
    "TimeoutSecondsPath",
    "HeartbeatSeconds",
    "HeartbeatSecondsPath",
    "Retry",
    "Catch",
    "Choices",
    "Default",
    "Seconds",
    "Timestamp",
    "SecondsPath",
    "TimestampPath",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "ItemReader",
    "ItemSelector",
    "ItemBatcher",
    "ResultWriter",
    "MaxConcurrency",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentage",
    "ToleratedFailureCount",
    "Label",
    "Items",
    "ItemsPath",
    "Error",
    "Cause",
    "ErrorPath",
    "CausePath",
    "Credentials",
    "StartAt",
    "States",
    "Version",
    "ProcessorConfig",
    "Mode",
    "ExecutionType",
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Variable",
    "StringEquals",
    "NumericLessThan",
    "BooleanEquals",
    "IsPresent",
    "And",
    "Or",
    "Not",
    "Condition",
    "a.$",
    "b.$",
    "Payload.$",
    "a/b",
    "a~b",
    "~1",
    "",
    "ü.$",
)


def _join(parts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    return parts.map("".join)


jsonpath_ish = st.one_of(
    _join(st.lists(st.sampled_from(PATH_FRAGMENTS), min_size=1, max_size=6)),
    st.builds(
        lambda tail: "$" + tail, _join(st.lists(st.sampled_from(PATH_FRAGMENTS), max_size=4))
    ),
    st.sampled_from(("$", "$.a", "$.a.b[0]", "$['x']", "$$.Execution.Input", "$.error", "$v.x")),
    st.text(max_size=12),
)


@st.composite
def intrinsic_ish(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.sampled_from(INTRINSIC_NAMES))
    arg_pool = st.sampled_from(INTRINSIC_ARGS) | jsonpath_ish
    if depth < 2:
        arg_pool = arg_pool | intrinsic_ish(depth + 1)  # type: ignore[call-arg]
    args = draw(st.lists(arg_pool, max_size=4))
    sep = draw(st.sampled_from((",", ", ", " ,", ",,")))
    close = draw(st.sampled_from((")", "", "))", ") x")))
    return f"{name}({sep.join(args)}{close}"


jsonata_ish = st.one_of(
    _join(st.lists(st.sampled_from(JSONATA_BODIES), max_size=4)).map(lambda b: "{% " + b + " %}"),
    st.sampled_from(("{%%}", "{% %}", "{%", "%}", "{% 1 + 2 %} ", " {% 1 %}", "{%1%}")),
    st.text(max_size=8).map(lambda b: "{%" + b + "%}"),
)

interesting_text = st.one_of(
    st.text(max_size=20),
    jsonpath_ish,
    intrinsic_ish(),
    jsonata_ish,
    st.sampled_from(ARNS),
    st.sampled_from(("2026-01-31T12:00:00Z", "2026-13-45T99:00:00+25:00", "2026-01-31", "")),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    interesting_text,
)
json_keys = st.one_of(st.sampled_from(ASL_KEYS), st.text(max_size=10))

json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(json_keys, children, max_size=6),
    ),
    max_leaves=40,
)


# ---------------------------------------------------------------------------------------------
# "Almost valid" ASL: the grammar of a state machine, with every part sometimes wrong.
# ---------------------------------------------------------------------------------------------

state_names = st.one_of(
    st.sampled_from(("A", "B", "Start", "Done", "Fail", "Work", "Route", "a/b", "a~b", "~0", " ")),
    st.text(min_size=1, max_size=12),
    st.text(alphabet="éü日本🙂-_. ", min_size=1, max_size=6),
    st.integers(70, 120).map(lambda n: "N" * n),
)
missing_names = st.sampled_from(("Missing", "", "a/b/c", "ÜNKNOWN"))


@st.composite
def target(draw: st.DrawFn, names: list[str]) -> Any:
    choice = draw(st.integers(0, 9))
    if choice < 7:
        return draw(st.sampled_from(names))
    if choice < 9:
        return draw(missing_names)
    return draw(json_scalars)


def maybe(draw: st.DrawFn, value_strategy: st.SearchStrategy[Any], p_present: int = 5) -> Any:
    """Draw a value or the marker ``_ABSENT`` (p_present out of 10)."""
    return draw(value_strategy) if draw(st.integers(0, 9)) < p_present else _ABSENT


_ABSENT = object()


def put(state: dict[str, Any], key: str, value: Any) -> None:
    if value is not _ABSENT:
        state[key] = value


seconds_values = st.one_of(
    st.integers(1, 3600),
    st.integers(-5, 5),
    st.integers(99_999_990, 100_000_010),
    st.floats(allow_nan=True, allow_infinity=True),
    jsonata_ish,
    st.sampled_from(("10", None, True, [], {})),
)

templates = st.recursive(
    st.one_of(json_scalars, intrinsic_ish()),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.one_of(json_keys, json_keys.map(lambda k: k + ".$")),
            st.one_of(children, jsonpath_ish, intrinsic_ish(), jsonata_ish),
            max_size=4,
        ),
    ),
    max_leaves=12,
)
assign_values = st.one_of(
    st.dictionaries(
        st.one_of(
            st.sampled_from(("x", "_y", "states", "1a", "a.$", "a b", "x.$")), st.text(max_size=5)
        ),
        templates,
        max_size=3,
    ),
    json_scalars,
)
error_names = st.sampled_from(
    (
        "States.ALL",
        "States.TaskFailed",
        "States.Timeout",
        "States.Runtime",
        "Lambda.ServiceException",
        "",
        1,
    )
)


@st.composite
def retrier(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 19)) == 0:
        return draw(json_scalars)
    body: dict[str, Any] = {}
    put(body, "ErrorEquals", maybe(draw, st.lists(error_names, max_size=3) | json_scalars, 9))
    put(body, "IntervalSeconds", maybe(draw, seconds_values | st.integers(0, 10**9)))
    put(
        body,
        "MaxAttempts",
        maybe(draw, st.integers(-2, 10) | st.integers(0, 10**9) | seconds_values),
    )
    put(
        body,
        "BackoffRate",
        maybe(draw, st.floats(allow_nan=True, allow_infinity=True) | st.integers(0, 5)),
    )
    put(body, "MaxDelaySeconds", maybe(draw, seconds_values, 3))
    put(body, "JitterStrategy", maybe(draw, st.sampled_from(("FULL", "NONE", "HALF", 1)), 3))
    put(body, "Comment", maybe(draw, json_scalars, 1))
    put(body, "Junk", maybe(draw, json_scalars, 1))
    return body


@st.composite
def catcher(draw: st.DrawFn, names: list[str]) -> Any:
    if draw(st.integers(0, 19)) == 0:
        return draw(json_scalars)
    body: dict[str, Any] = {}
    put(body, "ErrorEquals", maybe(draw, st.lists(error_names, max_size=3) | json_scalars, 9))
    put(body, "Next", maybe(draw, target(names), 9))
    put(body, "ResultPath", maybe(draw, jsonpath_ish | st.none(), 4))
    put(body, "Output", maybe(draw, templates, 2))
    put(body, "Assign", maybe(draw, assign_values, 2))
    put(body, "Junk", maybe(draw, json_scalars, 1))
    return body


OPERATORS = (
    "StringEquals",
    "StringLessThan",
    "StringGreaterThanEquals",
    "StringMatches",
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThanEquals",
    "BooleanEquals",
    "TimestampEquals",
    "TimestampLessThan",
    "StringEqualsPath",
    "NumericLessThanPath",
    "BooleanEqualsPath",
    "TimestampGreaterThanPath",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
    "StringEqual",
    "NumericEqualz",
    "Condition",
)


@st.composite
def choice_test(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    kind = draw(st.integers(0, 9))
    if kind < 6 or depth >= 3:
        rule: dict[str, Any] = {}
        put(rule, "Variable", maybe(draw, jsonpath_ish | json_scalars, 9))
        operators = draw(st.lists(st.sampled_from(OPERATORS), min_size=1, max_size=2, unique=True))
        if draw(st.integers(0, 9)) == 0:
            operators = []
        for op in operators:
            rule[op] = draw(json_scalars | jsonpath_ish | st.booleans())
        return rule
    if kind == 9:
        return {"Not": draw(choice_test(depth + 1) | json_values)}
    key = "And" if kind < 8 else "Or"
    children = draw(st.lists(choice_test(depth + 1) | json_scalars, max_size=3))
    return {key: children}


@st.composite
def choice_rule(draw: st.DrawFn, names: list[str], jsonata: bool) -> Any:
    if draw(st.integers(0, 19)) == 0:
        return draw(json_scalars)
    if jsonata and draw(st.booleans()):
        rule: dict[str, Any] = {}
        put(rule, "Condition", maybe(draw, jsonata_ish | json_scalars, 9))
    else:
        rule = draw(choice_test())
    put(rule, "Next", maybe(draw, target(names), 9))
    put(rule, "Assign", maybe(draw, assign_values, 1))
    put(rule, "Output", maybe(draw, templates, 1))
    put(rule, "Comment", maybe(draw, json_scalars, 1))
    return rule


@st.composite
def asl_state(draw: st.DrawFn, names: list[str], depth: int) -> Any:
    if draw(st.integers(0, 29)) == 0:
        return draw(json_scalars)
    if draw(st.integers(0, 14)) == 0:
        kind: Any = draw(st.sampled_from(JUNK_TYPES))
    else:
        kind = draw(st.sampled_from(STATE_TYPES))
    state: dict[str, Any] = {}
    if draw(st.integers(0, 19)) > 0:
        state["Type"] = kind
    language = maybe(draw, st.sampled_from(("JSONPath", "JSONata", "jsonata", 1)), 2)
    put(state, "QueryLanguage", language)
    jsonata = language == "JSONata" or draw(st.booleans())
    put(state, "Comment", maybe(draw, json_scalars, 1))

    if kind in ("Task", "Pass", "Wait", "Parallel", "Map") or draw(st.integers(0, 9)) == 0:
        transition = draw(st.integers(0, 9))
        if transition < 5:
            state["Next"] = draw(target(names))
        elif transition < 9:
            state["End"] = True
        elif draw(st.booleans()):
            state["Next"] = draw(target(names))
            state["End"] = draw(json_scalars)
        # else: neither

    if kind == "Task":
        put(state, "Resource", maybe(draw, st.sampled_from(ARNS) | json_scalars, 9))
        put(state, "TimeoutSeconds", maybe(draw, seconds_values, 6))
        put(state, "TimeoutSecondsPath", maybe(draw, jsonpath_ish, 1))
        put(state, "HeartbeatSeconds", maybe(draw, seconds_values, 3))
        put(state, "HeartbeatSecondsPath", maybe(draw, jsonpath_ish, 1))
        put(state, "Credentials", maybe(draw, json_values, 1))
    if kind in ("Task", "Pass", "Parallel", "Map"):
        put(state, "Parameters", maybe(draw, templates, 3))
        put(state, "ResultPath", maybe(draw, jsonpath_ish | st.none(), 3))
        put(state, "ResultSelector", maybe(draw, templates, 2))
        put(state, "Arguments", maybe(draw, templates, 2 if jsonata else 1))
    if kind in ("Task", "Parallel", "Map"):
        put(state, "Retry", maybe(draw, st.lists(retrier(), max_size=3) | json_scalars, 4))
        put(state, "Catch", maybe(draw, st.lists(catcher(names), max_size=3) | json_scalars, 4))
    if kind == "Pass":
        put(state, "Result", maybe(draw, json_values, 3))
    if kind == "Choice":
        rules = st.lists(choice_rule(names, jsonata), max_size=4)
        put(state, "Choices", maybe(draw, rules | json_scalars, 9))
        put(state, "Default", maybe(draw, target(names), 5))
    if kind == "Wait":
        for key, values in (
            ("Seconds", seconds_values | st.integers(0, 10**12)),
            ("Timestamp", interesting_text),
            ("SecondsPath", jsonpath_ish),
            ("TimestampPath", jsonpath_ish),
        ):
            put(state, key, maybe(draw, values, 3))
    if kind == "Fail":
        for key, values in (
            ("Error", interesting_text | json_scalars),
            ("Cause", interesting_text | json_scalars),
            ("ErrorPath", jsonpath_ish | intrinsic_ish()),
            ("CausePath", jsonpath_ish | intrinsic_ish()),
        ):
            put(state, key, maybe(draw, values, 3))
    if kind == "Parallel":
        if depth < 3:
            branches = st.lists(asl_machine(depth + 1) | json_scalars, max_size=3)
        else:
            branches = st.lists(json_scalars, max_size=2)
        put(state, "Branches", maybe(draw, branches | json_scalars, 9))
    if kind == "Map":
        _map_fields(draw, state, depth, jsonata)
    if kind in STATE_TYPES:
        for key in ("InputPath", "OutputPath"):
            put(state, key, maybe(draw, jsonpath_ish | st.none(), 2))
        put(state, "Output", maybe(draw, templates, 2 if jsonata else 1))
        put(state, "Assign", maybe(draw, assign_values, 2))
    # A random extra field: unknown, from another state type, or of the other query language.
    put(state, draw(json_keys), maybe(draw, json_values, 1))
    return state


def _map_fields(draw: st.DrawFn, state: dict[str, Any], depth: int, jsonata: bool) -> None:
    processor_key = draw(st.sampled_from(("ItemProcessor", "ItemProcessor", "Iterator", None)))
    if processor_key is not None:
        processor = draw(asl_machine(depth + 1) | json_scalars) if depth < 3 else draw(json_scalars)
        if isinstance(processor, dict) and draw(st.booleans()):
            processor["ProcessorConfig"] = draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "Mode": st.sampled_from(("INLINE", "DISTRIBUTED", "inline", 0)),
                        "ExecutionType": st.sampled_from(("STANDARD", "EXPRESS", "X", None)),
                        "Junk": json_scalars,
                    },
                )
                | json_scalars
            )
        state[processor_key] = processor
    put(state, "ItemsPath", maybe(draw, jsonpath_ish, 2))
    put(state, "Items", maybe(draw, templates | jsonata_ish, 2 if jsonata else 1))
    put(state, "ItemSelector", maybe(draw, templates, 2))
    for key, values in (
        ("MaxConcurrency", st.integers(-2, 50) | st.integers(0, 10**6) | seconds_values),
        ("MaxConcurrencyPath", jsonpath_ish),
        (
            "ToleratedFailurePercentage",
            st.floats(allow_nan=True) | st.integers(-5, 200) | jsonata_ish,
        ),
        ("ToleratedFailureCount", st.integers(-5, 200) | jsonata_ish),
        ("ToleratedFailureCountPath", jsonpath_ish),
        ("Label", st.text(max_size=50) | json_scalars),
    ):
        put(state, key, maybe(draw, values, 2))
    reader = st.fixed_dictionaries(
        {},
        optional={
            "Resource": st.sampled_from(ARNS) | json_scalars,
            "ReaderConfig": st.fixed_dictionaries(
                {},
                optional={
                    "MaxItems": st.integers(-2, 10**6) | jsonata_ish | json_scalars,
                    "MaxItemsPath": jsonpath_ish,
                },
            )
            | json_scalars,
            "Parameters": templates,
            "Arguments": templates,
        },
    )
    batcher = st.fixed_dictionaries(
        {},
        optional={
            "MaxItemsPerBatch": st.integers(-2, 10**6) | json_scalars,
            "MaxInputBytesPerBatch": st.integers(-2, 10**6) | json_scalars,
            "BatchInput": templates,
        },
    )
    writer = st.fixed_dictionaries(
        {}, optional={"Resource": st.sampled_from(ARNS) | json_scalars, "Parameters": templates}
    )
    put(state, "ItemReader", maybe(draw, reader | json_scalars, 2))
    put(state, "ItemBatcher", maybe(draw, batcher | json_scalars, 2))
    put(state, "ResultWriter", maybe(draw, writer | json_scalars, 1))


@st.composite
def asl_machine(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    names = draw(st.lists(state_names, min_size=1, max_size=6 if depth == 0 else 3, unique=True))
    states = {name: draw(asl_state(names, depth)) for name in names}
    machine: dict[str, Any] = {}
    put(machine, "Comment", maybe(draw, json_scalars, 1))
    if depth == 0:
        put(machine, "TimeoutSeconds", maybe(draw, seconds_values | st.integers(1, 10**8), 7))
        put(machine, "QueryLanguage", maybe(draw, st.sampled_from(("JSONPath", "JSONata", "X")), 3))
        put(machine, "Version", maybe(draw, st.sampled_from(("1.0", 1.0)), 1))
    put(machine, "StartAt", maybe(draw, target(names), 9))
    put(machine, "States", states if draw(st.integers(0, 19)) else draw(json_values))
    put(machine, draw(json_keys), maybe(draw, json_values, 1))
    return machine


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"~(?![01])")


def pointer_tokens(pointer: str) -> list[str]:
    """Split an RFC 6901 JSON pointer, asserting it is well formed."""
    assert isinstance(pointer, str)
    if pointer == "":
        return []
    assert pointer.startswith("/"), f"pointer {pointer!r} does not start with '/'"
    assert not _ESCAPE.search(pointer), f"pointer {pointer!r} has a bad '~' escape"
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def resolved_prefix(document: Any, tokens: list[str]) -> int:
    """How many leading tokens of a pointer resolve in ``document``."""
    node = document
    for count, token in enumerate(tokens):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif (
            isinstance(node, list)
            and token.isdigit()
            and (token == "0" or not token.startswith("0"))
            and int(token) < len(node)
        ):
            node = node[int(token)]
        else:
            return count
    return len(tokens)


def check_problems(definition: Any, problems: Any, *, locate: bool) -> None:
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.severity in ("error", "warning")
        assert isinstance(problem.message, str)
        assert problem.message
        assert isinstance(problem.code, str)
        assert problem.code
        tokens = pointer_tokens(problem.pointer)
        if locate and problem.severity == "error" and tokens:
            # The pointer may name a missing field (e.g. ".../Choices" when there is none), but
            # everything above it must exist.
            found = resolved_prefix(definition, tokens)
            assert found >= len(tokens) - 1, (
                f"{problem.pointer!r} ({problem.code}: {problem.message}) does not resolve past "
                f"{tokens[:found]!r}"
            )
        problem.render()
        problem.as_dict()


def check_budget(budget: Any, definition: Any = None, *, locate: bool = False) -> None:
    assert isinstance(budget, Budget)
    assert isinstance(budget.seconds, float | int)
    assert not math.isnan(budget.seconds)
    assert budget.seconds >= 0
    assert budget.bounded == (not budget.unbounded and not budget.loops)
    for item in budget.unbounded:
        tokens = pointer_tokens(item.pointer)
        assert item.reason
        if locate and tokens:
            found = resolved_prefix(definition, tokens)
            assert found >= len(tokens) - 1, f"{item!r} does not resolve past {tokens[:found]!r}"
    for seconds in budget.state_seconds.values():
        assert seconds >= 0
    budget.as_dict()


def run_both(definition: Any, *, locate: bool = False, with_size: bool = True) -> None:
    for strict in (False, True):
        check_problems(definition, validate_definition(definition, strict=strict), locate=locate)
    if with_size:
        # As the CLI calls it, with the size of the file the definition was read from.
        check_problems(definition, validate_definition(definition, size=123), locate=locate)
        yaml_problems = validate_definition(definition, size=123, source="yaml")
        check_problems(definition, yaml_problems, locate=locate)
    check_budget(compute_budget(definition), definition, locate=locate)
    if isinstance(definition, dict):
        states = definition.get("States")
        declared = dict.fromkeys(states, 7) if isinstance(states, dict) else {}
        budget = compute_budget(definition, map_max_items=declared)
        check_budget(budget, definition, locate=locate)


# ---------------------------------------------------------------------------------------------
# 1. Random JSON (and non-JSON Python values)
# ---------------------------------------------------------------------------------------------


@examples(1.0)
@given(json_values)
def test_random_json_never_crashes(value: Any) -> None:
    run_both(value)


@examples(0.6)
@given(
    st.dictionaries(json_keys, json_values, max_size=6),
    st.dictionaries(json_keys, json_values, max_size=4),
)
def test_random_machine_shaped_json_never_crashes(
    top: dict[str, Any], states: dict[str, Any]
) -> None:
    top.setdefault("StartAt", next(iter(states), "A"))
    top["States"] = states
    run_both(top)


@examples(1.0)
@given(json_values)
def test_json_round_trip_never_crashes(value: Any) -> None:
    # What a file gives: the text's own size, and NaN/Infinity as json.loads reads them.
    text = json.dumps(value, ensure_ascii=False)
    parsed = json.loads(text)
    check_problems(parsed, validate_definition(parsed, size=len(text.encode())), locate=False)
    check_budget(compute_budget(parsed))


# What PyYAML's safe_load can return besides JSON: timestamps, dates, bytes (!!binary), sets
# (!!set), pairs (!!omap), and keys that are numbers, booleans, null or dates.
yaml_scalars = st.one_of(json_scalars, st.datetimes(), st.dates(), st.binary(max_size=5))
yaml_keys = st.one_of(json_keys, st.integers(), st.floats(), st.booleans(), st.none(), st.dates())


def _yaml_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.sets(st.text(max_size=3) | st.integers(), max_size=3),
        st.lists(st.tuples(st.text(max_size=3), children), max_size=2),
        st.dictionaries(yaml_keys, children, max_size=5),
    )


yaml_values = st.recursive(yaml_scalars, _yaml_containers, max_leaves=25)
# Anything else a Python caller can pass.
python_scalars = st.one_of(
    yaml_scalars,
    st.complex_numbers(),
    st.integers(4301, 4400).map(lambda digits: 10**digits),
    st.integers(4301, 4400).map(lambda digits: -(10**digits)),
    st.sampled_from((..., object(), frozenset({1}), float, range(3))),
)
python_keys = st.one_of(yaml_keys, st.tuples(st.integers()), st.just(frozenset()))


def _python_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.sets(st.integers(), max_size=3),
        st.dictionaries(python_keys, children, max_size=5),
    )


python_values = st.recursive(python_scalars, _python_containers, max_leaves=25)


@examples(0.75)
@given(yaml_values)
def test_random_yaml_values_never_crash(value: Any) -> None:
    run_both(value)


@examples(0.75)
@given(
    st.dictionaries(yaml_keys, yaml_values | asl_state(["A", "B"], 2), min_size=1, max_size=4),
    yaml_values,
)
def test_machine_with_yaml_values_never_crashes(states: dict[Any, Any], start: Any) -> None:
    run_both({"StartAt": start, "States": states, "TimeoutSeconds": 60})


@examples(0.75)
@given(python_values)
def test_random_python_values_never_crash(value: Any) -> None:
    """Without a size the validator measures the JSON itself, and must say where it is not JSON."""
    run_both(value, with_size=False)


@examples(0.75)
@given(
    st.dictionaries(python_keys, python_values | asl_state(["A", "B"], 2), min_size=1, max_size=4),
    python_values,
)
def test_machine_with_python_values_never_crashes(states: dict[Any, Any], start: Any) -> None:
    run_both({"StartAt": start, "States": states, "TimeoutSeconds": 60}, with_size=False)


# ---------------------------------------------------------------------------------------------
# 2. Almost valid ASL
# ---------------------------------------------------------------------------------------------


@examples(1.5)
@given(asl_machine())
def test_almost_valid_asl(definition: dict[str, Any]) -> None:
    run_both(definition, locate=True)


@examples(0.5)
@given(asl_machine())
def test_almost_valid_asl_from_text(definition: dict[str, Any]) -> None:
    """The same machines as the CLI sees them: parsed from JSON text, with the file's size."""
    text = json.dumps(definition, ensure_ascii=False)
    parsed = json.loads(text)
    check_problems(parsed, validate_definition(parsed, strict=True, size=len(text)), locate=True)
    check_budget(compute_budget(parsed))


def _deep(levels: int, make: Any) -> Any:
    value: Any = {"Type": "Succeed"}
    for _ in range(levels):
        value = make(value)
    return value


# Past Python's default recursion limit (1,000) and past the 10,000 that importing jsonata sets.
@pytest.mark.parametrize("levels", [50, 2_000, 30_000])
def test_deeply_nested_definitions_never_crash(levels: int) -> None:
    nested_lists = _deep(levels, lambda v: [v])
    parallel = _deep(
        levels,
        lambda v: {
            "Type": "Parallel",
            "End": True,
            "Branches": [{"StartAt": "S", "States": {"S": v}}],
        },
    )
    choice = _deep(levels, lambda v: {"Not": v})
    candidates = [
        nested_lists,
        {"StartAt": "S", "States": {"S": parallel}},
        {
            "StartAt": "S",
            "States": {"S": {"Type": "Pass", "End": True, "Parameters": nested_lists}},
        },
        {"StartAt": "S", "States": {"S": {"Type": "Choice", "Choices": [{**choice, "Next": "S"}]}}},
        {"StartAt": "S", "States": {"S": {"Type": "Pass", "Next": nested_lists}}},
    ]
    for definition in candidates:
        for size in (None, 10):
            problems = validate_definition(definition, strict=True, size=size)
            # Thousands of problems with pointers thousands of levels long: only their types.
            assert all(isinstance(problem, Problem) for problem in problems)
        check_budget(compute_budget(definition))


def test_unknown_field_pointers_are_escaped() -> None:
    # Found by test_almost_valid_asl: unknown field names went into pointers unescaped.
    definition = {
        "StartAt": "T",
        "TimeoutSeconds": 60,
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "TimeoutSeconds": 5,
                "End": True,
                "a/b": 1,
                "Retry": [{"ErrorEquals": ["States.ALL"], "x~y": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "T", "c/d": 1}],
            },
            "M": {
                "Type": "Map",
                "End": True,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE", "e/f": 1},
                    "StartAt": "S",
                    "States": {"S": {"Type": "Succeed"}},
                },
            },
        },
    }
    problems = validate_definition(definition)
    unknown = {p.pointer for p in problems if "unknown field" in p.message}
    assert unknown == {
        "/States/T/a~1b",
        "/States/T/Retry/0/x~0y",
        "/States/T/Catch/0/c~1d",
        "/States/M/ItemProcessor/ProcessorConfig/e~1f",
    }
    check_problems(definition, problems, locate=True)


# Regressions found by this suite: values JSON cannot hold made validate_definition raise
# TypeError/ValueError/UnicodeEncodeError while measuring the definition's size.
NON_JSON = [
    pytest.param({1, 2}, "/States/A/Result/x", id="set"),
    pytest.param(datetime.datetime(2026, 1, 31), "/States/A/Result/x", id="datetime"),
    pytest.param(b"raw", "/States/A/Result/x", id="bytes"),
    pytest.param({(1,): 1}, "/States/A/Result/x", id="tuple-key"),
    pytest.param([0, {True: [10**5000]}], "/States/A/Result/x/1/true/0", id="huge-int"),
]


@pytest.mark.parametrize(("value", "pointer"), NON_JSON)
def test_non_json_values_are_reported_where_they_are(value: Any, pointer: str) -> None:
    definition = {
        "StartAt": "A",
        "TimeoutSeconds": 60,
        "States": {"A": {"Type": "Pass", "End": True, "Result": {"x": value}}},
    }
    problems = validate_definition(definition)
    assert [(p.pointer, p.code, p.severity) for p in problems] == [(pointer, "json", "error")]
    check_budget(compute_budget(definition))


def test_lone_surrogates_are_measured_not_crashed_on() -> None:
    # json.loads('"\\ud800"') gives such a string; encoding it as UTF-8 used to raise.
    definition = {
        "StartAt": "A",
        "TimeoutSeconds": 60,
        "States": {"A": {"Type": "Pass", "End": True, "Result": "\ud800"}},
    }
    assert validate_definition(definition) == []


def test_self_containing_definition_never_crashes() -> None:
    branch: dict[str, Any] = {"StartAt": "P", "States": {}}
    branch["States"]["P"] = {"Type": "Parallel", "End": True, "Branches": [branch]}
    # Without a size the validator measures the JSON and finds the cycle; with one (as for a
    # parsed file, which cannot contain itself) it walks until the recursion guard stops it.
    assert [p.code for p in validate_definition(branch)] == ["json"]
    assert all(isinstance(p, Problem) for p in validate_definition(branch, size=10))
    check_budget(compute_budget(branch))


# The size as AWS receives it: json_size must agree with json.dumps byte for byte, and stay
# linear in the distinct objects when values are shared (as YAML aliases share them).


def _dumped(value: Any) -> int:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return len(text.encode("utf-8", "surrogatepass"))


finite_json = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=40),
        st.text(alphabet='"\\\n\x00é日🙂\ud800', max_size=40),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(json_keys, st.integers(), st.booleans(), st.none(), st.floats(-9, 9)),
            children,
            max_size=6,
        ),
    ),
    max_leaves=40,
)


@examples(1.0)
@given(finite_json)
def test_json_size_is_the_length_json_dumps_writes(value: Any) -> None:
    assert json_size(value) == _dumped(value)
    # The same value reached twice goes through the measure that remembers what it measured.
    shared = [value, {"again": value}, value]
    size, is_shared = measure_json(shared)
    assert size == _dumped(shared)
    assert is_shared or not isinstance(value, dict | list)


@examples(0.5)
@given(python_values)
def test_json_size_refuses_what_json_dumps_refuses(value: Any) -> None:
    try:
        expected: int | None = _dumped(value)
    except (TypeError, ValueError):
        expected = None
    for candidate in (value, [value, value]):
        try:
            size: int | None = json_size(candidate)
        except NotJsonError:
            size = None
        assert (size is None) == (expected is None)


def test_json_size_of_a_deep_value_does_not_recurse() -> None:
    deep: list[Any] = []
    for _ in range(200_000):
        deep = [deep]
    assert json_size(deep) == 2 * 200_001


def test_json_size_of_a_long_string_referred_to_many_times() -> None:
    text = "x" * 100_000
    value = [text] * 100_000  # 10 GB of JSON: measured from the one string
    assert measure_json(value) == (100_000 * 100_002 + 99_999 + 2, True)


# ---------------------------------------------------------------------------------------------
# 4. Random file bytes through load_definition
# ---------------------------------------------------------------------------------------------

yaml_fragments = st.sampled_from(
    (
        "StartAt: A\n",
        "States:\n",
        "  A:\n",
        "    Type: Pass\n",
        "    End: true\n",
        "- ",
        "? ",
        ": ",
        "&a ",
        "*a ",
        "!!binary ",
        "!!python/object:os.system ",
        "!!float ",
        "!!int ",
        "!!timestamp ",
        "2001-13-45",
        "2001-02-30 25:61:61",
        "1e400",
        "0x1F",
        "0o17",
        ".nan",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "{",
        "}",
        "[",
        "]",
        ",",
        "'",
        '"',
        "\t",
        "\n",
        "#",
        "|\n",
        ">-\n",
        "~",
        "null",
        "yes",
        "=",
        "<<: *a\n",
        "\ufeff",
        "\x00",
    )
)
file_bytes = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
    _join(st.lists(yaml_fragments, max_size=30)).map(str.encode),
    json_values.map(lambda v: json.dumps(v).encode()),
    asl_machine().map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
    st.sampled_from(
        (
            b"1" * 5000,
            b"[" * 100_000,
            b'{"a":' * 100_000,
            b"- " * 5_000,
            b"[" * 5_000,
            b"{a: " * 5_000,
            b"a: 2001-13-45\n",
            b"NaN",
            b"-Infinity",
            b"\xef\xbb\xbf{}",
            b"\xff\xfe{}",
        )
    ),
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-files")


@examples(0.75)
@given(
    data=file_bytes, suffix=st.sampled_from((".json", ".yaml", ".yml", ".JSON", ".YML", ".txt", ""))
)
def test_load_definition_never_crashes(scratch: Path, data: bytes, suffix: str) -> None:
    path = scratch / f"definition{suffix}"
    path.write_bytes(data)
    try:
        loaded = load_definition(path)
    except InputFileError as exc:
        assert str(exc)
        return
    assert loaded.size == len(data)
    # What the CLI does next with whatever the file held.
    check_problems(
        loaded.definition, validate_definition(loaded.definition, size=loaded.size), locate=False
    )
    check_budget(compute_budget(loaded.definition))


@pytest.mark.parametrize(
    ("suffix", "data"),
    [
        pytest.param(".json", b"1" * 5000, id="json-int-too-long"),
        pytest.param(".yaml", b"1" * 5000, id="yaml-int-too-long"),
        pytest.param(".yaml", b"{a: " * 5000, id="yaml-too-deep"),
        pytest.param(".yaml", b"- " * 5000, id="yaml-too-deep-list"),
        pytest.param(".yaml", b"a: !!timestamp 2001-13-45\n", id="yaml-bad-date"),
        pytest.param(".yaml", b"!!int ''", id="yaml-empty-int"),
        pytest.param(".yaml", b"!!float .", id="yaml-bad-float"),
        pytest.param(".yaml", b"!!bool ''", id="yaml-empty-bool"),
        pytest.param(".yaml", b"!!timestamp ''", id="yaml-empty-timestamp"),
        # libyaml's composer recursed in C on these and crashed the interpreter.
        pytest.param(".yaml", b"[" * 100_000 + b"]" * 100_000, id="yaml-deep-flow"),
        pytest.param(".yaml", b"- " * 100_000 + b"x", id="yaml-deep-block"),
        pytest.param(".yml", b"{a: " * 100_000 + b"1" + b"}" * 100_000, id="yaml-deep-mapping"),
    ],
)
def test_load_definition_refuses_what_it_cannot_read(
    scratch: Path, suffix: str, data: bytes
) -> None:
    # Each of these used to escape as ValueError, RecursionError, IndexError, KeyError or
    # AttributeError instead of InputFileError.
    path = scratch / f"unreadable{suffix}"
    path.write_bytes(data)
    with pytest.raises(InputFileError, match="unreadable"):
        load_definition(path)


def test_load_definition_of_missing_file_and_folder(scratch: Path) -> None:
    for path in (scratch / "does-not-exist.json", scratch):
        with pytest.raises(InputFileError):
            load_definition(path)


# `<<` merge keys: the loader keeps one pair per key (PyYAML copied them all, and merges of
# merges multiplied them); what it builds must not change.
MERGES = [
    "base: &b {a: 1, b: 2}\nx: {<<: *b, b: 3}\n",
    "p: &p {a: 1}\nq: &q {a: 2, c: 3}\nx: {<<: [*p, *q], d: 4}\n",
    "p: &p {a: 1, z: 0}\nx: {z: 9, <<: *p, a: 5}\n",
    "p: &p {a: 1}\nq: &q {<<: *p, b: 2}\nr: &r {<<: [*q, *p], c: 3}\nx: {<<: [*r, *q, *r]}\n",
    "p: &p {1: one, true: yes, ~: nothing}\nx: {<<: *p, 1: uno}\n",
    "x: {a: 1, a: 2, b: 3, a: 4}\n",
]


@pytest.mark.parametrize("text", MERGES)
def test_merge_keys_build_what_pyyaml_builds(scratch: Path, text: str) -> None:
    path = scratch / "merge.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_definition(path).definition
    expected = yaml.safe_load(text)
    assert loaded == expected
    assert repr(loaded) == repr(expected)  # the same keys in the same order


def test_loader_without_libyaml_reads_the_same(scratch: Path) -> None:
    # PyYAML built without libyaml: the pure-Python parser must give the same definitions and
    # the same refusals. Checked in a child process where `yaml._yaml` cannot be imported.
    files = {
        "merge.yaml": MERGES[3],
        "wait.yaml": "StartAt: W\nStates: {W: {Type: Wait, Timestamp: 2026-01-31T12:00:00Z}}\n",
        "deep.yaml": "- " * 5_000 + "x",
        "bad.yaml": "StartAt: A\nStates:\n  A: {Type: Pass\n",
    }
    for name, text in files.items():
        (scratch / name).write_text(text, encoding="utf-8")
    script = (
        "import json, sys\n"
        "sys.modules['yaml._yaml'] = None\n"
        "import yaml\n"
        "assert not yaml.__with_libyaml__\n"
        "from sfn_flows.errors import InputFileError\n"
        "from sfn_flows.project.files import load_definition\n"
        "from pathlib import Path\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        out[name] = repr(load_definition(Path(name)).definition)\n"
        "    except InputFileError as exc:\n"
        "        out[name] = 'error: ' + str(exc)\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *files],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pure = json.loads(done.stdout)
    for name in files:
        try:
            here = repr(load_definition(scratch / name).definition)
        except InputFileError as exc:
            here = "error: " + str(exc).replace(str(scratch) + "/", "")
        # libyaml words its syntax errors its own way; the place and the kind must agree.
        assert pure[name].partition("YAML")[0] == here.partition("YAML")[0], name
        assert pure[name].startswith("error") or pure[name] == here, name


# ---------------------------------------------------------------------------------------------
# 5. JSON files with unquoted ${Name} placeholders (SAM's DefinitionSubstitutions)
# ---------------------------------------------------------------------------------------------


class _Bare:
    """Where the generated file holds an unquoted placeholder."""

    def __init__(self, name: str) -> None:
        self.text = "${" + name + "}"


def _with_bare(strings: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False),
        strings,
        st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).map(_Bare),
    )
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(strings, children, max_size=4)
        ),
        max_leaves=20,
    )


def _write(value: Any, out: list[str], spans: list[tuple[int, int]], at: int) -> int:
    """Append `value` as JSON text (unquoted placeholders as they are); returns the new
    offset and records where each placeholder is."""
    if isinstance(value, _Bare):
        out.append(value.text)
        spans.append((at, at + len(value.text)))
        return at + len(value.text)
    if isinstance(value, list | dict):
        pairs = list(value.items()) if isinstance(value, dict) else [(None, v) for v in value]
        opener, closer = ("{", "}") if isinstance(value, dict) else ("[", "]")
        out.append(opener)
        at += 1
        for index, (key, child) in enumerate(pairs):
            lead = (", " if index else "") + (json.dumps(key) + ": " if key is not None else "")
            out.append(lead)
            at = _write(child, out, spans, at + len(lead))
        out.append(closer)
        return at + 1
    text = json.dumps(value, ensure_ascii=False)
    out.append(text)
    return at + len(text)


def _expected(value: Any) -> Any:
    if isinstance(value, _Bare):
        return UnquotedPlaceholder(value.text)
    if isinstance(value, list):
        return [_expected(v) for v in value]
    if isinstance(value, dict):
        return {k: _expected(v) for k, v in value.items()}
    return value


def _same(found: Any, expected: Any) -> bool:
    """Equal, and an UnquotedPlaceholder exactly where one is expected."""
    if isinstance(found, UnquotedPlaceholder) != isinstance(expected, UnquotedPlaceholder):
        return False
    if isinstance(expected, list):
        return (
            isinstance(found, list)
            and len(found) == len(expected)
            and all(_same(f, e) for f, e in zip(found, expected, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(found, dict)
            and list(found) == list(expected)
            and all(_same(found[k], e) for k, e in expected.items())
        )
    return bool(found == expected)


# Strings that steer the reader's string tracking: quotes, backslashes, placeholders, NULs.
tricky_strings = st.lists(
    st.sampled_from(['"', "\\", "$", "{", "}", "${A}", "\x00", "a", " ", "\n", "é", "\u2028"]),
    max_size=6,
).map("".join)
plain_strings = st.text(st.characters(exclude_characters='"\\', codec="utf-8"), max_size=6)


@examples(1.0)
@given(_with_bare(tricky_strings))
def test_unquoted_placeholders_are_read_where_they_are(value: Any) -> None:
    out: list[str] = []
    _write(value, out, [], 0)
    assert _same(read_json("".join(out)).definition, _expected(value))


@examples(1.0)
@given(_with_bare(plain_strings), st.data())
def test_json_errors_near_unquoted_placeholders_point_at_the_file(value: Any, data: Any) -> None:
    # One character deleted (not a quote: the strings here have no escapes, so the strings
    # stay where they were). The error is where json.loads finds it in the same text with
    # each placeholder written as a value of the same length: a 0 and spaces, which, like a
    # placeholder and unlike a string, cannot be an object's key.
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    _write(value, out, spans, 0)
    text = "".join(out)
    cuttable = [
        i
        for i, char in enumerate(text)
        if char != '"' and not any(start <= i < end for start, end in spans)
    ]
    if not cuttable:
        return
    cut = data.draw(st.sampled_from(cuttable))
    broken = text[:cut] + text[cut + 1 :]
    same_length = broken
    for start, end in spans:
        start, end = (start - 1, end - 1) if start > cut else (start, end)
        same_length = same_length[:start] + "0" + " " * (end - start - 1) + same_length[end:]
    try:
        json.loads(same_length)
        expected: tuple[str, int] | None = None
    except json.JSONDecodeError as exc:
        expected = (exc.msg, exc.pos)
    except ValueError:  # an integer too long (not generated) or NaN (not generated)
        return
    try:
        read_json(broken)
        found: tuple[str, int] | None = None
    except json.JSONDecodeError as exc:
        found = (exc.msg, exc.pos)
        assert exc.doc == broken
    assert found == expected
