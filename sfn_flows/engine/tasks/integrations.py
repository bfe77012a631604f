"""Who answers a Task: a mock, a test's callable, an in-process Lambda function, or a fallback.

The order is fixed: a mocked response of the test case (Step Functions Local's mock config)
first, then a callable from `tasks` (by state name, then function name, then resource),
then the Lambda handler of the invoked function, then the `fallback` (the engine server's
calls to AWS services and to LAMBDA_ENDPOINT). A Task none of them answers is a mistake in
the test's set-up, reported with the ways to answer it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from sfn_flows.asl.callbacks import waits_for_task_token
from sfn_flows.engine.context import DEFAULT_ACCOUNT, DEFAULT_REGION
from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.limits import MAX_JSON_DEPTH, MAX_PAYLOAD_BYTES, check_state_output
from sfn_flows.engine.loop_threads import call_bounded
from sfn_flows.engine.scheduler import Call
from sfn_flows.engine.tasks.calls import Pending, TaskAnswer, TaskCall, TaskTimeout
from sfn_flows.engine.tasks.lambda_functions import FunctionSpec, InProcessFunction, LambdaFunctions
from sfn_flows.engine.tasks.lambda_runtime import (
    MAX_FUNCTION_SECONDS,
    FunctionError,
    LambdaContext,
    invoke_handler,
    timed_out,
)
from sfn_flows.engine.tasks.lambda_service import (
    LambdaTarget,
    function_failed,
    lambda_target,
    not_found,
    request_event,
    service_label,
    task_result,
)
from sfn_flows.engine.tasks.mock_config import MockedTasks

TaskCallable = Callable[[Any], Any]
# Answers any Task nothing else answers; raises StatesError for the Task's failure.
Fallback = Callable[[TaskCall], TaskAnswer | Pending]
# More than lambda:invoke's response adds around the payload (headers, a 4 KB log's base64).
_RESPONSE_BYTES = 8192


class Integrations:
    """Answers the Tasks of one execution (mock invocations are counted per execution)."""

    def __init__(
        self,
        *,
        mocks: MockedTasks | None = None,
        tasks: Mapping[str, TaskCallable] | None = None,
        lambdas: LambdaFunctions | Mapping[str, FunctionSpec] | None = None,
        lambdas_dir: str | Path | None = None,
        fallback: Fallback | None = None,
    ) -> None:
        if fallback is not None and not callable(fallback):
            raise EngineUsageError(
                f"fallback is {type(fallback).__name__}, not a callable; give a function that "
                "takes the TaskCall and returns a TaskAnswer or Pending."
            )
        self._fallback = fallback
        self._mocks = mocks
        self._tasks = dict(tasks or {})
        for key, answer in self._tasks.items():
            if not callable(answer):
                raise EngineUsageError(
                    f"tasks[{key!r}] is {type(answer).__name__}, not a callable; give a "
                    "function that takes the Task's payload and returns its result."
                )
        if lambdas is None or isinstance(lambdas, LambdaFunctions):
            self._lambdas = lambdas
        else:
            self._lambdas = LambdaFunctions(lambdas, lambdas_dir)
        self._invocations: dict[str, int] = {}
        self._lock = threading.Lock()

    def answer(self, call: TaskCall) -> TaskAnswer | Pending:
        """The Task's result (or Pending for a `.waitForTaskToken` Task left to a callback),
        a Lambda handler's made on a loop thread and bounded as in an execution (see
        `dispatch`).

        Raises StatesError for a failure Retry and Catch see, EngineUsageError when nothing
        answers the Task."""
        answer = self.dispatch(call)
        if isinstance(answer, Call):
            result: TaskAnswer | Pending = call_bounded(answer)
            return result
        return answer

    def dispatch(self, call: TaskCall) -> TaskAnswer | Pending | Call:
        """As `answer`, but an in-process Lambda handler's answer comes as the Call that
        makes it: the Task yields it, and the scheduler makes it between strand steps,
        bounded in real time (engine/loop_threads.py)."""
        if self._mocks is not None and self._mocks.mocks(call.state_name):
            with self._lock:
                invocation = self._invocations.get(call.state_name, 0)
                self._invocations[call.state_name] = invocation + 1
            return self._checked(call, self._mocks.answer(call.state_name, invocation))
        region, account = _where(call)
        target = lambda_target(call.resource, call.payload, region, account)
        answer = self._callable(call, target)
        if answer is not None:
            return self._checked(call, _call(answer, call))
        if target is not None and self._lambdas is not None and target.name in self._lambdas:
            return self._invoke(call, target, self._lambdas)  # checks its result itself
        if self._fallback is not None:
            return self._checked(call, _fallback(self._fallback, call))
        if target is not None and self._lambdas is not None:
            raise not_found(target)
        raise EngineUsageError(_unanswered(call, target))

    def _callable(self, call: TaskCall, target: LambdaTarget | None) -> TaskCallable | None:
        for key in (call.state_name, target.name if target else None, call.resource):
            if key is not None and key in self._tasks:
                return self._tasks[key]
        return None

    def _checked(self, call: TaskCall, answer: TaskAnswer | Pending) -> TaskAnswer | Pending:
        if isinstance(answer, TaskAnswer):
            check_state_output(service_label(call.resource), answer.result)
        return answer

    def _invoke(self, call: TaskCall, target: LambdaTarget, functions: LambdaFunctions) -> Call:
        """The handler's invocation, for the scheduler to make between strand steps (so that
        one which blocks is left behind at its bound: engine/loop_threads.py)."""
        request_id = str(uuid.uuid4())
        function = functions.function(target.name)
        function_seconds = function.timeout_seconds or MAX_FUNCTION_SECONDS
        bound = min(function_seconds, call.timeout_seconds or function_seconds)

        def invoke() -> TaskAnswer | Pending:
            return self._invoked(call, target, functions, function, request_id, bound)

        def blocked() -> BaseException:
            if call.timeout_seconds is not None and call.timeout_seconds <= function_seconds:
                return TaskTimeout(call.timeout_seconds)
            return function_failed(target, timed_out(request_id, function_seconds).document)

        return Call(invoke, bound, blocked)

    def _invoked(
        self,
        call: TaskCall,
        target: LambdaTarget,
        functions: LambdaFunctions,
        function: InProcessFunction,
        request_id: str,
        bound: float,
    ) -> TaskAnswer | Pending:
        context = LambdaContext(
            request_id=request_id,
            function_name=target.name,
            invoked_function_arn=target.arn,
            deadline_seconds=bound,
            memory_limit_in_mb=function.memory_mb,
        )
        event = request_event(target)
        try:
            # Loading the module counts against the bound too: Lambda's init does.
            handler = functions.handler(target.name, request_id)
            returned = invoke_handler(
                handler,
                event,
                context,
                capture_log=target.log_tail,
                environment=function.environment,
            )
        except FunctionError as failure:
            raise function_failed(target, failure.document) from None
        if target.callback:
            return Pending()
        result = task_result(
            target, returned.payload, returned.size, request_id, entered_time(call), returned.log
        )
        answer = TaskAnswer(result, returned.simulated_seconds)
        # The payload's size on the wire is known: the whole result is measured only when it
        # could come near the limit (a payload's JSON is at most 6 times its encoded bytes).
        if returned.size * 6 + _RESPONSE_BYTES >= MAX_PAYLOAD_BYTES:
            return self._checked(call, answer)
        return answer


def _call(answer: TaskCallable, call: TaskCall) -> TaskAnswer | Pending:
    """A test's callable answers with the Task's whole result (or a TaskAnswer, or Pending);
    an exception other than StatesError fails the Task under its class name."""
    payload = json.loads(json.dumps(call.payload))
    try:
        value = answer(payload)
    except (StatesError, EngineUsageError, KeyboardInterrupt):
        raise  # on the test's own thread, a KeyboardInterrupt may be the user's Ctrl-C
    except BaseException as error:
        raise StatesError(type(error).__name__, _message(error)) from None
    if isinstance(value, Pending):
        return value
    seconds = 0.0
    if isinstance(value, TaskAnswer):
        value, seconds = value.result, value.simulated_seconds
    try:
        result = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError, RecursionError) as error:
        problem = (
            f"nested more than {MAX_JSON_DEPTH} levels deep"
            if isinstance(error, RecursionError)
            else str(error)
        )
        raise EngineUsageError(
            f"the callable answering Task state {call.state_name!r} returned a value that is "
            f"not JSON ({problem}); return dicts, lists, strings, numbers, booleans or None."
        ) from None
    return TaskAnswer(result, seconds)


def _fallback(fallback: Fallback, call: TaskCall) -> TaskAnswer | Pending:
    """The fallback's answer. For a `.waitForTaskToken` Task the fallback made the call that
    carries the token (SendMessage, Invoke...): its response is not the Task's result, the
    callback is, as for an in-process handler."""
    try:
        answer = fallback(call)
    except (StatesError, EngineUsageError, KeyboardInterrupt):
        raise
    except Exception as error:
        raise StatesError(type(error).__name__, _message(error)) from None
    if not isinstance(answer, TaskAnswer | Pending):
        raise EngineUsageError(
            f"the fallback answering Task state {call.state_name!r} returned "
            f"{type(answer).__name__}; return a TaskAnswer or Pending."
        )
    if isinstance(answer, TaskAnswer) and call.task_token and waits_for_task_token(call.resource):
        return Pending()
    return answer


def _message(error: BaseException) -> str:
    """The exception's text; a fallback naming the failure when its own __str__ raises."""
    try:
        return str(error)
    except Exception as failure:
        return f"(str() of the {type(error).__name__} raised {type(failure).__name__})"


