"""The example workflows run with mocked Task responses (SFN_MOCK_CONFIG) in an engine of
their own, plus the mock config's own checks (no container)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.deploy.naming import state_machine_output
from sfn_flows.deploy.stack import DeployError, deploy_project
from sfn_flows.project.build import compile_project, write_build
from sfn_flows.testing.flows import run_and_describe
from sfn_flows.testing.mocks import MockConfig, MockConfigError, Return, Throw
from sfn_flows.testing.plugin import execution_client

from .engine_marks import fails_on_local_stack

ROOT = Path(__file__).resolve().parents[2]
JOB = {"job_id": "m-1", "items": ["a", "b"]}
DIGITAL = {"order_id": "d-1", "kind": "digital", "lines": [{"sku": "e-book", "quantity": 1}]}
PHYSICAL = {
    "order_id": "p-1",
    "kind": "physical",
    "lines": [{"sku": "a", "quantity": 1}, {"sku": "b", "quantity": 2}],
    "total_cents": 500,
}
TASK_FAILED = "TaskFailed"


def mocks() -> MockConfig:
    return (
        MockConfig()
        # LambdaInvoke has OutputPath $.Payload: a Return stands for the whole Lambda
        # integration result, so the function's answer goes under "Payload".
        .response("Processed", {"0": Return({"Payload": {"job_id": "m-1", "processed": 42}})})
        .response("Crashed", {"0": Throw("Worker.Crashed", "disk full")})
        .response(
            "FlakyThenProcessed",
            {
                "0": Throw("Lambda.ServiceException", "try again"),
                "1": Return({"Payload": {"job_id": "m-1", "processed": 7}}),
            },
        )
        .response("Reserved", {"0": Return({"Payload": {"reserved": 3}})})
        .response("Charged", {"0": Return({"Payload": {"charged_cents": 500}})})
        # PackLine is entered once per Map item; the engine counts entries across items.
        .response("Packed", {"0-99": Return({"Payload": {"packed": True}})})
        .response("PickedUp", {"0": Return({"Payload": {"picked_up": "mocked"}})})
        .test_case("long-running-job", "HappyPath", {"ProcessData": "Processed"})
        .test_case("long-running-job", "WorkerCrashes", {"ProcessData": "Crashed"})
        .test_case("long-running-job", "RetryThenSucceed", {"ProcessData": "FlakyThenProcessed"})
        .test_case(
            "order-fulfilment",
            "Shipped",
            {
                "ReserveStock": "Reserved",
                "ChargePayment": "Charged",
                "PackLine": "Packed",
                "CheckPickup": "PickedUp",
            },
        )
        .test_case("order-fulfilment", "Digital", {"ReserveStock": "Reserved"})
    )


@pytest.fixture(scope="module")
def mocked(sfn_mocked: Any) -> Iterator[Any]:
    # Time scale 0: the physical order's 600-s Wait and the retry intervals take no time.
    project = sfn_mocked(mocks(), time_scale=0)
    yield project
    project.stop()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("mock-build")
    result = compile_project(ROOT / "workflows")
    assert result.ok
    write_build(result, build_dir, ROOT)
    return build_dir


# --- runs in a mocked engine ------------------------------------------------------------


def test_mocked_worker_result_flows_to_the_real_notifier(mocked: Any) -> None:
    result = mocked.run("long-running-job", JOB, test_case="HappyPath")
    assert result.succeeded, (result.error, result.cause)
    # ProcessData never ran (it would report 2 items); NotifyCompletion is the real Lambda.
    assert result.output == {"job_id": "m-1", "processed": 42, "notified": True}
    result.assert_path("ProcessData", "NotifyCompletion")


def test_mocked_throw_takes_the_catch_path(mocked: Any) -> None:
    result = mocked.run("long-running-job", JOB, test_case="WorkerCrashes")
    assert (result.status, result.error) == ("FAILED", "JobFailed")
    result.assert_path("ProcessData", "NotifyFailure", "JobFailed")
    failed = [e for e in result.events if e.type == TASK_FAILED]
    assert [e.details["error"] for e in failed] == ["Worker.Crashed"]


def test_without_the_test_case_suffix_the_real_lambdas_run(mocked: Any) -> None:
    deployed = mocked.deployed
    real = run_and_describe(
        execution_client(deployed.target),
        deployed.outputs[state_machine_output("long-running-job")],
        JOB,
        timeout=60,
    )
    assert real.output == {"job_id": "m-1", "processed": 2, "notified": True}


def test_order_fulfilment_physical_path_with_mocked_workers(mocked: Any) -> None:
    result = mocked.run("order-fulfilment", PHYSICAL, test_case="Shipped")
    assert result.succeeded, (result.error, result.cause)
    result.assert_visited("RouteByKind", "ReserveAndCharge", "PackLines", "AwaitCourier")
    result.assert_visited("CheckPickup", "Shipped")
    assert result.output["prepared"] == [{"reserved": 3}, {"charged_cents": 500}]
    assert result.output["packed"] == [{"packed": True}, {"packed": True}]
    # CheckPickup keeps the whole integration result (ResultPath, no OutputPath).
    assert result.output["pickup"] == {"Payload": {"picked_up": "mocked"}}


def test_order_fulfilment_digital_path_runs_no_task(mocked: Any) -> None:
    result = mocked.run("order-fulfilment", DIGITAL, test_case="Digital")
    assert result.succeeded, (result.error, result.cause)
    result.assert_path("RouteByKind", "DeliverDigital", "Delivered")
    assert result.output == {"order_id": "d-1", "delivered": True}


def test_retry_succeeds_on_the_second_attempt(request: pytest.FixtureRequest, mocked: Any) -> None:
    fails_on_local_stack(
        request,
        mocked.engine.name,
        "MiniStack counts mock attempts per entry into a state, not per retry: a retried Task "
        "re-throws attempt 0's mocked error (AWS Step Functions Local answers '1' instead)",
    )
    result = mocked.run("long-running-job", JOB, test_case="RetryThenSucceed")
    assert result.succeeded, (result.error, result.cause)
    assert [e.type for e in result.events].count(TASK_FAILED) == 1


# --- the config document ----------------------------------------------------------------


def test_document_uses_the_deployed_state_machine_names(built: Path) -> None:
    config = mocks()
    config.validate(built)
    document = json.loads(config.to_json("my-stack"))
    assert sorted(document["StateMachines"]) == [
        "my-stack-long-running-job",
        "my-stack-order-fulfilment",
    ]
    cases = document["StateMachines"]["my-stack-long-running-job"]["TestCases"]
    assert cases["HappyPath"] == {"ProcessData": "Processed"}
    assert document["MockedResponses"]["Crashed"] == {
        "0": {"Throw": {"Error": "Worker.Crashed", "Cause": "disk full"}}
    }
    assert document["MockedResponses"]["Packed"]["0-99"] == {
        "Return": {"Payload": {"packed": True}}
    }


def _case(workflow: str, states: dict[str, str]) -> MockConfig:
    return MockConfig().response("R", {"0": Return({})}).test_case(workflow, "Case", states)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            _case("no-such-flow", {"ProcessData": "R"}),
            "mock test cases name workflow 'no-such-flow', which the build does not have; "
            "use one of: long-running-job, order-fulfilment.",
        ),
        (
            _case("long-running-job", {"Process": "R"}),
            "workflow 'long-running-job', test case 'Case': no state 'Process'; the workflow's "
            "states are JobFailed, NotifyCompletion, NotifyFailure, ProcessData.",
        ),
        (
            _case("order-fulfilment", {"AwaitCourier": "R"}),
            "workflow 'order-fulfilment', test case 'Case': state 'AwaitCourier' is a Wait "
            "state, and only Task states can be mocked; mock one of ChargePayment, "
            "CheckPickup, PackLine, ReserveStock.",
        ),
        (
            _case("long-running-job", {"ProcessData": "Missing"}),
            "workflow 'long-running-job', test case 'Case': state 'ProcessData' uses response "
            "'Missing', which is not defined; add .response('Missing', {'0': Return(...)}) "
            "(defined: R).",
        ),
        (
            MockConfig().response("R", {"first": Return({})}),
            "response 'R': attempt key 'first' is not a number or a range; use '0', '1' or "
            "'1-3' (attempts count from 0).",
        ),
        (
            # The engine's key grammar: a trailing newline is not part of a number.
            MockConfig().response("R", {"0\n": Return({})}),
            "response 'R': attempt key '0\\n' is not a number or a range; use '0', '1' or "
            "'1-3' (attempts count from 0).",
        ),
        (
            MockConfig().response("R", {"3-1": Return({})}),
            "response 'R': range '3-1' ends before it starts; write '1-3'.",
        ),
        (
            MockConfig().response("R", {"0-2": Return({}), "2": Throw("E")}),
            "response 'R': attempt keys '0-2' and '2' overlap; each attempt may have one "
            "answer, so make the ranges disjoint.",
        ),
        (
            MockConfig().response("R", {"0-5": Return({}), "1": Throw("E"), "7": Throw("E")}),
            "response 'R': attempt keys '0-5' and '1' overlap; each attempt may have one "
            "answer, so make the ranges disjoint.",
        ),
        (
            MockConfig().response("R", {}),
            "response 'R' has no attempts; give at least {'0': Return(...)}.",
        ),
    ],
)
def test_bad_config_is_refused(built: Path, config: MockConfig, message: str) -> None:
    with pytest.raises(MockConfigError) as caught:
        config.validate(built)
    assert str(caught.value) == message


def test_nested_task_states_can_be_mocked(built: Path) -> None:
    # PackLine sits in a Map, ReserveStock in a Parallel branch.
    _case("order-fulfilment", {"PackLine": "R", "ReserveStock": "R"}).validate(built)


def test_answers_must_be_return_or_throw() -> None:
    with pytest.raises(MockConfigError) as caught:
        MockConfig().response("R", {"0": {"Return": 1}})  # type: ignore[dict-item]
    assert str(caught.value) == (
        "response 'R', attempt '0': {'Return': 1} is neither Return(...) nor Throw(...); "
        "wrap the value, e.g. Return({'Payload': {...}})."
    )


def test_test_case_names_cannot_hold_a_hash() -> None:
    with pytest.raises(MockConfigError) as caught:
        MockConfig().test_case("long-running-job", "a#b", {})
    assert str(caught.value) == (
        "test case name 'a#b' of workflow 'long-running-job' is empty or holds '#'; use a "
        "name like 'HappyPath' (it is appended to the ARN after '#')."
    )


def test_a_stack_name_too_long_for_state_machine_names_is_refused(built: Path) -> None:
    stack = "s" * 70  # + "-long-running-job" = 87 characters
    with pytest.raises(DeployError) as caught:
        deploy_project(
            Target(endpoint_url="http://127.0.0.1:9"),
            stack=stack,
            build_dir=built,
            lambdas_dir=ROOT / "lambdas",
        )
    assert str(caught.value) == (
        f"the state machine of workflow 'long-running-job' in stack {stack!r} would be named "
        f"'{stack}-long-running-job' (87 characters; Step Functions allows 80); choose a "
        "shorter --stack (at most 63 characters) or a shorter workflow name."
    )
