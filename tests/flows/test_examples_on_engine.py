"""The project's example workflows on the in-process engine, through the plugin's
`simulate_flow` fixture as a user writes them: the real handlers of lambdas/ run in the test's
process, Waits and retry intervals pass on the virtual clock, and nothing needs Docker (the
container-backed twins of these tests are in tests/containers)."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sfn_flows.engine import TaskAnswer, VirtualClock
from sfn_flows.testing import FlowResult, MockConfig, ProjectFlows, ProjectFlowsError, Return, Throw

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
JOB = {"job_id": "j-1", "items": ["a", "b", "c"]}
ORDER = {
    "order_id": "o-1",
    "kind": "physical",
    "lines": [{"sku": f"sku-{n}", "quantity": n + 1} for n in range(25)],
    "total_cents": 1999,
}
LAMBDA_TRANSIENT = "Lambda.ServiceException"


def handler_module(name: str) -> ModuleType:
    """A module of lambdas/, loaded apart from the engine's copy (for its exception classes
    and handlers)."""
    spec = importlib.util.spec_from_file_location(
        f"example_{name}", ROOT / "lambdas" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def failures(result: FlowResult) -> list[tuple[str, str | None]]:
    return [(e.type, e.error) for e in result.events if e.is_failure]


def events_of(result: FlowResult, *types: str) -> list[Any]:
    return [e for e in result.events if e.type in types]


def scheduled(result: FlowResult, function: str) -> list[Any]:
    """The TaskScheduled events of the Lambda function `function`, one per attempt."""
    return [
        e
        for e in events_of(result, "TaskScheduled")
        if json.loads(e.details["parameters"])["FunctionName"].endswith(f":function:{function}")
    ]


def exited_output(result: FlowResult, state: str) -> Any:
    """The output a state exited with (the history holds it as JSON text)."""
    (event,) = [e for e in result.events if e.is_state_exited and e.state_name == state]
    return json.loads(event.details["output"])


# --- the fixture ------------------------------------------------------------------------


def test_the_fixture_holds_the_projects_workflows(
    simulate_flow: ProjectFlows, request: pytest.FixtureRequest
) -> None:
    assert isinstance(simulate_flow, ProjectFlows)
    assert simulate_flow.names == ["long-running-job", "order-fulfilment"]
    # No Docker: the plugin does not mark a test that uses it `containers`.
    assert request.node.get_closest_marker("containers") is None


def test_an_unknown_workflow_names_the_known_ones(simulate_flow: ProjectFlows) -> None:
    with pytest.raises(ProjectFlowsError) as raised:
        simulate_flow("order-fulfillment", ORDER)
    message = str(raised.value)
    assert "no workflow 'order-fulfillment'" in message
    assert "its workflows: long-running-job, order-fulfilment" in message


def test_function_arns_are_filled_in_and_each_function_has_its_handler(
    simulate_flow: ProjectFlows,
) -> None:
    text = json.dumps(simulate_flow.definition("long-running-job"))
    assert "${" not in text
    arn = "arn:aws:lambda:us-east-1:123456789012:function:ProcessData"
    process = simulate_flow.definition("long-running-job")["States"]["ProcessData"]
    assert process["Parameters"]["FunctionName"] == arn
    specs = simulate_flow.function_specs("order-fulfilment")
    assert {name: (s.handler, s.timeout_seconds) for name, s in specs.items()} == {
        "ChargePayment": ("orders.charge_payment", 20),
        "CheckPickup": ("orders.check_pickup", 10),
        "PackLine": ("orders.pack_line", 20),
        "ReserveStock": ("orders.reserve_stock", 20),
    }


# --- long-running-job -------------------------------------------------------------------


def test_job_happy_path(simulate_flow: ProjectFlows) -> None:
    result = simulate_flow("long-running-job", JOB)
    assert result.succeeded, (result.error, result.cause)
    assert result.output == {"job_id": "j-1", "processed": 3, "notified": True}
    result.assert_path("ProcessData", "NotifyCompletion")
    assert [e.type for e in result.events][:2] == ["ExecutionStarted", "TaskStateEntered"]
    assert result.events[-1].type == "ExecutionSucceeded"
    # The lambda:invoke result's Payload is the real handler's return value.
    assert exited_output(result, "ProcessData")["digests"] == [
        "ca978112ca1b",
        "3e23e8160039",
        "2e7d2c03a950",
    ]


def test_a_worker_exception_is_caught_under_its_class_name(simulate_flow: ProjectFlows) -> None:
    result = simulate_flow("long-running-job", {**JOB, "fail": True})
    assert (result.status, result.error) == ("FAILED", "JobFailed")
    assert result.cause == "ProcessData failed; the requester was notified"
    result.assert_path("ProcessData", "NotifyFailure", "JobFailed")
    (failed,) = events_of(result, "TaskFailed")
    # As Lambda reports it: errorType is the exception's class, the cause its error document.
    assert failed.error == "RuntimeError"
    document = json.loads(failed.cause)
    assert document["errorType"] == "RuntimeError"
    assert document["errorMessage"] == "job j-1 failed as requested by the input"
    # The Catch put the error under $.error, and the real failure notifier read its name.
    assert exited_output(result, "NotifyFailure") == {
        "job_id": "j-1",
        "error": "RuntimeError",
        "notified": True,
    }
    assert failures(result) == [("TaskFailed", "RuntimeError"), ("ExecutionFailed", "JobFailed")]


def test_a_job_without_items_fails_with_the_workers_input_error(
    simulate_flow: ProjectFlows,
) -> None:
    result = simulate_flow("long-running-job", {"job_id": "j-2"})
    result.assert_path("ProcessData", "NotifyFailure", "JobFailed")
    assert failures(result) == [("TaskFailed", "JobInputError"), ("ExecutionFailed", "JobFailed")]
    assert exited_output(result, "NotifyFailure")["error"] == "JobInputError"


def test_transient_lambda_errors_are_retried_per_mocked_attempt(
    simulate_flow: ProjectFlows,
) -> None:
    mocks = (
        MockConfig()
        .response(
            "FlakyThenProcessed",
            {
                "0-1": Throw(LAMBDA_TRANSIENT, "try again"),
                "2": Return({"Payload": {"job_id": "j-1", "processed": 7}}),
            },
        )
        .test_case("long-running-job", "RetryThenSucceed", {"ProcessData": "FlakyThenProcessed"})
    )
    result = simulate_flow("long-running-job", JOB, mocks=mocks, test_case="RetryThenSucceed")
    assert result.succeeded, (result.error, result.cause)
    # The mocked worker answered the third attempt; NotifyCompletion is the real handler.
    assert result.output == {"job_id": "j-1", "processed": 7, "notified": True}
    result.assert_path("ProcessData", "NotifyCompletion")
    assert failures(result) == [("TaskFailed", LAMBDA_TRANSIENT)] * 2
    assert len(events_of(result, "TaskScheduled")) == 4  # 3 attempts + NotifyCompletion


def test_transient_errors_past_the_retriers_attempts_take_the_catch(
    simulate_flow: ProjectFlows,
) -> None:
    mocks = (
        MockConfig()
        .response("AlwaysBusy", {"0-3": Throw(LAMBDA_TRANSIENT, "still busy")})
        .test_case("long-running-job", "Outage", {"ProcessData": "AlwaysBusy"})
    )
    result = simulate_flow("long-running-job", JOB, mocks=mocks, test_case="Outage")
    result.assert_path("ProcessData", "NotifyFailure", "JobFailed")
    # MaxAttempts 3: the first try and three retries, then the Catch.
    assert failures(result) == [("TaskFailed", LAMBDA_TRANSIENT)] * 4 + [
        ("ExecutionFailed", "JobFailed")
    ]


def test_a_job_longer_than_its_task_timeout_times_out_in_virtual_time(
    simulate_flow: ProjectFlows,
) -> None:
    process = handler_module("process_data")

    def slow(event: Any, context: Any) -> TaskAnswer:
        # The real worker's result, taking 301 simulated seconds (TimeoutSeconds is 300).
        return TaskAnswer(process.handler(event, context), simulated_seconds=301)

    clock = VirtualClock(START)
    result = simulate_flow("long-running-job", JOB, lambdas={"ProcessData": slow}, clock=clock)
    result.assert_path("ProcessData", "NotifyFailure", "JobFailed")
    (timed_out,) = events_of(result, "TaskTimedOut")
    assert timed_out.error == "States.Timeout"
    assert timed_out.timestamp == START + timedelta(seconds=300)
    assert exited_output(result, "NotifyFailure")["error"] == "States.Timeout"


def test_unknown_mock_test_case_is_named(simulate_flow: ProjectFlows) -> None:
    mocks = (
        MockConfig()
        .response("R", {"0": Return({})})
        .test_case("long-running-job", "HappyPath", {"ProcessData": "R"})
    )
    with pytest.raises(ProjectFlowsError, match=r"no test case 'Happy'.*\(it has: HappyPath\)"):
        simulate_flow("long-running-job", JOB, mocks=mocks, test_case="Happy")


# --- order-fulfilment ---------------------------------------------------------------------


def test_a_physical_order_is_prepared_packed_and_shipped(simulate_flow: ProjectFlows) -> None:
    clock = VirtualClock(START)
    result = simulate_flow("order-fulfilment", ORDER, clock=clock)
    assert result.succeeded, (result.error, result.cause)
    result.assert_path(
        "RouteByKind",
        "ReserveAndCharge",
        "ReserveStock",
        "ChargePayment",
        "PackLines",
        *["PackLine"] * 25,
        "AwaitCourier",
        "CheckPickup",
        "Shipped",
    )
    output = result.output
    # Parallel: one result per branch, in the branches' order.
    assert output["prepared"] == [{"reserved": sum(range(1, 26))}, {"charged_cents": 1999}]
    # Map: one result per line, in the lines' order.
    assert output["packed"] == [{"sku": f"sku-{n}", "packed": n + 1} for n in range(25)]
    assert len(events_of(result, "MapIterationStarted")) == 25
    # No OutputPath on CheckPickup: the whole lambda:invoke result lands under $.pickup.
    assert output["pickup"]["Payload"] == {"order_id": "o-1", "picked_up": True}
    assert output["pickup"]["StatusCode"] == 200


def test_the_ten_minute_courier_wait_passes_on_the_virtual_clock(
    simulate_flow: ProjectFlows,
) -> None:
    clock = VirtualClock(START)
    result = simulate_flow("order-fulfilment", ORDER, clock=clock)
    entered, exited = events_of(result, "WaitStateEntered", "WaitStateExited")
    assert exited.timestamp - entered.timestamp == timedelta(seconds=600)
    (pickup,) = [e for e in events_of(result, "TaskStateEntered") if e.state_name == "CheckPickup"]
    assert pickup.timestamp == START + timedelta(seconds=600)
    assert result.events[-1].timestamp == START + timedelta(seconds=600)
    assert clock.now() == (START + timedelta(seconds=600)).timestamp()


def test_a_digital_order_is_delivered_without_workers(simulate_flow: ProjectFlows) -> None:
    result = simulate_flow("order-fulfilment", {**ORDER, "kind": "digital"})
    assert result.succeeded
    result.assert_path("RouteByKind", "DeliverDigital", "Delivered")
    assert result.output == {"order_id": "o-1", "delivered": True}
    assert not events_of(result, "TaskScheduled")


@pytest.mark.parametrize(
    "order",
    [
        pytest.param({**ORDER, "kind": "gift-card"}, id="unsupported-kind"),
        pytest.param({**ORDER, "total_cents": 0}, id="physical-for-nothing"),
        pytest.param({**ORDER, "total_cents": "1999"}, id="total-as-text"),
    ],
)
def test_the_default_branch_rejects(simulate_flow: ProjectFlows, order: dict[str, Any]) -> None:
    result = simulate_flow("order-fulfilment", order)
    result.assert_path("RouteByKind", "Rejected")
    assert (result.status, result.error, result.cause) == (
        "FAILED",
        "OrderRejected",
        "The order kind is not supported",
    )


def test_an_order_without_a_kind_fails_in_the_choice(simulate_flow: ProjectFlows) -> None:
    result = simulate_flow("order-fulfilment", {"order_id": "o-2", "total_cents": 1})
    result.assert_path("RouteByKind")
    assert result.error == "States.Runtime"
    assert result.cause == (
        "An error occurred while executing the state 'RouteByKind' (entered at the event id "
        "#2). Invalid path '$.kind': The choice state's condition path references an invalid "
        "value."
    )


def test_a_declined_payment_fails_the_parallel_into_its_catch(
    simulate_flow: ProjectFlows,
) -> None:
    result = simulate_flow("order-fulfilment", {**ORDER, "decline": True})
    result.assert_path(
        "RouteByKind", "ReserveAndCharge", "ReserveStock", "ChargePayment", "PaymentFailed"
    )
    assert (result.error, result.cause) == ("PaymentFailed", "Stock or payment failed")
    # The worker's own exception, not retried (the retrier names PaymentProviderBusy only).
    assert failures(result) == [
        ("TaskFailed", "PaymentDeclined"),
        ("ParallelStateFailed", None),
        ("ExecutionFailed", "PaymentFailed"),
    ]
    (failed,) = events_of(result, "TaskFailed")
    assert json.loads(failed.cause)["errorMessage"] == "payment of 1999 cents declined"


def test_the_workers_own_busy_error_is_retried_by_name(simulate_flow: ProjectFlows) -> None:
    """The Retry on PaymentProviderBusy matches the class name the worker raises (MiniStack
    names every Lambda exception Runtime.HandlerError: tests/containers' strict xfail)."""
    orders = handler_module("orders")
    calls: list[int] = []

    def busy_once(event: Any, context: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise orders.PaymentProviderBusy("the payment provider is busy; try again")
        return orders.charge_payment(event, context)

    clock = VirtualClock(START)
    result = simulate_flow(
        "order-fulfilment", ORDER, lambdas={"ChargePayment": busy_once}, clock=clock
    )
    assert result.succeeded, (result.error, result.cause)
    assert failures(result) == [("TaskFailed", "PaymentProviderBusy")]
    assert result.output["prepared"][1] == {"charged_cents": 1999}
    # The retry waited its IntervalSeconds (2) on the virtual clock (no jitter on that
    # retrier) after the failed attempt.
    (failed,) = events_of(result, "TaskFailed")
    first, again = scheduled(result, "ChargePayment")
    assert first.id < failed.id < again.id
    assert again.timestamp - failed.timestamp == timedelta(seconds=2)


def test_a_busy_provider_past_the_retries_fails_the_order(simulate_flow: ProjectFlows) -> None:
    mocks = (
        MockConfig()
        .response("Busy", {"0-2": Throw("PaymentProviderBusy", "busy")})
        .test_case("order-fulfilment", "ProviderDown", {"ChargePayment": "Busy"})
    )
    clock = VirtualClock(START)
    result = simulate_flow(
        "order-fulfilment", ORDER, mocks=mocks, test_case="ProviderDown", clock=clock
    )
    # MaxAttempts 2: three attempts, 2 s then 4 s apart (BackoffRate 2), then the Catch.
    attempts = [e.timestamp for e in scheduled(result, "ChargePayment")]
    assert [t - START for t in attempts] == [
        timedelta(0),
        timedelta(seconds=2),
        timedelta(seconds=6),
    ]
    assert failures(result)[:3] == [("TaskFailed", "PaymentProviderBusy")] * 3
    assert result.states[-1] == "PaymentFailed"
    assert result.error == "PaymentFailed"


def test_mocked_workers_answer_each_map_item(simulate_flow: ProjectFlows) -> None:
    mocks = (
        MockConfig()
        .response("Reserved", {"0": Return({"Payload": {"reserved": 3}})})
        .response("Charged", {"0": Return({"Payload": {"charged_cents": 500}})})
        # PackLine is invoked once per Map item: every invocation counts.
        .response("Packed", {"0-24": Return({"Payload": {"packed": True}})})
        .test_case(
            "order-fulfilment",
            "MockedWorkers",
            {"ReserveStock": "Reserved", "ChargePayment": "Charged", "PackLine": "Packed"},
        )
    )
    result = simulate_flow("order-fulfilment", ORDER, mocks=mocks, test_case="MockedWorkers")
    assert result.succeeded, (result.error, result.cause)
    assert result.output["prepared"] == [{"reserved": 3}, {"charged_cents": 500}]
    assert result.output["packed"] == [{"packed": True}] * 25
    # CheckPickup is not mocked: its real handler ran.
    assert result.output["pickup"]["Payload"] == {"order_id": "o-1", "picked_up": True}


def test_an_execution_to_drive_from_the_test(simulate_flow: ProjectFlows) -> None:
    execution = simulate_flow.start("order-fulfilment", ORDER, execution_name="drive-1")
    assert execution.status == "RUNNING"
    result = execution.run()
    assert result.succeeded
    assert result.execution_arn.endswith(":execution:order-fulfilment:drive-1")
