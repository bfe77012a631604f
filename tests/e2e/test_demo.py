"""`sfn-flows demo` from a copy of this project: local stack, build, deploy, the wait window
(200 in one request), then 202 and long polls."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sfn_flows.local import stop_local_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("demo-project")
    for folder in ("workflows", "lambdas"):
        shutil.copytree(ROOT / folder, home / folder, ignore=shutil.ignore_patterns("__pycache__"))
    yield home
    stop_local_stack(home)


def demo(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sfn_flows", "demo", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_demo_runs_the_async_pattern_end_to_end(project: Path) -> None:
    result = demo(project, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    # The wait window: the job ended within it, so its one request got the result.
    quick = document["wait_window"]
    assert (quick["status"], quick["requests"]) == (200, 1)
    assert quick["result"]["status"] == "SUCCEEDED"
    assert quick["result"]["output"] == {"job_id": "demo-1", "processed": 3, "notified": True}
    # Then the async pattern: 202 at once, and long polls to the result.
    accepted = document["accepted"]
    assert accepted["status"] == "RUNNING"
    assert accepted["executionArn"].startswith("arn:aws:states:")
    assert accepted["executionId"].startswith("long-running-job~")
    assert document["result"]["status"] == "SUCCEEDED"
    # The real worker Lambdas ran: ProcessData counted the items, NotifyCompletion replied.
    assert document["result"]["output"] == {"job_id": "demo-1", "processed": 3, "notified": True}
    assert document["polls"] >= 1
    assert set(document["timings"]) >= {
        "deploy_s",
        "wait_window_ms",
        "accepted_ms",
        "execution_s",
        "total_s",
    }


def test_demo_failure_path_goes_through_the_catch(project: Path) -> None:
    body = json.dumps({"job_id": "demo-fails", "items": ["x"], "fail": True})
    result = demo(project, "--json", "--input", body)
    assert result.returncode == 1
    final = json.loads(result.stdout)["result"]
    # ProcessData raised -> Catch -> NotifyFailure -> Fail("JobFailed").
    assert final["status"] == "FAILED"
    assert final["error"] == "JobFailed"


def test_demo_rejects_invalid_input(project: Path) -> None:
    result = demo(project, "--input", "{not json")
    assert result.returncode == 1
    assert "--input is not JSON" in result.stderr and "line 1 column 2" in result.stderr


def test_demo_reports_a_request_the_api_rejects(project: Path) -> None:
    result = demo(project, "--input", json.dumps({"job_id": "x"}))
    assert result.returncode == 1
    assert "answered 400" in result.stderr and "items" in result.stderr
