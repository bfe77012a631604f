"""Choice rules: one comparison (or And/Or/Not) per rule in JSONPath, a Condition in JSONata."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sfn_flows.asl.describe import describe
from sfn_flows.asl.jsonata import is_jsonata
from sfn_flows.asl.pointers import escape_pointer_token as _escape
from sfn_flows.validate.payload import check_assign, check_template
from sfn_flows.validate.report import Report
from sfn_flows.validate.targets import check_target
from sfn_flows.validate.values import (
    check_expression,
    check_path,
    is_number,
    is_timestamp_or_placeholder,
    number_placeholder,
)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "String": (_is_str, "a string"),
    "Numeric": (is_number, "a number"),
    "Boolean": (_is_bool, "true or false"),
    "Timestamp": (
        is_timestamp_or_placeholder,
        "an RFC 3339 timestamp such as '2026-01-31T12:00:00Z'",
    ),
}
_COMPARISONS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")

# operator -> (value check, what the value must be); *Path operators take a reference path.
OPERATORS: dict[str, tuple[Callable[[Any], bool], str] | None] = {}
for _kind, _check in _KINDS.items():
    for _comparison in _COMPARISONS if _kind != "Boolean" else ("Equals",):
        OPERATORS[f"{_kind}{_comparison}"] = _check
        OPERATORS[f"{_kind}{_comparison}Path"] = None
OPERATORS["StringMatches"] = (_is_str, "a string pattern (with * wildcards)")
for _test in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
    OPERATORS[_test] = (_is_bool, "true or false")

_RULE_EXTRAS = frozenset({"Next", "Assign", "Comment", "Output"})
_COMBINATORS = ("And", "Or", "Not")


def check_choices(
    report: Report, where: str, state: dict[str, Any], *, jsonata: bool, names: set[str]
) -> None:
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        report.error(
            f"{where}/Choices",
            "a Choice state needs a non-empty Choices list.",
            "add at least one rule with a Next.",
            "choice",
        )
        return
    for index, rule in enumerate(choices):
        at = f"{where}/Choices/{index}"
        if not isinstance(rule, dict):
            report.error(
                at, f"a Choice rule must be an object, not {describe(rule)}.", "", "choice"
            )
            continue
        if "Next" not in rule:
            report.error(
                at, "this Choice rule has no Next.", 'add "Next": "<state name>".', "choice"
            )
        else:
            check_target(report, f"{at}/Next", "Next", rule["Next"], names)
        if "Assign" in rule:
            check_assign(report, f"{at}/Assign", rule["Assign"], jsonata=jsonata)
        if "Output" in rule:
            if not jsonata:
                report.error(
                    f"{at}/Output",
                    "Output in a Choice rule needs JSONata.",
                    "set QueryLanguage to JSONata or remove it.",
                    "query-language",
                )
            else:
                check_template(report, f"{at}/Output", rule["Output"], jsonata=True)
        test = {k: v for k, v in rule.items() if k not in _RULE_EXTRAS}
        if jsonata:
            _check_condition(report, at, test)
        else:
            _check_rule(report, at, test)


def _check_condition(report: Report, at: str, test: dict[str, Any]) -> None:
    if set(test) != {"Condition"}:
        extra = sorted(set(test) - {"Condition"})
        report.error(
            at,
            "a JSONata Choice rule has exactly a Condition (plus Next, Assign, Output, Comment)"
            + (f"; found {', '.join(extra)}" if extra else "; Condition is missing")
            + ".",
            'write "Condition": "{% <boolean expression> %}".',
            "choice",
        )
    condition = test.get("Condition")
    if condition is None:
        return
    if is_jsonata(condition):
        check_expression(report, f"{at}/Condition", condition)
    elif not isinstance(condition, bool):
        report.error(
            f"{at}/Condition",
            f"Condition must be a '{{% ... %}}' expression, not {describe(condition)}.",
            "",
            "choice",
        )


def _check_rule(report: Report, at: str, rule: dict[str, Any], *, nested: bool = False) -> None:
    # Iterative over nesting depth is unnecessary in practice, but And/Or trees from fuzzers
    # can be deep: recurse with an explicit stack.
    # Children are pushed in reverse so that problems come out in document order.
    stack: list[tuple[str, Any, bool]] = [(at, rule, nested)]
    while stack:
        where, node, inner = stack.pop()
        if not isinstance(node, dict):
            report.error(where, f"a rule must be an object, not {describe(node)}.", "", "choice")
            continue
        if inner and "Next" in node:
            report.error(
                f"{where}/Next",
                "a rule nested in And/Or/Not must not have a Next.",
                "move Next to the top-level rule.",
                "choice",
            )
        fields = {k for k in node if k not in ("Next", "Comment")}
        combinators = [k for k in _COMBINATORS if k in fields]
        operators = [k for k in node if k in OPERATORS]  # document order, not set order
        known = {*OPERATORS, *_COMBINATORS, "Variable", "Condition"}
        unknown = [k for k in node if k in fields and k not in known]
        for key in unknown:
            report.error(
                f"{where}/{_escape(key)}",
                f"unknown field {key!r} in a Choice rule.",
                _did_you_mean(str(key)),
                "choice",
            )
        if "Condition" in fields:
            report.error(
                f"{where}/Condition",
                "Condition is JSONata; this state uses JSONPath.",
                "use Variable with a comparison operator, or set QueryLanguage to JSONata.",
                "query-language",
            )
            continue
        if len(combinators) + len(operators) != 1:
            found = combinators + operators
            report.error(
                where,
                "a Choice rule needs exactly one comparison operator or And/Or/Not"
                + (f"; found {', '.join(found)}" if found else "")
                + ".",
                'e.g. {"Variable": "$.status", "StringEquals": "done", "Next": "Done"}.',
                "choice",
            )
            continue
        if combinators:
            key = combinators[0]
            if "Variable" in node:
                report.error(
                    f"{where}/Variable",
                    f"a rule with {key} has no Variable of its own.",
                    "put Variable in each nested rule.",
                    "choice",
                )
            children = node[key]
            if key == "Not":
                if isinstance(children, dict):
                    stack.append((f"{where}/Not", children, True))
                else:
                    report.error(f"{where}/Not", "Not takes one rule object.", "", "choice")
            elif isinstance(children, list) and children:
                for index in reversed(range(len(children))):
                    stack.append((f"{where}/{key}/{index}", children[index], True))
            else:
                report.error(
                    f"{where}/{key}", f"{key} takes a non-empty list of rules.", "", "choice"
                )
            continue
        operator = operators[0]
        if "Variable" not in node:
            report.error(
                where,
                f"a {operator} rule needs a Variable.",
                'add "Variable": "$.field".',
                "choice",
            )
        else:
            check_path(report, f"{where}/Variable", node["Variable"], reference=True)
        value = node[operator]
        expected = OPERATORS[operator]
        if expected is None:
            check_path(report, f"{where}/{operator}", value, reference=True)
        elif not expected[0](value) and not (
            operator.startswith("Numeric")
            and number_placeholder(report, f"{where}/{operator}", value)
        ):
            report.error(
                f"{where}/{operator}",
                f"{operator} compares with {expected[1]}, not {describe(value)}.",
                "",
                "choice",
            )


def _did_you_mean(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(OPERATORS), n=1)
    return (
        f"did you mean {close[0]!r}?"
        if close
        else "see the comparison operators in the ASL reference."
    )
