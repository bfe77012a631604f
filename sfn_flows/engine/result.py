"""What an execution ended with, for assertions in tests.

The same class describes an execution on the in-process engine and one on a container
engine, so a test reads both alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    # The definition the execution ran, to draw it on (None: unknown, the path is drawn alone).
    definition: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)

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

    def diagram(self, format: str = "mermaid") -> str:
        """The execution drawn on its workflow, as Mermaid (or "dot") text: the states it
        entered, retried, caught and failed, and the steps it took between them."""
        from sfn_flows.diagram import execution_diagram

        name = self.execution_arn.rsplit(":", 1)[-1]
        title = f"execution {name}: {self.status}" if name else self.status
        return execution_diagram(self.definition, self.events, format, title=title)
