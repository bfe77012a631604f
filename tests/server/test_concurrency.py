"""Many executions at once lose nothing: 100 started together all end SUCCEEDED with complete
histories, 100 callbacks answered together all arrive, and a server stopped in the middle of
running executions leaves no driver thread behind."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sfn_flows.server.app import RunningServer
from tests.server.executions_support import (
    HANG_GUARD_SECONDS,
    callback_task,
    create,
    ended,
    history,
    single,
    token,
    until,
    worker_server,
)

__all__ = ["worker_server"]  # the fixture, used by name

COUNT = 100
CLIENTS = 10

FLOW = {
    "StartAt": "Nap",
    "States": {
        "Nap": {"Type": "Wait", "Seconds": 30, "Next": "Each"},
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Short",
                "States": {
                    "Short": {"Type": "Wait", "Seconds": 5, "Next": "Double"},
                    "Double": {
                        "Type": "Pass",
                        "Parameters": {"v.$": "States.MathAdd($, $)"},
                        "End": True,
                    },
                },
            },
            "End": True,
        },
    },
}


def _in_parallel(work: Callable[[int], Any], count: int = COUNT) -> list[Any]:
    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(work, range(count)))


def _run_many(sfn_for: Callable[[RunningServer], Any], running: RunningServer) -> None:
    clients = [sfn_for(running) for _ in range(CLIENTS)]
    arn = create(clients[0], FLOW)

    def start(index: int) -> str:
        sfn = clients[index % CLIENTS]
        execution_arn: str = sfn.start_execution(
            stateMachineArn=arn, name=f"run-{index}", input=json.dumps({"items": [index, 1]})
        )["executionArn"]
        return execution_arn

    started = _in_parallel(start)
    assert len(set(started)) == COUNT

    def finish(index: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        sfn = clients[index % CLIENTS]
        return ended(sfn, started[index]), history(sfn, started[index], maxResults=7)

    results = _in_parallel(finish)
    expected_events = len(results[0][1])
    for index, (described, events) in enumerate(results):
        assert described["status"] == "SUCCEEDED", described
        assert json.loads(described["output"]) == [{"v": 2 * index}, {"v": 2}]
        assert [e["id"] for e in events] == list(range(1, expected_events + 1))
        assert (events[0]["type"], events[-1]["type"]) == ("ExecutionStarted", "ExecutionSucceeded")
    listed = clients[0].list_executions(stateMachineArn=arn, maxResults=1000)["executions"]
    assert len(listed) == COUNT


def test_100_executions_at_once_in_virtual_time_all_succeed_whole(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[[RunningServer], Any]
) -> None:
    _run_many(sfn_for, serve_with(virtual_time=True))


def test_100_executions_at_once_in_scaled_real_time_all_succeed_whole(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[[RunningServer], Any]
) -> None:
    # The waits really wait (a hundredth of their length): 100 drivers pausing and waking.
    _run_many(sfn_for, serve_with(wait_time_scale=0.01))


def test_100_callbacks_answered_at_once_all_arrive(
    worker_server: Callable[..., RunningServer], sfn_for: Callable[[RunningServer], Any]
) -> None:
    running = worker_server(virtual_time=True)
    clients = [sfn_for(running) for _ in range(CLIENTS)]
    arn = create(clients[0], single("Ask", callback_task(ResultPath="$.answer")))

    def start(index: int) -> str:
        execution_arn: str = clients[index % CLIENTS].start_execution(
            stateMachineArn=arn, input=json.dumps({"index": index})
        )["executionArn"]
        return execution_arn

    started = _in_parallel(start)

    def answer(index: int) -> dict[str, Any]:
        sfn = clients[index % CLIENTS]
        sfn.send_task_success(
            taskToken=token(sfn, started[index]), output=json.dumps({"for": index})
        )
        return ended(sfn, started[index])

    for index, described in enumerate(_in_parallel(answer)):
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"index": index, "answer": {"for": index}}


def _drivers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sfn-flows-execution-")]


def test_stopping_the_server_mid_run_leaves_no_driver_thread(
    serve_with: Callable[..., RunningServer], sfn_for: Callable[[RunningServer], Any]
) -> None:
    before = set(_drivers())  # an earlier test's driver may still be in a handler
    running = serve_with()  # real time: the executions stay in their hour's Wait
    sfn = sfn_for(running)
    arn = create(
        sfn, {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    )
    for _ in range(20):
        sfn.start_execution(stateMachineArn=arn)
    assert len(set(_drivers()) - before) == 20
    running.stop()
    assert set(_drivers()) <= before


def test_stopping_the_server_while_a_handler_runs_does_not_wait_for_it(
    worker_server: Callable[..., RunningServer], sfn_for: Callable[[RunningServer], Any]
) -> None:
    running = worker_server()
    sfn = sfn_for(running)
    slow = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "sleeper", "Payload": {"seconds": 120}},
    }
    execution_arn = sfn.start_execution(stateMachineArn=create(sfn, single("Slow", slow)))[
        "executionArn"
    ]
    until(
        lambda: "TaskStarted" in [e["type"] for e in history(sfn, execution_arn)],
        "the handler starts",
    )
    stopping = threading.Thread(target=running.stop, daemon=True)
    stopping.start()
    # The handler sleeps two minutes; the stop's own deadline is five seconds.
    stopping.join(HANG_GUARD_SECONDS / 2)
    assert not stopping.is_alive(), "stop() waited for the handler"
