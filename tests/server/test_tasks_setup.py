"""TaskSetups without services: SFN_MOCK_CONFIG's test cases by state machine name, the
project's functions run in the server (by name and ARN, with their environment, errors named
as Lambda names them), and the clear failures when nothing is configured.

Executions run on the engine directly (`Engine(definition, **setup.engine_arguments())`, as
the server's Executions do); test_tasks_served.py runs them through the HTTP server."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.engine import Engine
from sfn_flows.engine.result import FlowResult
from sfn_flows.server.config import ConfigError, ServerConfig
from sfn_flows.server.tasks import TaskSetups
from sfn_flows.server.tasks.functions import FunctionSpecError

REGION = "us-east-1"
ACCOUNT = "123456789012"
MACHINE_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Orders"
INVOKE = "arn:aws:states:::lambda:invoke"
SQS = "arn:aws:states:::sqs:sendMessage"


def task(resource: str, parameters: Any = None, **more: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, **more}
    if parameters is not None:
        state["Parameters"] = parameters
    if "Next" not in more:
        state["End"] = True
    return state


def single(state: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": "Work", "States": {"Work": state}}


def run(
    setups: TaskSetups,
    definition: dict[str, Any],
    payload: Any = None,
    *,
    machine: str = MACHINE_ARN,
    test_case: str | None = None,
) -> FlowResult:
    setup = setups.setup(machine, test_case)
    engine = Engine(
        definition,
        state_machine_name=machine.split(":")[6],
        region=REGION,
        account=ACCOUNT,
        **setup.engine_arguments(),
    )
    return engine.run(payload or {})


def config(**settings: Any) -> ServerConfig:
    return ServerConfig(**settings).checked()


# --- SFN_MOCK_CONFIG ----------------------------------------------------------------------

MOCKS = {
    "StateMachines": {
        "Orders": {
            "TestCases": {
                "HappyPath": {"Charge": "Charged"},
                "RetryPath": {"Charge": "FailsTwice"},
            }
        },
        "Refunds": {"TestCases": {"HappyPath": {"Charge": "Refunded"}}},
    },
    "MockedResponses": {
        "Charged": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": 42}}}},
        "Refunded": {"0": {"Return": {"StatusCode": 200, "Payload": {"refunded": 42}}}},
        "FailsTwice": {
            "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
            "2": {"Return": {"StatusCode": 200, "Payload": {"charged": "at last"}}},
        },
    },
}
CHARGE = {
    "StartAt": "Charge",
    "States": {
        "Charge": task(
            INVOKE,
            {"FunctionName": "charge", "Payload.$": "$"},
            Retry=[{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 3}],
            OutputPath="$.Payload",
        )
    },
}


@pytest.fixture
def mock_file(tmp_path: Path) -> Path:
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(MOCKS))
    return path


def test_a_test_case_is_chosen_by_the_state_machines_name(mock_file: Path) -> None:
    setups = TaskSetups(config(mock_config=mock_file))
    orders = run(setups, CHARGE, test_case="HappyPath")
    assert (orders.status, orders.output) == ("SUCCEEDED", {"charged": 42})
    refunds = MACHINE_ARN.replace(":Orders", ":Refunds")
    assert run(setups, CHARGE, machine=refunds, test_case="HappyPath").output == {"refunded": 42}
    # A version or alias ARN names the same state machine.
    assert run(setups, CHARGE, machine=MACHINE_ARN + ":live", test_case="HappyPath").output == {
        "charged": 42
    }


def test_each_retry_is_the_next_invocation_of_the_mocked_response(mock_file: Path) -> None:
    setups = TaskSetups(config(mock_config=mock_file))
    result = run(setups, CHARGE, test_case="RetryPath")
    assert (result.status, result.output) == ("SUCCEEDED", {"charged": "at last"})
    # Each execution counts its own invocations.
    assert run(setups, CHARGE, test_case="RetryPath").output == {"charged": "at last"}


def test_an_unknown_test_case_fails_the_execution_naming_the_ones_there_are(
    mock_file: Path,
) -> None:
    setups = TaskSetups(config(mock_config=mock_file))
    result = run(setups, CHARGE, test_case="SadPath")
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "no test case 'SadPath' for state machine 'Orders'" in (result.cause or "")
    assert "HappyPath, RetryPath" in (result.cause or "")
    other = run(setups, CHARGE, machine=MACHINE_ARN + "X", test_case="HappyPath")
    assert "has no state machine 'OrdersX'" in (other.cause or "")


def test_a_test_case_without_a_mock_config_says_to_set_one() -> None:
    result = run(TaskSetups(config()), CHARGE, test_case="HappyPath")
    assert result.error == "States.Runtime"
    assert "set SFN_MOCK_CONFIG" in (result.cause or "")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "cannot be read as JSON"),
        ("[]", 'must be an object with "StateMachines"'),
        ('{"StateMachines": {"M": {}}, "MockedResponses": {}}', "'M' needs \"TestCases\""),
        (
            '{"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}, "MockedResponses": {}}',
            "uses response 'Nope', which MockedResponses does not define",
        ),
        (
            '{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}},'
            ' "MockedResponses": {"R": {"first": {"Return": 1}}}}',
            "'first' is not an invocation number",
        ),
    ],
)
def test_a_mock_config_that_is_not_valid_stops_the_start_naming_the_file(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "mocks.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as raised:
        TaskSetups(config(mock_config=path))
    assert str(raised.value).startswith(f"SFN_MOCK_CONFIG ({path})")
    assert problem in str(raised.value)


# --- the project's functions --------------------------------------------------------------


@pytest.fixture
def lambdas(tmp_path: Path) -> Path:
    folder = tmp_path / "lambdas"
    folder.mkdir()
    (folder / "payments.py").write_text(
        textwrap.dedent(
            """\
            import os

            CURRENCY = os.environ["CURRENCY"]


            class PaymentDeclined(Exception):
                pass


            def charge(event, context):
                if event.get("decline"):
                    raise PaymentDeclined(f"card {event['card']} declined")
                return {
                    "charged": event["total"],
                    "currency": CURRENCY,
                    "function": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
                    "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
                }
            """
        )
    )
    return folder


FUNCTION_ARN = f"arn:aws:lambda:{REGION}:000000000000:function:stack-Charge-ab12"


def registered(lambdas: Path, **settings: Any) -> TaskSetups:
    setups = TaskSetups(config(lambdas_dir=lambdas, **settings))
    answer = setups.register_functions(
        {
            FUNCTION_ARN: {
                "handler": "payments.charge",
                "timeoutSeconds": 10,
                "environment": {"CURRENCY": "EUR"},
            }
        }
    )
    assert answer == {"registered": ["stack-Charge-ab12"]}
    return setups


def test_a_registered_function_runs_in_the_server_by_name_or_arn(lambdas: Path) -> None:
    setups = registered(lambdas, aws_endpoint="http://127.0.0.1:4566")
    by_name = run(
        setups,
        single(task(INVOKE, {"FunctionName": "stack-Charge-ab12", "Payload.$": "$"})),
        {"total": 5},
    )
    assert by_name.status == "SUCCEEDED", by_name.cause
    assert by_name.output["Payload"] == {
        "charged": 5,
        "currency": "EUR",
        "function": "stack-Charge-ab12",
        "endpoint": "http://127.0.0.1:4566",
    }
    by_arn = run(setups, single(task(FUNCTION_ARN)), {"total": 6})
    assert by_arn.output["charged"] == 6
    qualified = run(
        setups,
        single(task(INVOKE, {"FunctionName": FUNCTION_ARN + ":$LATEST", "Payload": {"total": 7}})),
    )
    assert qualified.output["Payload"]["charged"] == 7


def test_a_handlers_exception_is_named_by_its_class_as_lambda_names_it(lambdas: Path) -> None:
    result = run(
        registered(lambdas),
        single(task(FUNCTION_ARN)),
        {"decline": True, "card": "4242", "total": 1},
    )
    assert (result.status, result.error) == ("FAILED", "PaymentDeclined")
    document = json.loads(result.cause or "")
    assert document["errorMessage"] == "card 4242 declined"
    assert document["errorType"] == "PaymentDeclined"


@pytest.mark.parametrize(
    ("functions", "problem"),
    [
        ([], "functions must be an object"),
        ({"fn": "payments.charge"}, "give an object"),
        ({"fn": {"handler": "payments charge"}}, "handler must be"),
        ({"fn": {"handler": "payments.charge", "timeoutSeconds": 901}}, "from 1 to 900"),
        ({"fn": {"handler": "payments.charge", "memoryMb": 64}}, "from 128 to 10240"),
        ({"fn": {"handler": "payments.charge", "environment": {"A": 1}}}, "to string values"),
        ({"fn": {"handler": "payments.charge", "runtime": "python3.12"}}, "unknown field runtime"),
        ({"arn:aws:lambda:us-east-1:1:function:x": {"handler": "a.b"}}, "is not a function name"),
        ({"bad name": {"handler": "a.b"}}, "is not a function name"),
    ],
)
def test_a_function_the_server_cannot_run_is_refused_naming_it(
    lambdas: Path, functions: Any, problem: str
) -> None:
    setups = TaskSetups(config(lambdas_dir=lambdas))
    with pytest.raises(FunctionSpecError) as raised:
        setups.register_functions(functions)
    assert problem in str(raised.value)


def test_functions_need_the_lambdas_folder() -> None:
    with pytest.raises(FunctionSpecError, match="--lambdas-dir or SFN_FLOWS_LAMBDAS_DIR"):
        TaskSetups(config()).register_functions({"fn": {"handler": "a.b"}})


# --- nothing configured -------------------------------------------------------------------


def test_a_function_nothing_runs_is_not_found_as_aws_says_and_the_log_names_the_fix(
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = run(TaskSetups(config()), single(task(INVOKE, {"FunctionName": "elsewhere"})))
    assert (result.status, result.error) == ("FAILED", "Lambda.ResourceNotFoundException")
    assert (result.cause or "").startswith("Function not found: arn:aws:lambda:")
    assert "RegisterFunctions" in caplog.text and "LAMBDA_ENDPOINT is not set" in caplog.text


def test_a_service_call_without_an_endpoint_names_the_variable_to_set() -> None:
    result = run(TaskSetups(config()), single(task(SQS, {"QueueUrl": "q", "MessageBody": "m"})))
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "set SFN_FLOWS_AWS_ENDPOINT" in (result.cause or "")


def test_a_resource_the_server_does_not_call_says_to_mock_it() -> None:
    setups = TaskSetups(config(aws_endpoint="http://127.0.0.1:9"))
    result = run(setups, single(task("arn:aws:states:::ecs:runTask.sync", {"Cluster": "c"})))
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
    assert "does not call arn:aws:states:::ecs:runTask.sync" in (result.cause or "")
    assert "SFN_MOCK_CONFIG" in (result.cause or "")
