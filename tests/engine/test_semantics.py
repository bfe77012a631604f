"""Step Functions semantics beyond the conformance corpus, each checked against AWS's
documentation or an AWS recording named in the test: error matching, timeouts and
heartbeats, Map failure thresholds, Waits in the past, the context object on the virtual
clock, variable scopes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hostile_machines import machine

from sfn_flows.engine import Engine, Pending, TaskAnswer, VirtualClock, simulate

START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
SQS = "arn:aws:states:::sqs:sendMessage"
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
JSONATA = "JSONata"


class Boom(Exception):
    pass


def fails(payload: Any) -> Any:
    raise Boom("it broke")


def catching(task: dict[str, Any], *error_equals: list[str]) -> dict[str, Any]:
    """`task` with one catcher per ErrorEquals list, each going to a state named after it."""
    catchers = [
        {"ErrorEquals": names, "ResultPath": "$.caught", "Next": "+".join(names)}
        for names in error_equals
    ]
    states: dict[str, Any] = {"Task": {**task, "Catch": catchers, "End": True}}
    for names in error_equals:
        states["+".join(names)] = {"Type": "Pass", "End": True}
    return machine(states)


def after_task(result: Any) -> str:
    """The last state the execution entered: a catcher's target, or Task itself."""
    return str(result.states[-1])


# -- timeouts and heartbeats -----------------------------------------------------------------


def callback_task(**fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": CALLBACK,
        "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"},
        **fields,
    }


def test_a_missed_heartbeat_is_reported_as_states_timeout_as_aws_records_it() -> None:
    # Recorded against AWS (LocalStack's tests/aws/services/stepfunctions/v2/timeouts/
    # test_heartbeats.snapshot.json, 2024-04-18): HeartbeatSeconds 5, no heartbeat, the
    # TaskTimedOut event and the execution both carry States.Timeout, and no cause.
    definition = machine({"Task": {**callback_task(HeartbeatSeconds=5), "End": True}})
    result = simulate(
        definition, {}, tasks={"Task": lambda _: Pending()}, clock=VirtualClock(START)
    )
    assert (result.status, result.error, result.cause) == ("FAILED", "States.Timeout", None)
    timed_out = next(e for e in result.events if e.type == "TaskTimedOut")
    assert timed_out.error == "States.Timeout"
    assert timed_out.timestamp == START + timedelta(seconds=5)


@pytest.mark.parametrize(
    ("catchers", "taken"),
    [
        # AWS's error-handling page: States.HeartbeatTimeout can be used in Catch and Retry.
        ([["States.HeartbeatTimeout"]], "States.HeartbeatTimeout"),
        # A heartbeat timeout is a timeout (a Catch on States.Timeout took both before
        # States.HeartbeatTimeout existed: aws/aws-cdk#16084, by the Step Functions team).
        ([["States.Timeout"]], "States.Timeout"),
        # States.TaskFailed matches every error but States.Timeout.
        ([["States.TaskFailed"], ["States.ALL"]], "States.ALL"),
    ],
)
def test_which_catchers_take_a_missed_heartbeat(catchers: list[list[str]], taken: str) -> None:
    definition = catching(callback_task(HeartbeatSeconds=5), *catchers)
    result = simulate(definition, {}, tasks={"Task": lambda _: Pending()})
    assert after_task(result) == taken
    assert result.output["caught"] == {"Error": "States.Timeout", "Cause": ""}


def test_a_timeout_is_not_a_task_failure() -> None:
    definition = catching(
        {"Type": "Task", "Resource": SQS, "TimeoutSeconds": 5},
        ["States.TaskFailed"],
        ["States.Timeout"],
    )
    slow = simulate(definition, {}, tasks={"Task": lambda _: TaskAnswer({}, 60)})
    assert after_task(slow) == "States.Timeout"
    broken = simulate(definition, {}, tasks={"Task": fails})
    assert after_task(broken) == "States.TaskFailed"
    assert broken.output["caught"] == {"Error": "Boom", "Cause": "it broke"}


def test_timeout_and_heartbeat_seconds_paths_read_the_input() -> None:
    task = callback_task(TimeoutSecondsPath="$.limits.timeout", HeartbeatSecondsPath="$.limits.hb")
    definition = machine({"Task": {**task, "End": True}})
    engine = Engine(definition, tasks={"Task": lambda _: Pending()}, clock=VirtualClock(START))
    execution = engine.start({"limits": {"timeout": 30, "hb": 8}})
    execution.run()
    scheduled = next(e for e in execution.result().events if e.type == "TaskScheduled")
    assert (scheduled.details["timeoutInSeconds"], scheduled.details["heartbeatInSeconds"]) == (
        30,
        8,
    )
    (token,) = execution.pending_tokens
    for _ in range(4):  # heartbeats every 7 s keep it alive until the 30 s timeout
        execution.advance(7)
        if execution.status != "RUNNING":
            break
        execution.send_task_heartbeat(token)
    result = execution.advance(10)
    assert result.error == "States.Timeout"
    assert result.events[-1].timestamp == START + timedelta(seconds=30)


