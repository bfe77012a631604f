"""A user's project uses the plugin's fixtures just by installing sfn-flows (the pytest11
entry point): a tiny sample project, run by pytest in a subprocess."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

WORKFLOW = """
from sfn_flows import LambdaFunction, LambdaInvoke, Pass, Workflow

greet_fn = LambdaFunction("Greet", handler="greet.handler", timeout_seconds=10)
greet = LambdaInvoke("Greet", function=greet_fn, timeout_seconds=10)
hello = Workflow(
    name="hello",
    start=greet >> Pass("Done", parameters={"message.$": "$.message"}),
    timeout_seconds=120,
)
"""

HANDLER = """
def handler(event, context=None):
    return {"message": "hello " + event["name"]}
"""

TEST = """
def test_hello(run_flow):
    result = run_flow("hello", {"name": "ada"})
    assert result.succeeded, (result.error, result.cause)
    assert result.output == {"message": "hello ada"}
    result.assert_path("Greet", "Done")


def test_missing_workflow_is_a_clear_failure(run_flow):
    run_flow("nope")
"""


def test_sample_project_uses_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{"workflows/hello": textwrap.dedent(WORKFLOW)})
    pytester.makepyfile(**{"lambdas/greet": textwrap.dedent(HANDLER)})
    pytester.makepyfile(test_sample=textwrap.dedent(TEST))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=300)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*workflow 'nope' is not deployed*"])
    assert "Traceback" not in result.stdout.str()
