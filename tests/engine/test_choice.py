"""Choice rules beyond the corpus's operator cases: missing paths, wildcards, timestamps as
instants, string order, short-circuiting, variables and the context object."""

from __future__ import annotations

from typing import Any

import pytest

from sfn_flows.engine.choice import parse_timestamp, rule_matches
from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.frame import Frame


def frame(**variables: Any) -> Frame:
    return Frame(
        state_name="Route",
        entered_event_id=7,
        context={"Execution": {"Name": "run-1"}},
        variables=variables,
    )


def matches(rule: dict[str, Any], data: Any, **variables: Any) -> bool:
    return rule_matches(rule, data, frame(**variables))


def test_a_missing_variable_fails_the_state_as_aws_does() -> None:
    with pytest.raises(StatesError) as failure:
        matches({"Variable": "$.type", "StringEquals": "Private"}, {"value": 1})
    assert failure.value.error == "States.Runtime"
    assert failure.value.cause == (
        "An error occurred while executing the state 'Route' (entered at the event id #7). "
        "Invalid path '$.type': The choice state's condition path references an invalid value."
    )


@pytest.mark.parametrize("test", ["IsNull", "IsString", "IsNumeric", "IsBoolean", "IsTimestamp"])
def test_type_tests_on_a_missing_variable_fail_too(test: str) -> None:
    with pytest.raises(StatesError, match=r"Invalid path '\$.gone'"):
        matches({"Variable": "$.gone", test: False}, {})


def test_is_present_is_the_only_test_of_a_missing_field() -> None:
    assert matches({"Variable": "$.gone", "IsPresent": False}, {}) is True
    assert matches({"Variable": "$.gone", "IsPresent": True}, {}) is False
    assert matches({"Variable": "$.here", "IsPresent": True}, {"here": None}) is True


def test_a_missing_path_operand_names_the_operand_path() -> None:
    with pytest.raises(StatesError) as failure:
        matches({"Variable": "$.left", "NumericLessThanEqualsPath": "$.right"}, {"left": 8})
    assert "Invalid path '$.right'" in (failure.value.cause or "")


def test_a_path_operand_of_the_wrong_type_is_false_not_an_error() -> None:
    rule = {"Variable": "$.left", "NumericEqualsPath": "$.right"}
    assert matches(rule, {"left": 8, "right": {"value": 8}}) is False
    assert matches(rule, {"left": 8, "right": 8.0}) is True


def test_and_stops_at_a_false_guard_so_the_missing_field_is_never_compared() -> None:
    guarded = {
        "And": [
            {"Variable": "$.flag", "IsPresent": True},
            {"Variable": "$.flag", "BooleanEquals": True},
        ]
    }
    assert matches(guarded, {}) is False
    assert matches(guarded, {"flag": True}) is True
    either = {
        "Or": [
            {"Variable": "$.flag", "IsPresent": False},
            {"Variable": "$.flag", "BooleanEquals": True},
        ]
    }
    assert matches(either, {}) is True
    assert matches({"Not": {"Variable": "$.n", "NumericGreaterThan": 3}}, {"n": 2}) is True


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("log-*.txt", "log-2024.txt", True),
        ("log-*.txt", "log-.txt", True),
        ("log-*.txt", "log-2024.csv", False),
        ("*", "", True),
        ("a*b*c", "abc", True),
        ("a*b*c", "aXbYbZc", True),
        ("a*b*c", "acb", False),
        ("ab*ba", "aba", False),  # the two literal ends may not overlap
        ("\\*", "*", True),
        ("\\*", "x", False),
        ("a\\*b*", "a*bcd", True),
        ("back\\\\slash", "back\\slash", True),
        ("a.c", "abc", False),  # nothing but * is special
        ("a?c", "abc", False),
        ("[ab]", "a", False),
    ],
)
def test_string_matches_wildcards_and_escapes(pattern: str, text: str, expected: bool) -> None:
    assert matches({"Variable": "$.s", "StringMatches": pattern}, {"s": text}) is expected


def test_string_matches_a_long_text_against_many_wildcards_in_linear_time() -> None:
    pattern = "*a" * 30 + "*b"
    assert matches({"Variable": "$.s", "StringMatches": pattern}, {"s": "a" * 5000}) is False


def test_string_matches_is_false_for_a_non_string() -> None:
    assert matches({"Variable": "$.s", "StringMatches": "*"}, {"s": 5}) is False


def test_timestamps_compare_as_instants_across_offsets_and_fractions() -> None:
    same = {"Variable": "$.t", "TimestampEquals": "2024-01-01T12:00:00Z"}
    assert matches(same, {"t": "2024-01-01T13:00:00+01:00"}) is True
    assert matches(same, {"t": "2024-01-01T07:30:00-04:30"}) is True
    assert matches(same, {"t": "2024-01-01T12:00:00.000000000Z"}) is True
    later = {"Variable": "$.t", "TimestampGreaterThan": "2024-01-01T12:00:00Z"}
    assert matches(later, {"t": "2024-01-01T12:00:00.000000001Z"}) is True
    assert matches(later, {"t": "2024-01-01T12:00:00Z"}) is False


@pytest.mark.parametrize(
    "text",
    [
        "2012-10-09T19:00:55",  # no zone
        "2012-10-09 19:00:55Z",  # no T
        "2012-10-09t19:00:55z",  # lowercase
        "2016-13-05T21:29:29Z",  # month 13
        "2016-12-05T25:29:29Z",  # hour 25
        "05-12-2016T21:29:29Z",
        "2023-02-24",
        "2016-03-05T21:29:29.2431672521Z",  # finer than nanoseconds
    ],
)
def test_what_is_not_a_timestamp(text: str) -> None:
    assert parse_timestamp(text) is None
    assert matches({"Variable": "$.t", "IsTimestamp": True}, {"t": text}) is False
    assert matches({"Variable": "$.t", "TimestampEquals": text}, {"t": text}) is False


def test_parse_timestamp_keeps_nanoseconds() -> None:
    assert parse_timestamp("1970-01-01T00:00:01.5Z") == (1, 500_000_000)
    assert parse_timestamp("2016-03-05T21:29:29.243167252Z") == (1457213369, 243167252)


def test_strings_order_by_utf16_code_unit_as_java_does() -> None:
    # U+FF5E is one UTF-16 unit, U+1F600 a surrogate pair starting 0xD83D: Java puts the
    # emoji first, Python's code-point order would put it last.
    rule = {"Variable": "$.s", "StringLessThan": "\uff5e"}
    assert matches(rule, {"s": "\U0001f600"}) is True


def test_variables_and_the_context_object_are_read() -> None:
    assert matches({"Variable": "$limit", "NumericGreaterThan": 5}, {}, limit=9) is True
    assert matches({"Variable": "$$.Execution.Name", "StringEquals": "run-1"}, {}) is True
    with pytest.raises(StatesError, match=r"Invalid path '\$unset'"):
        matches({"Variable": "$unset", "NumericGreaterThan": 5}, {})


def test_a_rule_without_an_operator_is_a_usage_error_naming_the_state() -> None:
    with pytest.raises(EngineUsageError, match="Route"):
        matches({"Variable": "$.a", "Next": "X"}, {"a": 1})
