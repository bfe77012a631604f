"""What an evaluator needs to know about the state that is running.

Paths, intrinsic functions, JSONata and Choice rules all read the same things: the context
object (`$$`), the variables in scope (`$name`), and the state's name and entered-event id,
which AWS writes into every runtime cause.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfn_flows.engine.errors import StatesError, runtime_cause


@dataclass
class Frame:
    state_name: str
    entered_event_id: int
    context: dict[str, Any] = field(default_factory=dict)
    variables: Mapping[str, Any] = field(default_factory=dict)
    # Values already copied into JSONata's form, by identity (engine/jsonata.py): a state's
    # fields, and each item a Map selects, read the same input without copying it again.
    jsonata_values: dict[int, tuple[Any, Any]] = field(default_factory=dict)

    def error(self, error: str, detail: str) -> StatesError:
        """A failure of this state's own processing, with the cause AWS writes for it."""
        return StatesError(error, runtime_cause(self.state_name, self.entered_event_id, detail))

    def runtime_error(self, detail: str) -> StatesError:
        return self.error("States.Runtime", detail)
