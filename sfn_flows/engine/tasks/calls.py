"""What the engine asks when a Task runs, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sfn_flows.engine.errors import StatesError


@dataclass(frozen=True, slots=True)
class TaskCall:
    """One attempt of a Task state.

    `payload` is the effective input the integration receives (after InputPath and
    Parameters, or Arguments). `attempt` is 0 for the first try and counts retries;
    `entry` counts the times the state was entered in this execution (0 = first).
    `context` is the context object (`$$`) as the state sees it.
    """

    state_name: str
    resource: str
    payload: Any
    attempt: int = 0
    entry: int = 0
    timeout_seconds: float | None = None
    heartbeat_seconds: float | None = None
    task_token: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TaskAnswer:
    """The Task's result, and how long it took in simulated time."""

    result: Any
    simulated_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Pending:
    """A `.waitForTaskToken` Task was started: the execution waits for send_task_success,
    send_task_failure or a heartbeat with the call's task token."""


class TaskTimeout(StatesError):
    """The Task ran past its TimeoutSeconds in real time (a handler that blocks): the engine
    ends the attempt with States.Timeout, `seconds` after it started."""

    def __init__(self, seconds: float) -> None:
        super().__init__("States.Timeout", None)
        self.seconds = seconds
