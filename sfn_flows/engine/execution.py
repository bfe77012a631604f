"""Run a definition in the test's process: `Engine` (a definition checked and parsed once)
starts `Execution`s.

An execution runs until it ends, or until every path still running waits for a callback
(`.waitForTaskToken`): the test then answers with `send_task_success`,
`send_task_failure` or `send_task_heartbeat` and runs it on, or lets time pass with
`advance`. `run_to_end` lets every deadline pass, so an execution always ends: at its
Task timeouts, its machine TimeoutSeconds, or AWS's one-year limit for a Standard
execution (five minutes for Express).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from sfn_flows.engine.clock import Clock, VirtualClock, iso_timestamp
from sfn_flows.engine.context import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    ExecutionInfo,
    default_role_arn,
    execution_context,
    state_machine_context,
)
from sfn_flows.engine.definitions import load_definition, prepared
from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.history import History
from sfn_flows.engine.json_values import json_text
from sfn_flows.engine.limits import MAX_PAYLOAD_BYTES
from sfn_flows.engine.result import FlowResult
from sfn_flows.engine.scheduler import CallbackOutcome, EndExecution, Scheduler
from sfn_flows.engine.states.runtime import Run, Runtime

# load_definition stays importable from here: sfn_flows.testing.project_flows reads it so.
__all__ = ["Engine", "Execution", "load_definition"]

STANDARD_MAX_SECONDS: Final = 365 * 24 * 3600
EXPRESS_MAX_SECONDS: Final = 5 * 60
_TYPES: Final = ("STANDARD", "EXPRESS")


class Engine:
    """A definition ready to run (validated and parsed once), and how its Tasks are answered.

    `definition`: an ASL dict or its JSON text. `tasks`, `mocks`, `lambdas` answer Task
    states, and `fallback` (a callable taking the TaskCall) whatever none of them answers (see
    `sfn_flows.engine.tasks.Integrations`); `clock` defaults to a virtual clock started at
    the current time.
    """

    def __init__(
        self,
        definition: Mapping[str, Any] | str,
        *,
        tasks: Mapping[str, Any] | None = None,
        mocks: Any = None,
        lambdas: Any = None,
        lambdas_dir: str | Path | None = None,
        fallback: Any = None,
        clock: Clock | None = None,
        state_machine_name: str = "StateMachine",
        state_machine_type: str = "STANDARD",
        role_arn: str | None = None,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        validate: bool = True,
    ) -> None:
        if state_machine_type not in _TYPES:
            raise EngineUsageError(
                f"state_machine_type is {state_machine_type!r}; use 'STANDARD' or 'EXPRESS'."
            )
        _check_set_up(tasks, lambdas, clock, fallback)
        self.definition = load_definition(definition)
        self.machine, self.program = prepared(self.definition, validate)
        self.tasks = tasks
        self.mocks = mocks
        self.lambdas = lambdas
        self.lambdas_dir = lambdas_dir
        self.fallback = fallback
        self.clock = clock
        self.state_machine_name = state_machine_name
        self.express = state_machine_type == "EXPRESS"
        self.role_arn = role_arn or default_role_arn(account)
        self.region = region
        self.account = account

    def start(
        self,
        input: Any = None,
        *,
        execution_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> Execution:
        """A new execution of the definition on `input` (`{}` when None), not yet run.

        `variables`: what the first state sees as variables (as TestState's `variables` sets
        them); `context`: members laid over the context object's (an object over an object is
        merged: {"Execution": {"Name": "x"}} changes the name only)."""
        return Execution(
            self,
            {} if input is None else input,
            execution_name,
            variables=variables,
            context=context,
        )

    def run(self, input: Any = None, *, execution_name: str | None = None) -> FlowResult:
        """Start an execution and run it to its end."""
        return self.start(input, execution_name=execution_name).run_to_end()

    def _integrations(self) -> Any:
        from sfn_flows.engine.tasks.integrations import Integrations
        from sfn_flows.engine.tasks.mock_config import MockedTasks

        mocks = self.mocks
        if mocks is not None and not isinstance(mocks, MockedTasks):
            raise EngineUsageError(
                f"mocks is {type(mocks).__name__}; give a MockedTasks "
                "(MockedTasks.from_document(config, test_case=...))."
            )
        return Integrations(
            mocks=mocks,
            tasks=self.tasks,
            lambdas=self.lambdas,
            lambdas_dir=self.lambdas_dir,
            fallback=self.fallback,
        )


class Execution:
    """One run of a definition. Read `status`, `output`, `error`, `cause`, `history()`."""

    def __init__(
        self,
        engine: Engine,
        execution_input: Any,
        name: str | None,
        *,
        variables: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        execution_input = _checked_input(execution_input)
        first_variables = _checked_object(variables, "variables")
        context_over = _checked_object(context, "context")
        self.engine = engine
        self.name = name or str(uuid.uuid4())
        self.input = execution_input
        self.clock: Clock = engine.clock or VirtualClock()
        self.info = ExecutionInfo(
            state_machine_name=engine.state_machine_name,
            execution_name=self.name,
            role_arn=engine.role_arn,
            region=engine.region,
            account=engine.account,
            express=engine.express,
            express_id=str(uuid.uuid4()) if engine.express else "",
        )
        self.arn = self.info.execution_arn
        start = self.clock.now()
        self.start_time = start
        limit = EXPRESS_MAX_SECONDS if engine.express else STANDARD_MAX_SECONDS
        timeout = engine.machine.timeout_seconds
        self.deadline = start + (min(timeout, limit) if timeout else limit)
        self.status = "RUNNING"
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.history = History()
        self.scheduler = Scheduler(self.clock, self.deadline)
        self.runtime = Runtime(
            info=self.info,
            history=self.history,
            scheduler=self.scheduler,
            context_base=_laid_over(
                {
                    "Execution": execution_context(self.info, execution_input, start),
                    "StateMachine": state_machine_context(self.info),
                },
                context_over,
            ),
            integrations=engine._integrations(),
        )
        started = self.history.add(
            "ExecutionStarted",
            start,
            0,
            {
                "input": execution_input,
                "roleArn": engine.role_arn,
                "stateMachineArn": self.info.state_machine_arn,
            },
        )
        root = Run(self.runtime, first_variables, started)
        self.scheduler.start(engine.program.strand(root, execution_input))

    # -- running ---------------------------------------------------------------------------

    def run(self) -> FlowResult:
        """Run until the execution ends or every running path waits for a callback."""
        if self.status == "RUNNING":
            self.scheduler.run(fire_timers=False)
            self._conclude()
        return self.result()

    def run_to_end(self) -> FlowResult:
        """Run until the execution ends, letting callback deadlines pass unanswered."""
        if self.status == "RUNNING":
            self.scheduler.run(fire_timers=True)
            if not self.scheduler.outcome.done:
                # Nothing can happen any more but the machine's (or AWS's) time limit.
                self._refuse_endless_real_wait()
                self.scheduler.time_out_now()
            self._conclude()
        return self.result()

    def _refuse_endless_real_wait(self) -> None:
        """On a real clock, waiting out AWS's own limit (a year for a Standard execution)
        for callbacks nothing can answer while run_to_end runs is a hang, not a test."""
        if self.clock.virtual or self.engine.machine.timeout_seconds:
            return
        raise EngineUsageError(
            f"the execution waits for callbacks ({', '.join(self.pending_tokens)}) that "
            "nothing answers while run_to_end() runs, and the machine has no TimeoutSeconds: "
            "on a real clock it would sleep until AWS's limit for an execution. Answer with "
            "send_task_success / send_task_failure after run(), give the machine or the Task "
            "a timeout, or use a VirtualClock."
        )

    def advance(self, seconds: float) -> FlowResult:
        """Let `seconds` of (virtual) time pass: waits end and callback deadlines expire."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
            raise EngineUsageError(
                f"advance() takes a number of seconds, 0 or more (math.inf lets every "
                f"deadline pass); got {seconds!r}."
            )
        if self.status == "RUNNING":
            target = self.scheduler.now + seconds
            self.scheduler.run(fire_timers=True, until=min(target, self.deadline))
            if not self.scheduler.outcome.done:
                if target >= self.deadline:
                    self._refuse_endless_real_wait()
                    self.scheduler.time_out_now()
                else:
                    self.scheduler.jump_to(target)
            self._conclude()
        return self.result()

    @property
    def pending_tokens(self) -> list[str]:
        """Task tokens the execution is waiting for, oldest first."""
        return self.scheduler.pending_tokens

    def send_task_success(self, token: str, output: Any) -> None:
        sent = json.loads(json_text(output, "output given to send_task_success"))
        self._answer(token, CallbackOutcome("success", output=sent))

    def send_task_failure(
        self, token: str, error: str | None = None, cause: str | None = None
    ) -> None:
        _check_text("error", error, _MAX_ERROR_CHARACTERS)
        _check_text("cause", cause, _MAX_CAUSE_CHARACTERS)
        self._answer(token, CallbackOutcome("failure", error=error, cause=cause))

    def send_task_heartbeat(self, token: str) -> None:
        if not self.scheduler.heartbeat(token):
            raise EngineUsageError(_unknown_token(token, self.pending_tokens))

    def stop(self, error: str | None = None, cause: str | None = None) -> FlowResult:
        """StopExecution: the execution ends ABORTED with the caller's error and cause."""
        if self.status == "RUNNING":
            self.scheduler.close()
            self.scheduler.outcome.done = True
            self._end("ABORTED", "ExecutionAborted", error, cause)
        return self.result()

    def _answer(self, token: str, outcome: CallbackOutcome) -> None:
        if not self.scheduler.answer(token, outcome):
            raise EngineUsageError(_unknown_token(token, self.pending_tokens))

    def _conclude(self) -> None:
        outcome = self.scheduler.outcome
        if not outcome.done or self.status != "RUNNING":
            return
        now = self.scheduler.now
        last = len(self.history)
        if outcome.timed_out:
            # As AWS records it: DescribeExecution shows no error or cause; the event
            # carries States.Timeout and follows no other event.
            self.status = "TIMED_OUT"
            self.history.add_final("ExecutionTimedOut", now, 0, {"error": "States.Timeout"})
        elif outcome.ok:
            output = outcome.value
            if self.runtime.sizes.over_limit(output):
                self._fail(
                    "States.DataLimitExceeded",
                    "The execution output exceeds the maximum number of bytes service limit "
                    f"({MAX_PAYLOAD_BYTES}).",
                )
                return
            self.status = "SUCCEEDED"
            self.output = output
            self.history.add_final("ExecutionSucceeded", now, last, {"output": output})
        elif isinstance(outcome.value, StatesError | EndExecution):
            error = outcome.value
            self._fail(error.error or None, error.cause)

    def _fail(self, error: str | None, cause: str | None) -> None:
        self._end("FAILED", "ExecutionFailed", error, cause)

    def _end(self, status: str, event: str, error: str | None, cause: str | None) -> None:
        self.status = status
        self.error = error
        self.cause = cause
        details: dict[str, Any] = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.history.add_final(event, self.scheduler.now, len(self.history), details)

    # -- reading ---------------------------------------------------------------------------

    def history_events(self) -> list[dict[str, Any]]:
        """The history as GetExecutionHistory returns it (timestamps as datetimes)."""
        return self.history.api_events()

    def result(self) -> FlowResult:
        return FlowResult(
            status=self.status,
            # A copy: the output may share values with the (cached) definition.
            output=json.loads(json.dumps(self.output)),
            error=self.error,
            cause=self.cause,
            execution_arn=self.arn,
            states=self.history.state_names(),
            events=self.history.history_events(),
            definition=self.engine.definition,
        )

    def describe(self) -> dict[str, Any]:
        """DescribeExecution's fields."""
        described: dict[str, Any] = {
            "executionArn": self.arn,
            "stateMachineArn": self.info.state_machine_arn,
            "name": self.name,
            "status": self.status,
            "startDate": iso_timestamp(self.start_time),
            "input": json.dumps(self.input, separators=(",", ":")),
        }
        if self.status == "SUCCEEDED":
            described["output"] = json.dumps(self.output, separators=(",", ":"))
        if self.error is not None:
            described["error"] = self.error
        if self.cause is not None:
            described["cause"] = self.cause
        return described


