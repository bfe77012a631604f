"""One execution in the server, and the thread that drives it.

The engine's `Execution` is not thread-safe. Its driver thread and the requests that change it
(SendTask*, StopExecution) take the execution's lock; the driver holds it while the engine runs
and lets go of it whenever it waits (`Condition.wait`), for a pause or a deadline
(`sfn_flows.server.clocks`). A request that changes the execution first brings it up to the
present (a callback deadline that has passed fires before the answer that came after it), then
wakes the driver, which runs on at once.

Reads take no lock and never wait for a running Task: DescribeExecution reads a description
published when the status changes (after the history holds the final event), and
GetExecutionHistory reads the engine's history, a list of records only ever appended to whose
payloads are not changed once recorded (the engine formats them lazily, when read).
"""

from __future__ import annotations

import math
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sfn_flows.engine.errors import EngineUsageError
from sfn_flows.engine.execution import Execution
from sfn_flows.engine.json_text import compact_json
from sfn_flows.engine.scheduler import EndExecution
from sfn_flows.server.clocks import ExecutionClock

RUNNING: Final = "RUNNING"


@dataclass(frozen=True)
class StartRequest:
    """A StartExecution (or StartSyncExecution) checked by the action: what to run, on what,
    and what DescribeExecution and DescribeStateMachineForExecution report of it."""

    state_machine_arn: str
    state_machine_name: str
    type: str
    definition: str
    role_arn: str
    revision_id: str | None
    update_date: float
    logging: dict[str, Any] | None
    tracing: dict[str, Any] | None
    version_arn: str | None
    alias_arn: str | None
    name: str
    input_text: str
    input: Any
    trace_header: str | None
    test_case: str | None


@dataclass(frozen=True)
class Origin:
    """An execution's ARN, the order it started in this server (ties between equal dates)
    and what it was started with."""

    arn: str
    sequence: int
    request: StartRequest


