"""scale_definition / scale_build: static waits and retry intervals, scaled for tests."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.deploy.build_files import read_build
from sfn_flows.errors import SfnFlowsError
from sfn_flows.project.build import compile_project, write_build
from sfn_flows.testing.timescale import (
    TimeScaleError,
    parse_time_scale,
    scale_build,
    scale_definition,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]

pytest_plugins = ["pytester"]


def machine(states: dict[str, Any], start: str | None = None) -> dict[str, Any]:
    return {"StartAt": start or next(iter(states)), "States": states}


def wait(seconds: Any, **extra: Any) -> dict[str, Any]:
    return {"Type": "Wait", "Seconds": seconds, "End": True, **extra}


def task(*retriers: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Retry": list(retriers),
        "End": True,
    }


def nested() -> dict[str, Any]:
    inner_map = {
        "Type": "Map",
        "ItemProcessor": machine({"W": wait(300), "T": task({"IntervalSeconds": 30})}),
        "End": True,
    }
    return machine(
        {
            "Top": wait(600),
            "Par": {
                "Type": "Parallel",
                "Branches": [
                    machine({"B1": wait(100)}),
                    machine({"M": inner_map}),
                ],
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 20}],
                "End": True,
            },
            "Legacy": {"Type": "Map", "Iterator": machine({"LW": wait(50)}), "End": True},
        }
    )


def test_static_waits_scale_up_to_the_next_whole_second() -> None:
    scaled = scale_definition(machine({"W": wait(600)}), 0.01)
    assert scaled["States"]["W"]["Seconds"] == 6
    assert scale_definition(machine({"W": wait(5)}), 0.01)["States"]["W"]["Seconds"] == 1
    assert isinstance(scaled["States"]["W"]["Seconds"], int)


def test_factor_zero_makes_waits_zero_but_retries_keep_the_aws_minimum() -> None:
    definition = machine(
        {"W": wait(600), "T": task({"IntervalSeconds": 10, "MaxDelaySeconds": 60})}
    )
    scaled = scale_definition(definition, 0)
    assert scaled["States"]["W"]["Seconds"] == 0
    assert scaled["States"]["T"]["Retry"] == [{"IntervalSeconds": 1, "MaxDelaySeconds": 1}]


def test_retry_intervals_and_max_delay_scale_with_a_minimum_of_one() -> None:
    definition = machine(
        {
            "T": task(
                {"ErrorEquals": ["A"], "IntervalSeconds": 200, "MaxDelaySeconds": 1000},
                {"ErrorEquals": ["B"], "IntervalSeconds": 2, "BackoffRate": 2.0},
                {"ErrorEquals": ["C"], "MaxAttempts": 3},
            )
        }
    )
    retry = scale_definition(definition, 0.1)["States"]["T"]["Retry"]
    assert retry[0] == {"ErrorEquals": ["A"], "IntervalSeconds": 20, "MaxDelaySeconds": 100}
    assert retry[1] == {"ErrorEquals": ["B"], "IntervalSeconds": 1, "BackoffRate": 2.0}
    assert retry[2] == {"ErrorEquals": ["C"], "MaxAttempts": 3}


def test_parallel_branches_and_map_processors_are_scaled() -> None:
    scaled = scale_definition(nested(), 0.1)
    states = scaled["States"]
    assert states["Top"]["Seconds"] == 60
    par = states["Par"]
    assert par["Retry"][0]["IntervalSeconds"] == 2
    assert par["Branches"][0]["States"]["B1"]["Seconds"] == 10
    processor = par["Branches"][1]["States"]["M"]["ItemProcessor"]["States"]
    assert processor["W"]["Seconds"] == 30
    assert processor["T"]["Retry"][0]["IntervalSeconds"] == 3
    assert states["Legacy"]["Iterator"]["States"]["LW"]["Seconds"] == 5


def test_dynamic_waits_and_timestamps_are_left_alone() -> None:
    definition = machine(
        {
            "Path": {"Type": "Wait", "SecondsPath": "$.delay", "End": True},
            "Jsonata": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "End": True},
            "At": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z", "End": True},
            "AtPath": {"Type": "Wait", "TimestampPath": "$.when", "End": True},
        }
    )
    assert scale_definition(definition, 0.01) == definition


def test_the_input_is_not_mutated() -> None:
    definition = nested()
    before = copy.deepcopy(definition)
    scaled = scale_definition(definition, 0.01)
    assert definition == before
    assert scaled != before


def test_factor_one_changes_nothing() -> None:
    assert scale_definition(nested(), 1) == nested()


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "fast", None])
def test_a_bad_factor_names_the_cause_and_the_fix(bad: Any) -> None:
    with pytest.raises(TimeScaleError, match=r"is not a time scale; give a number >= 0"):
        scale_definition(machine({"W": wait(1)}), bad)


def test_parse_time_scale_names_where_the_value_came_from() -> None:
    assert parse_time_scale("0.01", "--sfn-time-scale") == 0.01
    with pytest.raises(SfnFlowsError, match=r"^SFN_FLOWS_TIME_SCALE: '-2' is not a time scale"):
        parse_time_scale("-2", "SFN_FLOWS_TIME_SCALE")


def test_scale_build_rewrites_definitions_and_their_manifest_hashes(tmp_path: Path) -> None:
    result = compile_project(PROJECT_ROOT / "workflows")
    assert result.ok
    write_build(result, tmp_path, PROJECT_ROOT)
    rewritten = scale_build(tmp_path, 0.01)
    assert "order-fulfilment" in rewritten
    build = read_build(tmp_path)  # checks every sha256 against the rewritten files
    order = json.loads(build.definitions["order-fulfilment"])
    assert order["States"]["AwaitCourier"]["Seconds"] == 6
    entry = next(e for e in build.manifest["workflows"] if e["name"] == "order-fulfilment")
    text = (tmp_path / entry["definition"]).read_text(encoding="utf-8")
    assert entry["sha256"] == hashlib.sha256(text.encode()).hexdigest()


def test_a_bad_time_scale_option_fails_before_any_container_starts(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_sample="def test_x(sfn_deployed):\n    pass\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--sfn-time-scale=-1", timeout=120
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*Error: --sfn-time-scale: '-1' is not a time scale; give a number >= 0*"]
    )
    assert "Traceback" not in result.stdout.str()