# -- catch order and the terminal errors ------------------------------------------------------


def test_the_first_matching_catcher_wins_even_when_a_later_one_names_the_error() -> None:
    definition = catching({"Type": "Task", "Resource": SQS}, ["States.ALL"])
    definition["States"]["Task"]["Catch"].insert(
        0, {"ErrorEquals": ["Other", "Boom"], "ResultPath": "$.caught", "Next": "Boom"}
    )
    definition["States"]["Boom"] = {"Type": "Pass", "End": True}
    result = simulate(definition, {}, tasks={"Task": fails})
    assert after_task(result) == "Boom"


def test_states_all_catches_data_limit_exceeded_but_not_states_runtime() -> None:
    # sfn_flows.asl.error_names: the AWS recordings show States.ALL catching
    # States.DataLimitExceeded; nothing matches States.Runtime.
    too_big = catching({"Type": "Task", "Resource": SQS}, ["States.ALL"])
    result = simulate(too_big, {}, tasks={"Task": lambda _: "x" * 300_000})
    assert after_task(result) == "States.ALL"
    assert result.output["caught"]["Error"] == "States.DataLimitExceeded"

    bad_path = catching(
        {"Type": "Task", "Resource": SQS, "Parameters": {"v.$": "$.missing"}},
        ["States.Runtime"],
        ["States.ALL"],
    )
    result = simulate(bad_path, {}, tasks={"Task": lambda _: {}})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert after_task(result) == "Task"


def test_a_retrier_on_states_all_never_retries_states_runtime() -> None:
    calls: list[Any] = []
    definition = machine(
        {
            "Task": {
                "Type": "Task",
                "Resource": SQS,
                "ResultSelector": {"v.$": "$.missing"},
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}],
                "End": True,
            }
        }
    )
    result = simulate(definition, {}, tasks={"Task": lambda p: calls.append(p) or {}})
    assert result.error == "States.Runtime"
    assert len(calls) == 1


def retrying(**retrier: Any) -> dict[str, Any]:
    """A Task retrying Boom with `retrier`'s fields."""
    task = {"Type": "Task", "Resource": SQS, "End": True}
    return machine({"Task": {**task, "Retry": [{"ErrorEquals": ["Boom"], **retrier}]}})


def test_retry_delays_follow_backoff_and_cap_on_the_virtual_clock() -> None:
    definition = retrying(IntervalSeconds=3, BackoffRate=2.5, MaxDelaySeconds=10, MaxAttempts=4)
    result = simulate(definition, {}, tasks={"Task": fails}, clock=VirtualClock(START))
    scheduled = [e.timestamp - START for e in result.events if e.type == "TaskScheduled"]
    # 3, then 3 * 2.5 = 7.5, then 18.75 and 46.875 capped at 10.
    assert scheduled == [timedelta(seconds=s) for s in (0, 3, 10.5, 20.5, 30.5)]
    assert result.error == "Boom"


def test_full_jitter_draws_each_delay_between_zero_and_the_backoff() -> None:
    definition = retrying(IntervalSeconds=10, BackoffRate=2, MaxAttempts=6, JitterStrategy="FULL")
    result = simulate(definition, {}, tasks={"Task": fails}, clock=VirtualClock(START))
    moments = [e.timestamp for e in result.events if e.type == "TaskScheduled"]
    waits = [(b - a).total_seconds() for a, b in pairwise(moments)]
    assert len(waits) == 6
    for retry, wait in enumerate(waits):
        assert 0 <= wait <= 10 * 2**retry
    assert len(set(waits)) > 1  # drawn, not the backoff itself


def test_retry_count_grows_and_entered_time_stays_across_retries() -> None:
    seen: list[Any] = []

    def records(payload: Any) -> Any:
        seen.append(payload)
        if len(seen) < 3:
            raise Boom("again")
        return {}

    definition = machine(
        {
            "Task": {
                "Type": "Task",
                "Resource": SQS,
                "Parameters": {"n.$": "$$.State.RetryCount", "at.$": "$$.State.EnteredTime"},
                "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 60, "BackoffRate": 1}],
                "End": True,
            }
        }
    )
    simulate(definition, {}, tasks={"Task": records}, clock=VirtualClock(START))
    assert [p["n"] for p in seen] == [0, 1, 2]
    assert {p["at"] for p in seen} == {"2025-01-02T03:04:05.000Z"}


# -- Parallel and Map failures ----------------------------------------------------------------


