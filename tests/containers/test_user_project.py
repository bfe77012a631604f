"""A user's project uses the plugin's fixtures just by installing sfn-flows (the pytest11
entry point): a tiny sample project, run by pytest in a subprocess. It also holds the Task
timeout path (a 1 s Task timeout, TimeoutSeconds' minimum, on a worker that sleeps 3 s) and
a retry that succeeds on the second attempt (a retrier on States.Timeout; the project's own
retrier, on the worker's error name, cannot match on MiniStack: see the strict xfail in
test_flows_in_container.py).
The project's own ProcessData has a 300 s timeout, and a workflow here costs no extra engine
container."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from .sample_project import HELLO_TEST, write_sample_project

pytest_plugins = ["pytester"]

# A Task timeout (1 s) shorter than its worker's work (3 s); the Lambda's own timeout is longer.
SLOW_WORKFLOW = """
from sfn_flows import LambdaFunction, LambdaInvoke, Pass, Workflow

slow_fn = LambdaFunction("Slow", handler="slow.handler", timeout_seconds=30)
slow = LambdaInvoke("Slow", function=slow_fn, timeout_seconds=1, retry_on_service_errors=False)
too_slow = Workflow(name="too-slow", start=slow >> Pass("Done"), timeout_seconds=120)

# The first attempt outlives the Task timeout, the retrier on States.Timeout runs it again.
once_fn = LambdaFunction("SlowOnce", handler="slow.slow_once", timeout_seconds=30)
once = LambdaInvoke(
    "SlowOnce", function=once_fn, timeout_seconds=1, retry_on_service_errors=False
).add_retry(["States.Timeout"], interval_seconds=1, max_attempts=1)
retried = Workflow(name="retried", start=once, timeout_seconds=120)
"""

SLOW_HANDLER = """
import tempfile
import time
from pathlib import Path


def handler(event, context=None):
    time.sleep(event["seconds"])
    return {"slept": event["seconds"]}


def slow_once(event, context=None):
    marker = Path(tempfile.gettempdir()) / ("slow-once-" + event["key"])
    if not marker.exists():
        marker.touch()
        time.sleep(3)
        return {"attempt": "first"}
    return {"attempt": "second"}
"""

TEST = (
    HELLO_TEST
    + """

def test_missing_workflow_is_a_clear_failure(run_flow):
    run_flow("nope")


def test_a_task_slower_than_its_timeout(run_flow):
    result = run_flow("too-slow", {"seconds": 3})
    assert (result.status, result.error) == ("FAILED", "States.Timeout")
    result.assert_path("Slow")
    assert [e.error for e in result.events if e.is_failure][0] == "States.Timeout"


def test_a_retry_that_succeeds_on_the_second_attempt(run_flow):
    import uuid

    result = run_flow("retried", {"key": uuid.uuid4().hex})
    assert result.succeeded, (result.error, result.cause)
    assert result.output == {"attempt": "second"}
    assert [e.error for e in result.events if e.is_failure] == ["States.Timeout"]
"""
)


def test_sample_project_uses_the_fixtures(pytester: pytest.Pytester, sfn_engine: Any) -> None:
    # Given as a ready image (as a user with a pulled ministackorg/ministack would), the
    # image this session built is used as it is.
    write_sample_project(pytester, TEST)
    pytester.makepyfile(**{"workflows/too_slow": textwrap.dedent(SLOW_WORKFLOW)})
    pytester.makepyfile(**{"lambdas/slow": textwrap.dedent(SLOW_HANDLER)})
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--sfn-local-stack-image", sfn_engine.stack_image, timeout=300
    )
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*workflow 'nope' is not deployed*"])
    assert "Traceback" not in result.stdout.str()
