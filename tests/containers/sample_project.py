"""A tiny user project (one workflow calling one Lambda), written into a pytester folder:
what a user of sfn-flows has, run by pytest in a subprocess with the plugin's fixtures."""

from __future__ import annotations

import textwrap

import pytest

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

# The sample's own test of its real Lambda, shared by every run of the sample project.
HELLO_TEST = """
def test_hello(run_flow):
    result = run_flow("hello", {"name": "ada"})
    assert result.succeeded, (result.error, result.cause)
    assert result.output == {"message": "hello ada"}
    result.assert_path("Greet", "Done")
"""


# Tests that need the engine in each way a user asks for it (directly, through run_flow,
# through a fixture of their own) and one that needs nothing. Short names: at 80 columns
# pytest cuts each short summary line at the terminal's width.
ENGINE_TESTS = """
import pytest


@pytest.fixture
def greeting(run_flow):
    return run_flow("hello", {"name": "ada"})


def test_run(run_flow):
    assert run_flow("hello", {"name": "ada"}).succeeded


def test_fixture(greeting):
    assert greeting.succeeded


def test_engine(sfn_engine):
    assert sfn_engine


def test_fast():
    assert True
"""


def write_sample_project(pytester: pytest.Pytester, tests: str) -> None:
    """workflows/hello.py, lambdas/greet.py and test_sample.py holding `tests`."""
    pytester.makepyfile(**{"workflows/hello": textwrap.dedent(WORKFLOW)})
    pytester.makepyfile(**{"lambdas/greet": textwrap.dedent(HANDLER)})
    pytester.makepyfile(test_sample=textwrap.dedent(tests))
