"""Timeout budget of ASL definitions: hand-computed worst cases, loops, robustness."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfn_flows.budget import Budget, Unbounded, compute_budget

LAMBDA_RETRIER = {
    "ErrorEquals": [
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    ],
    "IntervalSeconds": 1,
    "MaxAttempts": 3,
    "BackoffRate": 2,
}


def task(timeout: int | None = None, **fields: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}
    if timeout is not None:
        state["TimeoutSeconds"] = timeout
    state.update(fields)
    if "Next" not in state:
        state["End"] = True
    return state


def machine(start: str, **states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": start, "States": states}


def single_task(**fields: Any) -> Budget:
    return compute_budget(machine("T", T=task(**fields)))


def map_state(per_item_timeout: int = 5, **fields: Any) -> dict[str, Any]:
    processor = {"StartAt": "Item", "States": {"Item": task(per_item_timeout)}}
    state: dict[str, Any] = {"Type": "Map", "ItemProcessor": processor, "End": True}
    state.update(fields)
    return state


# --- Task and retries ---------------------------------------------------------------------


def test_single_task_costs_its_timeout() -> None:
    budget = single_task(timeout=30)
    assert budget.seconds == pytest.approx(30)
    assert budget.bounded
    assert budget.unbounded == ()
    assert budget.loops == ()
    assert budget.critical_path == ("T",)
    assert budget.state_seconds == {"T": pytest.approx(30)}


def test_standard_lambda_retrier() -> None:
    # 3 retries -> 4 attempts of 60 s, waits 1 + 2 + 4: 4 * 60 + 7 = 247
    budget = single_task(timeout=60, Retry=[LAMBDA_RETRIER])
    assert budget.seconds == pytest.approx(247)
    assert budget.bounded


def test_retrier_defaults_are_three_attempts_one_second_doubling() -> None:
    # Same as the Lambda retrier written out: 4 * 60 + (1 + 2 + 4) = 247
    budget = single_task(timeout=60, Retry=[{"ErrorEquals": ["States.ALL"]}])
    assert budget.seconds == pytest.approx(247)


def test_two_retriers_are_exhausted_independently() -> None:
    # Timeout retrier: 2 retries, waits 2 + 2*3 = 8
    # ALL retrier:     1 retry,   wait 5
    # attempts 1 + 2 + 1 = 4 -> 4 * 10 + 8 + 5 = 53
    retry = [
        {
            "ErrorEquals": ["States.Timeout"],
            "IntervalSeconds": 2,
            "MaxAttempts": 2,
            "BackoffRate": 3,
        },
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 1},
    ]
    assert single_task(timeout=10, Retry=retry).seconds == pytest.approx(53)


def test_max_delay_seconds_caps_each_delay() -> None:
    # delays 1, 2, 4, min(8,5), min(16,5), min(32,5) = 1+2+4+5+5+5 = 22; 7 attempts * 10 = 70
    retry = [
        {
            "ErrorEquals": ["States.ALL"],
            "IntervalSeconds": 1,
            "MaxAttempts": 6,
            "BackoffRate": 2,
            "MaxDelaySeconds": 5,
        }
    ]
    assert single_task(timeout=10, Retry=retry).seconds == pytest.approx(92)


def test_full_jitter_upper_bound_equals_no_jitter() -> None:
    base = {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 4}
    full = single_task(timeout=10, Retry=[{**base, "JitterStrategy": "FULL"}])
    none = single_task(timeout=10, Retry=[{**base, "JitterStrategy": "NONE"}])
    # 5 * 10 + 3 + 6 + 12 + 24 = 95
    assert full.seconds == pytest.approx(95)
    assert full == none


def test_max_attempts_zero_never_retries() -> None:
    retry = [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 0, "IntervalSeconds": 100}]
    assert single_task(timeout=10, Retry=retry).seconds == pytest.approx(10)


def test_retrier_for_errors_nothing_matches_never_fires() -> None:
    # States.Runtime is never retried or caught, not even by name; an unknown States.* name
    # matches no error at all.
    retry = [{"ErrorEquals": ["States.Runtime", "States.NoSuchError"], "MaxAttempts": 5}]
    assert single_task(timeout=10, Retry=retry).seconds == pytest.approx(10)


def test_retrier_naming_data_limit_exceeded_counts() -> None:
    # AWS catches it, by name or with States.ALL (conformance corpus), so its retries count:
    # 6 attempts of 10 s, waits 1 + 2 + 4 + 8 + 16.
    retry = [{"ErrorEquals": ["States.DataLimitExceeded"], "MaxAttempts": 5}]
    assert single_task(timeout=10, Retry=retry).seconds == pytest.approx(91)


def test_retrier_values_aws_refuses_leave_its_cost_unknown() -> None:
    # The limits are AWS's (asl.retry): MaxAttempts up to 99,999,999, BackoffRate >= 1.0.
    budget = single_task(timeout=10, Retry=[{"ErrorEquals": ["X"], "MaxAttempts": 10**400}])
    assert not budget.bounded
    assert budget.seconds == pytest.approx(10)
    assert budget.unbounded[0].pointer == "/States/T/Retry/0/MaxAttempts"
    assert "not an integer from 0 to 99999999" in budget.unbounded[0].reason
    shrinking = single_task(timeout=10, Retry=[{"ErrorEquals": ["X"], "BackoffRate": 0.5}])
    assert [u.pointer for u in shrinking.unbounded] == ["/States/T/Retry/0/BackoffRate"]
    assert "not a number >= 1.0" in shrinking.unbounded[0].reason


def test_retrier_back_off_past_any_duration_is_unbounded() -> None:
    # Doubling 99,999,999 times overflows: the retrier is unbounded, only the body counts.
    budget = single_task(timeout=10, Retry=[{"ErrorEquals": ["X"], "MaxAttempts": 99_999_999}])
    assert not budget.bounded
    assert budget.seconds == pytest.approx(10)
    assert budget.unbounded[0].pointer == "/States/T/Retry/0"


def test_malformed_retrier_is_unbounded() -> None:
    budget = single_task(timeout=10, Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": "x"}])
    assert not budget.bounded
    assert budget.unbounded[0].pointer == "/States/T/Retry/0/MaxAttempts"


def test_task_without_timeout_is_unbounded() -> None:
    budget = single_task()
    assert not budget.bounded
    assert budget.seconds == 0
    assert budget.unbounded == (
        Unbounded(
            "/States/T", "T", "Task has no TimeoutSeconds: it can run until the machine times out"
        ),
    )


def test_timeout_seconds_path_is_unbounded() -> None:
    budget = single_task(TimeoutSecondsPath="$.timeout")
    assert not budget.bounded
    (problem,) = budget.unbounded
    assert problem.pointer == "/States/T/TimeoutSecondsPath"
    assert problem.state == "T"
    assert "TimeoutSecondsPath" in problem.reason


def test_jsonata_timeout_is_unbounded() -> None:
    budget = single_task(TimeoutSeconds="{% $states.input.timeout %}")
    (problem,) = budget.unbounded
    assert problem.pointer == "/States/T/TimeoutSeconds"
    assert "JSONata" in problem.reason


# --- Wait ------------------------------------------------------------------------------------


def test_static_wait() -> None:
    budget = compute_budget(machine("W", W={"Type": "Wait", "Seconds": 30, "End": True}))
    assert budget.seconds == pytest.approx(30)
    assert budget.bounded


def test_wait_seconds_path_is_unbounded() -> None:
    budget = compute_budget(
        machine("Poll", Poll={"Type": "Wait", "SecondsPath": "$.delay", "End": True})
    )
    assert not budget.bounded
    assert budget.unbounded == (
        Unbounded(
            "/States/Poll/SecondsPath",
            "Poll",
            "Wait uses SecondsPath, its duration is only known at run time",
        ),
    )


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"Timestamp": "2030-01-01T00:00:00Z"}, "/States/W/Timestamp"),
        ({"TimestampPath": "$.at"}, "/States/W/TimestampPath"),
        ({"Seconds": "{% $states.input.s %}"}, "/States/W/Seconds"),
    ],
)
def test_run_time_waits_are_unbounded(fields: dict[str, Any], pointer: str) -> None:
    budget = compute_budget(machine("W", W={"Type": "Wait", "End": True, **fields}))
    assert [problem.pointer for problem in budget.unbounded] == [pointer]


# --- Graph: Catch, Choice, loops -----------------------------------------------------------


def test_catch_path_longer_than_next_path_is_chosen() -> None:
    # Next path:  A (10) -> B (5)       = 15
    # Catch path: A (10) -> Handle (100) = 110
    definition = machine(
        "A",
        A=task(10, Next="B", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]),
        B=task(5),
        Handle=task(100),
    )
    budget = compute_budget(definition)
    assert budget.seconds == pytest.approx(110)
    assert budget.critical_path == ("A", "Handle")


def test_catch_follows_full_cost_including_retries() -> None:
    # A: 4 * 10 + 7 = 47, then Handle 3 -> 50
    definition = machine(
        "A",
        A=task(
            10,
            Retry=[LAMBDA_RETRIER],
            Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
        ),
        Handle=task(3),
    )
    assert compute_budget(definition).seconds == pytest.approx(50)


def test_choice_takes_the_max_branch() -> None:
    # Fast 20, Slow 50, Default Medium 30 -> 50 through Slow
    definition = machine(
        "Pick",
        Pick={
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.fast", "BooleanEquals": True, "Next": "Fast"},
                {"Variable": "$.slow", "BooleanEquals": True, "Next": "Slow"},
            ],
            "Default": "Medium",
        },
        Fast=task(20),
        Slow=task(50),
        Medium=task(30),
    )
    budget = compute_budget(definition)
    assert budget.seconds == pytest.approx(50)
    assert budget.critical_path == ("Pick", "Slow")
    assert budget.state_seconds == {"Pick": 0, "Fast": 20, "Slow": 50, "Medium": 30}


def test_poll_loop_is_reported_and_not_summed() -> None:
    # Wait 5 -> Check 10 -> Done? ; the back edge Done? -> Wait is ignored: 5 + 10 + 0 = 15
    choice: dict[str, Any] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Finished"}],
        "Default": "Wait",
    }
    definition = machine(
        "Wait",
        Wait={"Type": "Wait", "Seconds": 5, "Next": "Check"},
        Check=task(10, Next="Done?"),
        Finished={"Type": "Succeed"},
        **{"Done?": choice},
    )
    budget = compute_budget(definition)
    assert budget.loops == (("Wait", "Check", "Done?"),)
    assert not budget.bounded
    assert budget.unbounded == ()
    assert budget.seconds == pytest.approx(15)
    assert budget.critical_path == ("Wait", "Check", "Done?", "Finished")


def choice(flag: str, when_true: str, otherwise: str) -> dict[str, Any]:
    rule = {"Variable": f"$.{flag}", "BooleanEquals": True, "Next": when_true}
    return {"Type": "Choice", "Choices": [rule], "Default": otherwise}


def poll_loop(check_seconds: int = 10) -> dict[str, Any]:
    """Wait 5 -> Check -> Done? -> back to Wait, or on to Finished."""
    return machine(
        "Wait",
        Wait={"Type": "Wait", "Seconds": 5, "Next": "Check"},
        Check=task(check_seconds, Next="Done?"),
        Finished={"Type": "Succeed"},
        **{"Done?": choice("done", "Finished", "Wait")},
    )


@pytest.mark.parametrize("declared_on", ["Wait", "Check", "Done?"])
def test_declared_loop_iterations_are_summed(declared_on: str) -> None:
    # 10 iterations of Wait 5 + Check 10 = 150, whichever state of the loop declares it
    budget = compute_budget(poll_loop(), loop_max_iterations={declared_on: 10})
    assert budget.loops == ()
    assert budget.bounded
    assert budget.seconds == pytest.approx(150)
    assert budget.critical_path == ("Wait", "Check", "Done?", "Finished")


def test_the_smallest_declared_bound_of_a_loop_holds() -> None:
    budget = compute_budget(poll_loop(), loop_max_iterations={"Wait": 10, "Done?": 3})
    assert budget.seconds == pytest.approx(45)


def test_a_bound_outside_the_loop_does_not_bound_it() -> None:
    budget = compute_budget(poll_loop(), loop_max_iterations={"Finished": 10})
    assert budget.loops == (("Wait", "Check", "Done?"),)
    assert not budget.bounded
    assert budget.seconds == pytest.approx(15)


@pytest.mark.parametrize("bad", [0, -1, "10", 2.5, None, True])
def test_a_bound_that_is_not_a_positive_integer_leaves_the_loop_reported(bad: Any) -> None:
    budget = compute_budget(poll_loop(), loop_max_iterations={"Done?": bad})
    assert budget.loops == (("Wait", "Check", "Done?"),)
    assert not budget.bounded


def test_declared_loop_counts_its_longest_body() -> None:
    # The body branches: Fast (10) or Slow (30); 4 iterations of the slow way = 4 * 30 = 120
    definition = machine(
        "Pick",
        Pick=choice("fast", "Fast", "Slow"),
        Fast=task(10, Next="Again"),
        Slow=task(30, Next="Again"),
        Again=choice("more", "Pick", "End"),
        End={"Type": "Succeed"},
    )
    # Any state of the loop may carry the bound, also one on a branch the search did not
    # take first (Slow is in the loop, but not on the cycle Pick -> Fast -> Again).
    for declared_on in ("Again", "Pick", "Fast", "Slow"):
        budget = compute_budget(definition, loop_max_iterations={declared_on: 4})
        assert budget.bounded, declared_on
        assert budget.seconds == pytest.approx(120)
    assert not compute_budget(definition, loop_max_iterations={"End": 4}).bounded


def test_nested_declared_loops_multiply() -> None:
    # Outer loop (4 times): Outer Wait 1, then the inner loop (3 times) of Inner 2 s:
    # 4 * (1 + 3 * 2) = 28
    definition = machine(
        "Outer",
        Outer={"Type": "Wait", "Seconds": 1, "Next": "Inner"},
        Inner=task(2, Next="InnerAgain"),
        InnerAgain=choice("inner", "Inner", "OuterAgain"),
        OuterAgain=choice("outer", "Outer", "Done"),
        Done={"Type": "Succeed"},
    )
    budget = compute_budget(definition, loop_max_iterations={"InnerAgain": 3, "OuterAgain": 4})
    assert budget.bounded
    assert budget.seconds == pytest.approx(28)
    # Only the inner loop declared: the outer one is still reported
    inner_only = compute_budget(definition, loop_max_iterations={"InnerAgain": 3})
    assert inner_only.loops == (("Outer", "Inner", "InnerAgain", "OuterAgain"),)
    assert inner_only.seconds == pytest.approx(7)


def test_a_loop_with_two_ways_back_is_one_loop() -> None:
    # Head (10) -> A (1) -> C1: back to Head, or on to B (100) -> C2: back to Head, or done.
    # Both ways back return to Head: one loop whose longest round is 111 s; 3 rounds = 333.
    definition = machine(
        "Head",
        Head={"Type": "Wait", "Seconds": 10, "Next": "A"},
        A={"Type": "Wait", "Seconds": 1, "Next": "C1"},
        C1=choice("again", "Head", "B"),
        B={"Type": "Wait", "Seconds": 100, "Next": "C2"},
        C2=choice("again", "Head", "Done"),
        Done={"Type": "Succeed"},
    )
    for declared_on in ("Head", "A", "C1", "B", "C2"):
        budget = compute_budget(definition, loop_max_iterations={declared_on: 3})
        assert budget.bounded, declared_on
        assert budget.seconds == pytest.approx(333), declared_on


def test_a_loop_entered_in_its_middle_counts_the_partial_round() -> None:
    # Entry skips to Second (50) or starts at First (5); Back returns to First. With the loop
    # running at most 3 times: Second, then 3 x (First, Second) = 50 + 3 * 55 = 215 at most.
    definition = machine(
        "Entry",
        Entry=choice("skip", "Second", "First"),
        First={"Type": "Wait", "Seconds": 5, "Next": "Second"},
        Second={"Type": "Wait", "Seconds": 50, "Next": "Back"},
        Back=choice("again", "First", "Done"),
        Done={"Type": "Succeed"},
    )
    for declared_on in ("First", "Second", "Back"):
        budget = compute_budget(definition, loop_max_iterations={declared_on: 3})
        assert budget.bounded, declared_on
        assert budget.seconds >= 215, declared_on


def test_declared_loop_inside_a_parallel_branch() -> None:
    branch = poll_loop()
    definition = machine("P", P={"Type": "Parallel", "Branches": [branch], "End": True})
    budget = compute_budget(definition, loop_max_iterations={"Done?": 2})
    assert budget.bounded
    assert budget.seconds == pytest.approx(30)


def test_the_budget_names_the_declared_states_that_are_in_a_loop() -> None:
    # Finished is in no loop: its bound counts for nothing, and the compiler says so.
    declared = {"Finished": 10, "Done?": 3, "Wait": 5, "Missing": 2}
    assert compute_budget(poll_loop(), loop_max_iterations=declared).loop_bounds == (
        "Wait",
        "Done?",
    )
    assert compute_budget(task(5), loop_max_iterations={"T": 2}).loop_bounds == ()
    # Inside a Parallel branch and an inner loop of a nested pair, too.
    branch = poll_loop()
    definition = machine("P", P={"Type": "Parallel", "Branches": [branch], "Next": "After"})
    definition["States"]["After"] = {"Type": "Pass", "End": True}
    budget = compute_budget(definition, loop_max_iterations={"Check": 2, "After": 2, "P": 2})
    assert budget.loop_bounds == ("Check",)


def test_self_loop_is_reported() -> None:
    budget = compute_budget(machine("A", A={"Type": "Pass", "Next": "A"}))
    assert budget.loops == (("A",),)
    assert not budget.bounded


def test_unknown_target_is_unbounded_not_an_error() -> None:
    budget = compute_budget(machine("A", A=task(10, Next="Nowhere")))
    assert budget.seconds == pytest.approx(10)
    assert [problem.pointer for problem in budget.unbounded] == ["/States/A/Next"]


def test_unreachable_states_cost_nothing_and_report_nothing() -> None:
    budget = compute_budget(machine("A", A=task(10), Orphan=task()))
    assert budget.bounded
    assert budget.seconds == pytest.approx(10)
    assert budget.state_seconds == {"A": 10, "Orphan": 0}


def test_state_names_are_escaped_in_pointers() -> None:
    budget = compute_budget(machine("a/b~c", **{"a/b~c": task()}))
    assert budget.unbounded[0].pointer == "/States/a~1b~0c"


@pytest.mark.parametrize(
    ("definition", "pointer"),
    [
        ([], ""),
        ({"StartAt": "A"}, "/States"),
        ({"States": {"A": {"Type": "Pass", "End": True}}}, "/StartAt"),
        ({"StartAt": "B", "States": {"A": {"Type": "Pass", "End": True}}}, "/StartAt"),
    ],
)
def test_broken_structure_is_unbounded(definition: Any, pointer: str) -> None:
    budget = compute_budget(definition)
    assert not budget.bounded
    assert budget.seconds == 0
    assert [problem.pointer for problem in budget.unbounded] == [pointer]


# --- Parallel --------------------------------------------------------------------------------


def test_parallel_is_max_of_branches_with_retry_on_parallel() -> None:
    # Branch 0: 10 + 20 = 30; branch 1: 45 -> body 45
    # Retry: 2 retries, waits 3 + 6 = 9 -> 3 * 45 + 9 = 144; then Done (0)
    definition = machine(
        "P",
        P={
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": task(10, Next="B"), "B": task(20)}},
                {"StartAt": "C", "States": {"C": task(45)}},
            ],
            "Retry": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "IntervalSeconds": 3,
                    "MaxAttempts": 2,
                    "BackoffRate": 2,
                }
            ],
            "Next": "Done",
        },
        Done={"Type": "Succeed"},
    )
    budget = compute_budget(definition)
    assert budget.seconds == pytest.approx(144)
    assert budget.state_seconds == {"P": pytest.approx(144), "Done": 0}
    assert budget.critical_path == ("P", "Done")
    assert budget.bounded


def test_parallel_propagates_branch_problems_and_loops() -> None:
    definition = machine(
        "P",
        P={
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "X", "States": {"X": task(TimeoutSecondsPath="$.t")}},
                {
                    "StartAt": "L",
                    "States": {"L": {"Type": "Wait", "Seconds": 2, "Next": "L"}},
                },
            ],
            "End": True,
        },
    )
    budget = compute_budget(definition)
    assert budget.unbounded[0] == Unbounded(
        "/States/P/Branches/0/States/X/TimeoutSecondsPath",
        "X",
        "Task uses TimeoutSecondsPath, its timeout is only known at run time",
    )
    assert budget.loops == (("L",),)
    assert budget.seconds == pytest.approx(2)


# --- Map -------------------------------------------------------------------------------------


def test_map_with_declared_items_and_concurrency() -> None:
    # 100 items, 10 at a time -> 10 rounds of 5 s = 50
    definition = machine("M", M=map_state(5, MaxConcurrency=10))
    budget = compute_budget(definition, map_max_items={"M": 100})
    assert budget.seconds == pytest.approx(50)
    assert budget.bounded


def test_map_with_item_batcher() -> None:
    # 100 items in batches of 8 -> 13 iterations; 5 at a time -> 3 rounds of 5 s = 15
    definition = machine("M", M=map_state(5, MaxConcurrency=5, ItemBatcher={"MaxItemsPerBatch": 8}))
    assert compute_budget(definition, map_max_items={"M": 100}).seconds == pytest.approx(15)


def test_map_batch_byte_limit_may_mean_one_item_per_batch() -> None:
    # A byte limit can shrink batches to 1 item: 100 iterations, 5 at a time -> 20 * 5 = 100
    batcher = {"MaxItemsPerBatch": 8, "MaxInputBytesPerBatch": 1024}
    definition = machine("M", M=map_state(5, MaxConcurrency=5, ItemBatcher=batcher))
    assert compute_budget(definition, map_max_items={"M": 100}).seconds == pytest.approx(100)


def test_distributed_map_with_reader_max_items() -> None:
    # 25,000 items, default distributed concurrency 10,000 -> 3 rounds of 60 s = 180
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Item",
        "States": {"Item": task(60)},
    }
    definition = machine(
        "M",
        M={
            "Type": "Map",
            "ItemProcessor": processor,
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSON", "MaxItems": 25_000},
            },
            "End": True,
        },
    )
    budget = compute_budget(definition)
    assert budget.seconds == pytest.approx(180)
    assert budget.bounded


def test_inline_map_concurrency_defaults_to_and_is_capped_at_40() -> None:
    # 100 items, at most 40 at a time -> 3 rounds of 5 s = 15, whether 0, absent or 100
    for fields in ({}, {"MaxConcurrency": 0}, {"MaxConcurrency": 100}):
        definition = machine("M", M=map_state(5, **fields))
        assert compute_budget(definition, map_max_items={"M": 100}).seconds == pytest.approx(15)


def test_map_concurrency_path_assumes_one_at_a_time() -> None:
    # 100 items one by one -> 100 * 5 = 500; still bounded
    definition = machine("M", M=map_state(5, MaxConcurrencyPath="$.n"))
    budget = compute_budget(definition, map_max_items={"M": 100})
    assert budget.seconds == pytest.approx(500)
    assert budget.bounded


def test_legacy_iterator_with_retry() -> None:
    # 10 items, 2 at a time -> 5 rounds * 4 s = 20; one retry after 1 s -> 2 * 20 + 1 = 41
    definition = machine(
        "M",
        M={
            "Type": "Map",
            "Iterator": {"StartAt": "I", "States": {"I": task(4)}},
            "MaxConcurrency": 2,
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
            "End": True,
        },
    )
    assert compute_budget(definition, map_max_items={"M": 10}).seconds == pytest.approx(41)


def test_map_without_max_items_is_unbounded() -> None:
    budget = compute_budget(machine("M", M=map_state(5)))
    assert not budget.bounded
    assert budget.seconds == 0
    assert budget.unbounded == (
        Unbounded("/States/M", "M", "Map has no declared maximum item count: declare max_items"),
    )


def test_map_max_items_overrides_reader_config() -> None:
    definition = machine(
        "M", M=map_state(5, MaxConcurrency=1, ItemReader={"ReaderConfig": {"MaxItems": 1000}})
    )
    assert compute_budget(definition, map_max_items={"M": 3}).seconds == pytest.approx(15)


def test_map_processor_problems_propagate() -> None:
    processor = {"StartAt": "Item", "States": {"Item": task()}}
    definition = machine("M", M={"Type": "Map", "ItemProcessor": processor, "End": True})
    budget = compute_budget(definition, map_max_items={"M": 4})
    assert [problem.pointer for problem in budget.unbounded] == [
        "/States/M/ItemProcessor/States/Item"
    ]


# --- Scale, determinism, output ---------------------------------------------------------------


def chain(length: int) -> dict[str, Any]:
    states = {f"S{i}": task(1, Next=f"S{i + 1}") for i in range(length - 1)}
    states[f"S{length - 1}"] = task(1)
    return machine("S0", **states)


def test_ten_thousand_state_chain() -> None:
    length = 10_000
    budget = compute_budget(chain(length))
    assert budget.seconds == pytest.approx(length)
    assert len(budget.critical_path) == length
    assert budget.bounded


def test_long_cycle_does_not_recurse() -> None:
    definition = chain(5000)
    definition["States"]["S4999"] = task(1, Next="S0")
    budget = compute_budget(definition)
    assert len(budget.loops) == 1
    assert len(budget.loops[0]) == 5000
    assert budget.seconds == pytest.approx(5000)


def test_deep_nesting_and_self_containing_definitions_do_not_crash() -> None:
    inner: dict[str, Any] = machine("X", X=task(1))
    for level in range(2000):
        name = f"P{level}"
        inner = machine(name, **{name: {"Type": "Parallel", "Branches": [inner], "End": True}})
    budget = compute_budget(inner)
    assert not budget.bounded
    assert "Nested more than" in budget.unbounded[0].reason

    looped: dict[str, Any] = machine("P", P={"Type": "Parallel", "End": True})
    looped["States"]["P"]["Branches"] = [looped]
    assert not compute_budget(looped).bounded


def test_sum_beyond_float_range_is_unbounded_not_inf() -> None:
    budget = compute_budget(machine("A", A=task(10**308, Next="B"), B=task(10**308)))
    assert not budget.bounded
    assert budget.seconds == sys.float_info.max
    json.dumps(budget.as_dict(), allow_nan=False)


def test_same_input_gives_equal_budget() -> None:
    definition = machine(
        "A",
        A=task(5, Next="B", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "C"}]),
        B={"Type": "Choice", "Choices": [{"Next": "A"}], "Default": "C"},
        C=task(),
    )
    first = compute_budget(definition)
    second = compute_budget(json.loads(json.dumps(definition)))
    assert first == second
    assert json.dumps(first.as_dict()) == json.dumps(second.as_dict())
    assert hash(first) == hash(second)


def test_as_dict_is_json_ready_with_fixed_key_order() -> None:
    budget = compute_budget(
        machine("W", W={"Type": "Wait", "Seconds": 1, "Next": "T"}, T=task()),
    )
    data = budget.as_dict()
    assert list(data) == [
        "seconds",
        "bounded",
        "unbounded",
        "loops",
        "critical_path",
        "state_seconds",
    ]
    assert json.loads(json.dumps(data)) == {
        "seconds": 1.0,
        "bounded": False,
        "unbounded": [
            {
                "pointer": "/States/T",
                "state": "T",
                "reason": "Task has no TimeoutSeconds: it can run until the machine times out",
            }
        ],
        "loops": [],
        "critical_path": ["W", "T"],
        "state_seconds": {"W": 1.0, "T": 0.0},
    }


# --- Never raises on random input ------------------------------------------------------------

ASL_KEYS = [
    "StartAt",
    "States",
    "Type",
    "Next",
    "End",
    "TimeoutSeconds",
    "TimeoutSecondsPath",
    "Seconds",
    "SecondsPath",
    "Retry",
    "Catch",
    "Choices",
    "Default",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "MaxConcurrency",
    "ItemBatcher",
    "ItemReader",
    "ReaderConfig",
    "MaxItems",
    "ErrorEquals",
    "MaxAttempts",
    "IntervalSeconds",
    "BackoffRate",
    "MaxDelaySeconds",
]
STATE_TYPES = ["Task", "Wait", "Pass", "Choice", "Succeed", "Fail", "Parallel", "Map", "Nope"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.sampled_from([0, 10**400, -(10**400), 99_999_999])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from([*STATE_TYPES, "{% $x %}", "States.Runtime", "DISTRIBUTED"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(ASL_KEYS) | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    definition=json_values,
    max_items=st.dictionaries(st.text(max_size=3), json_values),
    iterations=st.dictionaries(st.text(max_size=3), json_values),
)
def test_random_json_never_raises(definition: Any, max_items: Any, iterations: Any) -> None:
    budget = compute_budget(definition, map_max_items=max_items, loop_max_iterations=iterations)
    check_invariants(budget)


@st.composite
def state_machines(draw: st.DrawFn, depth: int = 2) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from("ABCDEFGHIJ"), min_size=1, max_size=10, unique=True))
    target = st.sampled_from(names) | scalars
    retrier = st.fixed_dictionaries(
        {},
        optional={
            "ErrorEquals": st.lists(st.sampled_from(["States.ALL", "States.Runtime", "X"])),
            "MaxAttempts": st.integers(-1, 10**9) | scalars,
            "IntervalSeconds": st.integers(0, 100) | scalars,
            "BackoffRate": st.floats(0, 1e6) | scalars,
            "MaxDelaySeconds": st.integers(0, 1000) | scalars,
            "JitterStrategy": st.sampled_from(["FULL", "NONE"]),
        },
    )
    states: dict[str, Any] = {}
    for name in names:
        kind = draw(st.sampled_from(STATE_TYPES))
        state: dict[str, Any] = {"Type": kind}
        if draw(st.booleans()):
            state["Next"] = draw(target)
        if draw(st.booleans()):
            state["TimeoutSeconds"] = draw(st.integers(-2, 10**6) | scalars)
        if draw(st.booleans()):
            state["Seconds"] = draw(st.integers(-2, 10**6) | scalars)
        if draw(st.booleans()):
            state["Retry"] = draw(st.lists(retrier, max_size=3) | scalars)
        if draw(st.booleans()):
            state["Catch"] = draw(st.lists(st.fixed_dictionaries({"Next": target}), max_size=2))
        if kind == "Choice":
            state["Choices"] = draw(st.lists(st.fixed_dictionaries({"Next": target}), max_size=3))
            if draw(st.booleans()):
                state["Default"] = draw(target)
        if kind in ("Parallel", "Map") and depth > 0:
            sub = state_machines(depth - 1)
            if kind == "Parallel":
                state["Branches"] = draw(st.lists(sub, max_size=2))
            else:
                state["ItemProcessor"] = draw(sub)
                state["MaxConcurrency"] = draw(st.integers(-1, 100) | scalars)
                state["ItemReader"] = {"ReaderConfig": {"MaxItems": draw(scalars)}}
        states[name] = state
    return {"StartAt": draw(target), "States": states}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    definition=state_machines(),
    max_items=st.dictionaries(st.sampled_from("ABCDE"), scalars),
    iterations=st.dictionaries(st.sampled_from("ABCDEFGHIJ"), st.integers(1, 5) | scalars),
)
def test_random_state_graphs_never_raise(definition: Any, max_items: Any, iterations: Any) -> None:
    budget = compute_budget(definition, map_max_items=max_items, loop_max_iterations=iterations)
    check_invariants(budget)
    again = compute_budget(definition, map_max_items=max_items, loop_max_iterations=iterations)
    assert budget == again
    # Declaring loop bounds never makes the worst case smaller, only bounds what was not.
    plain = compute_budget(definition, map_max_items=max_items)
    assert budget.seconds >= plain.seconds or budget.seconds == pytest.approx(plain.seconds)
    assert set(budget.loops) <= set(plain.loops)


@settings(max_examples=300, deadline=None)
@given(
    graph=st.dictionaries(
        st.sampled_from("ABCDEFGH"), st.lists(st.sampled_from("ABCDEFGH"), max_size=3), min_size=1
    ),
    declared=st.lists(st.sampled_from("ABCDEFGH"), unique=True),
)
def test_loop_bounds_are_the_declared_states_on_a_cycle(
    graph: dict[str, list[str]], declared: list[str]
) -> None:
    # Every state a Choice whose rules lead to the drawn targets (missing ones are dropped).
    edges = {name: [t for t in targets if t in graph] for name, targets in graph.items()}
    states = {
        name: {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsNull": True, "Next": t} for t in targets],
            "Default": "Out",
        }
        for name, targets in edges.items()
    }
    states["Out"] = {"Type": "Succeed"}
    start = next(iter(graph))
    budget = compute_budget(
        {"StartAt": start, "States": states},
        loop_max_iterations=dict.fromkeys(declared, 2),
    )

    def reach(origin: str) -> set[str]:
        seen, pending = set(), list(edges[origin])
        while pending:
            node = pending.pop()
            if node not in seen:
                seen.add(node)
                pending.extend(edges[node])
        return seen

    reachable = reach(start) | {start}
    on_cycle = {name for name in reachable if name in reach(name)}
    assert set(budget.loop_bounds) == on_cycle & set(declared)
    assert len(budget.loop_bounds) == len(set(budget.loop_bounds))


def check_invariants(budget: Budget) -> None:
    assert isinstance(budget, Budget)
    assert budget.seconds >= 0
    assert budget.bounded == (not budget.unbounded and not budget.loops)
    # allow_nan=False rejects NaN and infinities: every number must be JSON-ready.
    json.dumps(budget.as_dict(), allow_nan=False)
    if budget.critical_path and budget.seconds < sys.float_info.max:
        total = sum(budget.state_seconds[name] for name in budget.critical_path)
        assert total == pytest.approx(budget.seconds)
