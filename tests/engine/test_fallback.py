"""The `fallback` of Engine and Integrations: whatever answers a Task that no mock, callable or
in-process Lambda function answers (the engine server's AWS integrations, LAMBDA_ENDPOINT).

The order stays mock -> tasks callable -> in-process handler -> fallback -> the usage error;
a `.waitForTaskToken` Task the fallback made the call for waits for its callback."""

from __future__ import annotations

from typing import Any

import pytest

from sfn_flows.engine import Engine
from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.tasks import (
    Integrations,
    MockedTasks,
    Pending,
    TaskAnswer,
    TaskCall,
)

SQS = "arn:aws:states:::sqs:sendMessage"
INVOKE = "arn:aws:states:::lambda:invoke"


def machine(resource: str, parameters: Any, **task: Any) -> dict[str, Any]:
    ending = {} if "Next" in task else {"End": True}
    return {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": resource,
                "Parameters": parameters,
                **ending,
                **task,
            },
        },
    }


class Recorder:
    """A fallback that records its calls and answers with `answer` (or raises it)."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.calls: list[TaskCall] = []

    def __call__(self, call: TaskCall) -> TaskAnswer | Pending:
        self.calls.append(call)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer  # type: ignore[no-any-return]


def test_the_fallback_answers_a_task_nothing_else_answers() -> None:
    fallback = Recorder(TaskAnswer({"MessageId": "m-1"}))
    engine = Engine(machine(SQS, {"QueueUrl": "q", "MessageBody.$": "$.text"}), fallback=fallback)
    result = engine.run({"text": "hello"})
    assert result.status == "SUCCEEDED"
    assert result.output == {"MessageId": "m-1"}
    [call] = fallback.calls
    assert (call.state_name, call.resource) == ("Work", SQS)
    assert call.payload == {"QueueUrl": "q", "MessageBody": "hello"}
    assert call.context["Execution"]["Id"] == result.execution_arn


def test_a_failure_the_fallback_raises_is_the_tasks_failure_and_catch_sees_it() -> None:
    fallback = Recorder(StatesError("SQS.QueueDoesNotExistException", "no such queue"))
    definition = machine(
        SQS,
        {"QueueUrl": "q", "MessageBody": "x"},
        Catch=[{"ErrorEquals": ["SQS.QueueDoesNotExistException"], "Next": "Caught"}],
        Next="Done",
    )
    definition["States"]["Caught"] = {"Type": "Pass", "End": True}
    definition["States"]["Done"] = {"Type": "Succeed"}
    result = Engine(definition, fallback=fallback).run({})
    assert result.status == "SUCCEEDED"
    assert result.output == {"Error": "SQS.QueueDoesNotExistException", "Cause": "no such queue"}
    assert result.states == ["Work", "Caught"]


def test_an_unexpected_exception_of_the_fallback_fails_the_task_under_its_class_name() -> None:
    result = Engine(machine(SQS, {}), fallback=Recorder(LookupError("gone"))).run({})
    assert (result.status, result.error, result.cause) == ("FAILED", "LookupError", "gone")


def test_mocks_callables_and_in_process_functions_answer_before_the_fallback() -> None:
    fallback = Recorder(TaskAnswer("from the fallback"))
    document = {
        "StateMachines": {"M": {"TestCases": {"T": {"Mocked": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": "from the mock"}}},
    }
    integrations = Integrations(
        mocks=MockedTasks.from_document(document, test_case="T"),
        tasks={"Called": lambda payload: "from the callable"},
        lambdas={"local-fn": lambda event, context: "from the handler"},
        fallback=fallback,
    )

    def answer(state: str, resource: str, payload: Any) -> Any:
        answered = integrations.answer(TaskCall(state, resource, payload))
        assert isinstance(answered, TaskAnswer)
        return answered.result

    assert answer("Mocked", SQS, {}) == "from the mock"
    assert answer("Called", SQS, {}) == "from the callable"
    assert answer("Direct", INVOKE, {"FunctionName": "local-fn"})["Payload"] == "from the handler"
    assert fallback.calls == []
    assert answer("Other", SQS, {}) == "from the fallback"
    # A function the in-process engine does not have goes to the fallback (LAMBDA_ENDPOINT),
    # not to "function not found".
    assert answer("Remote", INVOKE, {"FunctionName": "remote-fn"}) == "from the fallback"
    assert [call.state_name for call in fallback.calls] == ["Other", "Remote"]


def test_without_a_fallback_an_unknown_function_is_still_not_found() -> None:
    integrations = Integrations(lambdas={"local-fn": lambda event, context: None})
    with pytest.raises(StatesError) as raised:
        integrations.answer(TaskCall("Work", INVOKE, {"FunctionName": "remote-fn"}))
    assert raised.value.error == "Lambda.ResourceNotFoundException"


def test_without_a_fallback_nothing_answers_is_the_usage_error() -> None:
    with pytest.raises(EngineUsageError, match="nothing answers Task state 'Work'"):
        Integrations().answer(TaskCall("Work", SQS, {}))


def test_a_callback_task_made_by_the_fallback_waits_for_send_task_success() -> None:
    fallback = Recorder(TaskAnswer({"MessageId": "m-1"}))  # SendMessage's own response
    definition = machine(
        SQS + ".waitForTaskToken",
        {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
    )
    execution = Engine(definition, fallback=fallback).start({})
    assert execution.run().status == "RUNNING"
    [call] = fallback.calls
    [token] = execution.pending_tokens
    assert call.task_token == token
    assert call.payload["MessageBody"] == {"token": token}
    execution.send_task_success(token, {"answered": True})
    result = execution.run()
    assert (result.status, result.output) == ("SUCCEEDED", {"answered": True})


def test_a_fallback_answering_pending_waits_too() -> None:
    execution = Engine(machine(SQS + ".waitForTaskToken", {}), fallback=Recorder(Pending())).start(
        {}
    )
    assert execution.run().status == "RUNNING"
    assert len(execution.pending_tokens) == 1


def test_a_fallback_that_answers_something_else_is_a_usage_error() -> None:
    with pytest.raises(EngineUsageError, match=r"fallback .* returned str"):
        Integrations(fallback=Recorder("not an answer")).answer(TaskCall("Work", SQS, {}))


def test_a_fallback_that_is_not_callable_is_refused() -> None:
    with pytest.raises(EngineUsageError, match="fallback is int"):
        Engine(machine(SQS, {}), fallback=42)
