"""An ASL interpreter that runs in the test's process, with a virtual clock.

`simulate(definition, input)` runs a definition to its end; `Engine(definition).start(input)`
gives an `Execution` a test can drive (callbacks, time). Imported lazily: `import
sfn_flows.engine` loads nothing until a name is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sfn_flows.engine.clock import RealClock, VirtualClock
    from sfn_flows.engine.errors import EngineUsageError, StatesError
    from sfn_flows.engine.execution import Engine, Execution
    from sfn_flows.engine.result import FlowResult
    from sfn_flows.engine.simulate import simulate
    from sfn_flows.engine.tasks.calls import Pending, TaskAnswer

_EXPORTS = {
    "Engine": "sfn_flows.engine.execution",
    "EngineUsageError": "sfn_flows.engine.errors",
    "Execution": "sfn_flows.engine.execution",
    "FlowResult": "sfn_flows.engine.result",
    "Pending": "sfn_flows.engine.tasks.calls",
    "RealClock": "sfn_flows.engine.clock",
    "StatesError": "sfn_flows.engine.errors",
    "TaskAnswer": "sfn_flows.engine.tasks.calls",
    "VirtualClock": "sfn_flows.engine.clock",
    "simulate": "sfn_flows.engine.simulate",
}

__all__ = [
    "Engine",
    "EngineUsageError",
    "Execution",
    "FlowResult",
    "Pending",
    "RealClock",
    "StatesError",
    "TaskAnswer",
    "VirtualClock",
    "simulate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sfn_flows.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
