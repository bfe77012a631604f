"""The conformance runner: how it loads cases and the comparator, runs them, counts and reports.

The runner is exercised here on a tiny stand-in engine (Pass, Fail, Task and a Wait that
never ends) passed as a parameter, with a small strict comparator written beside the cases,
so each count and category it prints is known in advance.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import corpus_path

from sfn_flows.engine.conformance import (
    CASES_ENV,
    POPULATIONS,
    Report,
    Runner,
    case_group,
    failure_category,
    load_comparator,
    main,
    normalise_run_specific,
    render,
    run_corpus,
)

STRICT_COMPARE = """
def compare_result(case, actual):
    expected = case["expected"]
    if actual["status"] != expected["status"]:
        return False, f"status {actual['status']} != {expected['status']}"
    if expected["status"] == "SUCCEEDED":
        import json
        out = json.loads(actual["output"])
        return (out == expected["output"], f"$output: {out!r} != {expected['output']!r}")
    if actual["error"] != expected["error"]:
        return False, f"$error: {actual['error']!r} != {expected['error']!r}"
    if actual["cause"] != expected["cause"]:
        return False, f"$cause: {actual['cause']!r} != {expected['cause']!r}"
    return True, ""
"""


@dataclass
class Result:
    status: str
    output: Any
    error: str | None
    cause: str | None


class TinyEngine:
    """Pass (Result or input), Fail, Task (a function from `lambdas`) and Wait (waits on an
    event nobody sets, for the deadline); raises on any other state type."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.never = threading.Event()

    def __call__(
        self,
        definition: Mapping[str, Any],
        input: Any,
        /,
        *,
        lambdas: Mapping[str, Callable[[Any], Any]] | None = None,
        state_machine_type: str = "STANDARD",
        execution_name: str | None = None,
    ) -> Result:
        self.calls.append({"type": state_machine_type, "name": execution_name})
        data, name = input, definition["StartAt"]
        while True:
            state = definition["States"][name]
            kind = state["Type"]
            if kind == "Fail":
                return Result("FAILED", None, state.get("Error"), state.get("Cause"))
            if kind == "Pass":
                data = state.get("Result", data)
            elif kind == "Task":
                assert lambdas is not None
                data = lambdas[state["Resource"].rsplit(":", 1)[-1]](data)
            elif kind == "Wait":
                self.never.wait(30)
            else:
                raise NotImplementedError(f"state type {kind}")
            if state.get("End"):
                return Result("SUCCEEDED", data, None, None)
            name = state["Next"]


def behaviours(functions: Mapping[str, Mapping[str, Any]]) -> dict[str, Callable[[Any], Any]]:
    made = {"identity": lambda event: event, "constant": lambda _: {"Return": "HelloWorld"}}
    return {name: made[spec["behaviour"]] for name, spec in functions.items()}


