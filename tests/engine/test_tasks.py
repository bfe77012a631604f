"""What answers a Task: mocks per invocation, a test's callables, Lambda handlers run in the
test's process (real handler files written to a temporary folder)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.tasks import (
    InProcessFunction,
    Integrations,
    LambdaFunctions,
    MockedTasks,
    Pending,
    TaskAnswer,
    TaskCall,
    TaskTimeout,
)
from sfn_flows.testing.mocks import MockConfig, Return, Throw

INVOKE = "arn:aws:states:::lambda:invoke"
CONTEXT = {
    "Execution": {"Id": "arn:aws:states:eu-west-1:210987654321:execution:flow:run-1"},
    "State": {"Name": "Work", "EnteredTime": "2024-05-06T07:08:09.000Z"},
}


def invoke(function: str, event: Any, **options: Any) -> TaskCall:
    return TaskCall(
        "Work", INVOKE, {"FunctionName": function, "Payload": event}, context=CONTEXT, **options
    )


def direct(function: str, payload: Any, **options: Any) -> TaskCall:
    arn = f"arn:aws:lambda:eu-west-1:210987654321:function:{function}"
    return TaskCall("Work", arn, payload, context=CONTEXT, **options)


def failure(integrations: Integrations, call: TaskCall) -> StatesError:
    with pytest.raises(StatesError) as raised:
        integrations.answer(call)
    return raised.value


# --- mocks --------------------------------------------------------------------------------

RETRY_DOCUMENT = {
    "StateMachines": {
        "LambdaSQSIntegration": {
            "TestCases": {
                "RetryPath": {"Work": "MockedLambdaRetry"},
                "HappyPath": {"Work": "MockedLambdaSuccess"},
            }
        }
    },
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": "fine"}}},
        "MockedLambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}},
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"done": True}}},
        },
    },
}


def test_a_mocked_response_answers_each_attempt_of_a_retried_task() -> None:
    mocks = MockedTasks.from_document(RETRY_DOCUMENT, test_case="RetryPath")
    integrations = Integrations(mocks=mocks)
    errors = [failure(integrations, invoke("fn", {}, attempt=n)) for n in range(3)]
    assert [(e.error, e.cause) for e in errors] == [
        ("Lambda.ResourceNotReadyException", "not ready"),
        ("Lambda.TimeoutException", "Lambda timed out."),
        ("Lambda.TimeoutException", "Lambda timed out."),
    ]
    assert integrations.answer(invoke("fn", {}, attempt=3)) == TaskAnswer(
        {"StatusCode": 200, "Payload": {"done": True}}
    )


def test_an_invocation_past_the_mocked_ones_names_the_missing_number() -> None:
    mocks = MockedTasks.from_document(RETRY_DOCUMENT, test_case="HappyPath")
    integrations = Integrations(mocks=mocks)
    integrations.answer(invoke("fn", {}))
    # Entering the state again (a loop) is the next invocation, as in Step Functions Local.
    with pytest.raises(EngineUsageError, match=r'invoked 2 times.*add "1"'):
        integrations.answer(invoke("fn", {}, entry=1))


def test_each_execution_counts_its_own_invocations() -> None:
    mocks = MockedTasks.from_document(RETRY_DOCUMENT, test_case="HappyPath")
    for _ in range(2):
        answer = Integrations(mocks=mocks).answer(invoke("fn", {}))
        assert isinstance(answer, TaskAnswer) and answer.result["Payload"] == "fine"


def test_the_document_the_testing_builder_writes_is_read() -> None:
    built = (
        MockConfig()
        .response("Flaky", {"0": Throw("Worker.Busy", "try later"), "1": Return({"Payload": 7})})
        .test_case("long-running-job", "Flaky", {"ProcessData": "Flaky"})
        .to_document("my-stack")
    )
    mocks = MockedTasks.from_document(
        built, test_case="Flaky", state_machine="my-stack-long-running-job"
    )
    integrations = Integrations(mocks=mocks)
    call = TaskCall("ProcessData", INVOKE, {"FunctionName": "f", "Payload": {}})
    assert failure(integrations, call).error == "Worker.Busy"
    assert integrations.answer(call).result == {"Payload": 7}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("document", "options", "message"),
    [
        ([], {}, "must be a JSON object"),
        ({"StateMachines": {}}, {}, "needs the objects StateMachines and MockedResponses"),
        (RETRY_DOCUMENT, {"test_case": "Nope"}, "no test case 'Nope'"),
        (RETRY_DOCUMENT, {"state_machine": "Other"}, "no state machine 'Other'"),
        (
            {"StateMachines": {"M": {"TestCases": {"T": {"S": "Gone"}}}}, "MockedResponses": {}},
            {},
            "response 'Gone', which MockedResponses does not define",
        ),
        (
            {
                "StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
                "MockedResponses": {"R": {"first": {"Return": 1}}},
            },
            {},
            "'first' is not an invocation number or range",
        ),
        (
            {
                "StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
                "MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}},
            },
            {},
            "invocation 2 has two answers",
        ),
        (
            {
                "StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
                "MockedResponses": {"R": {"0": {"Throw": {"Cause": "no error name"}}}},
            },
            {},
            'a Throw needs an "Error" string',
        ),
        (
            {
                "StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},
                "MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}},
            },
            {},
            "exactly one of",
        ),
    ],
)
def test_a_malformed_mock_config_is_refused_with_the_fix(
    document: Any, options: dict[str, str], message: str
) -> None:
    arguments = {"test_case": "T", **options}
    with pytest.raises(EngineUsageError, match=message):
        MockedTasks.from_document(document, **arguments)


def test_the_same_test_case_in_two_machines_needs_the_machine_named() -> None:
    twice = {
        "StateMachines": {
            "A": {"TestCases": {"T": {"S": "R"}}},
            "B": {"TestCases": {"T": {"S": "R"}}},
        },
        "MockedResponses": {"R": {"0": {"Return": 1}}},
    }
    with pytest.raises(EngineUsageError, match="several state machines"):
        MockedTasks.from_document(twice, test_case="T")
    assert MockedTasks.from_document(twice, test_case="T", state_machine="B").mocks("S")


# --- order and callables ------------------------------------------------------------------


def test_a_mock_comes_before_a_callable_and_a_callable_before_a_handler() -> None:
    mocks = MockedTasks.from_document(RETRY_DOCUMENT, test_case="HappyPath")
    lambdas = {"fn": lambda event, context: "handler"}
    tasks = {"fn": lambda payload: "callable"}
    assert Integrations(mocks=mocks, tasks=tasks, lambdas=lambdas).answer(
        invoke("fn", {})
    ).result == {"StatusCode": 200, "Payload": "fine"}  # type: ignore[union-attr]
    assert Integrations(tasks=tasks, lambdas=lambdas).answer(invoke("fn", {})) == TaskAnswer(
        "callable"
    )
    answer = Integrations(lambdas=lambdas).answer(invoke("fn", {}))
    assert isinstance(answer, TaskAnswer) and answer.result["Payload"] == "handler"


@pytest.mark.parametrize("key", ["Work", "fn", INVOKE])
def test_a_callable_is_found_by_state_function_or_resource(key: str) -> None:
    seen: list[Any] = []

    def answer(payload: Any) -> Any:
        seen.append(payload)
        return {"echo": payload["Payload"]}

    result = Integrations(tasks={key: answer}).answer(invoke("fn", {"n": 1}))
    assert result == TaskAnswer({"echo": {"n": 1}})
    assert seen == [{"FunctionName": "fn", "Payload": {"n": 1}}]


def test_a_callable_gets_a_copy_and_may_take_simulated_time() -> None:
    payload = {"items": [1, 2]}

    def slow(received: Any) -> TaskAnswer:
        received["items"].append(3)
        return TaskAnswer({"count": len(received["items"])}, simulated_seconds=3600)

    call = TaskCall("Work", "arn:aws:states:::sqs:sendMessage", payload)
    assert Integrations(tasks={"Work": slow}).answer(call) == TaskAnswer({"count": 3}, 3600)
    assert payload == {"items": [1, 2]}


def test_a_callable_fails_the_task_by_raising() -> None:
    def busy(payload: Any) -> Any:
        raise StatesError("Provider.Busy", "come back later")

    def broken(payload: Any) -> Any:
        raise KeyError("order_id")

    call = TaskCall("Work", "arn:aws:states:::sqs:sendMessage", {})
    assert (failure(Integrations(tasks={"Work": busy}), call).error) == "Provider.Busy"
    error = failure(Integrations(tasks={"Work": broken}), call)
    assert (error.error, error.cause) == ("KeyError", "'order_id'")


def test_a_callable_that_returns_no_json_is_a_usage_error_naming_the_state() -> None:
    call = TaskCall("Work", "arn:aws:states:::sqs:sendMessage", {})
    with pytest.raises(EngineUsageError, match="Task state 'Work' returned a value that is not"):
        Integrations(tasks={"Work": lambda payload: {1, 2}}).answer(call)
    with pytest.raises(EngineUsageError, match="tasks\\['Work'\\] is int"):
        Integrations(tasks={"Work": 5})  # type: ignore[dict-item]


def test_an_unanswered_task_names_the_state_and_every_way_to_answer_it() -> None:
    with pytest.raises(EngineUsageError) as raised:
        Integrations().answer(invoke("fn", {}))
    message = str(raised.value)
    assert "Task state 'Work'" in message
    assert "tasks={'Work'" in message and "mocks=" in message and "lambdas={'fn'" in message


# --- Lambda handlers from a folder --------------------------------------------------------


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


@pytest.fixture
def lambdas_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lambdas"
    write(
        folder,
        "orders.py",
        """\
        from helpers import double


        class PaymentDeclined(Exception):
            pass


        def charge(event, context):
            if event.get("decline"):
                raise PaymentDeclined(f"payment of {event['total']} declined")
            return {"charged": double(event["total"]), "function": context.function_name}


        def remaining(event, context):
            return {"ms": context.get_remaining_time_in_millis(), "id": context.aws_request_id}


        def returns_a_set(event, context):
            return {1, 2}


        def blocks(event, context):
            import threading
            threading.Event().wait()
        """,
    )
    write(folder, "helpers.py", "def double(n):\n    return n * 2\n")
    return folder


def functions(folder: Path, **handlers: str | InProcessFunction) -> LambdaFunctions:
    return LambdaFunctions(handlers, folder)


def test_a_handler_runs_and_its_result_takes_lambda_invokes_shape(lambdas_dir: Path) -> None:
    integrations = Integrations(lambdas=functions(lambdas_dir, Charge="orders.charge"))
    answer = integrations.answer(invoke("Charge", {"total": 21}))
    assert isinstance(answer, TaskAnswer)
    result = answer.result
    assert result["Payload"] == {"charged": 42, "function": "Charge"}
    assert result["StatusCode"] == 200 and result["ExecutedVersion"] == "$LATEST"
    request_id = result["SdkResponseMetadata"]["RequestId"]
    headers = result["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["x-amzn-RequestId"] == request_id
    assert headers["Content-Length"] == str(len(json.dumps(result["Payload"])))
    assert headers["Date"] == "Mon, 06 May 2024 07:08:09 GMT"  # the state's entered time
    assert result["SdkHttpMetadata"]["AllHttpHeaders"]["Date"] == [headers["Date"]]


def test_a_function_arn_resource_returns_the_payload_itself(lambdas_dir: Path) -> None:
    integrations = Integrations(lambdas=functions(lambdas_dir, Charge="orders.charge"))
    assert integrations.answer(direct("Charge", {"total": 5})) == TaskAnswer(
        {"charged": 10, "function": "Charge"}
    )


def test_an_exception_is_named_by_its_class_with_lambdas_error_document(
    lambdas_dir: Path,
) -> None:
    integrations = Integrations(lambdas=functions(lambdas_dir, Charge="orders.charge"))
    error = failure(integrations, invoke("Charge", {"total": 5, "decline": True}))
    assert error.error == "PaymentDeclined"
    assert error.cause is not None and '","errorType":' in error.cause  # compact JSON
    document = json.loads(error.cause)
    assert list(document) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert document["errorMessage"] == "payment of 5 declined"
    assert document["errorType"] == "PaymentDeclined"
    assert document["stackTrace"] == [
        f'  File "{lambdas_dir / "orders.py"}", line 10, in charge\n'
        "    raise PaymentDeclined(f\"payment of {event['total']} declined\")\n"
    ]
    # A function ARN resource writes the same document as Python's json.dumps does.
    spaced = failure(integrations, direct("Charge", {"total": 5, "decline": True}))
    assert spaced.cause is not None and '", "errorType": ' in spaced.cause


def test_a_result_that_is_not_json_is_lambdas_marshal_error(lambdas_dir: Path) -> None:
    integrations = Integrations(lambdas=functions(lambdas_dir, Bad="orders.returns_a_set"))
    error = failure(integrations, invoke("Bad", {}))
    assert error.error == "Runtime.MarshalError"
    document = json.loads(error.cause or "")
    assert document["errorMessage"] == (
        "Unable to marshal response: Object of type set is not JSON serializable"
    )
    assert document["stackTrace"] == []


def test_a_blocking_handler_is_ended_by_the_tasks_timeout(lambdas_dir: Path) -> None:
    integrations = Integrations(lambdas=functions(lambdas_dir, Stuck="orders.blocks"))
    with pytest.raises(TaskTimeout) as raised:
        integrations.answer(invoke("Stuck", {}, timeout_seconds=0.2))
    assert (raised.value.error, raised.value.cause, raised.value.seconds) == (
        "States.Timeout",
        None,
        0.2,
    )


def test_a_function_timeout_shorter_than_the_tasks_is_lambdas_own(lambdas_dir: Path) -> None:
    stuck = InProcessFunction("orders.blocks", timeout_seconds=0.2)
    integrations = Integrations(lambdas=functions(lambdas_dir, Stuck=stuck))
    error = failure(integrations, invoke("Stuck", {}, timeout_seconds=60))
    assert error.error == "Sandbox.Timedout"
    assert "Task timed out after 0.20 seconds" in json.loads(error.cause or "")["errorMessage"]


def test_the_context_counts_down_from_the_tasks_timeout(lambdas_dir: Path) -> None:
    integrations = Integrations(lambdas=functions(lambdas_dir, Clock="orders.remaining"))
    answer = integrations.answer(invoke("Clock", {}, timeout_seconds=30))
    assert isinstance(answer, TaskAnswer)
    payload = answer.result["Payload"]
    assert 0 < payload["ms"] <= 30_000
    assert payload["id"] == answer.result["SdkResponseMetadata"]["RequestId"]


def test_handler_modules_are_imported_at_the_first_call_and_kept(tmp_path: Path) -> None:
    marker = tmp_path / "imports.txt"
    write(
        tmp_path,
        "counted.py",
        f"""\
        with open({str(marker)!r}, "a") as log:
            log.write("imported\\n")


        def handler(event, context):
            return event
        """,
    )
    shared = LambdaFunctions({"Counted": "counted.handler"}, tmp_path)
    assert not marker.exists()
    for _ in range(2):
        Integrations(lambdas=shared).answer(direct("Counted", {}))
    assert marker.read_text() == "imported\n"
    assert str(tmp_path) not in sys.path


@pytest.mark.parametrize(
    ("handler", "source", "error", "message"),
    [
        ("missing.handler", None, "Runtime.ImportModuleError", "No module named 'missing'"),
        (
            "broken.handler",
            "import not_installed_anywhere\n",
            "Runtime.ImportModuleError",
            "Unable to import module 'broken': No module named 'not_installed_anywhere'",
        ),
        (
            "broken.handler",
            "def handler(event, context)\n    return 1\n",
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module 'broken'",
        ),
        (
            "broken.handle",
            "def handler(event, context):\n    return 1\n",
            "Runtime.HandlerNotFound",
            "Handler 'handle' missing on module 'broken'",
        ),
        ("nodot", None, "Runtime.MalformedHandlerName", "Bad handler 'nodot'"),
        (
            "broken.handler",
            "raise RuntimeError('no config')\n",
            "RuntimeError",
            "no config",
        ),
    ],
)
def test_import_failures_are_reported_as_lambdas_runtime_does(
    tmp_path: Path, handler: str, source: str | None, error: str, message: str
) -> None:
    if source is not None:
        write(tmp_path, "broken.py", source)
    integrations = Integrations(lambdas=LambdaFunctions({"Fn": handler}, tmp_path))
    failed = failure(integrations, invoke("Fn", {}))
    assert failed.error == error
    assert message in json.loads(failed.cause or "")["errorMessage"]


def test_an_unknown_function_is_lambdas_resource_not_found(lambdas_dir: Path) -> None:
    integrations = Integrations(lambdas=functions(lambdas_dir, Charge="orders.charge"))
    error = failure(integrations, invoke("Nope", {}))
    assert error.error == "Lambda.ResourceNotFoundException"
    assert (error.cause or "").startswith(
        "Function not found: arn:aws:lambda:eu-west-1:210987654321:function:Nope:$LATEST "
        "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
        "Request ID: "
    )
    assert (error.cause or "").endswith("; Proxy: null)")


def test_a_handler_string_without_a_folder_is_a_usage_error() -> None:
    with pytest.raises(EngineUsageError, match="lambdas_dir"):
        Integrations(lambdas={"Fn": "orders.charge"})


def test_a_callback_task_invokes_the_function_and_then_waits(lambdas_dir: Path) -> None:
    sent: list[Any] = []

    def send(event: Any, context: Any) -> None:
        sent.append(event)

    integrations = Integrations(lambdas={"Notify": send})
    call = TaskCall(
        "Work",
        INVOKE + ".waitForTaskToken",
        {"FunctionName": "Notify", "Payload": {"token": "t-1"}},
        task_token="t-1",
    )
    assert integrations.answer(call) == Pending()
    assert sent == [{"token": "t-1"}]


def test_a_handler_may_take_simulated_time() -> None:
    def slow(event: Any, context: Any) -> TaskAnswer:
        return TaskAnswer(event, simulated_seconds=60)

    answer = Integrations(lambdas={"Slow": slow}).answer(direct("Slow", {"x": 1}))
    assert answer == TaskAnswer({"x": 1}, 60)


def test_a_result_over_the_payload_limit_is_data_limit_exceeded() -> None:
    big = Integrations(lambdas={"Big": lambda event, context: "a" * 300_000})
    error = failure(big, invoke("Big", {}))
    assert error.error == "States.DataLimitExceeded"
    assert error.cause == (
        "The state/task 'lambda' returned a result with a size exceeding the maximum number "
        "of bytes service limit."
    )