def test_a_parallel_fails_with_its_failing_branch_error_and_cause_and_stops_the_rest() -> None:
    slow = machine(
        {"Nap": {"Type": "Wait", "Seconds": 60, "Next": "Late"}, "Late": {"Type": "Succeed"}}
    )
    failing = machine({"Bad": {"Type": "Fail", "Error": "Branch.Bad", "Cause": "branch 2"}})
    definition = catching({"Type": "Parallel", "Branches": [slow, failing]}, ["Branch.Bad"])
    result = simulate(definition, {}, clock=VirtualClock(START))
    assert after_task(result) == "Branch.Bad"
    assert result.output["caught"] == {"Error": "Branch.Bad", "Cause": "branch 2"}
    assert "Late" not in result.states  # the slow branch was stopped
    assert result.events[-1].timestamp == START


def tolerant_map(**thresholds: Any) -> dict[str, Any]:
    processor = machine(
        {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.bad", "BooleanEquals": True, "Next": "Bad"}],
                "Default": "Good",
            },
            "Bad": {"Type": "Fail", "Error": "Item.Bad"},
            "Good": {"Type": "Succeed"},
        },
        ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    )
    return machine({"Each": {"Type": "Map", "ItemProcessor": processor, "End": True, **thresholds}})


def items(bad: int, total: int) -> list[dict[str, bool]]:
    return [{"bad": index < bad} for index in range(total)]


@pytest.mark.parametrize(
    ("thresholds", "bad", "ok"),
    [
        ({}, 0, True),
        ({}, 1, False),  # no threshold: no failure is tolerated
        ({"ToleratedFailureCount": 2}, 2, True),
        ({"ToleratedFailureCount": 2}, 3, False),
        ({"ToleratedFailurePercentage": 20}, 2, True),  # 2 of 10 is 20%: not over
        ({"ToleratedFailurePercentage": 20}, 3, False),
        # Both given: the Map Run fails when either is exceeded (AWS, "Setting failure
        # thresholds for Distributed Map states in Step Functions").
        ({"ToleratedFailureCount": 5, "ToleratedFailurePercentage": 10}, 2, False),
        ({"ToleratedFailureCount": 1, "ToleratedFailurePercentage": 50}, 2, False),
        ({"ToleratedFailureCount": 5, "ToleratedFailurePercentage": 50}, 5, True),
    ],
)
def test_a_distributed_map_fails_past_its_tolerated_failures(
    thresholds: dict[str, Any], bad: int, ok: bool
) -> None:
    result = simulate(tolerant_map(**thresholds), items(bad, 10))
    if ok:
        assert result.succeeded, result.cause
    else:
        assert (result.error, result.cause) == (
            "States.ExceedToleratedFailureThreshold",
            "The specified tolerated failure threshold was exceeded",
        )


# -- time -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wait",
    [
        {"Timestamp": "2000-01-01T00:00:00Z"},
        {"TimestampPath": "$.when"},
    ],
)
def test_a_wait_until_a_moment_in_the_past_goes_on_at_once(wait: dict[str, Any]) -> None:
    definition = machine({"Wait": {"Type": "Wait", **wait, "End": True}})
    result = simulate(definition, {"when": "2001-02-03T04:05:06Z"}, clock=VirtualClock(START))
    assert result.succeeded
    assert all(event.timestamp == START for event in result.events)


def test_the_context_object_and_now_follow_the_virtual_clock() -> None:
    definition = machine(
        {
            "Nap": {"Type": "Wait", "Seconds": 86_400, "Next": "Look"},
            "Look": {
                "Type": "Pass",
                "Output": {
                    "entered": "{% $states.context.State.EnteredTime %}",
                    "started": "{% $states.context.Execution.StartTime %}",
                    "now": "{% $now() %}",
                },
                "End": True,
            },
        },
        QueryLanguage=JSONATA,
    )
    result = simulate(definition, {}, clock=VirtualClock(START))
    assert result.output == {
        "entered": "2025-01-03T03:04:05.000Z",
        "started": "2025-01-02T03:04:05.000Z",
        "now": "2025-01-03T03:04:05.000Z",
    }


# -- variables --------------------------------------------------------------------------------


def test_a_branch_assigning_an_outer_variable_name_changes_only_its_own_copy() -> None:
    branch = machine(
        {
            "Inner": {"Type": "Pass", "Assign": {"x": "inner"}, "Next": "Read"},
            "Read": {"Type": "Pass", "Output": "{% $x %}", "End": True},
        }
    )
    definition = machine(
        {
            "Outer": {"Type": "Pass", "Assign": {"x": "outer"}, "Next": "Fork"},
            "Fork": {"Type": "Parallel", "Branches": [branch], "Next": "After"},
            "After": {"Type": "Pass", "Output": {"x": "{% $x %}", "got": "{% $states.input %}"}},
        },
        QueryLanguage=JSONATA,
    )
    definition["States"]["After"]["End"] = True
    result = simulate(definition, {})
    assert result.output == {"x": "outer", "got": ["inner"]}