def _where(call: TaskCall) -> tuple[str, str]:
    """The region and account of the execution (from its ARN), for function ARNs."""
    execution = call.context.get("Execution") if isinstance(call.context, dict) else None
    arn = execution.get("Id") if isinstance(execution, dict) else None
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) > 4 and parts[3] and parts[4]:
        return parts[3], parts[4]
    return DEFAULT_REGION, DEFAULT_ACCOUNT


def entered_time(call: TaskCall) -> float:
    """The state's entered time on the execution's clock, for a response's Date header."""
    state = call.context.get("State") if isinstance(call.context, dict) else None
    entered = state.get("EnteredTime") if isinstance(state, dict) else None
    if isinstance(entered, str):
        try:
            return datetime.fromisoformat(entered).timestamp()
        except ValueError:
            pass
    return time.time()


def _unanswered(call: TaskCall, target: LambdaTarget | None) -> str:
    keys = [repr(call.state_name)]
    if target is not None:
        keys.append(repr(target.name))
    keys.append(repr(call.resource))
    ways = [
        f"tasks={{{keys[0]}: lambda payload: <result>}} (or keyed by {' or '.join(keys[1:])})",
        "mocks= with a test case that maps the state to a mocked response",
    ]
    if target is not None:
        ways.append(
            f"lambdas={{{keys[1]}: 'module.function'}} with the lambdas folder, to run the "
            "handler in the test's process"
        )
    return (
        f"nothing answers Task state {call.state_name!r} (resource {call.resource}); give "
        + "; or ".join(ways)
        + "."
    )
