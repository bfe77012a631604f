"""Every action the server answers, by AWS's name: `ACTIONS["CreateStateMachine"]`.

Each module has `ACTIONS: dict[str, Handler]`, a handler being
`(state: ServerState, body: dict) -> dict`. Imported on the first request, not at start-up.
Modules other helpers write join the table once they exist.
"""

from __future__ import annotations

import importlib
from typing import Final

from sfn_flows.server.protocol import Handler

_MODULES: Final = (
    "machines",
    "aliases",
    "tags",
    "validation",
    "test_state",
    "functions",
    # S1b's: present once they land.
    "executions",
    "history",
    "callbacks",
)


def _table() -> dict[str, Handler]:
    table: dict[str, Handler] = {}
    for name in _MODULES:
        qualified = f"{__name__}.{name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise
            continue
        for action, handler in module.ACTIONS.items():
            if action in table:
                raise RuntimeError(f"{action} is answered by two modules ({qualified})")
            table[action] = handler
    return table


ACTIONS: Final[dict[str, Handler]] = _table()
