"""One failing definition per validation rule of `sfn_flows.validate`.

Each case is a minimal definition that breaks exactly one rule, with the JSON pointer, the
code and a fragment of the message it must produce, plus the same definition with that one
thing put right, which must come out clean (even with strict=True).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from sfn_flows.validate import Problem, errors, validate_definition
from sfn_flows.validate.size import MAX_DEFINITION_BYTES
from sfn_flows.validate.values import UnquotedPlaceholder

DROP = object()  # pass as a field value to remove that field from the base
LAMBDA = "arn:aws:states:::lambda:invoke"
PASS_END: dict[str, Any] = {"Type": "Pass", "End": True}
SUCCEED: dict[str, Any] = {"Type": "Succeed"}


def _merge(base: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in fields.items():
        if value is DROP:
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def machine(
    states: dict[str, Any] | None = None, *, start: Any = "A", **top: Any
) -> dict[str, Any]:
    """A valid machine (one Pass state "A" by default); keyword arguments set or DROP
    top-level fields."""
    base = {
        "StartAt": start,
        "TimeoutSeconds": 300,
        "States": {"A": PASS_END} if states is None else states,
    }
    return _merge(base, top)


def jsonata(states: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    return machine(states, QueryLanguage="JSONata", **top)


def task(**fields: Any) -> dict[str, Any]:
    """A valid Task state with a timeout; keyword arguments set or DROP fields."""
    base = {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 30, "End": True}
    return _merge(base, fields)


def one(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A machine whose only state is "A"."""
    return machine({"A": state}, **top)


