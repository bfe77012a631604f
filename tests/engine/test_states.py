"""Each construct evaluating itself: Parallel, Map, Retry and Catch, Variables, Wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sfn_flows.engine import StatesError, TaskAnswer, VirtualClock, simulate

START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
SQS = "arn:aws:states:::sqs:sendMessage"


def machine(states: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states, **top}


def branch(states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


# -- Parallel ------------------------------------------------------------------------------


def test_parallel_outputs_are_in_branch_order_whatever_finishes_first() -> None:
    definition = machine(
        {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    branch({"Slow": {"Type": "Wait", "Seconds": 50, "End": True}}),
                    branch({"Fast": {"Type": "Pass", "Result": "fast", "End": True}}),
                ],
                "End": True,
            }
        }
    )
    result = simulate(definition, {"in": 1}, clock=VirtualClock(START))
    assert result.output == [{"in": 1}, "fast"]
    # Branches run side by side: the state takes the longest branch's time, not the sum.
    assert result.events[-1].timestamp == START + timedelta(seconds=50)


def test_a_failing_branch_fails_the_parallel_with_its_error_and_stops_the_others() -> None:
    definition = machine(
        {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    branch(
                        {
                            "Later": {"Type": "Wait", "Seconds": 10, "Next": "NeverReached"},
                            "NeverReached": {"Type": "Pass", "End": True},
                        }
                    ),
                    branch({"Boom": {"Type": "Fail", "Error": "Broken", "Cause": "why"}}),
                ],
                "End": True,
            }
        }
    )
    result = simulate(definition, {})
    assert (result.status, result.error, result.cause) == ("FAILED", "Broken", "why")
    assert "NeverReached" not in result.states
    assert "ParallelStateFailed" in [e.type for e in result.events]


# -- Map -----------------------------------------------------------------------------------


def _map(processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return machine(
        {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **branch(processor)},
                "End": True,
                **fields,
            }
        }
    )


def test_map_results_are_in_item_order_and_max_concurrency_serialises_time() -> None:
    definition = _map({"Nap": {"Type": "Wait", "SecondsPath": "$", "End": True}}, MaxConcurrency=1)
    result = simulate(definition, [3, 1, 2], clock=VirtualClock(START))
    assert result.output == [3, 1, 2]
    assert result.events[-1].timestamp == START + timedelta(seconds=6)
    unlimited = simulate(
        _map({"Nap": {"Type": "Wait", "SecondsPath": "$", "End": True}}),
        [3, 1, 2],
        clock=VirtualClock(START),
    )
    assert unlimited.output == [3, 1, 2]
    assert unlimited.events[-1].timestamp == START + timedelta(seconds=3)


def test_item_selector_sees_the_item_index_and_value_in_the_context_object() -> None:
    definition = _map(
        {"Echo": {"Type": "Pass", "End": True}},
        ItemsPath="$.list",
        ItemSelector={"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value", "k.$": "$.k"},
    )
    result = simulate(definition, {"list": ["a", "b"], "k": 7})
    assert result.output == [{"i": 0, "v": "a", "k": 7}, {"i": 1, "v": "b", "k": 7}]
    assert [e.type for e in result.events[:5]] == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered",
    ]


def test_an_inline_map_fails_with_the_first_failing_iteration_error() -> None:
    definition = _map(
        {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}],
                "Default": "Good",
            },
            "Bad": {"Type": "Fail", "Error": "Two", "Cause": "two is bad"},
            "Good": {"Type": "Pass", "End": True},
        },
        MaxConcurrency=1,
    )
    result = simulate(definition, [1, 2, 3])
    assert (result.error, result.cause) == ("Two", "two is bad")
    assert result.states.count("Check") == 2


def _distributed(**fields: Any) -> dict[str, Any]:
    return machine(
        {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    **branch(
                        {
                            "Check": {
                                "Type": "Choice",
                                "Choices": [{"Variable": "$.bad", "IsPresent": True, "Next": "No"}],
                                "Default": "Yes",
                            },
                            "No": {"Type": "Fail", "Error": "Bad", "Cause": "bad item"},
                            "Yes": {"Type": "Pass", "End": True},
                        }
                    ),
                },
                "End": True,
                **fields,
            }
        }
    )


def test_a_distributed_map_tolerates_failures_up_to_its_threshold() -> None:
    items = [{"n": 1}, {"bad": 1}, {"n": 3}]
    tolerated = simulate(_distributed(ToleratedFailureCount=1), items)
    assert tolerated.succeeded
    assert tolerated.output == [{"n": 1}, {"Error": "Bad", "Cause": "bad item"}, {"n": 3}]
    # The children's states run in child executions: the parent history does not list them.
    assert tolerated.states == ["Each"]
    strict = simulate(_distributed(), items)
    assert strict.error == "States.ExceedToleratedFailureThreshold"
    by_percent = simulate(_distributed(ToleratedFailurePercentage=50), items)
    assert by_percent.succeeded


def test_item_batcher_groups_items_with_the_batch_input() -> None:
    definition = _distributed(
        ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"tag": "t"}},
    )
    definition["States"]["Each"]["ItemProcessor"]["StartAt"] = "Yes"
    definition["States"]["Each"]["ItemProcessor"]["States"] = {"Yes": {"Type": "Pass", "End": True}}
    result = simulate(definition, [1, 2, 3])
    assert result.output == [
        {"BatchInput": {"tag": "t"}, "Items": [1, 2]},
        {"BatchInput": {"tag": "t"}, "Items": [3]},
    ]


# -- Retry and Catch -----------------------------------------------------------------------


def _flaky(failures: int, error: str = "Flaky") -> Any:
    calls: list[Any] = []

    def answer(payload: Any) -> Any:
        calls.append(payload)
        if len(calls) <= failures:
            raise StatesError(error, f"try {len(calls)}")
        return {"tries": len(calls)}

    answer.calls = calls  # type: ignore[attr-defined]
    return answer


def test_retry_waits_interval_times_backoff_in_virtual_time() -> None:
    definition = machine(
        {
            "Call": {
                "Type": "Task",
                "Resource": SQS,
                "Parameters": {"retry.$": "$$.State.RetryCount"},
                "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3}],
                "End": True,
            }
        }
    )
    flaky = _flaky(2)
    result = simulate(definition, {}, tasks={"Call": flaky}, clock=VirtualClock(START))
    assert result.output == {"tries": 3}
    assert [c["retry"] for c in flaky.calls] == [0, 1, 2]
    scheduled = [e.timestamp - START for e in result.events if e.type == "TaskScheduled"]
    assert scheduled == [timedelta(0), timedelta(seconds=2), timedelta(seconds=8)]


def test_each_retrier_counts_its_own_attempts_and_the_first_match_decides() -> None:
    definition = machine(
        {
            "Call": {
                "Type": "Task",
                "Resource": SQS,
                "Retry": [
                    {"ErrorEquals": ["Flaky"], "MaxAttempts": 1, "IntervalSeconds": 1},
                    {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5, "IntervalSeconds": 1},
                ],
                "End": True,
            }
        }
    )
    flaky = _flaky(5)
    result = simulate(definition, {}, tasks={"Call": flaky})
    # The Flaky retrier allows one retry; once used up, States.ALL is not tried.
    assert (result.error, len(flaky.calls)) == ("Flaky", 2)


def test_max_attempts_zero_never_retries_and_max_delay_caps_the_wait() -> None:
    no_retry = machine(
        {
            "Call": {
                "Type": "Task",
                "Resource": SQS,
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}],
                "End": True,
            }
        }
    )
    flaky = _flaky(1)
    assert simulate(no_retry, {}, tasks={"Call": flaky}).error == "Flaky"
    assert len(flaky.calls) == 1
    capped = machine(
        {
            "Call": {
                "Type": "Task",
                "Resource": SQS,
                "Retry": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "IntervalSeconds": 10,
                        "BackoffRate": 10,
                        "MaxDelaySeconds": 15,
                        "MaxAttempts": 3,
                    }
                ],
                "End": True,
            }
        }
    )
    result = simulate(capped, {}, tasks={"Call": _flaky(3)}, clock=VirtualClock(START))
    scheduled = [e.timestamp - START for e in result.events if e.type == "TaskScheduled"]
    assert scheduled == [timedelta(seconds=s) for s in (0, 10, 25, 40)]


def test_full_jitter_waits_at_most_the_delay() -> None:
    definition = machine(
        {
            "Call": {
                "Type": "Task",
                "Resource": SQS,
                "Retry": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "IntervalSeconds": 100,
                        "JitterStrategy": "FULL",
                    }
                ],
                "End": True,
            }
        }
    )
    result = simulate(definition, {}, tasks={"Call": _flaky(1)}, clock=VirtualClock(START))
    second = [e.timestamp - START for e in result.events if e.type == "TaskScheduled"][1]
    assert timedelta(0) <= second <= timedelta(seconds=100)


def test_catch_puts_the_error_output_at_result_path_and_goes_to_its_next() -> None:
    definition = machine(
        {
            "Call": {
                "Type": "Task",
                "Resource": SQS,
                "Catch": [
                    {"ErrorEquals": ["Other"], "Next": "Wrong"},
                    {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.err", "Next": "Fix"},
                ],
                "End": True,
            },
            "Wrong": {"Type": "Pass", "End": True},
            "Fix": {"Type": "Pass", "End": True},
        }
    )
    result = simulate(definition, {"keep": 1}, tasks={"Call": _flaky(1)})
    assert result.output == {"keep": 1, "err": {"Error": "Flaky", "Cause": "try 1"}}
    assert result.states == ["Call", "Fix"]


def test_states_all_does_not_catch_states_runtime() -> None:
    definition = machine(
        {
            "Call": {
                "Type": "Task",
                "Resource": SQS,
                "Parameters": {"x.$": "$.missing"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        }
    )
    result = simulate(definition, {}, tasks={"Call": lambda p: p})
    assert result.error == "States.Runtime"


def test_a_jsonata_catcher_builds_its_output_from_the_error_output() -> None:
    definition = machine(
        {
            "Call": {
                "Type": "Task",
                "Resource": SQS,
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": {"why": "{% $states.errorOutput.Cause %}"},
                        "Assign": {"failed": "{% $states.errorOutput.Error %}"},
                        "Next": "After",
                    }
                ],
                "End": True,
            },
            "After": {
                "Type": "Pass",
                "Output": {"why": "{% $states.input.why %}", "v": "{% $failed %}"},
                "End": True,
            },
        },
        QueryLanguage="JSONata",
    )
    result = simulate(definition, {}, tasks={"Call": _flaky(1)})
    assert result.output == {"why": "try 1", "v": "Flaky"}


# -- Variables -----------------------------------------------------------------------------


def test_assign_reads_the_values_from_before_the_state() -> None:
    definition = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"a": 1, "b": 2}, "Next": "Swap"},
            "Swap": {"Type": "Pass", "Assign": {"a.$": "$b", "b.$": "$a"}, "Next": "Show"},
            "Show": {"Type": "Pass", "Parameters": {"a.$": "$a", "b.$": "$b"}, "End": True},
        }
    )
    assert simulate(definition, {}).output == {"a": 2, "b": 1}


def test_branches_read_outer_variables_and_keep_their_own_to_themselves() -> None:
    definition = machine(
        {
            "Init": {"Type": "Pass", "Assign": {"outer": "o"}, "Next": "Fan"},
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    branch(
                        {
                            "Inner": {
                                "Type": "Pass",
                                "Assign": {"inner": "i"},
                                "Parameters": {"seen.$": "$outer"},
                                "End": True,
                            }
                        }
                    )
                ],
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "Parameters": {"branch.$": "$", "outer.$": "$outer"},
                "End": True,
            },
        }
    )
    result = simulate(definition, {})
    assert result.output == {"branch": [{"seen": "o"}], "outer": "o"}
    after = {
        "StartAt": "Use",
        "States": {"Use": {"Type": "Pass", "Parameters": {"x.$": "$inner"}, "End": True}},
    }
    assert simulate(after, {}).error == "States.Runtime"


# -- Wait ----------------------------------------------------------------------------------


def test_wait_until_a_timestamp_follows_the_virtual_clock() -> None:
    definition = machine({"Until": {"Type": "Wait", "TimestampPath": "$.at", "End": True}})
    later = (START + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = simulate(definition, {"at": later}, clock=VirtualClock(START))
    assert result.events[-1].timestamp == START + timedelta(hours=5)
    past = simulate(definition, {"at": "2000-01-01T00:00:00Z"}, clock=VirtualClock(START))
    assert past.events[-1].timestamp == START


def test_a_negative_seconds_path_fails_with_aws_cause() -> None:
    definition = machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}})
    result = simulate(definition, {"s": -1})
    assert result.cause == (
        "An error occurred while executing the state 'W' (entered at the event id #2). "
        "The SecondsPath parameter references a negative value: $.s == -1"
    )


def test_a_task_answer_takes_simulated_time() -> None:
    definition = machine({"Work": {"Type": "Task", "Resource": SQS, "End": True}})
    result = simulate(
        definition,
        {},
        tasks={"Work": lambda _: TaskAnswer("done", simulated_seconds=90)},
        clock=VirtualClock(START),
    )
    assert result.output == "done"
    assert result.events[-1].timestamp == START + timedelta(seconds=90)


def test_a_map_reading_items_from_s3_is_refused_with_the_reason() -> None:
    import pytest

    from sfn_flows.engine import EngineUsageError

    definition = _distributed(
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "b", "Key": "k"},
        }
    )
    with pytest.raises(EngineUsageError, match="ItemReader"):
        simulate(definition, {})
