"""The `simulate_flow` fixture in a user's project: pytest in a subprocess with the plugin as
installed (entry point `pytest11`), no Docker."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

WORKFLOW = """
from sfn_flows import LambdaFunction, LambdaInvoke, Pass, Wait, Workflow

greet_fn = LambdaFunction("Greet", handler="greet.handler", timeout_seconds=10)
greet = LambdaInvoke("Greet", function=greet_fn, timeout_seconds=10)
hello = Workflow(
    name="hello",
    start=Wait("Nap", seconds=86400)
    >> greet
    >> Pass("Done", parameters={"message.$": "$.message"}),
    timeout_seconds=90000,
)
"""

HANDLER = """
class Grumpy(Exception):
    pass


def handler(event, context=None):
    if event.get("name") == "grumpy":
        raise Grumpy("no greeting today")
    return {"message": "hello " + event["name"]}
"""

TESTS = """
import pytest


def test_hello(simulate_flow):
    result = simulate_flow("hello", {"name": "ada"})
    assert result.succeeded, (result.error, result.cause)
    assert result.output == {"message": "hello ada"}
    result.assert_path("Nap", "Greet", "Done")


def test_grumpy(simulate_flow):
    result = simulate_flow("hello", {"name": "grumpy"})
    assert result.error == "Grumpy"


def test_unknown(simulate_flow):
    simulate_flow("helo")
"""

BROKEN_WORKFLOW = """
from sfn_flows import LambdaFunction, LambdaInvoke, Pass, Workflow

greet_fn = LambdaFunction("Greet", handler="greet.missing", timeout_seconds=10)
hello = Workflow(
    name="hello",
    start=LambdaInvoke("Greet", function=greet_fn, timeout_seconds=10) >> Pass("Done"),
    timeout_seconds=60,
)
"""


def write_project(pytester: pytest.Pytester, workflow: str = WORKFLOW, at: str = "") -> None:
    prefix = f"{at}/" if at else ""
    pytester.makepyfile(**{f"{prefix}workflows/hello": textwrap.dedent(workflow)})
    pytester.makepyfile(**{f"{prefix}lambdas/greet": textwrap.dedent(HANDLER)})
    pytester.makepyfile(test_sample=textwrap.dedent(TESTS))


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=120)


def test_a_users_workflows_run_with_their_handlers_and_no_docker(
    pytester: pytest.Pytester,
) -> None:
    write_project(pytester)
    # Not marked `containers`: selecting the tests without an engine keeps them.
    result = run(pytester, "-m", "not containers")
    result.assert_outcomes(passed=2, failed=1)
    # The unknown name: the test's own line, then the message; no frame of sfn_flows.
    result.stdout.fnmatch_lines(
        [
            '>       simulate_flow("helo")',
            "E   *ProjectFlowsError: the project at * has no workflow 'helo'; its workflows: hello",
        ]
    )
    assert "sfn_flows/testing" not in result.stdout.str()


def test_the_project_folder_can_be_given(pytester: pytest.Pytester) -> None:
    write_project(pytester, at="service")
    result = run(pytester, "--sfn-project", str(pytester.path / "service"), "-k", "hello")
    result.assert_outcomes(passed=1, deselected=2)


def test_a_project_that_does_not_build_says_why_once_per_test(
    pytester: pytest.Pytester,
) -> None:
    write_project(pytester, BROKEN_WORKFLOW)
    # -rN: the short summary repeats the message, cut to the terminal's width,
    # so whether it matches would depend on the machine's COLUMNS.
    result = run(pytester, "-rN", "-k", "hello or grumpy")
    result.assert_outcomes(errors=2, deselected=1)
    text = result.stdout.str()
    problem = "the project does not build: hello: /States/Greet: error: Lambda function 'Greet'"
    # Under each test's setup error, once, with no traceback or chained exception.
    assert text.count(problem) == 2, text
    assert "Traceback" not in text and "another exception occurred" not in text
