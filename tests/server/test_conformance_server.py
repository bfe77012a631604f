"""The conformance corpus through the Step Functions API (boto3 -> the engine server), as
`python -m sfn_flows.server.conformance` runs it. CI sets SFN_FLOWS_REQUIRE_CORPUS=1, so a
missing corpus fails there instead of skipping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.engine.conformance import POPULATIONS, Report, Runner, load_comparator, run_corpus
from sfn_flows.engine.conformance_lambdas import lambdas_for
from sfn_flows.server.conformance import ApiSimulate, main, served, stepfunctions_client

# population: (cases in the corpus, the target through the API)
TARGETS = {
    "no_service": (904, 0.99),
    "lambda": (92, 0.95),
}


@pytest.fixture(scope="module")
def api_report(corpus_cases: list[dict[str, Any]], corpus_file: Path) -> Report:
    compare = load_comparator(corpus_file.parent / "compare.py")
    with served(None) as (endpoint, functions):
        simulate = ApiSimulate(stepfunctions_client(endpoint), functions=functions)
        return run_corpus(corpus_cases, Runner(simulate, compare, lambdas_for))


@pytest.mark.parametrize("population", sorted(TARGETS))
def test_the_corpus_passes_through_the_api(api_report: Report, population: str) -> None:
    size, target = TARGETS[population]
    rate = api_report.rates[population]
    assert rate.total == size, rate
    members = next(p for p in POPULATIONS if p.key == population).member
    failing = "\n".join(
        f"  {r.id}  [{r.category}] {r.reason[:300]}"
        for r in api_report.results
        if members(r) and not r.passed
    )
    assert rate.passed >= target * rate.total, f"{rate.passed}/{rate.total}:\n{failing}"


def test_an_execution_runs_through_the_api_with_its_type_and_name() -> None:
    definition = {
        "StartAt": "Echo",
        "States": {
            "Echo": {
                "Type": "Pass",
                "Parameters": {"name.$": "$$.Execution.Name", "got.$": "$.value"},
                "End": True,
            }
        },
    }
    failing = {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "E", "Cause": "C"}}}
    with served(None) as (endpoint, functions):
        simulate = ApiSimulate(stepfunctions_client(endpoint), functions=functions)
        standard = simulate(definition, {"value": 1}, execution_name="run-1")
        express = simulate(definition, {"value": 2}, state_machine_type="EXPRESS")
        failed = simulate(failing, {})
    assert (standard.status, standard.output) == ("SUCCEEDED", {"name": "run-1", "got": 1})
    assert express.status == "SUCCEEDED" and express.output["got"] == 2
    assert (failed.status, failed.error, failed.cause) == ("FAILED", "E", "C")


def test_the_command_runs_selected_cases_and_writes_its_report(
    corpus_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    argv = ["--cases", str(corpus_file), "--only", "test_string_equals", "--json", str(report)]
    assert main(argv) == 0
    written = json.loads(report.read_text(encoding="utf-8"))
    ran = [case for case in written["cases"] if case["outcome"] != "not_run"]
    assert ran and all(case["outcome"] == "passed" for case in ran)
    assert "Pass rates:" in capsys.readouterr().out
