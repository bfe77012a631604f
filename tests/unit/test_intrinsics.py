"""Tests for sfn_flows.asl.intrinsics: the checker and the call tree.

Arities are pinned to the Step Functions developer guide ("Intrinsic
functions for JSONPath states"); a change here should follow a change there.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_flows.asl.intrinsics import (
    INTRINSICS,
    Call,
    IntrinsicSyntaxError,
    Literal,
    PathArgument,
    intrinsic_error,
    is_intrinsic,
    parse_intrinsic,
)
from sfn_flows.asl.jsonpath import parse_path


def test_intrinsics_table_matches_aws() -> None:
    assert INTRINSICS == {
        "States.Format": (1, None),
        "States.StringToJson": (1, 1),
        "States.JsonToString": (1, 1),
        "States.Array": (0, None),
        "States.ArrayPartition": (2, 2),
        "States.ArrayContains": (2, 2),
        "States.ArrayRange": (3, 3),
        "States.ArrayGetItem": (2, 2),
        "States.ArrayLength": (1, 1),
        "States.ArrayUnique": (1, 1),
        "States.Base64Encode": (1, 1),
        "States.Base64Decode": (1, 1),
        "States.Hash": (2, 2),
        "States.JsonMerge": (3, 3),
        "States.MathRandom": (2, 3),
        "States.MathAdd": (2, 2),
        "States.StringSplit": (2, 2),
        "States.UUID": (0, 0),
    }


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("States.Format('x')", True),
        ("  States.UUID()", True),
        ("\nStates.Array()", True),
        ("$.States.x", False),
        ("states.Format('x')", False),
        ("States", False),
        ("", False),
    ],
)
def test_is_intrinsic(expr: str, expected: bool) -> None:
    assert is_intrinsic(expr) is expected


# Verbatim from the AWS guide's "nine nested intrinsic functions" example.
AWS_NESTING_EXAMPLE = (
    "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
    "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem("
    "States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), "
    "'.'), 1))"
)

VALID = [
    "States.UUID()",
    "States.UUID( )",
    "States.Array()",
    "States.Array($.Id)",
    "States.Array('a', 'b', 'c')",
    "States.Array(1, -2, 3.5, -0.25, 1e3, true, false, null)",
    "States.Array($, $$, $x, $x.y[0], $$.Execution.Id, $.a[*], $.a[?(@.b > 1)])",
    "States.Array($.a.length())",
    "States.Array($['a,b'], $[\"c)\"])",
    "States.Array($.abc.['def ghi'])",
    "States.Array($['delivery-partner'], $.détail, $.a[?(@.x-y > 1)].b_c)",
    "States.ArrayPartition($.inputArray, 4)",
    "States.ArrayContains($.inputArray, $.lookingFor)",
    "States.ArrayRange(1, 9, 2)",
    "States.ArrayGetItem($.inputArray, $.index)",
    "States.ArrayLength($.inputArray)",
    "States.ArrayUnique($.inputArray)",
    "States.Base64Encode($.input)",
    "States.Base64Decode($.base64)",
    "States.Hash($.Data, 'SHA-256')",
    "States.JsonMerge($.json1, $.json2, false)",
    "States.StringToJson($.escapedJsonString)",
    'States.StringToJson(\'{"constant": "false"}\')',
    "States.JsonToString($.unescapedJson)",
    "States.MathRandom($.start, $.end)",
    "States.MathRandom(1, 999, 42)",
    "States.MathAdd($.value1, -1)",
    "States.StringSplit($.inputString, ',')",
    "States.StringSplit('Hello\nWorld', '\n')",
    "States.Format('Hello, my name is {}.', $.name)",
    "States.Format($.template, $.name)",
    "States.Format('no placeholders')",
    "States.Format('{}{}', $.a, $.b)",
    "States.Format('{} and {}', 1, States.UUID())",
    "States.Format('literal \\{} is not a placeholder')",
    "States.Format('braces \\{\\} and quote \\' and slash \\\\ {}', $.x)",
    "States.Format('{{}}', $.x)",
    "States.Format( '{}' , $.x )",
    "  States.Format('{}', $.x)  ",
    "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
    "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
    # The nesting example from the AWS guide, given the third value its
    # template asks for (see test_aws_guide_nesting_example_is_short_a_value).
    AWS_NESTING_EXAMPLE[:-1] + ", $.suffix)",
    "States.Array(" * 10 + ")" * 10,
]


@pytest.mark.parametrize("expr", VALID)
def test_valid_intrinsics(expr: str) -> None:
    assert intrinsic_error(expr) is None


INVALID = [
    # Names
    (
        "States.Formatt('a')",
        "unknown intrinsic function 'States.Formatt'; did you mean 'States.Format'?",
    ),
    ("States.ArrayLen($.a)", "did you mean 'States.ArrayLength'?"),
    ("states.format('x')", "did you mean 'States.Format'?"),
    ("States.Nope()", "unknown intrinsic function 'States.Nope'"),
    ("States.Array(Foo(1))", "unknown intrinsic function 'Foo'"),
    ("$.a", "must start with 'States.'"),
    ("", "must start with 'States.'"),
    ("States.Format", "expected '(' after States.Format"),
    ("States.Format 'x'", "expected '(' after States.Format"),
    # Arity
    ("States.ArrayRange(1, 2)", "States.ArrayRange takes 3 arguments, got 2"),
    ("States.UUID(1)", "States.UUID takes 0 arguments, got 1"),
    ("States.ArrayLength()", "States.ArrayLength takes 1 argument, got 0"),
    ("States.ArrayLength($.a, $.b)", "takes 1 argument, got 2"),
    ("States.Format()", "States.Format takes at least 1 argument, got 0"),
    ("States.MathRandom(1)", "States.MathRandom takes 2 or 3 arguments, got 1"),
    ("States.MathRandom(1, 2, 3, 4)", "takes 2 or 3 arguments, got 4"),
    ("States.JsonMerge($.a, $.b)", "States.JsonMerge takes 3 arguments, got 2"),
    ("States.Array(States.MathAdd(1))", "States.MathAdd takes 2 arguments, got 1"),
    # States.Format placeholders
    ("States.Format('{} {}', $.a)", "has 2 '{}' placeholders but 1 value given"),
    ("States.Format('{}')", "has 1 '{}' placeholder but 0 values given"),
    ("States.Format('none', $.a)", "has 0 '{}' placeholders but 1 value given"),
    ("States.Format('\\{}', $.a)", "has 0 '{}' placeholders"),
    # Strings and parentheses
    ("States.Array('abc", "unclosed string literal starting at offset 13"),
    ("States.Array('abc\\'", "unclosed string literal"),
    ("States.Array(", "unclosed '(' of States.Array at offset 12"),
    ("States.Array(1, 2", "unclosed '(' of States.Array"),
    ("States.Array(1,", "unclosed '(' of States.Array"),
    ("States.Array(States.UUID()", "unclosed '(' of States.Array"),
    ("States.UUID())", "unexpected trailing characters ')'"),
    ("States.UUID() x", "unexpected trailing characters 'x' at offset 14"),
    ("States.UUID()States.UUID()", "unexpected trailing characters"),
    ("States.Hash($.a, 'x\\n')", "invalid escape '\\n'"),
    ("States.Hash($.a, 'x\\\"')", "invalid escape '\\\"'"),
    # Arguments
    ("States.Array(1,)", "missing argument at offset 15"),
    ("States.Array(,1)", "missing argument at offset 13"),
    ("States.Array(1 2)", "expected ',' or ')'"),
    ("States.Array(foo)", "bad argument 'foo'"),
    ("States.Array(True)", "bad argument 'True'"),
    ("States.Array(12abc)", "bad argument '12abc'"),
    ("States.Array(-)", "bad argument '-'"),
    ('States.Array("x")', "bad argument '\"x\"'"),
    ("States.Array('a'b)", "bad argument"),
    ("States.Array(1.)", "bad argument"),
    ("States.Array($.a[)", "invalid path argument '$.a[)' at offset 13"),
    ("States.Array($.)", "invalid path argument '$.'"),
    ("States.Array($.a b)", "invalid path argument '$.a b'"),
    ("States.Array($1)", "invalid path argument '$1'"),
    ("States.Array($['a)", "invalid path argument"),
    # AWS requires bracket notation for such names inside intrinsics only.
    ("States.Format('{}', $.a-b)", "field 'a-b' must use bracket notation"),
    ("States.Array($.x.@y)", "field '@y' must use bracket notation"),
    # Nesting limit documented by AWS
    ("States.Array(" * 11 + ")" * 11, "nested more than 10 deep"),
]


@pytest.mark.parametrize(("expr", "fragment"), INVALID)
def test_invalid_intrinsics(expr: str, fragment: str) -> None:
    message = intrinsic_error(expr)
    assert message is not None
    assert fragment in message


def test_aws_guide_nesting_example_is_short_a_value() -> None:
    # The guide's own example has three '{}' but two values, contradicting the
    # rule stated on the same page; we follow the rule.
    message = intrinsic_error(AWS_NESTING_EXAMPLE)
    assert message is not None
    assert "has 3 '{}' placeholders but 2 values given" in message


def test_deep_nesting_does_not_recurse_without_bound() -> None:
    expr = "States.Array(" * 5000 + ")" * 5000
    message = intrinsic_error(expr)
    assert message is not None
    assert "nested more than 10 deep" in message


_INTRINSICISH = st.text(
    alphabet="States.FormatArryUID()'{}\\$.[],-0123 truefalsn\"*?@", max_size=40
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), _INTRINSICISH, _INTRINSICISH.map("States.Format(".__add__)))
def test_never_raises(expr: str) -> None:
    result = intrinsic_error(expr)
    assert result is None or (isinstance(result, str) and result)
    assert isinstance(is_intrinsic(expr), bool)


# ---------------------------------------------------------------------------
# The call tree the engine evaluates.


def test_parse_intrinsic_builds_the_call_tree() -> None:
    call = parse_intrinsic(
        "States.Format('a {} b \\{} it\\'s \\\\ {}', $.x, "
        "States.ArrayGetItem(States.StringSplit($$.Execution.Name, '-'), 0))"
    )
    assert call.name == "States.Format"
    template, path, nested = call.arguments
    assert template == Literal("a {} b {} it's \\ {}", ("a ", " b {} it's \\ ", ""))
    assert path == PathArgument(parse_path("$.x"))
    assert nested == Call(
        "States.ArrayGetItem",
        (
            Call(
                "States.StringSplit",
                (PathArgument(parse_path("$$.Execution.Name")), Literal("-", ("-",))),
            ),
            Literal(0),
        ),
    )


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("1", 1),
        ("-2", -2),
        ("3.5", 3.5),
        ("1e3", 1000.0),
        ("-0.25", -0.25),
        ("true", True),
        ("false", False),
        ("null", None),
    ],
)
def test_literal_arguments_keep_their_json_type(argument: str, value: object) -> None:
    (literal,) = parse_intrinsic(f"States.Array({argument})").arguments
    assert isinstance(literal, Literal)
    assert literal.value == value and type(literal.value) is type(value)


def test_variable_and_filter_paths_are_parsed_trees() -> None:
    call = parse_intrinsic("States.Array($x.y, $.a[?(@.b > 1)])")
    first, second = call.arguments
    assert isinstance(first, PathArgument) and first.path.root == "variable"
    assert first.path.variable == "x"
    assert isinstance(second, PathArgument) and not second.path.definite


@pytest.mark.parametrize(("expr", "fragment"), INVALID)
def test_parse_intrinsic_refuses_with_the_checkers_message(expr: str, fragment: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as failure:
        parse_intrinsic(expr)
    assert failure.value.message == intrinsic_error(expr)
    assert fragment in failure.value.message