def test_a_map_and_a_parallel_assign_from_their_result_after_the_iterations() -> None:
    processor = machine(
        {"Double": {"Type": "Pass", "Output": "{% $states.input * 2 %}", "End": True}}
    )
    definition = machine(
        {
            "Each": {
                "Type": "Map",
                "Items": [1, 2, 3],
                "ItemProcessor": processor,
                "Assign": {"total": "{% $sum($states.result) %}"},
                "Output": {"doubled": "{% $states.result %}"},
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "Output": {"total": "{% $total %}", "in": "{% $states.input %}"},
                "End": True,
            },
        },
        QueryLanguage=JSONATA,
    )
    result = simulate(definition, {})
    assert result.output == {"total": 12, "in": {"doubled": [2, 4, 6]}}


def test_after_a_catch_the_catchers_assign_holds_and_the_states_own_does_not() -> None:
    definition = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Task"},
            "Task": {
                "Type": "Task",
                "Resource": SQS,
                "Assign": {"x": 2},
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {
                            "error": "{% $states.errorOutput.Error %}",
                            "before": "{% $x %}",
                        },
                        "Next": "After",
                    }
                ],
                "End": True,
            },
            "After": {
                "Type": "Pass",
                "Output": {"x": "{% $x %}", "error": "{% $error %}", "before": "{% $before %}"},
                "End": True,
            },
        },
        QueryLanguage=JSONATA,
    )
    result = simulate(definition, {}, tasks={"Task": fails})
    assert result.output == {"x": 1, "error": "Boom", "before": 1}


def test_variables_of_an_iteration_are_not_seen_after_the_map() -> None:
    processor = machine({"Inner": {"Type": "Pass", "Assign": {"y": 5}, "End": True}})
    definition = machine(
        {
            "Each": {"Type": "Map", "Items": [1], "ItemProcessor": processor, "Next": "After"},
            "After": {"Type": "Pass", "Output": "{% $y %}", "End": True},
        },
        QueryLanguage=JSONATA,
    )
    result = simulate(definition, {})
    assert result.error == "States.QueryEvaluationError"
    assert "returned nothing" in result.cause


def test_map_items_see_their_index_and_value_in_the_context_in_jsonata() -> None:
    processor = machine(
        {
            "Inner": {
                "Type": "Pass",
                "Output": {
                    "selected": "{% $states.input %}",
                    "state": "{% $states.context.State.Name %}",
                    "map": "{% $exists($states.context.Map) %}",
                },
                "End": True,
            }
        }
    )
    definition = machine(
        {
            "Each": {
                "Type": "Map",
                "Items": ["a", "b"],
                "ItemSelector": {
                    "index": "{% $states.context.Map.Item.Index %}",
                    "value": "{% $states.context.Map.Item.Value %}",
                    "state": "{% $states.context.State.Name %}",
                },
                "ItemProcessor": processor,
                "End": True,
            }
        },
        QueryLanguage=JSONATA,
    )
    result = simulate(definition, {})
    assert result.output == [
        {"selected": {"index": i, "value": v, "state": "Each"}, "state": "Inner", "map": False}
        for i, v in enumerate("ab")
    ]


@pytest.mark.parametrize(
    ("batcher", "sizes"),
    [
        ({"MaxItemsPerBatch": 2}, [2, 2, 1]),
        # {"Items":[]} is 12 bytes and each "abcd" 6 more (and a comma after the first):
        # 12 + 6 + 7 = 25 fits in 30, a third item (32) does not.
        ({"MaxInputBytesPerBatch": 30}, [2, 2, 1]),
        ({"MaxInputBytesPerBatch": 39}, [4, 1]),
        ({"MaxInputBytesPerBatch": 40, "MaxItemsPerBatch": 1}, [1, 1, 1, 1, 1]),
        ({"MaxInputBytesPerBatch": 5}, [1, 1, 1, 1, 1]),  # an item alone still makes a batch
        ({"MaxInputBytesPerBatchPath": "$.limit"}, [2, 2, 1]),
    ],
)
def test_item_batcher_fills_batches_up_to_its_item_and_byte_limits(
    batcher: dict[str, Any], sizes: list[int]
) -> None:
    processor = machine(
        {
            "Count": {
                "Type": "Pass",
                "Parameters": {"n.$": "States.ArrayLength($.Items)"},
                "End": True,
            }
        },
        ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
    )
    definition = machine(
        {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemBatcher": batcher,
                "ItemProcessor": processor,
                "End": True,
            }
        }
    )
    result = simulate(definition, {"items": ["abcd"] * 5, "limit": 30})
    assert result.succeeded, result.cause
    assert [batch["n"] for batch in result.output] == sizes
