"""What answers a Task misbehaving: a Lambda handler or a test's callable that raises
anything, returns what JSON cannot hold, or blocks. Each ends as a task failure named as
Lambda (or, for a test's callable, its exception class) names it, never as a crashed run."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hostile_machines import machine, nested

from sfn_flows.engine import EngineUsageError, simulate

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:f"
DIRECT = machine({"Call": {"Type": "Task", "Resource": FUNCTION, "TimeoutSeconds": 2, "End": True}})
INVOKE = machine(
    {
        "Call": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f", "Payload.$": "$"},
            "TimeoutSeconds": 2,
            "End": True,
        }
    }
)


class Custom(BaseException):
    pass


class Unprintable(Exception):
    def __str__(self) -> str:
        raise ZeroDivisionError("no message")


def raising(error: BaseException) -> Any:
    def handler(*_: Any) -> Any:
        raise error

    return handler


def returning(value: Any) -> Any:
    return lambda *_: value


@pytest.mark.parametrize("definition", [DIRECT, INVOKE], ids=["function-arn", "lambda-invoke"])
def test_a_handler_calling_sys_exit_is_a_runtime_exit_error(definition: dict[str, Any]) -> None:
    # Lambda's Python runtime (awslambdaric's bootstrap) catches Exception only: SystemExit
    # ends the runtime process, which Lambda reports as Runtime.ExitError.
    result = simulate(definition, {}, lambdas={"f": raising(SystemExit(3))})
    assert (result.status, result.error) == ("FAILED", "Runtime.ExitError")
    assert "exit status 3" in (result.cause or "")


@pytest.mark.parametrize("error", [KeyboardInterrupt(), GeneratorExit(), Custom("x")])
def test_any_other_base_exception_from_a_handler_is_a_runtime_exit_error(
    error: BaseException,
) -> None:
    # Raised on the handler's own thread, none of these is the user's Ctrl-C; the runtime
    # would not catch them and its process would end.
    result = simulate(DIRECT, {}, lambdas={"f": raising(error)})
    assert (result.status, result.error) == ("FAILED", "Runtime.ExitError")


def test_a_handler_exception_that_cannot_be_printed_fails_the_task() -> None:
    # The runtime's own str(value) fails in its except block: its process ends.
    result = simulate(DIRECT, {}, lambdas={"f": raising(Unprintable())})
    assert (result.status, result.error) == ("FAILED", "Runtime.ExitError")


def test_a_handler_returning_json_nested_too_deeply_is_a_marshal_error() -> None:
    # The runtime's marshaller turns any exception of json.dumps into Runtime.MarshalError.
    result = simulate(DIRECT, {}, lambdas={"f": returning(nested(100_000))})
    assert (result.status, result.error) == ("FAILED", "Runtime.MarshalError")


@pytest.mark.parametrize(
    "value", [{1, 2}, float("nan"), object(), 10**5000], ids=["set", "nan", "object", "huge-int"]
)
def test_a_handler_returning_what_json_cannot_hold_is_a_marshal_error(value: Any) -> None:
    result = simulate(DIRECT, {}, lambdas={"f": returning(value)})
    assert (result.status, result.error) == ("FAILED", "Runtime.MarshalError")


def test_handler_bytes_nested_past_pythons_stack_pass_on_as_text() -> None:
    # Bytes pass through Lambda untouched; JSON text too deep to read is carried as text, as
    # text that is not JSON at all is.
    deep = b"[" * 100_000 + b"]" * 100_000
    result = simulate(INVOKE, {}, lambdas={"f": returning(deep)})
    assert result.status == "SUCCEEDED"
    assert result.output["Payload"] == deep.decode()


def test_a_handler_blocking_past_the_task_timeout_times_out() -> None:
    quick = machine(
        {"Call": {"Type": "Task", "Resource": FUNCTION, "TimeoutSeconds": 1, "End": True}}
    )
    release = threading.Event()
    try:
        result = simulate(quick, {}, lambdas={"f": lambda *_: release.wait(30)})
    finally:
        release.set()
    assert (result.status, result.error) == ("FAILED", "States.Timeout")


# -- a test's own callables --------------------------------------------------------------------


def test_a_callable_raising_an_exception_fails_the_task_under_its_class_name() -> None:
    result = simulate(DIRECT, {}, tasks={"Call": raising(RecursionError("deep"))})
    assert (result.status, result.error, result.cause) == ("FAILED", "RecursionError", "deep")


@pytest.mark.parametrize("error", [SystemExit(3), GeneratorExit(), Custom("x")])
def test_a_callable_raising_a_base_exception_fails_the_task(error: BaseException) -> None:
    # KeyboardInterrupt is left alone: in the test's own thread it may be the user's Ctrl-C.
    result = simulate(DIRECT, {}, tasks={"Call": raising(error)})
    assert (result.status, result.error) == ("FAILED", type(error).__name__)


def test_a_callable_raising_an_unprintable_exception_fails_the_task() -> None:
    result = simulate(DIRECT, {}, tasks={"Call": raising(Unprintable())})
    assert (result.status, result.error) == ("FAILED", "Unprintable")


def test_a_callable_returning_json_nested_too_deeply_is_a_usage_error() -> None:
    with pytest.raises(EngineUsageError, match="not JSON"):
        simulate(DIRECT, {}, tasks={"Call": returning(nested(100_000))})


def test_a_callable_returning_what_json_cannot_hold_is_a_usage_error() -> None:
    with pytest.raises(EngineUsageError, match="not JSON"):
        simulate(DIRECT, {}, tasks={"Call": returning({1, 2})})
