"""Definitions and values the hostile-input and runaway tests share."""

from __future__ import annotations

from typing import Any


def machine(states: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A definition starting at its first state."""
    return {"StartAt": next(iter(states)), "States": states, **top}


# One callback Task: the execution waits until the test answers its token.
CALLBACK = machine(
    {
        "Ask": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"},
            "End": True,
        }
    }
)


def nested(depth: int, *, leaf: Any = None, as_list: bool = False) -> Any:
    """`depth` objects (or arrays) inside each other, the innermost holding `leaf`."""
    value: Any = leaf
    if value is None:
        value, depth = ([] if as_list else {}), depth - 1
    for _ in range(depth):
        value = [value] if as_list else {"a": value}
    return value
