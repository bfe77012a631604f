"""What an execution ended with, for assertions in tests.

The same class describes an execution on the in-process engine and one on a container
engine, so a test reads both alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sfn_flows.asl.history import HistoryEvent


@dataclass(frozen=True)
class FlowResult:
    status: str
    output: Any
    error: str | None
    cause: str | None
    execution_arn: str
    states: list[str] = field(default_factory=list)
    events: Sequence[HistoryEvent] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def assert_path(self, *expected: str) -> None:
        """Assert the states entered, in order, are exactly `expected`."""
        assert self.states == list(expected), f"path was {self.states}, expected {list(expected)}"

    def assert_visited(self, *names: str) -> None:
        """Assert every state in `names` was entered, in this relative order."""
        position = 0
        for name in names:
            try:
                position = self.states.index(name, position) + 1
            except ValueError:
                raise AssertionError(
                    f"{name!r} not entered in order; path was {self.states}"
                ) from None
