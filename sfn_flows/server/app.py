"""Start the engine server: `serve(config)` binds, serves in a thread, and gives a RunningServer.

    with serve(ServerConfig(port=0)) as server:
        boto3.client("stepfunctions", endpoint_url=server.url, ...)

Binds 127.0.0.1 unless told otherwise; port 0 takes a free port (server.port says which).
"""

from __future__ import annotations

import errno
import json
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from sfn_flows.errors import SfnFlowsError
from sfn_flows.server.config import ServerConfig
from sfn_flows.server.protocol import ApiHttpServer, Handler
from sfn_flows.server.state_machines import StateMachines

if TYPE_CHECKING:
    from sfn_flows.server.executions import Executions
    from sfn_flows.server.status_events import StatusEvents
    from sfn_flows.server.tasks import TaskSetups

STOP_DEADLINE_SECONDS: Final = 5.0


class ServerStartError(SfnFlowsError):
    """The server cannot start: the port is taken, the address is not this machine's..."""


@dataclass
class ServerState:
    """What the actions share: the registries of state machines and executions, what answers
    Tasks, and where status events go (None unless SFN_FLOWS_STATUS_EVENTS is on)."""

    config: ServerConfig
    machines: StateMachines
    tasks: TaskSetups
    executions: Executions
    events: StatusEvents | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)


def build_state(config: ServerConfig) -> ServerState:
    """The registries and the task runner; ConfigError when a setting cannot serve."""
    from sfn_flows.server.executions import Executions
    from sfn_flows.server.status_events import StatusEvents
    from sfn_flows.server.tasks import TaskSetups

    tasks = TaskSetups(config)
    if config.functions is not None:
        tasks.register_functions(_functions_file(config))
    events = StatusEvents(config) if config.status_events else None
    state = ServerState(
        config=config,
        machines=StateMachines(config.region, config.account),
        tasks=tasks,
        executions=Executions(config, tasks, events),
        events=events,
    )
    tasks.attach_server(state)  # states:startExecution's children run here
    return state


def _functions_file(config: ServerConfig) -> Mapping[str, Any]:
    path = config.functions
    assert path is not None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ServerStartError(f"the functions file {path} cannot be read as JSON: {exc}") from exc
    functions = document.get("functions") if isinstance(document, dict) else None
    if not isinstance(functions, dict):
        raise ServerStartError(
            f'the functions file {path} must hold {{"functions": {{"<name>": {{"handler": '
            '"module.function", ...}}}}, as the RegisterFunctions action takes.'
        )
    return functions


class _Actions:
    """The actions table, imported on the first request: start-up loads no engine."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table: Mapping[str, Handler] | None = None

    def __call__(self) -> Mapping[str, Handler]:
        table = self._table
        if table is None:
            with self._lock:
                if self._table is None:
                    from sfn_flows.server.actions import ACTIONS

                    self._table = ACTIONS
                table = self._table
        return table


class RunningServer:
    """A server serving in a thread. `stop()` (or leaving the `with`) ends it."""

    def __init__(self, http: ApiHttpServer, state: ServerState) -> None:
        self.http = http
        self.state = state
        self.host = state.config.host
        self.port: int = http.server_address[1]
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{self.port}"
        self._thread = threading.Thread(
            target=http.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="sfn-flows-engine-server",
            daemon=True,
        )
        self._stopped = False

    def start(self) -> RunningServer:
        self._thread.start()
        return self

    def stop(self, deadline_seconds: float = STOP_DEADLINE_SECONDS) -> None:
        """Stops listening, ends the executions' drivers and the open connections, and waits
        for their threads up to the deadline. Calling it again does nothing."""
        if self._stopped:
            return
        self._stopped = True
        deadline = time.monotonic() + deadline_seconds
        self.http.shutdown()
        self.http.server_close()
        self.state.executions.close()
        if self.state.events is not None:
            self.state.events.close(max(0.0, deadline - time.monotonic()))
        self.http.close_connections(deadline)
        self._thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve(config: ServerConfig, state: ServerState | None = None) -> RunningServer:
    """Binds `config.host:config.port` and serves in a background thread."""
    state = state or build_state(config)
    try:
        http = ApiHttpServer((config.host, config.port), state, _Actions())
    except OSError as exc:
        state.executions.close()
        raise ServerStartError(_bind_failure(config, exc)) from exc
    return RunningServer(http, state).start()


def _bind_failure(config: ServerConfig, exc: OSError) -> str:
    where = f"{config.host}:{config.port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is in use by another program; stop it, or "
            "choose another port (--port, 0 for any free one)."
        )
    if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
        return (
            f"cannot listen on {where}: {config.host!r} is not an address of this machine; "
            "use 127.0.0.1, or 0.0.0.0 in a container."
        )
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied; use a port above 1023."
    return f"cannot listen on {where}: {exc.strerror or exc}."