class ServedExecution:
    """An engine Execution, its clock, its driver thread and what the API reads of it."""

    def __init__(self, origin: Origin, execution: Execution, clock: ExecutionClock) -> None:
        self.origin = origin
        self.execution = execution
        self.clock = clock
        self.start_date = execution.start_time
        self.status = RUNNING
        self.stop_date: float | None = None
        self.done = threading.Event()
        self._condition = threading.Condition()
        self._described = self._description()
        self._closing = False
        # Every token the execution has waited on: an answer to one of them that no Task
        # waits for any more is TaskTimedOut, not TaskDoesNotExist.
        self._tokens: set[str] = set()
        self._thread: threading.Thread | None = None
        self._on_end: Callable[[ServedExecution], None] | None = None

    # -- reading (no lock) ---------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """DescribeExecution's answer (a copy)."""
        return dict(self._described)

    def history_events(self) -> list[dict[str, Any]]:
        """The events so far, as GetExecutionHistory gives them (timestamps as datetimes)."""
        return self.execution.history_events()

    def issued(self, token: str) -> bool:
        """Whether the execution ever waited on `token`."""
        return token in self._tokens

    # -- driving -------------------------------------------------------------------------

    def start(self, on_end: Callable[[ServedExecution], None]) -> None:
        """Start the driver thread; `on_end(self)` is called once, when the execution has
        ended (by itself or stopped), after DescribeExecution shows the end."""
        self._on_end = on_end
        self._thread = threading.Thread(
            target=self._drive,
            name=f"sfn-flows-execution-{self.origin.sequence}",
            daemon=True,
        )
        self._thread.start()

    def close(self, seconds: float) -> None:
        """Ask the driver to stop (the server is stopping); the execution stays as it is.
        Waits at most `seconds` for the lock: a driver busy in a Task's handler holds it, and
        sees the request when the handler returns."""
        self._closing = True
        if self._condition.acquire(timeout=max(0.0, seconds)):
            try:
                self._condition.notify_all()
            finally:
                self._condition.release()

    def join(self, seconds: float) -> bool:
        """Wait up to `seconds` for the driver thread to end; whether it has."""
        thread = self._thread
        if thread is not None:
            thread.join(max(0.0, seconds))
            return not thread.is_alive()
        return True

    def _drive(self) -> None:
        try:
            with self._condition:
                while not self._closing:
                    self._catch_up()
                    if self.execution.status != RUNNING:
                        break
                    self._tokens.update(self.execution.pending_tokens)
                    self._wait()
        except BaseException:  # the driver's own bug: the execution must still end
            traceback.print_exc(file=sys.stderr)
            with self._condition:
                self._fail_broken(f"the engine server failed: {traceback.format_exc(limit=5)}")
        self.finish()

    def _wait(self) -> None:
        """Wait, letting go of the lock, for what the execution does next: a pause to the
        next Sleep's end, or a deadline in real time; a request's notify cuts either short."""
        scheduler = self.execution.scheduler
        resume = scheduler.next_resume()
        timer = scheduler.next_deadline()
        limit = self.execution.deadline
        deadline = limit if timer is None else min(timer, limit)
        if resume is not None and (resume <= deadline or deadline == limit):
            # Time reaches the limit through a Sleep that ends past it: a pause as well.
            until = min(resume, limit)
            seconds = self.clock.begin_pause(until)
            notified = seconds > 0 and self._condition.wait(seconds)
            self.clock.end_pause(completed=not notified)
        else:
            seconds = deadline - self.clock.now()
            if seconds > 0 and math.isfinite(seconds):
                self._condition.wait(seconds)

    def _catch_up(self) -> None:
        """Run what is due up to the present (the caller holds the lock)."""
        execution = self.execution
        if execution.status != RUNNING:
            return
        try:
            execution.advance(max(0.0, self.clock.now() - execution.scheduler.now))
        except Exception as error:  # a Task nothing answers, or the engine's own bug
            self._fail_broken(str(error))

    def _fail_broken(self, cause: str) -> None:
        """End an execution the engine cannot run on FAILED with States.Runtime, through the
        path the engine's own service limits take (EndExecution, past every Catch)."""
        execution = self.execution
        if execution.status != RUNNING:
            return
        try:
            scheduler = execution.scheduler
            scheduler.close()
            outcome = scheduler.outcome
            outcome.done, outcome.ok = True, False
            outcome.value = EndExecution("States.Runtime", cause[:32768])
            execution.advance(0)
        except Exception:
            traceback.print_exc(file=sys.stderr)

    # -- requests (from the API's threads) ------------------------------------------------

    def deliver(self, token: str, send: Callable[[Execution], None]) -> bool:
        """Give the execution a callback's answer: `send` calls its send_task_success,
        send_task_failure or send_task_heartbeat. False when no Task waits for `token` any more
        (it timed out, was answered, or the execution ended)."""
        with self._condition:
            self._catch_up()
            if self.execution.status != RUNNING:
                return False
            try:
                send(self.execution)
            except EngineUsageError:  # no Task waits for the token
                return False
            self._tokens.add(token)
            self._condition.notify_all()
            return True

    def waits_for(self, token: str) -> bool:
        """Whether a Task of the execution waits for `token` now (it may have just been
        issued: the lock waits for the driver to finish the step that issued it)."""
        with self._condition:
            return token in self.execution.pending_tokens

    def stop(self, error: str | None, cause: str | None) -> bool:
        """StopExecution: end it ABORTED now; False when it had already ended."""
        with self._condition:
            self._catch_up()
            if self.execution.status != RUNNING:
                return False
            self.execution.stop(error, cause)
            self._condition.notify_all()
        return True

    # -- publishing ----------------------------------------------------------------------

    def finish(self) -> None:
        """Publish the execution's end if it has ended, and tell `on_end` the first time."""
        if self._publish_end() and self._on_end is not None:
            self._on_end(self)

    def _publish_end(self) -> bool:
        with self._condition:
            if self.done.is_set() or self.execution.status == RUNNING:
                return False
            self.status = self.execution.status
            self.stop_date = self.execution.scheduler.now
            self._described = self._description()
            self.done.set()
        return True

    def _description(self) -> dict[str, Any]:
        origin, execution = self.origin, self.execution
        request = origin.request
        described: dict[str, Any] = {
            "executionArn": origin.arn,
            "stateMachineArn": request.state_machine_arn,
            "name": request.name,
            "status": self.status,
            "startDate": self.start_date,
            "input": request.input_text,
            "inputDetails": {"included": True},
        }
        if self.status == "SUCCEEDED":
            described["output"] = compact_json(execution.output)
            described["outputDetails"] = {"included": True}
        failed = self.status not in (RUNNING, "SUCCEEDED")
        optional = {
            "stopDate": self.stop_date,
            "error": execution.error if failed else None,
            "cause": execution.cause if failed else None,
            "traceHeader": request.trace_header,
            "stateMachineVersionArn": request.version_arn,
            "stateMachineAliasArn": request.alias_arn,
        }
        described.update(present(optional))
        if request.type == "STANDARD":
            described.update(_redrive(self.status))
        return described


def present(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields that have a value: AWS leaves out the others."""
    return {key: value for key, value in fields.items() if value is not None}


def _redrive(status: str) -> dict[str, Any]:
    """The redrive fields AWS gives a Standard execution that was never redriven."""
    if status in (RUNNING, "SUCCEEDED"):
        return {
            "redriveCount": 0,
            "redriveStatus": "NOT_REDRIVABLE",
            "redriveStatusReason": f"Execution is {status} and cannot be redriven",
        }
    return {"redriveCount": 0, "redriveStatus": "REDRIVABLE"}
