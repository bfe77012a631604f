"""The server's executions: started, found by ARN, by state machine or by task token, stopped.

`Executions(config, tasks, events)`: `tasks` (TaskSetups) says who answers each execution's
Tasks, `events` (StatusEvents, or None) hears each execution start and end. Each execution runs
on a driver thread of its own (`sfn_flows.server.execution_driver`) and a clock of its own
(`sfn_flows.server.clocks`): real time scaled by WAIT_TIME_SCALE, or virtual time.
`close()` stops every driver, waiting for them up to a deadline; they are daemon threads, so one
stuck in a Task's handler cannot keep the process alive.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
import threading
import time
from typing import Any, Final

from sfn_flows.engine.errors import EngineUsageError
from sfn_flows.engine.execution import Engine
from sfn_flows.server.clocks import ExecutionClock
from sfn_flows.server.config import ServerConfig
from sfn_flows.server.errors import ApiError
from sfn_flows.server.execution_driver import RUNNING, Origin, ServedExecution, StartRequest

CLOSE_DEADLINE_SECONDS: Final = 5.0
# The engine's task tokens: "<execution name>-token-<number>-<16 hex digits>".
_TOKEN: Final = re.compile(r"^(?P<name>.+)-token-\d{6,}-[0-9a-f]{16}$")


class Executions:
    def __init__(self, config: ServerConfig, tasks: Any = None, events: Any = None) -> None:
        self.config = config
        self.tasks = tasks
        self.events = events
        self.scale = 0.0 if config.virtual_time else config.wait_time_scale
        self._lock = threading.Lock()
        self._by_arn: dict[str, ServedExecution] = {}
        self._by_machine: dict[str, list[ServedExecution]] = {}
        self._by_name: dict[str, list[ServedExecution]] = {}
        # Standard ARNs being started: a second start of one of them is refused meanwhile.
        self._starting: set[str] = set()
        self._sequence = itertools.count(1)
        self._closed = False

    # -- starting ------------------------------------------------------------------------

    def start(self, request: StartRequest) -> tuple[ServedExecution, bool]:
        """Start an execution; (it, True), or (the running one, False) when AWS's idempotency
        rule gives back an execution started before with the same name and input."""
        express = request.type == "EXPRESS"
        arn = self._standard_arn(request)
        with self._lock:
            if self._closed:
                raise ApiError("ServiceUnavailable", "The server is stopping.", 503)
            existing = None if express else self._by_arn.get(arn)
            if existing is not None:
                if existing.status == RUNNING and _same_input(existing, request):
                    return existing, False
                raise _already_exists(arn)
            if not express:
                if arn in self._starting:
                    raise _already_exists(arn)
                self._starting.add(arn)
        try:
            # Outside the lock: the first execution of a definition validates and parses it.
            served = self._create(request)
        finally:
            with self._lock:
                self._starting.discard(arn)
        with self._lock:
            self._by_arn[served.origin.arn] = served
            self._by_machine.setdefault(request.state_machine_arn, []).append(served)
            self._by_name.setdefault(request.name, []).append(served)
        self._tell(served)
        served.start(self._ended)
        return served, True

    def _standard_arn(self, request: StartRequest) -> str:
        machine = request.state_machine_arn
        prefix, _, machine_name = machine.rpartition(":stateMachine:")
        return f"{prefix}:execution:{machine_name}:{request.name}"

    def _create(self, request: StartRequest) -> ServedExecution:
        clock = ExecutionClock(self.scale)
        setup = self._task_setup(request)
        region, account = _region_account(request.state_machine_arn, self.config)
        try:
            engine = Engine(
                request.definition,
                clock=clock,
                state_machine_name=request.state_machine_name,
                state_machine_type=request.type,
                role_arn=request.role_arn,
                region=region,
                account=account,
                **setup,
            )
        except EngineUsageError as error:
            raise ApiError(
                "InvalidDefinition", f"Invalid State Machine Definition: {error}"
            ) from None
        try:
            execution = engine.start(request.input, execution_name=request.name)
        except EngineUsageError as error:
            raise ApiError("InvalidExecutionInput", f"Invalid Execution Input: {error}") from None
        sequence = next(self._sequence)
        # Tokens and jitter come from this generator: the engine seeds it the same for every
        # execution (tests reproduce), but two executions named alike must not share tokens.
        execution.runtime.rng = random.Random(f"{execution.arn}#{sequence}")
        origin = Origin(execution.arn, sequence, request)
        return ServedExecution(origin, execution, clock)

    def _task_setup(self, request: StartRequest) -> dict[str, Any]:
        """The Engine's keyword arguments that say who answers Tasks (TaskSetups' TaskSetup, a
        dataclass of them); none without TaskSetups."""
        if self.tasks is None:
            return {}
        setup = self.tasks.setup(request.state_machine_arn, request.test_case)
        return {f.name: getattr(setup, f.name) for f in dataclasses.fields(setup)}

    def _tell(self, served: ServedExecution) -> None:
        if self.events is not None:
            self.events.execution_changed(served.describe())

    def _ended(self, served: ServedExecution) -> None:
        self._tell(served)

    # -- finding -------------------------------------------------------------------------

    def get(self, arn: str) -> ServedExecution:
        with self._lock:
            served = self._by_arn.get(arn)
        if served is None:
            raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return served

    def of_machine(self, state_machine_arn: str) -> list[ServedExecution]:
        """The executions of a state machine, in the order they started."""
        with self._lock:
            return list(self._by_machine.get(state_machine_arn, ()))

    def by_token(self, token: str) -> ServedExecution:
        """The execution that issued `token`; InvalidToken when it is not a token this server
        issues, TaskDoesNotExist when no execution issued it."""
        match = _TOKEN.match(token)
        if match is None:
            raise ApiError(
                "InvalidToken",
                "Invalid Token: 'Invalid token': taskToken is not a token this server issued; "
                "give the Task's $$.Task.Token as it was.",
            )
        with self._lock:
            candidates = list(self._by_name.get(match["name"], ()))
        for served in candidates:
            if served.issued(token):
                return served
        # Just issued, by a step the driver is still running (the worker was quicker).
        for served in candidates:
            if served.waits_for(token):
                return served
        raise ApiError(
            "TaskDoesNotExist",
            "Task Does Not Exist: no execution of this server issued the taskToken "
            f"'{token[:100]}'.",
        )

    # -- stopping ------------------------------------------------------------------------

    def stop(self, served: ServedExecution, error: str | None, cause: str | None) -> None:
        """StopExecution: ABORTED now; an execution that has ended stays as it ended. Either
        way its end is published when this returns."""
        served.stop(error, cause)
        served.finish()

    def close(self, deadline_seconds: float = CLOSE_DEADLINE_SECONDS) -> None:
        """Stop every driver (executions stay as they are) and wait for them up to the
        deadline. Starting an execution afterwards is refused."""
        with self._lock:
            self._closed = True
            running = list(self._by_arn.values())
        deadline = time.monotonic() + deadline_seconds
        for served in running:
            served.close(min(0.2, deadline - time.monotonic()))
        for served in running:
            served.join(deadline - time.monotonic())


def _already_exists(arn: str) -> ApiError:
    return ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")


def _same_input(served: ServedExecution, request: StartRequest) -> bool:
    try:
        return bool(json.loads(served.origin.request.input_text) == request.input)
    except ValueError:
        return False


def _region_account(state_machine_arn: str, config: ServerConfig) -> tuple[str, str]:
    parts = state_machine_arn.split(":")
    if len(parts) > 4 and parts[3] and parts[4]:
        return parts[3], parts[4]
    return config.region, config.account