def _checked_input(value: Any) -> Any:
    text = json_text(value, "input")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PAYLOAD_BYTES:
        raise EngineUsageError(
            f"the execution input is over {MAX_PAYLOAD_BYTES} bytes, the most AWS accepts "
            "(StartExecution fails with InvalidExecutionInput)."
        )
    return json.loads(text)


def _checked_object(value: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    """A JSON object given to start(), copied ({} for None)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise EngineUsageError(f"{what} is {type(value).__name__}; give a dict of JSON values.")
    copied = json.loads(json_text(value, what))
    assert isinstance(copied, dict)
    return copied


def _laid_over(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        below = base.get(key)
        base[key] = below | value if isinstance(below, dict) and isinstance(value, dict) else value
    return base


# SendTaskFailure's limits on its fields (AWS's API reference: SensitiveError, SensitiveCause).
_MAX_ERROR_CHARACTERS: Final = 256
_MAX_CAUSE_CHARACTERS: Final = 32_768


def _check_text(field: str, value: Any, most: int) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise EngineUsageError(
            f"send_task_failure's {field} is {type(value).__name__}; give a string or None."
        )
    if len(value) > most:
        raise EngineUsageError(
            f"send_task_failure's {field} has {len(value)} characters; AWS takes at most {most} "
            "(SendTaskFailure fails with a ValidationException)."
        )


def _check_set_up(tasks: Any, lambdas: Any, clock: Any, fallback: Any) -> None:
    """The test's set-up, checked before anything else is built from it."""
    if fallback is not None and not callable(fallback):
        raise EngineUsageError(
            f"fallback is {type(fallback).__name__}; give a callable that takes the TaskCall "
            "and returns a TaskAnswer or Pending."
        )
    if tasks is not None and not isinstance(tasks, Mapping):
        raise EngineUsageError(
            f"tasks is {type(tasks).__name__}; give a dict of state name, function name or "
            "resource -> callable."
        )
    if lambdas is not None and not isinstance(lambdas, Mapping) and not _is_functions(lambdas):
        raise EngineUsageError(
            f"lambdas is {type(lambdas).__name__}; give a dict of function name -> handler "
            "('module.function' in lambdas_dir, or a callable)."
        )
    if clock is not None and not (
        callable(getattr(clock, "now", None))
        and callable(getattr(clock, "sleep_until", None))
        and isinstance(getattr(clock, "virtual", None), bool)
    ):
        raise EngineUsageError(
            f"clock is {type(clock).__name__}; give a VirtualClock (the default) or a "
            "RealClock from sfn_flows.engine."
        )


def _is_functions(value: Any) -> bool:
    from sfn_flows.engine.tasks.lambda_functions import LambdaFunctions

    return isinstance(value, LambdaFunctions)


def _unknown_token(token: str, pending: list[str]) -> str:
    waiting = ", ".join(repr(t) for t in pending) or "none"
    return f"no Task waits for the token {token!r} (TaskDoesNotExist); tokens waiting: {waiting}."
