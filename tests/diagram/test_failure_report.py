"""A failed flow test's report shows the Mermaid of the path each execution it held took: in a
user's project, through the plugin as installed (entry point `pytest11`)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

TESTS = """
import sys

JOB = {"job_id": "j1", "items": ["a"]}


def test_held_in_a_variable(simulate_flow):
    result = simulate_flow("long-running-job", {**JOB, "fail": True})
    assert result.succeeded


def test_held_only_by_the_assertion(simulate_flow):
    assert simulate_flow("long-running-job", JOB).status == "FAILED"


def test_two_runs_in_a_list(simulate_flow):
    results = [simulate_flow("long-running-job", JOB) for _ in range(2)]
    results[0].assert_path("ProcessData")


def test_passes(simulate_flow):
    assert simulate_flow("long-running-job", JOB).succeeded


def test_fails_without_a_flow():
    assert 1 == 2
"""

LOADED = """
import sys


def pytest_sessionfinish(session):
    with open("loaded.txt", "w") as handle:
        handle.write(" ".join(sorted(m for m in sys.modules if m.startswith("sfn_flows"))))
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    for folder in ("workflows", "lambdas"):
        shutil.copytree(
            ROOT / folder, pytester.path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    pytester.makepyfile(test_flows=textwrap.dedent(TESTS))
    pytester.makeconftest(textwrap.dedent(LOADED))
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=120)


def sections(text: str) -> list[str]:
    return [line for line in text.splitlines() if " sfn-flows execution " in line]


def test_each_failed_flow_test_shows_the_path_it_took(pytester: pytest.Pytester) -> None:
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=4)
    text = result.stdout.str()
    titles = sections(text)
    # One for each of the first two tests, two for the list; none for the others.
    assert len(titles) == 4, titles
    assert all(title.strip("- ").endswith(")") for title in titles)
    assert sum("(FAILED)" in title for title in titles) == 1
    assert sum("(SUCCEEDED)" in title for title in titles) == 3
    assert "as Mermaid: paste it into a ```mermaid block" in text
    # The failed run: the worker failed, the failure was caught and notified, the job failed.
    failed = text[text.index("(FAILED) -") :]
    assert "flowchart TD" in failed
    assert '"ProcessData<br>lambda:invoke<br>timeout 300 s<br>caught"' in failed
    assert '"JobFailed<br>Fail: JobFailed<br>failed"' in failed
    assert "FAILED with JobFailed" in failed


def test_a_session_without_flow_results_loads_no_diagram_code(
    pytester: pytest.Pytester,
) -> None:
    result = run(pytester, "-k", "without_a_flow")
    result.assert_outcomes(failed=1, deselected=4)
    assert sections(result.stdout.str()) == []
    loaded = (pytester.path / "loaded.txt").read_text().split()
    assert "sfn_flows.testing.plugin" in loaded
    assert not [m for m in loaded if m.startswith(("sfn_flows.diagram", "sfn_flows.engine"))]


def test_show_capture_no_leaves_the_report_out(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--show-capture=no", "-k", "variable")
    result.assert_outcomes(failed=1, deselected=4)
    assert sections(result.stdout.str()) == []
