"""The one rule for "is this string a JSONata expression", and the modules that use it."""

from __future__ import annotations

from typing import Any

import pytest

from sfn_flows.asl.jsonata import expression_text, is_jsonata, opens_jsonata
from sfn_flows.budget import compute_budget
from sfn_flows.validate import validate_definition


@pytest.mark.parametrize(
    "value",
    ["{% $states.input %}", "{%1%}", "{%%}", "{% {'a': 1} %}", "{%\n  $x\n%}"],
)
def test_expressions(value: str) -> None:
    assert is_jsonata(value)


@pytest.mark.parametrize(
    "value",
    [
        # AWS keeps these as literal strings (the corpus records " {% states.input %} " as
        # output unchanged), so surrounding whitespace is not trimmed away.
        " {% 5 %} ",
        " {% 5 %}",
        "{% 5 %} ",
        "{% 5",
        "5 %}",
        "{%}",
        "{ % 5 % }",
        "$states.input",
        5,
        None,
        ["{% 5 %}"],
    ],
)
def test_literals(value: Any) -> None:
    assert not is_jsonata(value)


def test_expression_text_strips_only_the_delimiters_and_the_whitespace_inside() -> None:
    assert expression_text("{% {'foo': 'bar'} %}") == "{'foo': 'bar'}"
    assert expression_text("{%$x%}") == "$x"
    assert expression_text("{%%}") == ""
    with pytest.raises(ValueError, match="not a JSONata expression"):
        expression_text(" {% 5 %} ")


def test_opens_jsonata_spots_an_unclosed_expression() -> None:
    assert opens_jsonata("{% 5")
    assert not opens_jsonata(" {% 5 %}")
    assert not opens_jsonata(5)


def _machine(state: dict[str, Any]) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": state}}


def test_validator_and_budget_agree_on_a_padded_expression() -> None:
    # Before the shared rule, budget stripped whitespace (an expression) while the validator
    # did not (a literal). Both now read " {% 5 %} " as the literal string it is.
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "f"},
        "TimeoutSeconds": " {% 5 %} ",
        "End": True,
    }
    problems = [p for p in validate_definition(_machine(task)) if p.severity == "error"]
    assert any("TimeoutSeconds" in p.render() for p in problems)
    budget = compute_budget(_machine(task))
    reasons = " ".join(u.reason for u in budget.unbounded)
    assert "not a positive integer" in reasons
    assert "JSONata expression" not in reasons


def test_budget_still_sees_a_real_expression_as_known_only_at_run_time() -> None:
    wait = {"Type": "Wait", "Seconds": "{% $states.input.n %}", "End": True}
    budget = compute_budget(_machine(wait))
    assert "only known at run time" in " ".join(u.reason for u in budget.unbounded)


def test_validator_warns_on_an_unclosed_expression_and_checks_a_closed_one() -> None:
    unclosed = {"Type": "Pass", "Output": {"a": "{% 1 + "}, "End": True}
    codes = [p.code for p in validate_definition(_machine(unclosed))]
    assert "jsonata-literal" in codes
    broken = {"Type": "Pass", "Output": {"a": "{% 1 + %}"}, "End": True}
    errors = [p for p in validate_definition(_machine(broken)) if p.severity == "error"]
    assert errors and "JSONata" in errors[0].render()
