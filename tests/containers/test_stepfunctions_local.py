"""The `stepfunctions-local` engine: AWS's Step Functions Local runs the state machines, the
Lambdas run in the local stack on the same Docker network.

Its image cannot be pulled on machines without a registry. There, choosing the engine must
fail with the reason and the fix (checked below); where the image is present
(`docker pull amazon/aws-stepfunctions-local:2.0.0`), the same sample project must pass on
it, real Lambda and mocked run included."""

from __future__ import annotations

import pytest

from sfn_flows.testing import stepfunctions_local
from sfn_flows.testing.engines import EngineError
from sfn_flows.testing.paired_engine import substitute

from .sample_project import HELLO_TEST, write_sample_project

pytest_plugins = ["pytester"]

TEST = (
    HELLO_TEST
    + """

from sfn_flows.testing import MockConfig, Return


def test_mocked_lambda(sfn_mocked):
    mocks = (
        MockConfig()
        .response("Canned", {"0": Return({"Payload": {"message": "hi"}})})
        .test_case("hello", "Canned", {"Greet": "Canned"})
    )
    result = sfn_mocked(mocks).run("hello", {"name": "ada"}, test_case="Canned")
    assert result.succeeded, (result.error, result.cause)
    assert result.output == {"message": "hi"}
"""
)


def test_the_reason_names_the_fix() -> None:
    reason = stepfunctions_local.available("amazon/aws-stepfunctions-local:no-such-tag")
    assert reason is not None
    assert "docker pull amazon/aws-stepfunctions-local:no-such-tag" in reason


def test_a_placeholder_without_a_deployed_function_is_refused() -> None:
    text = '{"Resource": "${GreetFunctionArn}", "Other": "${GoneFunctionArn}"}'
    with pytest.raises(EngineError, match=r"'hello' refers to \['GoneFunctionArn'\]"):
        substitute("hello", text, {"GreetFunctionArn": "arn:greet"})
    assert (
        substitute(
            "hello", '{"Resource": "${GreetFunctionArn}"}', {"GreetFunctionArn": "arn:greet"}
        )
        == '{"Resource": "arn:greet"}'
    )


@pytest.mark.containers  # its sample session starts the engines: no fixture says so here
def test_sample_project_runs_there_or_is_refused_with_the_fix(pytester: pytest.Pytester) -> None:
    write_sample_project(pytester, TEST)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--sfn-engine", "stepfunctions-local", timeout=600
    )
    reason = stepfunctions_local.available()
    if reason is None:
        result.assert_outcomes(passed=2)
        return
    # No image here: both tests stop at once with the reason and the fix (the session
    # engine's failure is a setup error, the mocked engine's a failure of the test calling it).
    result.assert_outcomes(errors=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*EngineError: the stepfunctions-local engine cannot start: the image "
            "amazon/aws-stepfunctions-local:2.0.0 is not on this machine*"
            "`docker pull amazon/aws-stepfunctions-local:2.0.0`*"
        ]
    )
    output = result.stdout.str()
    assert "Traceback" not in output
    assert "During handling" not in output  # the cause is said once, not chained