def case(
    case_id: str,
    states: dict[str, Any],
    expected: dict[str, Any],
    *,
    features: tuple[str, ...] = ("Pass",),
    needs: tuple[str, ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    first = next(iter(states))
    full = {"status": "SUCCEEDED", "output": None, "error": None, "cause": None, **expected}
    return {
        "id": case_id,
        "definition": {"StartAt": first, "States": states},
        "input": {"in": 1},
        "expected": full,
        "features": list(features),
        "needs": list(needs),
        "meta": {"state_machine_type": "STANDARD"},
        **extra,
    }


def pass_result(value: Any) -> dict[str, Any]:
    return {"P": {"Type": "Pass", "Result": value, "End": True}}


CASES = [
    case("base/test_a.py::T::ok", pass_result({"a": 1}), {"output": {"a": 1}}),
    case("base/test_a.py::T::wrong_output", pass_result({"a": 1}), {"output": {"a": 2}}),
    case(
        "base/test_a.py::T::fails",
        {"F": {"Type": "Fail", "Error": "Oops", "Cause": "why"}},
        {"status": "FAILED", "error": "Oops", "cause": "why"},
        features=("Fail",),
    ),
    case(
        "base/test_a.py::T::wrong_cause",
        {"F": {"Type": "Fail", "Error": "Oops", "Cause": "other"}},
        {"status": "FAILED", "error": "Oops", "cause": "why"},
        features=("Fail",),
    ),
    case(
        "base/test_a.py::T::should_fail",
        pass_result(1),
        {"status": "FAILED", "error": "States.Runtime", "cause": "x"},
    ),
    case(
        "choice_operators/test_c.py::T::op[1]",
        pass_result({"TestResult": "ConditionTrue"}),
        {"output": {"TestResult": "ConditionTrue"}},
        features=("Choice", "Pass"),
    ),
    case(
        "evaluate_jsonata/test_j.py::T::j",
        pass_result(True),
        {"output": True},
        features=("JSONata", "Pass"),
    ),
    case(
        "scenarios/test_m.py::T::map",
        {"M": {"Type": "Map", "End": True}},
        {"output": []},
        features=("Map",),
    ),
    case(
        "services/test_d.py::T::dynamo",
        pass_result(1),
        {"output": 1},
        features=("Task",),
        needs=("dynamodb",),
    ),
    case(
        "services/test_l.py::T::lambda",
        {
            "L": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:111111111111:function:fn_u1",
                "End": True,
            }
        },
        {"output": {"Return": "HelloWorld"}},
        features=("Task",),
        needs=("lambda",),
        lambda_functions={"fn_u1": {"behaviour": "constant"}},
    ),
]


def write_corpus(folder: Path, cases: list[dict[str, Any]]) -> Path:
    path = folder / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    (folder / "compare.py").write_text(STRICT_COMPARE, encoding="utf-8")
    return path


def run_main(
    tmp_path: Path, cases: list[dict[str, Any]], *args: str, engine: Any = None
) -> tuple[int, dict[str, Any]]:
    path = write_corpus(tmp_path, cases)
    out = tmp_path / "report.json"
    code = main(
        ["--cases", str(path), "--json", str(out), *args],
        simulate=engine or TinyEngine(),
        lambdas=behaviours,
    )
    return code, json.loads(out.read_text(encoding="utf-8"))


def test_counts_every_population_and_category(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = run_main(tmp_path, CASES)
    assert code == 0  # targets missed, but no --check
    rates = {key: (r["passed"], r["total"]) for key, r in report["rates"].items()}
    assert rates == {
        "no_service": (4, 8),
        "no_service_without_choice_operators": (3, 7),
        "lambda": (1, 1),
        "jsonpath": (3, 7),
        "jsonata": (1, 1),
    }
    assert report["rates"]["no_service"]["required"] == 8  # ceil(99.5 % of 8)
    assert report["rates"]["lambda"]["met"] is True
    assert report["categories"] == {
        "cause text of Oops": ["base/test_a.py::T::wrong_cause"],
        "engine raised NotImplementedError": ["scenarios/test_m.py::T::map"],
        "output": ["base/test_a.py::T::wrong_output"],
        "status SUCCEEDED, expected FAILED": ["base/test_a.py::T::should_fail"],
    }
    assert report["not_run"] == {"needs dynamodb": 1}
    printed = capsys.readouterr().out
    assert "no-service cases" in printed and "NOT MET" in printed
    assert "state type Map (at test_conformance.py:" in printed  # where the engine raised
    assert "1/1    Map" not in printed and "0/1    Map" in printed  # by feature


def test_check_exits_1_only_when_a_target_is_missed(tmp_path: Path) -> None:
    assert run_main(tmp_path, CASES, "--check")[0] == 1
    passing = [CASES[0], CASES[2], CASES[5], CASES[9]]
    code, report = run_main(tmp_path, passing, "--check")
    assert code == 0 and report["targets_met"] is True


def test_only_selects_by_id_text(tmp_path: Path) -> None:
    _, report = run_main(tmp_path, CASES, "--only", "test_a.py::T::wr")
    assert [c["id"] for c in report["cases"]] == [
        "base/test_a.py::T::wrong_output",
        "base/test_a.py::T::wrong_cause",
    ]
    assert report["filtered"] is True


def test_python_m_runs_the_corpus_on_the_engine(tmp_path: Path) -> None:
    """The package's `__main__`: the command runs the real engine (not a stand-in)."""
    path = write_corpus(tmp_path, [CASES[0], CASES[1]])
    env = {k: v for k, v in os.environ.items() if k != CASES_ENV}
    done = subprocess.run(
        [sys.executable, "-m", "sfn_flows.engine.conformance", "--cases", str(path), "--check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr  # one of two passes: the targets are missed
    assert done.stdout.startswith("2 cases: 2 run, 0 not run, 1 failed (")
    assert "First 1 of 1 failures:\n  base/test_a.py::T::wrong_output\n" in done.stdout
    bare = subprocess.run(
        [sys.executable, "-m", "sfn_flows.engine.conformance"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bare.returncode == 2 and bare.stderr.startswith("error: no cases: give --cases PATH")


def test_meta_options_reach_the_engine(tmp_path: Path) -> None:
    express = case("express/test_e.py::T::e", pass_result(1), {"output": 1})
    express["meta"] = {"state_machine_type": "EXPRESS", "execution_name": "run.1"}
    engine = TinyEngine()
    _, report = run_main(tmp_path, [express, CASES[0]], engine=engine)
    assert engine.calls == [
        {"type": "EXPRESS", "name": "run.1"},
        {"type": "STANDARD", "name": None},
    ]
    assert report["rates"]["no_service"]["passed"] == 2


def test_an_option_the_engine_lacks_is_reported_as_not_run(tmp_path: Path) -> None:
    def plain(definition: Any, input: Any, /) -> Result:
        return Result("SUCCEEDED", 1, None, None)

    express = case("express/test_e.py::T::e", pass_result(1), {"output": 1})
    express["meta"] = {"state_machine_type": "EXPRESS"}
    _, report = run_main(tmp_path, [express, CASES[9]], engine=plain)
    assert report["not_run"] == {
        "the engine's simulate() takes no state_machine_type option": 1,
        "the engine's simulate() takes no lambdas option": 1,
    }


def test_a_hung_case_is_cut_at_the_deadline_and_the_run_goes_on(tmp_path: Path) -> None:
    hangs = case("base/test_w.py::T::hangs", {"W": {"Type": "Wait", "End": True}}, {"output": 1})
    engine = TinyEngine()
    try:
        _, report = run_main(tmp_path, [hangs, CASES[0]], "--case-deadline", "0.05", engine=engine)
    finally:
        engine.never.set()  # let the abandoned thread finish
    outcomes = {c["id"]: (c["outcome"], c["category"]) for c in report["cases"]}
    assert outcomes == {
        "base/test_w.py::T::hangs": ("error", "engine: past the runner's deadline"),
        "base/test_a.py::T::ok": ("passed", ""),
    }


def test_a_result_that_is_not_json_is_an_engine_error(tmp_path: Path) -> None:
    def bad(definition: Any, input: Any, /) -> Result:
        return Result("SUCCEEDED", {1, 2}, None, None)

    _, report = run_main(tmp_path, [CASES[0]], engine=bad)
    [only] = report["cases"]
    assert only["outcome"] == "error" and "the output is not JSON" in only["reason"]


def test_cases_come_from_the_environment_when_not_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_corpus(tmp_path, [CASES[0]])
    monkeypatch.setenv(CASES_ENV, str(path))
    out = tmp_path / "r.json"
    assert main(["--json", str(out)], simulate=TinyEngine(), lambdas=behaviours) == 0
    assert json.loads(out.read_text())["rates"]["no_service"]["passed"] == 1


def test_the_environment_may_name_the_corpus_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_corpus(tmp_path, [CASES[0]])
    path.rename(tmp_path / "localstack_cases.jsonl")
    monkeypatch.setenv(CASES_ENV, str(tmp_path))
    out = tmp_path / "r.json"
    assert main(["--json", str(out)], simulate=TinyEngine(), lambdas=behaviours) == 0
    assert json.loads(out.read_text())["rates"]["no_service"]["passed"] == 1
    assert CASES_ENV == "SFN_FLOWS_CONFORMANCE"  # the variable tests/conftest.py reads


def test_help_names_the_environment_variable_and_the_normalisation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "SFN_FLOWS_CONFORMANCE=PATH" in text
    assert "run-specific Lambda response headers are normalised as the recorder did" in text


def invoke_response(
    listed: Mapping[str, Any], plain: Mapping[str, Any], metadata_id: Any
) -> dict[str, Any]:
    """A lambda:invoke result with these run-specific values in AllHttpHeaders (`listed`),
    HttpHeaders (`plain`) and SdkResponseMetadata."""
    return {
        "Payload": {"x": 1},
        "SdkHttpMetadata": {
            "AllHttpHeaders": {"Content-Length": ["7"], **listed},
            "HttpHeaders": {"Content-Length": "7", **plain},
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": metadata_id},
        "StatusCode": 200,
    }


REQUEST_ID = "2671f054-13d5-40cf-9769-3810d53817de"
RUN_HEADERS = {
    "x-amzn-RequestId": REQUEST_ID,
    "X-Amzn-Trace-Id": "Root=1-6b0d6e00-cca671bef660407c879a5b41",
    "Date": "Mon, 06 May 2024 07:08:09 GMT",
}
RUN = invoke_response({k: [v] for k, v in RUN_HEADERS.items()}, RUN_HEADERS, REQUEST_ID)
# The recorder's key-value rule: the header's own name (Date: "date"), list and all.
REPLACED = {"x-amzn-RequestId": "x-amzn-RequestId", "X-Amzn-Trace-Id": "X-Amzn-Trace-Id"}
RECORDED = invoke_response({**REPLACED, "Date": "date"}, {**REPLACED, "Date": "date"}, "RequestId")


def test_run_specific_lambda_headers_are_normalised_as_the_recorder_did() -> None:
    actual = {"status": "SUCCEEDED", "output": json.dumps({"r": [RUN]}), "error": None}
    normalised, changed = normalise_run_specific(actual, {"output": {"r": [RECORDED]}})
    assert changed
    assert json.loads(normalised["output"]) == {"r": [RECORDED]}
    assert json.loads(actual["output"]) == {"r": [RUN]}  # the engine's result is untouched


def test_a_value_the_recorder_kept_or_replaced_otherwise_is_left_alone() -> None:
    # The recorder's uuid rule kept the request id's list ("<uuid:1>", a compare.py wildcard).
    uuid_rule = {"x-amzn-RequestId": "<uuid:1>", "X-Amzn-Trace-Id": "X-Amzn-Trace-Id"}
    recorded = invoke_response(
        {**uuid_rule, "x-amzn-RequestId": ["<uuid:1>"], "Date": "date"},
        {**uuid_rule, "Date": "date"},
        "<uuid:1>",
    )
    actual = {"status": "SUCCEEDED", "output": json.dumps(RUN)}
    normalised, changed = normalise_run_specific(actual, {"output": recorded})
    assert changed
    output = json.loads(normalised["output"])
    headers = output["SdkHttpMetadata"]["HttpHeaders"]
    assert output["SdkHttpMetadata"]["AllHttpHeaders"]["x-amzn-RequestId"] == [REQUEST_ID]
    assert headers["x-amzn-RequestId"] == REQUEST_ID
    assert output["SdkResponseMetadata"] == {"RequestId": REQUEST_ID}
    assert headers["X-Amzn-Trace-Id"] == "X-Amzn-Trace-Id" and headers["Date"] == "date"
    assert headers["Content-Length"] == "7"


def test_outputs_without_an_invoke_response_are_not_touched() -> None:
    plain = {"status": "SUCCEEDED", "output": json.dumps({"RequestId": "r-1"})}
    assert normalise_run_specific(plain, {"output": {"RequestId": "RequestId"}}) == (plain, False)
    failed = {"status": "FAILED", "output": None, "error": "E", "cause": "c"}
    assert normalise_run_specific(failed, {"output": None}) == (failed, False)


def test_the_report_counts_the_normalised_results(tmp_path: Path) -> None:
    lambda_case = case(
        "services/test_l.py::T::invoke",
        pass_result(RUN),
        {"output": RECORDED},
        features=("Task",),
    )
    _, report = run_main(tmp_path, [lambda_case, CASES[0]])
    assert report["normalised"] == ["services/test_l.py::T::invoke"]
    assert [c["outcome"] for c in report["cases"]] == ["passed", "passed"]
    compare = load_comparator(tmp_path / "compare.py")
    printed = render(run_corpus([lambda_case], Runner(TinyEngine(), compare, behaviours)))
    assert "normalised: run-specific Lambda response headers, as the recorder did (1 results)" in (
        printed
    )


def test_bad_inputs_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(CASES_ENV, raising=False)
    assert main([], simulate=TinyEngine()) == 2
    assert "--cases PATH" in capsys.readouterr().err

    missing = tmp_path / "nowhere.jsonl"
    assert main(["--cases", str(missing)], simulate=TinyEngine()) == 2
    assert str(missing) in capsys.readouterr().err

    path = write_corpus(tmp_path, [CASES[0]])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    assert main(["--cases", str(path)], simulate=TinyEngine()) == 2
    assert f"{path}:2: not a JSON object" in capsys.readouterr().err

    path = write_corpus(tmp_path, [CASES[0]])
    (tmp_path / "compare.py").unlink()
    assert main(["--cases", str(path)], simulate=TinyEngine()) == 2
    assert "no comparator at" in capsys.readouterr().err

    (tmp_path / "other.py").write_text("x = 1\n", encoding="utf-8")
    assert main(["--cases", str(path), "--comparator", str(tmp_path / "other.py")]) == 2
    assert "no compare_result(case, actual)" in capsys.readouterr().err


def test_a_comparator_that_raises_fails_the_case_not_the_run(tmp_path: Path) -> None:
    (tmp_path / "compare.py").write_text(
        "def compare_result(case, actual):\n    raise KeyError('x')\n", encoding="utf-8"
    )
    compare = load_comparator(tmp_path / "compare.py")
    report = run_corpus([CASES[0], CASES[2]], Runner(TinyEngine(), compare, behaviours))
    assert [r.category for r in report.results] == ["comparator raised"] * 2


def test_groups_and_categories() -> None:
    assert case_group("choice_operators/test_x.py::T::t[a]") == "choice_operators"
    assert case_group("test_sfn_api.py::TestSnfApi::test_stop_execution") == "test_sfn_api"
    failed = {"status": "FAILED", "error": "States.Runtime"}
    assert (
        failure_category({"status": "SUCCEEDED"}, failed, "status FAILED != SUCCEEDED")
        == "status FAILED (States.Runtime), expected SUCCEEDED"
    )
    assert (
        failure_category({"status": "FAILED", "error": "E"}, failed, "$error: 'x' != 'E'")
        == "error name: States.Runtime, expected E"
    )


# ---------------------------------------------------------------------------------------------
# The engine on the corpus (CI sets SFN_FLOWS_REQUIRE_CORPUS=1: a missing corpus fails)

CORPUS_TARGETS = {
    # population: (cases in the corpus, target pass rate)
    "no_service": (904, 0.995),
    "no_service_without_choice_operators": (413, 0.98),
    "lambda": (92, 0.95),
}


@pytest.fixture(scope="module")
def engine_report(corpus_cases: list[dict[str, Any]]) -> Report:
    from sfn_flows.engine import simulate
    from sfn_flows.engine.conformance_lambdas import lambdas_for

    compare = load_comparator(corpus_path().parent / "compare.py")
    return run_corpus(corpus_cases, Runner(simulate, compare, lambdas_for))


@pytest.mark.parametrize("population", sorted(CORPUS_TARGETS))
def test_the_engine_meets_the_conformance_target(engine_report: Report, population: str) -> None:
    size, target = CORPUS_TARGETS[population]
    rate = engine_report.rates[population]
    assert (rate.total, rate.target) == (size, target), rate
    members = next(p for p in POPULATIONS if p.key == population).member
    failing = "\n".join(
        f"  {r.id}  [{r.category}] {r.reason[:300]}"
        for r in engine_report.results
        if members(r) and not r.passed
    )
    assert rate.met, (
        f"{rate.label}: {rate.passed}/{rate.total} passed, {rate.required} needed "
        f"({target:.1%}); failing:\n{failing}"
    )
