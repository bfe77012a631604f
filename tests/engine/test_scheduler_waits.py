"""What a driver that does its own waiting asks the scheduler: when a Sleep ends next
(`next_resume`) and when a callback's deadline passes next (`next_deadline`). The engine
server's driver waits for these itself instead of letting the engine sleep."""

from __future__ import annotations

from typing import Any

from sfn_flows.engine import Engine, Pending, VirtualClock

START = 1_700_000_000.0
CALLBACK = "arn:aws:states:::lambda:invoke.waitForTaskToken"


def _machine() -> dict[str, Any]:
    waiting = {
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": 10, "Next": "Again"}, "Again": _nap(30)},
    }
    asking = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": CALLBACK,
                "TimeoutSeconds": 50,
                "HeartbeatSeconds": 20,
                "Parameters": {"FunctionName": "worker", "Payload": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    both = {
        "Type": "Parallel",
        "Branches": [waiting, asking],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Later"}],
        "End": True,
    }
    return {"StartAt": "Both", "States": {"Both": both, "Later": _nap(100)}}


def _nap(seconds: int) -> dict[str, Any]:
    return {"Type": "Wait", "Seconds": seconds, "End": True}


def _started() -> Any:
    engine = Engine(_machine(), tasks={CALLBACK: lambda _: Pending()}, clock=VirtualClock(START))
    execution = engine.start({})
    execution.advance(0)  # runs what is due now, lets no time pass
    return execution


def test_a_sleep_and_a_callback_give_their_next_moments() -> None:
    scheduler = _started().scheduler
    assert scheduler.next_resume() == START + 10
    # The heartbeat's deadline comes before the Task's timeout.
    assert scheduler.next_deadline() == START + 20


def test_the_moments_move_on_as_time_passes() -> None:
    execution = _started()
    execution.advance(10)
    assert execution.scheduler.next_resume() == START + 40
    execution.send_task_heartbeat(execution.pending_tokens[0])
    assert execution.scheduler.next_deadline() == START + 30


def test_nothing_is_next_once_the_execution_has_ended() -> None:
    execution = _started()
    execution.stop()
    assert execution.scheduler.next_resume() is None
    assert execution.scheduler.next_deadline() is None


def test_a_sleep_cut_short_is_passed_over() -> None:
    # The callback fails the Parallel: the sleeping branch is cancelled (its Sleep, due at
    # +10, no longer counts) and the Catch goes on to a Wait of 100 seconds.
    execution = _started()
    execution.send_task_failure(execution.pending_tokens[0], "Nope", "the worker said no")
    execution.advance(0)
    assert execution.status == "RUNNING"
    assert execution.scheduler.next_resume() == START + 100
    assert execution.scheduler.next_deadline() is None


class MovingClock:
    """A clock that moves by itself, as the wall clock does: a Task "takes" time by moving it."""

    virtual = False

    def __init__(self) -> None:
        self.moment = START

    def now(self) -> float:
        return self.moment

    def sleep_until(self, moment: float) -> None:
        self.moment = max(self.moment, moment)


def test_time_a_task_takes_on_a_moving_clock_shows_in_the_history_and_the_next_wait() -> None:
    clock = MovingClock()

    def slow(_: Any) -> dict[str, Any]:
        clock.moment += 5  # the handler ran five seconds
        return {"done": True}

    definition = {
        "StartAt": "Slow",
        "States": {
            "Slow": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:slow",
                "Next": "Nap",
            },
            "Nap": {"Type": "Wait", "Seconds": 10, "End": True},
        },
    }
    result = Engine(definition, tasks={"Slow": slow}, clock=clock).run({})
    moments = {event.type: event.timestamp.timestamp() for event in result.events}
    assert moments["LambdaFunctionSucceeded"] - moments["LambdaFunctionStarted"] == 5
    assert moments["WaitStateExited"] - moments["WaitStateEntered"] == 10
    assert clock.moment == START + 15
