"""Choice rules as a reader writes them: the labels of a diagram's Choice edges."""

from __future__ import annotations

from typing import Any

import pytest

from sfn_flows.asl.describe import rule_text


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"Variable": "$.kind", "StringEquals": "video"}, '$.kind == "video"'),
        ({"Variable": "$.n", "NumericLessThan": 3}, "$.n < 3"),
        ({"Variable": "$.n", "NumericGreaterThanEquals": 2.5}, "$.n >= 2.5"),
        ({"Variable": "$.n", "NumericLessThanEqualsPath": "$.max"}, "$.n <= $.max"),
        ({"Variable": "$.ok", "BooleanEquals": True}, "$.ok == true"),
        ({"Variable": "$.t", "TimestampGreaterThan": "2026-01-01T00:00:00Z"},
         '$.t > "2026-01-01T00:00:00Z"'),
        ({"Variable": "$.r", "StringMatches": "eu-*"}, '$.r matches "eu-*"'),
        ({"Variable": "$.c", "IsPresent": True}, "$.c is present"),
        ({"Variable": "$.c", "IsPresent": False}, "$.c is not present"),
        ({"Variable": "$.c", "IsNull": False}, "$.c is not null"),
        ({"Variable": "$.c", "IsTimestamp": True}, "$.c is a timestamp"),
        ({"Not": {"Variable": "$.c", "IsNull": True}}, "not ($.c is null)"),
        (
            {"Or": [
                {"And": [{"Variable": "$.a", "NumericEquals": 1},
                         {"Variable": "$.b", "NumericEquals": 2}]},
                {"Variable": "$.c", "StringEquals": "x"},
            ]},
            '($.a == 1 and $.b == 2) or $.c == "x"',
        ),
        ({"Condition": "{% $states.input.size > 10 %}"}, "$states.input.size > 10"),
        ({"Condition": True}, "true"),
        ({"Variable": "$.a"}, "?"),
        ({"Variable": "$.a", "NoSuchOperator": 1}, "?"),
    ],
)  # fmt: skip
def test_each_operator_reads_as_written(rule: dict[str, Any], text: str) -> None:
    assert rule_text({**rule, "Next": "X", "Comment": "ignored"}) == text


def test_a_long_rule_is_cut_and_a_deep_one_stops() -> None:
    long = {"Variable": "$.kind", "StringEquals": "x" * 100}
    assert rule_text(long, 20) == '$.kind == "' + "x" * 8 + "…"
    deep: dict[str, Any] = {"Variable": "$.a", "IsPresent": True}
    for _ in range(10_000):
        deep = {"Not": deep}
    # Past a few levels the rest is "…", with no recursion into the other 9,993.
    assert rule_text(deep) == "not (" * 7 + "…" + ")" * 7
