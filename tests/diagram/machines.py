"""Definitions the diagram tests draw: one with every kind of state and edge, nested, and one
whose state names hold what Step Functions allows in a name and drawing syntaxes do not."""

from __future__ import annotations

from typing import Any, Final

LAMBDA: Final = "arn:aws:states:::lambda:invoke"

# Names Step Functions takes (1 to 80 characters, unique), chosen to break Mermaid, DOT, HTML,
# Markdown or YAML if they were written unescaped.
HOSTILE_NAMES: Final = (
    'he said "hi"',
    "[brackets] {braces} (parens) <angles>",
    "a#b;c #quot; &amp; &lt;b&gt;",
    "`code` *stars* _under_ |pipe|",
    "back\\slash \\n \\N \\l",
    "%% not a comment",
    "end",
    "subgraph",
    "graph TD",
    "click n0 call alert()",
    "a --> b ==> c -.-> d",
    "style n0 fill:#f00",
    ":::hot",
    "x~y/z ~0 ~1",
    "é ü 漢字 😀 שלום",
    "line\nbreak\ttab",
    "\u202eevil\u2028sep",
    "x" * 80,
)


# An order for workflows/order_fulfilment.py whose payment is refused once as busy (retried),
# then declined: the Parallel catches it and the flow ends in PaymentFailed. Give each run its
# own order_id: the handler remembers the orders it refused once.
DECLINED_ORDER: Final = {
    "order_id": "o-declined",
    "kind": "physical",
    "total_cents": 5,
    "lines": [{"sku": "a", "quantity": 1}],
    "busy_once": True,
    "decline": True,
}


def task(next_state: str | None = None, **more: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Parameters": {"FunctionName": "f", "Payload.$": "$"},
        "TimeoutSeconds": 30,
    }
    state.update({"Next": next_state} if next_state else {"End": True})
    state.update(more)
    return state


def shown(name: str) -> str:
    """A name as the diagrams show it: what prints nothing is written \\uXXXX."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in name)


def hostile_definition() -> dict[str, Any]:
    """A chain of Pass states named HOSTILE_NAMES, a Choice on a hostile value, a Parallel
    whose branch holds hostile names, and a Catch and a Fail with hostile error names."""
    names = list(HOSTILE_NAMES)
    states: dict[str, Any] = {}
    for name, after in zip(names, [*names[1:], "Route <&>"], strict=True):
        states[name] = {"Type": "Pass", "Next": after}
    states["Route <&>"] = {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.kind", "StringEquals": 'a "quoted" <value> | #1;', "Next": "Fan|out"},
        ],
        "Default": 'Fail "now"',
    }
    states["Fan|out"] = {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "in<branch>", "States": {"in<branch>": {"Type": "Pass", "End": True}}},
            {"StartAt": "{other}", "States": {"{other}": task()}},
        ],
        "Catch": [{"ErrorEquals": ["My.Error<&>"], "Next": 'Fail "now"'}],
        "End": True,
    }
    states['Fail "now"'] = {"Type": "Fail", "Error": 'Err"<&>', "Cause": "because"}
    return {"StartAt": names[0], "States": states}


def nested_definition() -> dict[str, Any]:
    """Choice -> Parallel (a fast branch; a slow branch holding a Map) -> Wait -> Succeed, with
    Retry and Catch; a Fail for the Catch and the Choice's default."""
    slow_map = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "MaxConcurrency": 2,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "Item",
            "States": {"Item": task(TimeoutSeconds=50)},
        },
        "End": True,
    }
    return {
        "StartAt": "Route",
        "TimeoutSeconds": 100_000,
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {
                        "And": [
                            {"Variable": "$.kind", "StringEquals": "big"},
                            {"Variable": "$.size", "NumericGreaterThan": 10},
                        ],
                        "Next": "Both",
                    },
                    {"Variable": "$.coupon", "IsPresent": True, "Next": "Nap"},
                ],
                "Default": "Rejected",
            },
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Fast", "States": {"Fast": task(TimeoutSeconds=5)}},
                    {
                        "StartAt": "Prepare",
                        "States": {"Prepare": task("EachItem"), "EachItem": slow_map},
                    },
                ],
                "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Rejected"}],
                "Next": "Nap",
            },
            "Nap": {"Type": "Wait", "Seconds": 600, "Next": "Finish"},
            "Finish": task(
                "Done",
                TimeoutSeconds=10,
                Retry=[
                    {"ErrorEquals": ["Busy"], "MaxAttempts": 2},
                    {"ErrorEquals": ["Never"], "MaxAttempts": 0},
                ],
            ),
            "Done": {"Type": "Succeed"},
            "Rejected": {"Type": "Fail", "Error": "Rejected"},
        },
    }
