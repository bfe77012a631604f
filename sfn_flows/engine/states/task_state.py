"""Task: hand the state's payload to an integration (a mock, a callable, an in-process
Lambda handler) and take its result; time out, wait for a callback, retry, catch.

Each attempt is recorded as AWS records it: `LambdaFunctionScheduled/Started/Succeeded`
for a Lambda function ARN, `TaskScheduled/Started/Succeeded` for a service integration
(`arn:aws:states:::lambda:invoke`, `...:sqs:sendMessage.waitForTaskToken`...), with the
`Failed`/`TimedOut` events when it does not succeed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator
from typing import Any

from sfn_flows.asl.callbacks import waits_for_task_token
from sfn_flows.asl.definition import ABSENT, TaskState
from sfn_flows.engine import jsonpath
from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.jsonata import evaluate_template
from sfn_flows.engine.limits import check_state_output
from sfn_flows.engine.scheduler import AwaitCallback, Call, CallbackOutcome, Operation, Sleep
from sfn_flows.engine.states.execution_state import Attempt, ExecutionStateRunner
from sfn_flows.engine.states.runtime import Run
from sfn_flows.engine.tasks.calls import Pending, TaskAnswer, TaskCall, TaskTimeout
from sfn_flows.engine.tasks.lambda_service import service_label

# A service integration: arn:<partition>:states:::<service>:<action>[.pattern]
_SERVICE = re.compile(r"^arn:[^:]+:states:::(.+)$")
_LAMBDA_FUNCTION = re.compile(r"^arn:[^:]+:lambda:[^:]*:[^:]*:function:")


class TaskRunner(ExecutionStateRunner):
    def __init__(self, spec: TaskState) -> None:
        super().__init__(spec)
        self.task = spec
        self.resource = spec.resource
        self.callback = waits_for_task_token(spec.resource)
        self.events = _events_for(spec.resource)

    def attempt(
        self, run: Run, frame: Frame, raw: Any, data: Any, number: int, entry: int
    ) -> Attempt:
        spec = self.task
        token = None
        if self.callback:
            token = run.runtime.new_token()
            context = dict(frame.context)
            context["Task"] = {"Token": token}
            frame.context = context
        states = self.states_binding(frame, raw) if self.jsonata else None
        timeout = self._seconds(frame, data, states, spec.timeout_seconds, "TimeoutSeconds")
        heartbeat = self._seconds(frame, data, states, spec.heartbeat_seconds, "HeartbeatSeconds")
        if timeout is None and spec.timeout_seconds_path is not ABSENT:
            timeout = self._seconds_at(frame, data, str(spec.timeout_seconds_path))
        if heartbeat is None and spec.heartbeat_seconds_path is not ABSENT:
            heartbeat = self._seconds_at(frame, data, str(spec.heartbeat_seconds_path))
        payload = self.effective_payload(run, frame, data, states, spec.arguments, spec.parameters)
        call = TaskCall(
            state_name=self.name,
            resource=self.resource,
            payload=payload,
            attempt=number,
            entry=entry,
            timeout_seconds=timeout,
            heartbeat_seconds=heartbeat,
            task_token=token,
            context=frame.context,
        )
        result = yield from self._invoke(run, call)
        return self.process_result(frame, raw, result, states)

    def _invoke(self, run: Run, call: TaskCall) -> Generator[Operation, Any, Any]:
        events = self.events
        run.emit(events.scheduled, events.scheduled_details(call, run.runtime.info.region))
        run.emit(events.started, events.base())
        try:
            answer = run.runtime.integrations.dispatch(call)
            if isinstance(answer, Call):
                answer = yield answer  # a Lambda handler: the scheduler makes the call
        except TaskTimeout as timeout:
            if timeout.seconds > 0:
                yield Sleep(timeout.seconds)
            self._failed(run, timeout, timed_out=True)
            raise
        except StatesError as error:
            self._failed(run, error, timed_out=error.error == "States.Timeout")
            raise
        if isinstance(answer, Pending):
            result = yield from self._await_callback(run, call)
        else:
            assert isinstance(answer, TaskAnswer)
            seconds = _simulated_seconds(answer, self.name)
            if call.timeout_seconds is not None and seconds > call.timeout_seconds:
                yield Sleep(call.timeout_seconds)
                late = StatesError("States.Timeout", None)
                self._failed(run, late, timed_out=True)
                raise late
            if seconds > 0:
                yield Sleep(seconds)
            result = answer.result
        details = events.base()
        details["output"] = result
        run.emit(events.succeeded, details)
        return result

    def _await_callback(self, run: Run, call: TaskCall) -> Generator[Operation, Any, Any]:
        assert call.task_token is not None
        events = self.events
        run.emit("TaskSubmitted", events.base())
        outcome = yield AwaitCallback(call.task_token, call.timeout_seconds, call.heartbeat_seconds)
        assert isinstance(outcome, CallbackOutcome)
        if outcome.kind == "success":
            try:
                check_state_output(service_label(call.resource), outcome.output)
            except StatesError as error:
                self._failed(run, error, timed_out=False)
                raise
            return outcome.output
        if outcome.kind == "failure":
            failure = StatesError(outcome.error or "", outcome.cause)
            self._failed(run, failure, timed_out=False)
            raise failure
        # A missed heartbeat is reported as a timeout too (sfn_flows.asl.error_names).
        expired = StatesError("States.Timeout", None, heartbeat=outcome.kind == "heartbeat")
        self._failed(run, expired, timed_out=True)
        raise expired

    def _failed(self, run: Run, error: StatesError, *, timed_out: bool) -> None:
        events = self.events
        details = events.base()
        if error.error:
            details["error"] = error.error
        if error.cause is not None:
            details["cause"] = error.cause
        run.emit(events.timed_out if timed_out else events.failed, details)

    def _seconds(
        self, frame: Frame, data: Any, states: dict[str, Any] | None, value: Any, field: str
    ) -> float | None:
        if value is ABSENT:
            return None
        if states is not None:
            value = evaluate_template(value, frame, states, field=field)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise frame.error(
                "States.QueryEvaluationError" if states is not None else "States.Runtime",
                f"The {field} field must be a positive integer, not "
                f"{json.dumps(value, separators=(',', ':'))}.",
            )
        return float(value)

    def _seconds_at(self, frame: Frame, data: Any, path: str) -> float:
        value = jsonpath.select(path, data, frame)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise frame.runtime_error(
                f"The value of {path} must be a positive integer, not "
                f"{json.dumps(value, separators=(',', ':'))}."
            )
        return float(value)


def _simulated_seconds(answer: TaskAnswer, state: str) -> float:
    """The simulated time a TaskAnswer asks for: 0 or more (infinity: the Task never ends)."""
    seconds = answer.simulated_seconds
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
        raise EngineUsageError(
            f"the answer to Task state {state!r} takes simulated_seconds={seconds!r}; give a "
            "number of seconds, 0 or more."
        )
    return float(seconds)


class _Events:
    """The event types and details of one kind of Task resource."""

    def __init__(self, prefix: str, resource_type: str | None, resource: str) -> None:
        self.scheduled = prefix + "Scheduled"
        self.started = prefix + "Started"
        self.succeeded = prefix + "Succeeded"
        self.failed = prefix + "Failed"
        self.timed_out = prefix + "TimedOut"
        self.resource_type = resource_type
        self.resource = resource

    def base(self) -> dict[str, Any]:
        if self.resource_type is None:
            return {}
        return {"resourceType": self.resource_type, "resource": self.resource}

    def scheduled_details(self, call: TaskCall, region: str) -> dict[str, Any]:
        details: dict[str, Any]
        if self.resource_type is None:
            details = {"resource": self.resource, "input": call.payload}
        else:
            details = self.base()
            details["region"] = region
            details["parameters"] = call.payload
        if call.timeout_seconds is not None:
            details["timeoutInSeconds"] = int(call.timeout_seconds)
        if call.heartbeat_seconds is not None and self.resource_type is not None:
            details["heartbeatInSeconds"] = int(call.heartbeat_seconds)
        return details


def _events_for(resource: str) -> _Events:
    if _LAMBDA_FUNCTION.match(resource):
        return _Events("LambdaFunction", None, resource)
    service = _SERVICE.match(resource)
    if service:
        kind, _, action = service.group(1).rpartition(":")
        return _Events("Task", kind or action, action)
    return _Events("Task", "unknown", resource)
