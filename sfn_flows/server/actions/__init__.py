"""Every action the server answers, by AWS's name: `ACTIONS["CreateStateMachine"]`.

Each module has `ACTIONS: dict[str, Handler]`, a handler being
`(state: ServerState, body: dict) -> dict`. Imported on the first request, not at start-up
(the server answers its readiness probe before the engine is loaded).
"""

from __future__ import annotations

from typing import Final

from sfn_flows.server.actions import (
    aliases,
    callbacks,
    executions,
    functions,
    history,
    machines,
    tags,
    test_state,
    validation,
)
from sfn_flows.server.protocol import Handler

_MODULES: Final = (
    machines,
    aliases,
    tags,
    validation,
    test_state,
    functions,
    executions,
    history,
    callbacks,
)


def _table() -> dict[str, Handler]:
    table: dict[str, Handler] = {}
    for module in _MODULES:
        for action, handler in module.ACTIONS.items():
            if action in table:
                raise RuntimeError(f"{action} is answered by two modules ({module.__name__})")
            table[action] = handler
    return table


ACTIONS: Final[dict[str, Handler]] = _table()