def with_recover(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    """State "A" going on to a Succeed state "Recover" that catchers may target too."""
    return machine(
        {"A": _merge(state, {"End": DROP, "Next": "Recover"}), "Recover": SUCCEED}, **top
    )


def rule(**fields: Any) -> dict[str, Any]:
    return _merge({"Variable": "$.x", "StringEquals": "a", "Next": "Done"}, fields)


def choice(*rules: dict[str, Any], language: str | None = None, **fields: Any) -> dict[str, Any]:
    """Choice state "A" with a Default "Done" (a Succeed state)."""
    state = _merge({"Type": "Choice", "Choices": list(rules), "Default": "Done"}, fields)
    top = {"QueryLanguage": language} if language else {}
    return machine({"A": state, "Done": SUCCEED}, **top)


def condition(text: str = "{% $states.input.x = 1 %}", **fields: Any) -> dict[str, Any]:
    return _merge({"Condition": text, "Next": "Done"}, fields)


def branch(states: dict[str, Any] | None = None, start: str = "B", **fields: Any) -> dict[str, Any]:
    base = {"StartAt": start, "States": {"B": PASS_END} if states is None else states}
    return _merge(base, fields)


def parallel(*branches: Any, **fields: Any) -> dict[str, Any]:
    base = {"Type": "Parallel", "Branches": list(branches) or [branch()], "End": True}
    return _merge(base, fields)


def map_state(config: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    processor = branch({"Item": PASS_END}, start="Item")
    if config is not None:
        processor["ProcessorConfig"] = config
    return _merge({"Type": "Map", "ItemProcessor": processor, "End": True}, fields)


DISTRIBUTED = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
READER = {"Resource": "arn:aws:states:::s3:getObject"}


def pass_with(**fields: Any) -> dict[str, Any]:
    return _merge(PASS_END, fields)


def retry(*retriers: dict[str, Any]) -> dict[str, Any]:
    return one(task(Retry=list(retriers)))


def catch(*catchers: dict[str, Any], language: str | None = None, **fields: Any) -> dict[str, Any]:
    top = {"QueryLanguage": language} if language else {}
    return with_recover(task(**({"Catch": list(catchers)} | fields)), **top)


def catcher(**fields: Any) -> dict[str, Any]:
    return _merge({"ErrorEquals": ["States.ALL"], "Next": "Recover"}, fields)


@dataclass(frozen=True)
class Case:
    id: str
    bad: Any
    pointer: str
    code: str
    message: str
    good: Any
    fix: str = ""
    severity: str = "error"
    count: int = 1  # problems (errors and warnings) the bad definition yields in all


def case(*args: Any, **kwargs: Any) -> Any:
    c = Case(*args, **kwargs)
    return pytest.param(c, id=c.id)


LONG_NAME = "N" * 81
BRANCH_DUP = machine(
    {"A": parallel(branch({"B": PASS_END})), "B": PASS_END},
)
BRANCH_DUP["States"]["A"]["Next"] = "B"
del BRANCH_DUP["States"]["A"]["End"]
BRANCH_OK = copy.deepcopy(BRANCH_DUP)
BRANCH_OK["States"]["A"]["Branches"] = [branch({"Inner": PASS_END}, start="Inner")]

CASES = [
    # ---- top level -------------------------------------------------------------------
    case(
        "not-an-object", ["StartAt"], "", "machine", "is a JSON object, not a JSON array", machine()
    ),
    case("not-an-object-string", "hello", "", "machine", "not the string 'hello'", machine()),
    case(
        "unknown-top-field",
        machine(Foo=1),
        "/Foo",
        "field",
        "unknown top-level field 'Foo'",
        machine(Comment="x"),
    ),
    case(
        "top-field-pointer-escaped",
        machine(**{"a/b~c": 1}),
        "/a~1b~0c",
        "field",
        "unknown top-level field",
        machine(),
    ),
    case(
        "bad-query-language",
        machine(QueryLanguage="JSONPointer"),
        "/QueryLanguage",
        "query-language",
        "JSONPath or JSONata, not the string 'JSONPointer'",
        machine(QueryLanguage="JSONata"),
    ),
    case(
        "timeout-zero",
        machine(TimeoutSeconds=0),
        "/TimeoutSeconds",
        "timeout",
        "integer from 1 to 99999999",
        machine(TimeoutSeconds=1),
    ),
    case(
        "timeout-string",
        machine(TimeoutSeconds="60"),
        "/TimeoutSeconds",
        "timeout",
        "not the string '60'",
        machine(TimeoutSeconds=60),
    ),
    case(
        "timeout-float",
        machine(TimeoutSeconds=1.5),
        "/TimeoutSeconds",
        "timeout",
        "not the number 1.5",
        machine(TimeoutSeconds=2),
    ),
    case(
        "timeout-bool",
        machine(TimeoutSeconds=True),
        "/TimeoutSeconds",
        "timeout",
        "boolean true",
        machine(TimeoutSeconds=1),
    ),
    case(
        "timeout-too-big",
        machine(TimeoutSeconds=100_000_000),
        "/TimeoutSeconds",
        "timeout",
        "integer from 1",
        machine(TimeoutSeconds=99_999_999),
    ),
    case(
        "machine-timeout-missing",
        machine(TimeoutSeconds=DROP),
        "",
        "missing-machine-timeout",
        "no TimeoutSeconds",
        machine(),
        severity="warning",
    ),
    case(
        "version-not-string",
        machine(Version=1.0),
        "/Version",
        "field",
        "Version must be a string",
        machine(Version="1.0"),
    ),
    case(
        "comment-not-string",
        machine(Comment=5),
        "/Comment",
        "field",
        "Comment must be a string",
        machine(Comment="five"),
    ),
    case("start-missing", machine(StartAt=DROP), "", "start", "StartAt is missing", machine()),
    case(
        "start-not-string",
        machine(start=["A"]),
        "/StartAt",
        "start",
        "StartAt must be a string (the name of a state), not a JSON array",
        machine(),
    ),
    case(
        "start-not-a-state",
        machine(start="Nope"),
        "/StartAt",
        "start",
        "StartAt names 'Nope', which is not a state",
        machine(start="A"),
    ),
    case("states-empty", machine({}), "/States", "scope", "non-empty object", machine()),
    case("states-missing", machine(States=DROP), "/States", "scope", "non-empty object", machine()),
    case(
        "states-not-object",
        machine(States=[PASS_END]),
        "/States",
        "scope",
        "non-empty object",
        machine(),
    ),
    # ---- state names -----------------------------------------------------------------
    case(
        "name-too-long",
        machine({LONG_NAME: PASS_END}, start=LONG_NAME),
        f"/States/{LONG_NAME}",
        "name",
        "1 to 80 characters",
        machine({"N" * 80: PASS_END}, start="N" * 80),
    ),
    case(
        "name-duplicate-in-branch",
        BRANCH_DUP,
        "/States/A/Branches/0/States/B",
        "duplicate-name",
        "also used at /States/B",
        BRANCH_OK,
    ),
    case(
        "name-pointer-escaped",
        machine({"a/b~c": pass_with(Foo=1)}, start="a/b~c"),
        "/States/a~1b~0c/Foo",
        "field",
        "unknown field 'Foo'",
        machine({"a/b~c": PASS_END}, start="a/b~c"),
    ),
    # A state that is not an object cannot end the execution either: two problems.
    case(
        "state-not-object",
        one("Pass"),
        "/States/A",
        "state",
        "must be an object",
        one(PASS_END),
        count=2,
    ),
    # ---- Type and fields -------------------------------------------------------------
    case(
        "type-unknown",
        one({"Type": "Taks", "End": True}),
        "/States/A/Type",
        "type",
        "has Type the string 'Taks'",
        one(task()),
        fix="did you mean 'Task'?",
    ),
    case(
        "type-missing", one({"End": True}), "/States/A/Type", "type", "has Type null", one(PASS_END)
    ),
    case(
        "type-unhashable",
        one({"Type": ["Pass"], "End": True}),
        "/States/A/Type",
        "type",
        "has Type a JSON array",
        one(PASS_END),
    ),
    case(
        "field-unknown",
        one(pass_with(Reslt={})),
        "/States/A/Reslt",
        "field",
        "unknown field 'Reslt' in a Pass state",
        one(pass_with(Result={})),
        fix="did you mean 'Result'?",
    ),
    case(
        "field-not-for-type",
        one(pass_with(Retry=[])),
        "/States/A/Retry",
        "field",
        "unknown field 'Retry' in a Pass state",
        one(PASS_END),
    ),
    case(
        "jsonpath-field-in-jsonata",
        jsonata({"A": pass_with(InputPath="$")}),
        "/States/A/InputPath",
        "query-language",
        "InputPath is a JSONPath field; this state uses JSONata",
        jsonata({"A": pass_with(Output="{% $states.input %}")}),
    ),
    case(
        "parameters-in-jsonata",
        jsonata({"A": task(Parameters={})}),
        "/States/A/Parameters",
        "query-language",
        "JSONPath field",
        jsonata({"A": task(Arguments={})}),
        fix="use Arguments",
    ),
    case(
        "jsonata-field-in-jsonpath",
        one(pass_with(Output={})),
        "/States/A/Output",
        "query-language",
        "Output is a JSONata field; this state uses JSONPath",
        one(pass_with(Output={}, QueryLanguage="JSONata")),
    ),
    case(
        "arguments-in-jsonpath",
        one(task(Arguments={})),
        "/States/A/Arguments",
        "query-language",
        "JSONata field",
        one(task(Parameters={})),
    ),
    case(
        "state-jsonpath-in-jsonata-machine",
        jsonata({"A": pass_with(QueryLanguage="JSONPath")}),
        "/States/A/QueryLanguage",
        "query-language",
        "cannot use JSONPath",
        jsonata({"A": pass_with(QueryLanguage="JSONata")}),
    ),
    case(
        "state-query-language-bad",
        one(pass_with(QueryLanguage="XPath")),
        "/States/A/QueryLanguage",
        "query-language",
        "not the string 'XPath'",
        one(pass_with(QueryLanguage="JSONPath")),
    ),
    # ---- transitions and the graph ---------------------------------------------------
    case(
        "next-and-end",
        machine({"A": pass_with(Next="B"), "B": PASS_END}),
        "/States/A",
        "transition",
        "not both",
        machine({"A": pass_with(Next="B", End=DROP), "B": PASS_END}),
    ),
    case(
        "neither-next-nor-end",
        machine(
            {
                "A": task(End=DROP, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "B"}]),
                "B": PASS_END,
            }
        ),
        "/States/A",
        "transition",
        "neither Next nor",
        machine({"A": task(End=DROP, Next="B"), "B": PASS_END}),
    ),
    case(
        "end-false",
        machine({"A": {"Type": "Pass", "Next": "B", "End": False}, "B": PASS_END}),
        "/States/A/End",
        "transition",
        "End must be true when present, not the boolean false",
        machine({"A": {"Type": "Pass", "Next": "B"}, "B": PASS_END}),
    ),
    # Where a dangling Next leads is unknown, so "no-terminal" is not reported on top of it.
    case(
        "next-missing-target",
        one({"Type": "Pass", "Next": "Nowhere"}),
        "/States/A/Next",
        "next",
        "Next target 'Nowhere' does not exist",
        machine({"A": {"Type": "Pass", "Next": "Nowhere"}, "Nowhere": PASS_END}),
    ),
    case(
        "unreachable",
        machine({"A": PASS_END, "B": PASS_END}),
        "/States/B",
        "unreachable",
        "'B' cannot be reached from StartAt",
        machine({"A": pass_with(End=DROP, Next="B"), "B": PASS_END}),
    ),
    case(
        "no-terminal-loop",
        machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}),
        "",
        "no-terminal",
        "no reachable state ends the execution",
        machine({"A": {"Type": "Pass", "Next": "B"}, "B": PASS_END}),
    ),
    case(
        "next-on-succeed",
        machine({"A": {"Type": "Succeed", "Next": "A"}}),
        "/States/A/Next",
        "field",
        "unknown field 'Next' in a Succeed state",
        machine({"A": SUCCEED}),
    ),
    # ---- Task ------------------------------------------------------------------------
    case(
        "task-resource-missing",
        one(task(Resource=DROP)),
        "/States/A/Resource",
        "resource",
        "non-empty ARN string",
        one(task()),
    ),
    case(
        "task-resource-not-string",
        one(task(Resource=5)),
        "/States/A/Resource",
        "resource",
        "non-empty ARN string",
        one(task()),
    ),
    case(
        "task-resource-empty",
        one(task(Resource="")),
        "/States/A/Resource",
        "resource",
        "non-empty ARN string",
        one(task()),
    ),
    case(
        "task-resource-not-arn",
        one(task(Resource="lambda:invoke")),
        "/States/A/Resource",
        "resource",
        "'lambda:invoke' is not an ARN",
        one(task(Resource="arn:aws:lambda:us-east-1:123456789012:function:f")),
    ),
    case(
        "task-resource-placeholder",
        one(task(Resource="${Fn")),
        "/States/A/Resource",
        "resource",
        "is not an ARN",
        one(task(Resource="${FnArn}")),
    ),
    case(
        "task-timeout-zero",
        one(task(TimeoutSeconds=0)),
        "/States/A/TimeoutSeconds",
        "number",
        "whole number of seconds from 1",
        one(task(TimeoutSeconds=1)),
    ),
    case(
        "task-timeout-negative",
        one(task(TimeoutSeconds=-5)),
        "/States/A/TimeoutSeconds",
        "number",
        "not the number -5",
        one(task(TimeoutSeconds=5)),
    ),
    case(
        "task-timeout-float",
        one(task(TimeoutSeconds=2.5)),
        "/States/A/TimeoutSeconds",
        "number",
        "not the number 2.5",
        one(task(TimeoutSeconds=2)),
    ),
    case(
        "task-timeout-string",
        one(task(TimeoutSeconds="30")),
        "/States/A/TimeoutSeconds",
        "number",
        "not the string '30'",
        one(task(TimeoutSeconds=30)),
    ),
    case(
        "task-timeout-and-path",
        one(task(TimeoutSecondsPath="$.t")),
        "/States/A",
        "timeout",
        "TimeoutSeconds and TimeoutSecondsPath are mutually exclusive",
        one(task(TimeoutSeconds=DROP, TimeoutSecondsPath="$.t")),
    ),
    case(
        "task-timeout-path-invalid",
        one(task(TimeoutSeconds=DROP, TimeoutSecondsPath="$.t[*]")),
        "/States/A/TimeoutSecondsPath",
        "path",
        "not a valid reference path",
        one(task(TimeoutSeconds=DROP, TimeoutSecondsPath="$.t[0]")),
    ),
    case(
        "task-timeout-missing",
        one(task(TimeoutSeconds=DROP)),
        "/States/A",
        "missing-timeout",
        "this Task has no TimeoutSeconds",
        one(task()),
        severity="warning",
    ),
    case(
        "task-timeout-jsonata-syntax",
        jsonata({"A": task(TimeoutSeconds="{% 1 + %}")}),
        "/States/A/TimeoutSeconds",
        "jsonata",
        "JSONata syntax error",
        jsonata({"A": task(TimeoutSeconds="{% $states.input.t %}")}),
    ),
    case(
        "task-timeout-expression-in-jsonpath",
        one(task(TimeoutSeconds="{% 30 %}")),
        "/States/A/TimeoutSeconds",
        "number",
        "whole number of seconds",
        one(task(TimeoutSeconds=30)),
    ),
    case(
        "task-heartbeat-not-below-timeout",
        one(task(HeartbeatSeconds=30)),
        "/States/A/HeartbeatSeconds",
        "heartbeat",
        "HeartbeatSeconds (30) must be smaller than TimeoutSeconds (30)",
        one(task(HeartbeatSeconds=29)),
    ),
    case(
        "task-heartbeat-zero",
        one(task(HeartbeatSeconds=0)),
        "/States/A/HeartbeatSeconds",
        "number",
        "whole number of seconds",
        one(task(HeartbeatSeconds=1)),
    ),
    case(
        "task-heartbeat-path-in-jsonata",
        jsonata({"A": task(HeartbeatSecondsPath="$.h")}),
        "/States/A/HeartbeatSecondsPath",
        "query-language",
        "JSONPath field",
        jsonata({"A": task(HeartbeatSeconds="{% $states.input.h %}")}),
    ),
    case(
        "task-credentials-not-object",
        one(task(Credentials="role")),
        "/States/A/Credentials",
        "field",
        "Credentials must be an object",
        one(task(Credentials={"RoleArn": "arn:aws:iam::123456789012:role/r"})),
    ),
    # ---- Pass and the JSONPath I/O fields ---------------------------------------------
    case(
        "pass-input-path-invalid",
        one(pass_with(InputPath="input")),
        "/States/A/InputPath",
        "path",
        "'input' is not a valid path",
        one(pass_with(InputPath=None)),
    ),
    case(
        "pass-result-path-not-reference",
        one(pass_with(ResultPath="$..x")),
        "/States/A/ResultPath",
        "path",
        "not a valid reference path",
        one(pass_with(ResultPath="$.x")),
    ),
    case(
        "pass-output-path-not-string",
        one(pass_with(OutputPath=5)),
        "/States/A/OutputPath",
        "path",
        "must be a JSONPath string, not the number 5",
        one(pass_with(OutputPath="$.a[*].b")),
    ),
    case(
        "pass-resource",
        one(pass_with(Resource=LAMBDA)),
        "/States/A/Resource",
        "field",
        "unknown field 'Resource' in a Pass state",
        one(pass_with(Result={"r": LAMBDA})),
    ),
    # ---- Choice ----------------------------------------------------------------------
    case(
        "choice-empty",
        choice(),
        "/States/A/Choices",
        "choice",
        "non-empty Choices list",
        choice(rule()),
    ),
    case(
        "choice-missing",
        choice(Choices=DROP),
        "/States/A/Choices",
        "choice",
        "non-empty Choices list",
        choice(rule()),
    ),
    case(
        "choice-rule-not-object",
        choice("x"),
        "/States/A/Choices/0",
        "choice",
        "must be an object, not the string 'x'",
        choice(rule()),
    ),
    case(
        "choice-rule-without-next",
        choice(rule(Next=DROP)),
        "/States/A/Choices/0",
        "choice",
        "has no Next",
        choice(rule()),
    ),
    case(
        "choice-next-missing-target",
        choice(rule(Next="Nope")),
        "/States/A/Choices/0/Next",
        "next",
        "Next target 'Nope' does not exist",
        choice(rule()),
    ),
    case(
        "choice-two-operators",
        choice(rule(StringMatches="a*")),
        "/States/A/Choices/0",
        "choice",
        "found StringEquals, StringMatches",
        choice(rule()),
    ),
    case(
        "choice-no-operator",
        choice(rule(StringEquals=DROP)),
        "/States/A/Choices/0",
        "choice",
        "exactly one comparison operator or And/Or/Not.",
        choice(rule()),
    ),
    case(
        "choice-no-variable",
        choice(rule(Variable=DROP)),
        "/States/A/Choices/0",
        "choice",
        "a StringEquals rule needs a Variable",
        choice(rule()),
    ),
    case(
        "choice-nested-next",
        choice({"Not": rule(), "Next": "Done"}),
        "/States/A/Choices/0/Not/Next",
        "choice",
        "nested in And/Or/Not must not have a Next",
        choice({"Not": rule(Next=DROP), "Next": "Done"}),
    ),
    case(
        "choice-and-empty",
        choice({"And": [], "Next": "Done"}),
        "/States/A/Choices/0/And",
        "choice",
        "And takes a non-empty list",
        choice({"And": [rule(Next=DROP)], "Next": "Done"}),
    ),
    case(
        "choice-not-list",
        choice({"Not": [rule(Next=DROP)], "Next": "Done"}),
        "/States/A/Choices/0/Not",
        "choice",
        "Not takes one rule object",
        choice({"Not": rule(Next=DROP), "Next": "Done"}),
    ),
    case(
        "choice-or-item-not-object",
        choice({"Or": [rule(Next=DROP), 3], "Next": "Done"}),
        "/States/A/Choices/0/Or/1",
        "choice",
        "must be an object, not the number 3",
        choice({"Or": [rule(Next=DROP), rule(Next=DROP)], "Next": "Done"}),
    ),
    case(
        "choice-combinator-with-variable",
        choice({"And": [rule(Next=DROP)], "Variable": "$.x", "Next": "Done"}),
        "/States/A/Choices/0/Variable",
        "choice",
        "a rule with And has no Variable",
        choice({"And": [rule(Next=DROP)], "Next": "Done"}),
    ),
    case(
        "choice-nested-rule-invalid",
        choice({"And": [rule(Next=DROP), rule(Next=DROP, Variable="x")], "Next": "Done"}),
        "/States/A/Choices/0/And/1/Variable",
        "path",
        "'x' is not a valid reference path",
        choice({"And": [rule(Next=DROP), rule(Next=DROP)], "Next": "Done"}),
    ),
    case(
        "choice-string-type",
        choice(rule(StringEquals=5)),
        "/States/A/Choices/0/StringEquals",
        "choice",
        "StringEquals compares with a string, not the number 5",
        choice(rule(StringEquals="5")),
    ),
    case(
        "choice-string-matches-type",
        choice(rule(StringEquals=DROP, StringMatches=1)),
        "/States/A/Choices/0/StringMatches",
        "choice",
        "StringMatches compares with a string pattern",
        choice(rule(StringEquals=DROP, StringMatches="a*")),
    ),
    case(
        "choice-numeric-type",
        choice(rule(StringEquals=DROP, NumericLessThan="5")),
        "/States/A/Choices/0/NumericLessThan",
        "choice",
        "compares with a number, not the string '5'",
        choice(rule(StringEquals=DROP, NumericLessThan=5.5)),
    ),
    case(
        "choice-numeric-bool",
        choice(rule(StringEquals=DROP, NumericEquals=True)),
        "/States/A/Choices/0/NumericEquals",
        "choice",
        "compares with a number, not the boolean true",
        choice(rule(StringEquals=DROP, NumericEquals=1)),
    ),
    case(
        "choice-boolean-type",
        choice(rule(StringEquals=DROP, BooleanEquals="true")),
        "/States/A/Choices/0/BooleanEquals",
        "choice",
        "compares with true or false",
        choice(rule(StringEquals=DROP, BooleanEquals=True)),
    ),
    case(
        "choice-timestamp-type",
        choice(rule(StringEquals=DROP, TimestampGreaterThan=1700000000)),
        "/States/A/Choices/0/TimestampGreaterThan",
        "choice",
        "compares with an RFC 3339 timestamp",
        choice(rule(StringEquals=DROP, TimestampGreaterThan="2026-01-31T12:00:00Z")),
    ),
    case(
        "choice-timestamp-bad-string",
        choice(rule(StringEquals=DROP, TimestampEquals="2026-01-31 12:00")),
        "/States/A/Choices/0/TimestampEquals",
        "choice",
        "not the string '2026-01-31 12:00'",
        choice(rule(StringEquals=DROP, TimestampEquals="2026-01-31T12:00:00.5+02:00")),
    ),
    case(
        "choice-is-type",
        choice(rule(StringEquals=DROP, IsPresent="yes")),
        "/States/A/Choices/0/IsPresent",
        "choice",
        "IsPresent compares with true or false",
        choice(rule(StringEquals=DROP, IsPresent=False)),
    ),
    case(
        "choice-is-null-type",
        choice(rule(StringEquals=DROP, IsNull=None)),
        "/States/A/Choices/0/IsNull",
        "choice",
        "not null",
        choice(rule(StringEquals=DROP, IsNull=True)),
    ),
    case(
        "choice-path-operator-invalid",
        choice(rule(StringEquals=DROP, StringEqualsPath="$.a[*]")),
        "/States/A/Choices/0/StringEqualsPath",
        "path",
        "not a valid reference path",
        choice(rule(StringEquals=DROP, StringEqualsPath="$.a[0]")),
    ),
    case(
        "choice-path-operator-not-string",
        choice(rule(StringEquals=DROP, NumericEqualsPath=3)),
        "/States/A/Choices/0/NumericEqualsPath",
        "path",
        "must be a reference path string",
        choice(rule(StringEquals=DROP, NumericEqualsPath="$.n")),
    ),
    case(
        "choice-variable-invalid",
        choice(rule(Variable="x")),
        "/States/A/Choices/0/Variable",
        "path",
        "'x' is not a valid reference path",
        choice(rule(Variable="$$.Execution.Input.x")),
    ),
    # The unknown key is not an operator, so the rule also has no operator: two problems.
    case(
        "choice-operator-unknown",
        choice(rule(StringEquals=DROP, StringEqual="a")),
        "/States/A/Choices/0/StringEqual",
        "choice",
        "unknown field 'StringEqual' in a Choice rule",
        choice(rule()),
        fix="did you mean 'StringEquals'?",
        count=2,
    ),
    case(
        "choice-default-missing-target",
        choice(rule(), Default="Nope"),
        "/States/A/Default",
        "next",
        "Default target 'Nope' does not exist",
        choice(rule()),
    ),
    case(
        "choice-output-in-jsonpath",
        choice(rule(Output={})),
        "/States/A/Choices/0/Output",
        "query-language",
        "Output in a Choice rule needs JSONata",
        choice(rule()),
    ),
    case(
        "choice-jsonata-no-condition",
        choice(condition(Condition=DROP), language="JSONata"),
        "/States/A/Choices/0",
        "choice",
        "Condition is missing",
        choice(condition(), language="JSONata"),
    ),
    case(
        "choice-jsonata-variable",
        choice(condition(Variable="$.x"), language="JSONata"),
        "/States/A/Choices/0",
        "choice",
        "found Variable",
        choice(condition(), language="JSONata"),
    ),
    case(
        "choice-condition-in-jsonpath",
        choice(condition()),
        "/States/A/Choices/0/Condition",
        "query-language",
        "Condition is JSONata; this state uses JSONPath",
        choice(rule()),
    ),
    case(
        "choice-condition-syntax",
        choice(condition("{% $states.input.x = %}"), language="JSONata"),
        "/States/A/Choices/0/Condition",
        "jsonata",
        "JSONata syntax error",
        choice(condition(), language="JSONata"),
    ),
    case(
        "choice-condition-not-expression",
        choice(condition("$.x == 1"), language="JSONata"),
        "/States/A/Choices/0/Condition",
        "choice",
        "must be a '{% ... %}' expression",
        choice(condition(True), language="JSONata"),
    ),
    case(
        "choice-next-on-choice",
        choice(rule(), Next="Done"),
        "/States/A/Next",
        "field",
        "unknown field 'Next' in a Choice state",
        choice(rule()),
    ),
    # ---- Wait ------------------------------------------------------------------------
    case(
        "wait-none",
        one({"Type": "Wait", "End": True}),
        "/States/A",
        "wait",
        "exactly one of Seconds, Timestamp, SecondsPath, TimestampPath.",
        one({"Type": "Wait", "Seconds": 5, "End": True}),
    ),
    case(
        "wait-two",
        one({"Type": "Wait", "Seconds": 5, "Timestamp": "2026-01-31T12:00:00Z", "End": True}),
        "/States/A",
        "wait",
        "found Seconds, Timestamp",
        one({"Type": "Wait", "Timestamp": "2026-01-31T12:00:00Z", "End": True}),
    ),
    case(
        "wait-seconds-negative",
        one({"Type": "Wait", "Seconds": -1, "End": True}),
        "/States/A/Seconds",
        "number",
        "from 0 to 99999999, not the number -1",
        one({"Type": "Wait", "Seconds": 0, "End": True}),
    ),
    case(
        "wait-timestamp-bad",
        one({"Type": "Wait", "Timestamp": "tomorrow", "End": True}),
        "/States/A/Timestamp",
        "wait",
        "'tomorrow' is not an RFC 3339 timestamp",
        one({"Type": "Wait", "Timestamp": "2026-01-31T12:00:00-05:00", "End": True}),
    ),
    case(
        "wait-seconds-path-invalid",
        one({"Type": "Wait", "SecondsPath": "seconds", "End": True}),
        "/States/A/SecondsPath",
        "path",
        "'seconds' is not a valid reference path",
        one({"Type": "Wait", "SecondsPath": "$.seconds", "End": True}),
    ),
    case(
        "wait-timestamp-path-invalid",
        one({"Type": "Wait", "TimestampPath": "$.t[?(@.a)]", "End": True}),
        "/States/A/TimestampPath",
        "path",
        "not a valid reference path",
        one({"Type": "Wait", "TimestampPath": "$.t", "End": True}),
    ),
    case(
        "wait-jsonata-timestamp-syntax",
        jsonata({"A": {"Type": "Wait", "Timestamp": "{% $now( %}", "End": True}}),
        "/States/A/Timestamp",
        "jsonata",
        "JSONata syntax error",
        jsonata({"A": {"Type": "Wait", "Timestamp": "{% $now() %}", "End": True}}),
    ),
    # ---- Fail ------------------------------------------------------------------------
    case(
        "fail-error-and-path",
        one({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}),
        "/States/A",
        "fail",
        "Error and ErrorPath are mutually exclusive",
        one({"Type": "Fail", "ErrorPath": "$.e"}),
    ),
    case(
        "fail-cause-not-string",
        one({"Type": "Fail", "Cause": {"why": 1}}),
        "/States/A/Cause",
        "fail",
        "Cause must be a string, not a JSON object",
        one({"Type": "Fail", "Cause": "why"}),
    ),
    case(
        "fail-cause-path-bad-intrinsic",
        one({"Type": "Fail", "CausePath": "States.Format('{} {}', $.a)"}),
        "/States/A/CausePath",
        "intrinsic",
        "2 '{}' placeholders but 1 value",
        one({"Type": "Fail", "CausePath": "States.Format('{} {}', $.a, $.b)"}),
    ),
    case(
        "fail-error-path-invalid",
        one({"Type": "Fail", "ErrorPath": "error"}),
        "/States/A/ErrorPath",
        "path",
        "neither a path nor an intrinsic",
        one({"Type": "Fail", "ErrorPath": "$.error"}),
    ),
    case(
        "fail-error-path-in-jsonata",
        jsonata({"A": {"Type": "Fail", "ErrorPath": "$.e"}}),
        "/States/A/ErrorPath",
        "query-language",
        "JSONPath field",
        jsonata({"A": {"Type": "Fail", "Error": "{% $states.input.e %}"}}),
    ),
    case(
        "fail-jsonata-error-syntax",
        jsonata({"A": {"Type": "Fail", "Error": "{% $states.input.e + %}"}}),
        "/States/A/Error",
        "jsonata",
        "JSONata syntax error",
        jsonata({"A": {"Type": "Fail", "Error": "E"}}),
    ),
    # ---- Parallel --------------------------------------------------------------------
    case(
        "parallel-branches-empty",
        one(parallel(Branches=[])),
        "/States/A/Branches",
        "parallel",
        "non-empty Branches list",
        one(parallel()),
    ),
    case(
        "parallel-branches-missing",
        one(parallel(Branches=DROP)),
        "/States/A/Branches",
        "parallel",
        "non-empty Branches list",
        one(parallel()),
    ),
    case(
        "parallel-branch-not-object",
        one(parallel(Branches=["B"])),
        "/States/A/Branches/0",
        "scope",
        "expected a state machine object",
        one(parallel()),
    ),
    case(
        "parallel-branch-unknown-field",
        one(parallel(branch(), branch({"C": PASS_END}, start="C", TimeoutSeconds=5))),
        "/States/A/Branches/1/TimeoutSeconds",
        "field",
        "unknown field 'TimeoutSeconds' in a branch",
        one(parallel(branch(), branch({"C": PASS_END}, start="C"))),
    ),
    case(
        "parallel-branch-field-pointer-escaped",
        one(parallel(branch(**{"x/y": 1}))),
        "/States/A/Branches/0/x~1y",
        "field",
        "unknown field 'x/y' in a branch",
        one(parallel(branch(Comment="x/y"))),
    ),
    case(
        "choice-rule-field-pointer-escaped",
        choice(rule(**{"a/b": 1})),
        "/States/A/Choices/0/a~1b",
        "choice",
        "unknown field 'a/b' in a Choice rule",
        choice(rule(Comment="a/b")),
    ),
    case(
        "parallel-branch-start-missing",
        one(parallel(branch(StartAt=DROP))),
        "/States/A/Branches/0",
        "start",
        "StartAt is missing",
        one(parallel()),
    ),
    case(
        "parallel-branch-state-problem",
        one(parallel(branch({"B": pass_with(Foo=1)}))),
        "/States/A/Branches/0/States/B/Foo",
        "field",
        "unknown field 'Foo' in a Pass state",
        one(parallel()),
    ),
    case(
        "parallel-branch-next-outside",
        machine(
            {
                "A": parallel(
                    branch({"B": {"Type": "Pass", "Next": "C"}, "X": PASS_END}, start="B"),
                    Next="C",
                    End=DROP,
                ),
                "C": PASS_END,
            }
        ),
        "/States/A/Branches/0/States/B/Next",
        "next",
        "Next target 'C' does not exist",
        machine(
            {
                "A": parallel(
                    branch({"B": {"Type": "Pass", "Next": "X"}, "X": PASS_END}, start="B"),
                    Next="C",
                    End=DROP,
                ),
                "C": PASS_END,
            }
        ),
        count=2,
    ),
    case(
        "parallel-branch-unreachable",
        one(parallel(branch({"B": PASS_END, "X": PASS_END}))),
        "/States/A/Branches/0/States/X",
        "unreachable",
        "'X' cannot be reached",
        one(parallel(branch({"B": pass_with(End=DROP, Next="X"), "X": PASS_END}))),
    ),
    # ---- Map -------------------------------------------------------------------------
    case(
        "map-no-processor",
        one(map_state(ItemProcessor=DROP)),
        "/States/A",
        "map",
        "exactly one of ItemProcessor or Iterator",
        one(map_state()),
    ),
    case(
        "map-processor-and-iterator",
        one(map_state(Iterator=branch({"It": PASS_END}, start="It"))),
        "/States/A",
        "map",
        "exactly one of ItemProcessor or Iterator",
        one(map_state()),
    ),
    case(
        "map-iterator-legacy",
        one(map_state(ItemProcessor=DROP, Iterator=branch({"It": pass_with(Bad=1)}, start="It"))),
        "/States/A/Iterator/States/It/Bad",
        "field",
        "unknown field 'Bad'",
        one(map_state(ItemProcessor=DROP, Iterator=branch({"It": PASS_END}, start="It"))),
    ),
    case(
        "map-mode-bad",
        one(map_state({"Mode": "PARALLEL"})),
        "/States/A/ItemProcessor/ProcessorConfig/Mode",
        "map",
        "INLINE or DISTRIBUTED, not the string 'PARALLEL'",
        one(map_state({"Mode": "INLINE"})),
    ),
    case(
        "map-execution-type-bad",
        one(map_state({"Mode": "DISTRIBUTED", "ExecutionType": "FAST"}, ItemReader=READER)),
        "/States/A/ItemProcessor/ProcessorConfig/ExecutionType",
        "map",
        "STANDARD or EXPRESS",
        one(map_state({"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, ItemReader=READER)),
    ),
    case(
        "map-distributed-no-execution-type",
        one(map_state({"Mode": "DISTRIBUTED"})),
        "/States/A/ItemProcessor/ProcessorConfig",
        "map",
        "needs an ExecutionType",
        one(map_state(DISTRIBUTED)),
    ),
    case(
        "map-processor-config-unknown",
        one(map_state({"Mode": "INLINE", "Concurrency": 3})),
        "/States/A/ItemProcessor/ProcessorConfig/Concurrency",
        "map",
        "unknown field 'Concurrency' in ProcessorConfig",
        one(map_state({"Mode": "INLINE"})),
    ),
    case(
        "map-processor-config-not-object",
        one(map_state("INLINE")),
        "/States/A/ItemProcessor/ProcessorConfig",
        "map",
        "ProcessorConfig must be an object",
        one(map_state({})),
    ),
    case(
        "map-item-reader-inline",
        one(map_state(ItemReader=READER)),
        "/States/A/ItemReader",
        "map",
        "ItemReader needs a distributed Map",
        one(map_state(DISTRIBUTED, ItemReader=READER)),
    ),
    case(
        "map-item-reader-resource",
        one(map_state(DISTRIBUTED, ItemReader={"Resource": "s3:getObject"})),
        "/States/A/ItemReader/Resource",
        "resource",
        "is not an ARN",
        one(map_state(DISTRIBUTED, ItemReader=READER)),
    ),
    case(
        "map-max-concurrency-negative",
        one(map_state(MaxConcurrency=-1)),
        "/States/A/MaxConcurrency",
        "map",
        "MaxConcurrency must be an integer >= 0, not the number -1",
        one(map_state(MaxConcurrency=0)),
    ),
    case(
        "map-tolerated-percentage",
        one(map_state(DISTRIBUTED, ToleratedFailurePercentage=150)),
        "/States/A/ToleratedFailurePercentage",
        "map",
        "a number from 0 to 100, not the number 150",
        one(map_state(DISTRIBUTED, ToleratedFailurePercentage=12.5)),
    ),
    case(
        "map-tolerated-count-and-path",
        one(map_state(DISTRIBUTED, ToleratedFailureCount=1, ToleratedFailureCountPath="$.n")),
        "/States/A",
        "map",
        "ToleratedFailureCount and ToleratedFailureCountPath are mutually exclusive",
        one(map_state(DISTRIBUTED, ToleratedFailureCountPath="$.n")),
    ),
    case(
        "map-item-selector-and-parameters",
        one(map_state(ItemSelector={}, Parameters={})),
        "/States/A",
        "map",
        "ItemSelector and Parameters (legacy) are mutually exclusive",
        one(map_state(ItemSelector={})),
    ),
    case(
        "map-label-too-long",
        one(map_state(DISTRIBUTED, Label="L" * 41)),
        "/States/A/Label",
        "map",
        "1 to 40 characters",
        one(map_state(DISTRIBUTED, Label="L" * 40)),
    ),
    case(
        "map-items-path-invalid",
        one(map_state(ItemsPath="items")),
        "/States/A/ItemsPath",
        "path",
        "'items' is not a valid path",
        one(map_state(ItemsPath="$.items")),
    ),
    case(
        "map-items-in-jsonpath",
        one(map_state(Items=[])),
        "/States/A/Items",
        "query-language",
        "JSONata field",
        one(map_state(ItemsPath="$")),
    ),
    case(
        "map-processor-state-problem",
        one(map_state(ItemProcessor=branch({"Item": pass_with(Foo=1)}, start="Item"))),
        "/States/A/ItemProcessor/States/Item/Foo",
        "field",
        "unknown field 'Foo' in a Pass state",
        one(map_state()),
    ),
    case(
        "map-processor-no-terminal",
        one(
            map_state(
                ItemProcessor=branch({"Item": {"Type": "Pass", "Next": "Item"}}, start="Item")
            )
        ),
        "/States/A/ItemProcessor",
        "no-terminal",
        "no reachable state ends",
        one(map_state()),
    ),
    # ---- Retry -----------------------------------------------------------------------
    case(
        "retry-not-list",
        one(task(Retry={"ErrorEquals": ["States.ALL"]})),
        "/States/A/Retry",
        "retry",
        "Retry must be a list of retriers, not a JSON object",
        retry({"ErrorEquals": ["States.ALL"]}),
    ),
    case(
        "retry-item-not-object",
        retry("States.ALL"),
        "/States/A/Retry/0",
        "retry",
        "a retrier must be an object",
        retry({"ErrorEquals": ["States.ALL"]}),
    ),
    case(
        "retry-error-equals-empty",
        retry({"ErrorEquals": []}),
        "/States/A/Retry/0/ErrorEquals",
        "retrier",
        "non-empty list of error names",
        retry({"ErrorEquals": ["States.Timeout"]}),
    ),
    case(
        "retry-error-equals-missing",
        retry({"MaxAttempts": 2}),
        "/States/A/Retry/0/ErrorEquals",
        "retrier",
        "non-empty list of error names",
        retry({"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}),
    ),
    case(
        "retry-all-not-alone",
        retry({"ErrorEquals": ["States.Timeout", "States.ALL"]}),
        "/States/A/Retry/0/ErrorEquals",
        "retrier",
        "States.ALL must be alone",
        retry({"ErrorEquals": ["States.Timeout"]}, {"ErrorEquals": ["States.ALL"]}),
    ),
    case(
        "retry-all-not-last",
        retry({"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["States.Timeout"]}),
        "/States/A/Retry/0/ErrorEquals",
        "retrier",
        "a retrier with States.ALL must be the last one",
        retry({"ErrorEquals": ["States.Timeout"]}, {"ErrorEquals": ["States.ALL"]}),
    ),
    case(
        "retry-backoff-low",
        retry({"ErrorEquals": ["States.ALL"], "BackoffRate": 0.5}),
        "/States/A/Retry/0/BackoffRate",
        "retry",
        "BackoffRate must be a number >= 1.0, not the number 0.5",
        retry({"ErrorEquals": ["States.ALL"], "BackoffRate": 1}),
    ),
    case(
        "retry-max-attempts-negative",
        retry({"ErrorEquals": ["States.ALL"], "MaxAttempts": -1}),
        "/States/A/Retry/0/MaxAttempts",
        "retry",
        "MaxAttempts must be an integer from 0",
        retry({"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}),
    ),
    case(
        "retry-interval-zero",
        retry({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 0}),
        "/States/A/Retry/0/IntervalSeconds",
        "retry",
        "IntervalSeconds must be an integer from 1",
        retry({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}),
    ),
    case(
        "retry-jitter-bad",
        retry({"ErrorEquals": ["States.ALL"], "JitterStrategy": "HALF"}),
        "/States/A/Retry/0/JitterStrategy",
        "retry",
        "FULL or NONE, not the string 'HALF'",
        retry({"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL"}),
    ),
    case(
        "retry-unknown-field",
        retry({"ErrorEquals": ["States.ALL"], "MaxAttempt": 3}),
        "/States/A/Retry/0/MaxAttempt",
        "retrier",
        "unknown field 'MaxAttempt' in a retrier",
        retry({"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}),
    ),
    # ---- Catch -----------------------------------------------------------------------
    case(
        "catch-not-list",
        catch(Catch=catcher()),
        "/States/A/Catch",
        "catch",
        "Catch must be a list",
        catch(catcher()),
    ),
    case(
        "catch-next-missing",
        catch(catcher(Next=DROP)),
        "/States/A/Catch/0",
        "catch",
        "a catcher needs a Next",
        catch(catcher()),
    ),
    case(
        "catch-next-missing-target",
        catch(catcher(Next="Nope")),
        "/States/A/Catch/0/Next",
        "next",
        "Next target 'Nope' does not exist",
        catch(catcher()),
    ),
    case(
        "catch-error-equals-empty",
        catch(catcher(ErrorEquals=[""])),
        "/States/A/Catch/0/ErrorEquals",
        "catcher",
        "non-empty list of error names",
        catch(catcher(ErrorEquals=["States.TaskFailed"])),
    ),
    case(
        "catch-all-not-last",
        catch(catcher(), catcher(ErrorEquals=["States.Timeout"])),
        "/States/A/Catch/0/ErrorEquals",
        "catcher",
        "a catcher with States.ALL must be the last one",
        catch(catcher(ErrorEquals=["States.Timeout"]), catcher()),
    ),
    case(
        "catch-unknown-field",
        catch(catcher(Result="x")),
        "/States/A/Catch/0/Result",
        "catcher",
        "unknown field 'Result' in a catcher",
        catch(catcher(ResultPath="$.error")),
    ),
    case(
        "catch-result-path-invalid",
        catch(catcher(ResultPath="$.errors[*]")),
        "/States/A/Catch/0/ResultPath",
        "path",
        "not a valid reference path",
        catch(catcher(ResultPath=None)),
    ),
    case(
        "catch-result-path-in-jsonata",
        catch(catcher(ResultPath="$.e"), language="JSONata"),
        "/States/A/Catch/0/ResultPath",
        "query-language",
        "ResultPath is JSONPath; this state uses JSONata",
        catch(catcher(Output="{% $states.errorOutput %}"), language="JSONata"),
    ),
    case(
        "catch-output-in-jsonpath",
        catch(catcher(Output={})),
        "/States/A/Catch/0/Output",
        "query-language",
        "Output is JSONata; this state uses JSONPath",
        catch(catcher(ResultPath="$.e")),
    ),
    case(
        "catch-output-syntax",
        catch(catcher(Output="{% $states.errorOutput. %}"), language="JSONata"),
        "/States/A/Catch/0/Output",
        "jsonata",
        "JSONata syntax error",
        catch(catcher(Output="{% $states.errorOutput %}"), language="JSONata"),
    ),
    # ---- payload templates -----------------------------------------------------------
    case(
        "payload-dollar-key-literal",
        one(pass_with(Parameters={"a.$": "hello"})),
        "/States/A/Parameters/a.$",
        "path",
        "'hello' is neither a path nor an intrinsic",
        one(pass_with(Parameters={"a": "hello"})),
    ),
    case(
        "payload-dollar-key-not-string",
        one(pass_with(Parameters={"a.$": 5})),
        "/States/A/Parameters/a.$",
        "path",
        "must be a JSONPath string, not the number 5",
        one(pass_with(Parameters={"a": 5})),
    ),
    case(
        "payload-intrinsic-unknown",
        one(task(Parameters={"a.$": "States.Formatt('{}', $.x)"})),
        "/States/A/Parameters/a.$",
        "intrinsic",
        "did you mean 'States.Format'",
        one(task(Parameters={"a.$": "States.Format('{}', $.x)"})),
    ),
    case(
        "payload-intrinsic-arity",
        one(task(Parameters={"a.$": "States.ArrayLength()"})),
        "/States/A/Parameters/a.$",
        "intrinsic",
        "States.ArrayLength takes 1 argument, got 0",
        one(task(Parameters={"a.$": "States.ArrayLength($.list)"})),
    ),
    case(
        "payload-path-malformed",
        one(task(Parameters={"a.$": "$.a["})),
        "/States/A/Parameters/a.$",
        "path",
        "unclosed '['",
        one(task(Parameters={"a.$": "$.a[0]"})),
    ),
    case(
        "payload-nested-pointer",
        one(task(Parameters={"o": {"l": [1, {"x/y.$": "$.a["}]}})),
        "/States/A/Parameters/o/l/1/x~1y.$",
        "path",
        "unclosed '['",
        one(task(Parameters={"o": {"l": [1, {"x/y.$": "$.a"}]}})),
    ),
    case(
        "payload-result-selector",
        one(task(ResultSelector={"a.$": "States.UUID(1)"})),
        "/States/A/ResultSelector/a.$",
        "intrinsic",
        "takes 0 arguments, got 1",
        one(task(ResultSelector={"a.$": "States.UUID()"})),
    ),
    case(
        "payload-item-selector",
        one(map_state(ItemSelector={"v.$": "$$.Map.Item.Value["})),
        "/States/A/ItemSelector/v.$",
        "path",
        "unclosed '['",
        one(map_state(ItemSelector={"v.$": "$$.Map.Item.Value"})),
    ),
    # ---- Assign ----------------------------------------------------------------------
    case(
        "assign-bad-name",
        one(pass_with(Assign={"1x": 1})),
        "/States/A/Assign/1x",
        "assign",
        "'1x' is not a valid variable name",
        one(pass_with(Assign={"x1": 1})),
    ),
    case(
        "assign-reserved-states",
        one(pass_with(Assign={"states": 1})),
        "/States/A/Assign/states",
        "assign",
        "'states' is not a valid variable name",
        one(pass_with(Assign={"state": 1})),
    ),
    case(
        "assign-not-object",
        one(pass_with(Assign=["x"])),
        "/States/A/Assign",
        "assign",
        "Assign must be an object of variable names, not a JSON array",
        one(pass_with(Assign={"x": "x"})),
    ),
    case(
        "assign-bad-path",
        one(pass_with(Assign={"x.$": "$.a["})),
        "/States/A/Assign/x.$",
        "path",
        "unclosed '['",
        one(pass_with(Assign={"x.$": "$.a"})),
    ),
    case(
        "assign-jsonata-syntax",
        jsonata({"A": pass_with(Assign={"x": "{% 1 + %}"})}),
        "/States/A/Assign/x",
        "jsonata",
        "JSONata syntax error",
        jsonata({"A": pass_with(Assign={"x": "{% 1 + 1 %}"})}),
    ),
    # ---- JSONata expressions ---------------------------------------------------------
    case(
        "jsonata-arguments-syntax",
        jsonata({"A": task(Arguments={"p": {"q": "{% $states.input.( %}"}})}),
        "/States/A/Arguments/p/q",
        "jsonata",
        "JSONata syntax error",
        jsonata({"A": task(Arguments={"p": {"q": "{% $states.input.q %}"}})}),
    ),
    case(
        "jsonata-output-syntax",
        jsonata({"A": pass_with(Output="{% 1 + %}")}),
        "/States/A/Output",
        "jsonata",
        "JSONata syntax error",
        jsonata({"A": pass_with(Output="{% 1 + 2 %}")}),
    ),
    case(
        "jsonata-empty-expression",
        jsonata({"A": pass_with(Output=["{% %}"])}),
        "/States/A/Output/0",
        "jsonata",
        "expression between '{%' and '%}' is empty",
        jsonata({"A": pass_with(Output=["{% 0 %}"])}),
    ),
    case(
        "jsonata-unclosed",
        jsonata({"A": pass_with(Output={"x": "{% 1 + 1"})}),
        "/States/A/Output/x",
        "jsonata-literal",
        "does not end with '%}'",
        jsonata({"A": pass_with(Output={"x": "{% 1 + 1 %}"})}),
        severity="warning",
    ),
    case(
        "jsonata-state-in-jsonpath-machine",
        one(pass_with(QueryLanguage="JSONata", Output="{% ) %}")),
        "/States/A/Output",
        "jsonata",
        "JSONata syntax error",
        one(pass_with(QueryLanguage="JSONata", Output="{% $states.input %}")),
    ),
    case(
        "jsonata-map-items",
        jsonata({"A": map_state(Items="{% [1, %}")}),
        "/States/A/Items",
        "jsonata",
        "JSONata syntax error",
        jsonata({"A": map_state(Items="{% [1, 2] %}")}),
    ),
    case(
        "jsonata-map-max-concurrency",
        jsonata({"A": map_state(MaxConcurrency="{% %}")}),
        "/States/A/MaxConcurrency",
        "jsonata",
        "is empty",
        jsonata({"A": map_state(MaxConcurrency="{% $states.input.n %}")}),
    ),
]

CALLBACK_RESOURCES = [
    "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "arn:aws:states:::ecs:runTask.sync",
    "arn:aws:states:::states:startExecution.sync:2",
    "arn:aws:states:us-east-1:123456789012:activity:approve",
]


def _sole(definition: Any, **options: Any) -> tuple[str, str, str]:
    """Pointer, code and severity of the one problem `definition` has."""
    problems = validate_definition(definition, **options)
    assert len(problems) == 1, _describe(problems)
    return problems[0].pointer, problems[0].code, problems[0].severity


def _describe(problems: list[Problem]) -> str:
    return "\n".join(p.render() + f" [{p.code}]" for p in problems) or "(no problems)"


@pytest.mark.parametrize("c", CASES)
def test_rule_fires(c: Case) -> None:
    problems = validate_definition(c.bad)
    matching = [p for p in problems if p.pointer == c.pointer and p.code == c.code]
    assert matching, f"no {c.code!r} problem at {c.pointer!r}:\n{_describe(problems)}"
    assert any(c.message in p.message for p in matching), _describe(matching)
    found = next(p for p in matching if c.message in p.message)
    assert found.severity == c.severity
    if c.fix:
        assert c.fix in found.fix
    assert len(problems) == c.count, _describe(problems)


@pytest.mark.parametrize("c", CASES)
def test_corrected_definition_is_clean(c: Case) -> None:
    problems = validate_definition(c.good, strict=True)
    assert problems == [], _describe(problems)


def test_case_ids_are_unique() -> None:
    ids = [p.values[0].id for p in CASES]
    assert len(ids) == len(set(ids))


# ---- warnings and strict mode ----------------------------------------------------------


def test_missing_machine_timeout_is_an_error_when_strict() -> None:
    definition = machine(TimeoutSeconds=DROP)
    assert errors(validate_definition(definition)) == []
    [problem] = validate_definition(definition, strict=True)
    assert (problem.pointer, problem.code, problem.severity) == (
        "",
        "missing-machine-timeout",
        "error",
    )


def test_missing_task_timeout_is_an_error_when_strict() -> None:
    definition = one(task(TimeoutSeconds=DROP))
    [problem] = validate_definition(definition, strict=True)
    assert (problem.pointer, problem.code, problem.severity) == (
        "/States/A",
        "missing-timeout",
        "error",
    )


def test_task_timeout_path_counts_as_a_timeout() -> None:
    assert (
        validate_definition(one(task(TimeoutSeconds=DROP, TimeoutSecondsPath="$.t")), strict=True)
        == []
    )


@pytest.mark.parametrize("resource", CALLBACK_RESOURCES)
def test_callback_task_without_heartbeat(resource: str) -> None:
    problems = validate_definition(one(task(Resource=resource)))
    assert [(p.pointer, p.code, p.severity) for p in problems] == [
        ("/States/A", "missing-heartbeat", "warning")
    ]
    assert "no HeartbeatSeconds" in problems[0].message
    # Advice even when strict: a human approval or a child execution sends no heartbeats.
    [strict] = validate_definition(one(task(Resource=resource)), strict=True)
    assert (strict.code, strict.severity) == ("missing-heartbeat", "warning")
    assert validate_definition(one(task(Resource=resource, HeartbeatSeconds=10)), strict=True) == []
    assert (
        validate_definition(one(task(Resource=resource, HeartbeatSecondsPath="$.h")), strict=True)
        == []
    )


def test_plain_task_needs_no_heartbeat() -> None:
    assert validate_definition(one(task(Resource=LAMBDA + ".waitForTaskTokenX")), strict=True) == []


@pytest.mark.parametrize(
    "resource",
    ["${ProcessFunctionArn}", "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:f", LAMBDA],
)
def test_resource_placeholders_are_accepted(resource: str) -> None:
    assert validate_definition(one(task(Resource=resource)), strict=True) == []


def test_jsonata_timeouts_are_accepted() -> None:
    definition = jsonata(
        {"A": task(TimeoutSeconds="{% $states.input.timeout %}", HeartbeatSeconds="{% 10 %}")}
    )
    assert validate_definition(definition, strict=True) == []


# ---- size --------------------------------------------------------------------------------


def test_size_over_one_megabyte_given_by_caller() -> None:
    problems = validate_definition(machine(), size=MAX_DEFINITION_BYTES + 1)
    assert [(p.pointer, p.code) for p in problems] == [("", "size")]
    assert "1,048,577 bytes" in problems[0].message
    assert validate_definition(machine(), size=MAX_DEFINITION_BYTES) == []


def test_size_computed_from_the_definition() -> None:
    big = machine(Comment="x" * MAX_DEFINITION_BYTES)
    assert [(p.pointer, p.code) for p in validate_definition(big)] == [("", "size")]
    small = machine(Comment="x" * (MAX_DEFINITION_BYTES - 200))
    assert validate_definition(small) == []


def test_size_counts_utf8_bytes() -> None:
    # 400,000 three-byte characters: under a million characters, over a million bytes.
    assert [p.code for p in validate_definition(machine(Comment="€" * 400_000))] == ["size"]


# ---- several problems, order ---------------------------------------------------------------


def test_every_independent_problem_is_reported() -> None:
    definition = machine(
        {
            "A": task(TimeoutSeconds=0, Next="B", End=DROP),
            "B": {"Type": "Wait", "Seconds": -1, "Next": "C"},
            "C": {"Type": "Fail", "Cause": 7},
        },
        Bogus=True,
    )
    problems = validate_definition(definition)
    assert [(p.pointer, p.code) for p in problems] == [
        ("/Bogus", "field"),
        ("/States/A/TimeoutSeconds", "number"),
        ("/States/B/Seconds", "number"),
        ("/States/C/Cause", "fail"),
    ]
    assert all(p.severity == "error" for p in problems)


def test_three_independent_errors_yield_three_errors() -> None:
    definition = machine(
        {"A": pass_with(InputPath="x", Foo=1, Assign={"states": 1})},
    )
    assert sorted((p.pointer, p.code) for p in errors(validate_definition(definition))) == [
        ("/States/A/Assign/states", "assign"),
        ("/States/A/Foo", "field"),
        ("/States/A/InputPath", "path"),
    ]


MESSY = machine(
    {
        "A": task(
            Resource="nope",
            TimeoutSeconds=DROP,
            Parameters={"p": {"a.$": "a", "b.$": "States.Nope()"}, "q.$": "$.x["},
            Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": []}],
            Next="C",
            End=DROP,
        ),
        "C": {
            "Type": "Choice",
            "Choices": [
                {
                    "And": [{"Variable": "x", "IsNull": 1}, {"Variable": "$.y", "Foo": 1}],
                    "Next": "D",
                },
                {"Variable": "$.z", "NumericEquals": "1", "StringEquals": "s", "Next": "Nope"},
            ],
        },
        "D": {"Type": "Wait", "End": True},
        "Lost": PASS_END,
    },
    QueryLanguage="JSONPath",
    TimeoutSeconds=DROP,
)


def test_problem_order_is_deterministic() -> None:
    first = validate_definition(copy.deepcopy(MESSY))
    second = validate_definition(copy.deepcopy(MESSY))
    assert first == second
    assert len(first) >= 12


def test_problem_order_follows_the_document_within_lists_and_objects() -> None:
    pointers = [p.pointer for p in validate_definition(MESSY)]

    def before(a: str, b: str) -> bool:
        return pointers.index(a) < pointers.index(b)

    assert before("/States/A/Parameters/p/a.$", "/States/A/Parameters/p/b.$")
    assert before("/States/A/Parameters/p/b.$", "/States/A/Parameters/q.$")
    assert before("/States/A/Retry/0/ErrorEquals", "/States/A/Retry/1/ErrorEquals")
    assert before("/States/C/Choices/0/And/0/Variable", "/States/C/Choices/0/And/1/Foo")
    assert before("/States/C/Choices/0/And/1/Foo", "/States/C/Choices/1")
    assert before("/States/A/Retry/1/ErrorEquals", "/States/C/Choices/0/And/0/Variable")


def test_operator_list_follows_the_rule_not_hashing() -> None:
    forward = choice(
        {
            "Variable": "$.x",
            "NumericEquals": 1,
            "StringEquals": "s",
            "BooleanEquals": True,
            "Next": "Done",
        }
    )
    backward = choice(
        {
            "Variable": "$.x",
            "BooleanEquals": True,
            "StringEquals": "s",
            "NumericEquals": 1,
            "Next": "Done",
        }
    )
    [fwd] = validate_definition(forward)
    [bwd] = validate_definition(backward)
    assert "found NumericEquals, StringEquals, BooleanEquals." in fwd.message
    assert "found BooleanEquals, StringEquals, NumericEquals." in bwd.message


def test_messages_are_identical_across_processes() -> None:
    """Set iteration order depends on PYTHONHASHSEED; the report must not."""
    script = (
        "import json, sys\n"
        "from sfn_flows.validate import validate_definition\n"
        "d = json.loads(sys.stdin.read())\n"
        "print(json.dumps([p.as_dict() for p in validate_definition(d)]))\n"
    )
    outputs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=json.dumps(MESSY),
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


# ---- robustness ------------------------------------------------------------------------------


def test_non_string_state_names_are_reported_not_crashed_on() -> None:
    # YAML allows non-string keys (`1: {Type: Pass}`); the CLI validates YAML files.
    definition = machine({1: PASS_END, "A": PASS_END})
    problems = validate_definition(definition, size=100)
    assert ("/States/1", "name") in [(p.pointer, p.code) for p in problems]


def test_non_string_keys_in_a_choice_rule_are_reported_not_crashed_on() -> None:
    definition = choice(rule(**{}) | {3: "x"})
    problems = validate_definition(definition, size=100)
    assert [(p.pointer, p.code) for p in problems] == [("/States/A/Choices/0/3", "choice")]


def test_deeply_nested_payload_does_not_crash() -> None:
    payload: dict[str, Any] = {"leaf.$": "$.x["}
    for _ in range(3000):
        payload = {"n": payload}
    problems = validate_definition(one(pass_with(Parameters=payload)))
    assert [p.code for p in problems] == ["path"]
    assert problems[0].pointer == "/States/A/Parameters" + "/n" * 3000 + "/leaf.$"


def test_deeply_nested_choice_rule_does_not_crash() -> None:
    inner: dict[str, Any] = {"Variable": "x", "IsPresent": True}
    for _ in range(3000):
        inner = {"Not": inner}
    inner["Next"] = "Done"
    problems = validate_definition(choice(inner))
    assert [(p.code, p.pointer.count("/Not")) for p in problems] == [("path", 3000)]


def test_misspelt_predefined_error_name_is_flagged() -> None:
    definition = {
        "StartAt": "A",
        "TimeoutSeconds": 10,
        "States": {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "TimeoutSeconds": 5,
                "Retry": [{"ErrorEquals": ["States.Timout", "MyError"]}],
                "End": True,
            }
        },
    }
    assert _sole(definition) == ("/States/A/Retry/0/ErrorEquals/0", "unknown-error-name", "warning")
    [problem] = validate_definition(definition)
    assert "did you mean 'States.Timeout'?" in problem.fix


def test_processor_config_is_only_for_map_processors() -> None:
    definition = {
        "StartAt": "P",
        "TimeoutSeconds": 10,
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "X",
                        "ProcessorConfig": {"Mode": "INLINE"},
                        "States": {"X": {"Type": "Pass", "End": True}},
                    }
                ],
                "End": True,
            }
        },
    }
    [problem] = validate_definition(definition)
    assert (problem.pointer, problem.code) == ("/States/P/Branches/0/ProcessorConfig", "field")


# ---- real-world ASL that AWS accepts ---------------------------------------------------------
# Made-up definitions shaped like public SAM/CloudFormation templates.

GET_ATT = {"Fn::GetAtt": ["ProcessOrderFunction", "Arn"]}
CFN_RESOURCES = [
    pytest.param(GET_ATT, id="getatt"),
    pytest.param({"Ref": "ProcessOrderFunction"}, id="ref"),
    pytest.param(
        {"Fn::Sub": "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:f"}, id="sub"
    ),
    pytest.param({"Fn::Sub": ["${Arn}", {"Arn": GET_ATT}]}, id="sub-list"),
    pytest.param({"Fn::Join": [":", ["arn:aws:states::", "lambda:invoke"]]}, id="join"),
]


@pytest.mark.parametrize("resource", CFN_RESOURCES)
def test_cloudformation_intrinsic_in_task_resource_is_accepted(resource: Any) -> None:
    assert validate_definition(one(task(Resource=resource)), strict=True) == []


@pytest.mark.parametrize("resource", CFN_RESOURCES)
def test_cloudformation_intrinsic_in_map_reader_and_writer_is_accepted(resource: Any) -> None:
    definition = one(
        map_state(
            DISTRIBUTED,
            ItemReader={"Resource": resource, "Parameters": {"Bucket": "b", "Key": "k"}},
            ResultWriter={"Resource": resource, "Parameters": {"Bucket": "b", "Prefix": "p"}},
        )
    )
    assert validate_definition(definition, strict=True) == []


@pytest.mark.parametrize(
    "resource",
    [
        pytest.param({}, id="empty-object"),
        pytest.param({"Fn::Sub": "x", "Ref": "y"}, id="two-keys"),
        pytest.param({"Function": "f"}, id="not-an-intrinsic"),
        pytest.param({"Fn::": "f"}, id="fn-without-name"),
        pytest.param(["arn:aws:states:::lambda:invoke"], id="list"),
        pytest.param(7, id="number"),
    ],
)
def test_resource_objects_that_are_not_intrinsics_are_refused(resource: Any) -> None:
    [problem] = validate_definition(one(task(Resource=resource)))
    assert (problem.pointer, problem.code) == ("/States/A/Resource", "resource")
    assert "CloudFormation intrinsic" in problem.fix


def test_callback_resource_written_with_fn_sub_still_needs_a_heartbeat() -> None:
    resource = {"Fn::Sub": "arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken"}
    codes = [p.code for p in validate_definition(one(task(Resource=resource)))]
    assert codes == ["missing-heartbeat"]


def _wait(value: Any) -> dict[str, Any]:
    return one({"Type": "Wait", "Seconds": value, "End": True})


def _retrier(key: str) -> Any:
    return lambda value: retry({"ErrorEquals": ["States.ALL"], key: value})


# One setter per field that takes a number: each puts the value where the number goes.
NUMBER_FIELDS = {
    "wait-seconds": _wait,
    "task-timeout": lambda v: one(task(TimeoutSeconds=v)),
    "task-heartbeat": lambda v: one(task(HeartbeatSeconds=v)),
    "machine-timeout": lambda v: machine(TimeoutSeconds=v),
    "map-max-concurrency": lambda v: one(map_state(MaxConcurrency=v)),
    "map-tolerated-count": lambda v: one(map_state(DISTRIBUTED, ToleratedFailureCount=v)),
    "map-tolerated-percentage": lambda v: one(map_state(DISTRIBUTED, ToleratedFailurePercentage=v)),
    "retry-interval": _retrier("IntervalSeconds"),
    "retry-max-attempts": _retrier("MaxAttempts"),
    "retry-backoff-rate": _retrier("BackoffRate"),
    "retry-max-delay": _retrier("MaxDelaySeconds"),
    "choice-numeric": lambda v: choice(rule(StringEquals=DROP, NumericGreaterThan=v)),
}
# Fields nothing checks yet take a placeholder too (they must keep doing so).
UNCHECKED_NUMBER_FIELDS = {
    "batcher-max-items": lambda v: one(
        map_state(DISTRIBUTED, ItemBatcher={"MaxItemsPerBatch": v, "MaxInputBytesPerBatch": v})
    ),
    "reader-max-items": lambda v: one(
        map_state(DISTRIBUTED, ItemReader=READER | {"ReaderConfig": {"MaxItems": v}})
    ),
}


@pytest.mark.parametrize(
    "setter",
    [*NUMBER_FIELDS.values(), *UNCHECKED_NUMBER_FIELDS.values()],
    ids=[*NUMBER_FIELDS, *UNCHECKED_NUMBER_FIELDS],
)
@pytest.mark.parametrize("placeholder", ["${ReminderTimeout}", "${definition_substitution_1}"])
def test_placeholder_in_a_number_field_is_accepted(setter: Any, placeholder: str) -> None:
    # DefinitionSubstitutions replace the text of a definition file before it is parsed, so
    # AWS receives `Seconds: 300`, a number.
    assert validate_definition(setter(placeholder), strict=True) == []


@pytest.mark.parametrize("setter", NUMBER_FIELDS.values(), ids=list(NUMBER_FIELDS))
@pytest.mark.parametrize("text", ["60", "${A}${B}", "${A} ", "x${A}", "${}", "$A"])
def test_string_that_is_not_one_placeholder_in_a_number_field_is_refused(
    setter: Any, text: str
) -> None:
    problems = errors(validate_definition(setter(text)))
    assert len(problems) == 1, _describe(problems)
    assert repr(text)[:40] in problems[0].message or text in problems[0].message


@pytest.mark.parametrize("setter", NUMBER_FIELDS.values(), ids=list(NUMBER_FIELDS))
def test_quoted_placeholder_in_a_number_field_of_a_json_file_is_refused(setter: Any) -> None:
    # CloudFormation substitutes the text: `"Seconds": "${Wait}"` reaches AWS as the string
    # "300", which it refuses (SCHEMA_VALIDATION_FAILED: Expected value of type Integer).
    [problem] = validate_definition(setter("${Wait}"), source="json")
    assert problem.severity == "error" and problem.code == "quoted-placeholder"
    assert problem.pointer.startswith("/States/A") or problem.pointer == "/TimeoutSeconds"
    assert "'${Wait}'" in problem.message and "string" in problem.message
    assert "write it unquoted" in problem.fix and "${Wait}" in problem.fix


@pytest.mark.parametrize("setter", NUMBER_FIELDS.values(), ids=list(NUMBER_FIELDS))
@pytest.mark.parametrize("source", ["yaml", None])
def test_quoted_placeholder_elsewhere_than_a_json_file_is_accepted(
    setter: Any, source: Any
) -> None:
    # In YAML `Seconds: ${Wait}` and `Seconds: "${Wait}"` parse alike: nothing to tell apart.
    assert validate_definition(setter("${Wait}"), strict=True, source=source) == []


@pytest.mark.parametrize("setter", NUMBER_FIELDS.values(), ids=list(NUMBER_FIELDS))
def test_unquoted_placeholder_in_a_number_field_of_a_json_file_is_accepted(setter: Any) -> None:
    # What the JSON reader makes of `"Seconds": ${Wait}` (project/files.py).
    value = UnquotedPlaceholder("${Wait}")
    assert validate_definition(setter(value), strict=True, source="json") == []


def test_a_quoted_placeholder_in_a_json_string_field_is_fine() -> None:
    definition = one({"Type": "Wait", "Timestamp": "${NotBefore}", "End": True})
    assert validate_definition(definition, strict=True, source="json") == []
    definition = one(task(Resource="${FnArn}", Comment="${Note}"))
    assert validate_definition(definition, strict=True, source="json") == []


def test_placeholder_in_a_wait_timestamp_is_accepted() -> None:
    definition = one({"Type": "Wait", "Timestamp": "${NotBefore}", "End": True})
    assert validate_definition(definition, strict=True) == []


def test_label_on_an_inline_map_is_a_warning() -> None:
    for definition in (one(map_state(Label="Orders")), one(map_state({}, Label="Orders"))):
        assert _sole(definition) == ("/States/A/Label", "map-label-inline", "warning")
        [problem] = validate_definition(definition)
        assert "only has an effect on a distributed Map" in problem.message
        assert [p.severity for p in validate_definition(definition, strict=True)] == ["error"]
    assert validate_definition(one(map_state(DISTRIBUTED, Label="Orders")), strict=True) == []


def test_label_on_an_inline_map_is_still_checked() -> None:
    codes = [(p.code, p.severity) for p in validate_definition(one(map_state(Label="L" * 41)))]
    assert codes == [("map-label-inline", "warning"), ("map", "error")]


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"Parameters": {"name.$": "$$.Execution.Name "}}, "/States/A/Parameters/name.$"),
        ({"Parameters": {"name.$": " $.name"}}, "/States/A/Parameters/name.$"),
        ({"InputPath": " $.a "}, "/States/A/InputPath"),
        ({"ResultPath": "$.result "}, "/States/A/ResultPath"),
    ],
)
def test_path_with_surrounding_spaces_is_a_warning(fields: dict[str, Any], pointer: str) -> None:
    # AWS's JSONPath engine (Jayway) trims spaces around a path before it compiles it.
    definition = one(pass_with(**fields))
    assert _sole(definition) == (pointer, "path-whitespace", "warning")
    assert "remove the spaces" in validate_definition(definition)[0].fix


def test_choice_variable_with_surrounding_spaces_is_a_warning() -> None:
    pointer = "/States/A/Choices/0/Variable"
    assert _sole(choice(rule(Variable="$.x "))) == (pointer, "path-whitespace", "warning")


def test_path_that_is_wrong_once_trimmed_is_still_an_error() -> None:
    problems = validate_definition(one(pass_with(InputPath=" $.a[ ")))
    assert [(p.code, p.severity) for p in problems] == [("path", "error")]


# ---- Next and state names that are not strings (YAML 1.1 booleans) --------------------------

YAML_HINT = "unquoted yes/no/on/off/true/false"


def _yes_no(**a_fields: Any) -> dict[str, Any]:
    return machine({"A": pass_with(End=DROP, **a_fields), "Yes": SUCCEED})


@pytest.mark.parametrize(
    ("definition", "pointer", "field"),
    [
        pytest.param(_yes_no(Next=True), "/States/A/Next", "Next", id="next"),
        pytest.param(choice(rule(Next=True)), "/States/A/Choices/0/Next", "Next", id="choice-next"),
        pytest.param(choice(rule(), Default=False), "/States/A/Default", "Default", id="default"),
        pytest.param(catch(catcher(Next=True)), "/States/A/Catch/0/Next", "Next", id="catch-next"),
        pytest.param(machine(start=True), "/StartAt", "StartAt", id="start-at"),
    ],
)
def test_boolean_target_says_it_must_be_a_string(
    definition: dict[str, Any], pointer: str, field: str
) -> None:
    for source, hinted in ((None, False), ("json", False), ("yaml", True)):
        problems = errors(validate_definition(definition, source=source))
        [problem] = [p for p in problems if p.pointer == pointer]
        assert f"{field} must be a string" in problem.message, _describe(problems)
        assert "does not exist" not in problem.message
        assert (YAML_HINT in problem.message + problem.fix) is hinted, _describe(problems)
        # The missing target is reported once; no "no state ends the execution" on top.
        assert [p.code for p in problems].count("no-terminal") == 0, _describe(problems)


@pytest.mark.parametrize(
    "definition",
    [
        pytest.param(_yes_no(Next=True), id="next"),
        pytest.param(
            machine(
                {
                    "A": pass_with(End=DROP, Next=True),
                    True: pass_with(End=DROP, Next="B"),
                    "B": SUCCEED,
                }
            ),
            id="state-name",
        ),
    ],
)
def test_a_target_that_is_not_a_string_leaves_no_unreachable_states(
    definition: dict[str, Any],
) -> None:
    # Where a boolean Next leads is unknown (YAML read `Next: Yes` and a state `Yes:` alike):
    # the state it meant, and those after it, were reported as unreachable on top.
    problems = errors(validate_definition(definition, source="yaml", size=100))
    assert [p.code for p in problems].count("unreachable") == 0, _describe(problems)
    assert problems, "the boolean itself is still an error"


@pytest.mark.parametrize("value", [1, None, ["B"]])
def test_target_of_another_type_says_it_must_be_a_string(value: Any) -> None:
    problems = validate_definition(_yes_no(Next=value), source="yaml")
    [problem] = [p for p in problems if p.pointer == "/States/A/Next"]
    assert "Next must be a string" in problem.message
    assert YAML_HINT not in problem.message + problem.fix


def test_boolean_state_name_from_yaml_gets_the_hint() -> None:
    definition = machine({"A": pass_with(End=DROP, Next=True), True: SUCCEED})
    problems = validate_definition(definition, source="yaml", size=100)
    names = [p for p in problems if p.code == "name"]
    assert [p.pointer for p in names] == ["/States/True"]
    assert "is not a string" in names[0].message
    assert YAML_HINT in names[0].message + names[0].fix
    plain = [p for p in validate_definition(definition, size=100) if p.code == "name"]
    assert YAML_HINT not in plain[0].message + plain[0].fix


# ---- size, measured as AWS receives the definition -------------------------------------------


def _shared_bomb(levels: int, width: int = 10) -> list[Any]:
    """A list whose expansion has width**levels leaves but only `levels` distinct lists,
    as YAML aliases make (PyYAML shares one object per anchor)."""
    node: list[Any] = ["lol"] * width
    for _ in range(levels - 1):
        node = [node] * width
    return node


def test_size_of_shared_values_counts_every_reference() -> None:
    # 10**3 leaves of '"lol"' plus brackets and commas: more than the distinct objects hold.
    definition = one(pass_with(Result=_shared_bomb(3)))
    size = len(json.dumps(definition, separators=(",", ":")))
    assert validate_definition(definition, size=None) == []
    big = one(pass_with(Result=_shared_bomb(6)))  # 10**6 leaves, about 7 MB of JSON
    [problem] = validate_definition(big)
    assert (problem.pointer, problem.code) == ("", "size")
    assert size < 10_000


def test_billion_laughs_in_parameters_is_refused_without_expanding() -> None:
    # 10**9 leaves under Parameters: expanding them (json.dumps, or walking every node) never
    # finishes; run in a child process so that a regression fails instead of hanging.
    script = (
        "import sys\n"
        "from sfn_flows.validate import validate_definition\n"
        "node = ['lol'] * 10\n"
        "for _ in range(8):\n"
        "    node = [node] * 10\n"
        "d = {'StartAt': 'A', 'TimeoutSeconds': 5, 'States': {'A': {'Type': 'Pass',"
        " 'End': True, 'Parameters': {'x': node}}}}\n"
        "print([(p.pointer, p.code) for p in validate_definition(d)])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('', 'size')]"


def test_self_containing_shared_value_is_not_json() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    problems = validate_definition(one(pass_with(Result=loop)), size=100, source="yaml")
    assert [(p.pointer, p.code) for p in problems] == [("/States/A/Result/1", "json")]
