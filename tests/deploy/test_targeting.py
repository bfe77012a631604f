"""Target resolution shared by deploy, run, status and demo.

AWS is used only when asked for (--profile, --region, SFN_FLOWS_TARGET=aws); otherwise the
local stack recorded for the folder, which must answer: never a silent switch to AWS.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from sfn_flows.aws import Target
from sfn_flows.deploy.targeting import (
    TARGET_ENV,
    LocalStackDown,
    NoTarget,
    TargetError,
    resolve_target,
)
from sfn_flows.local import LocalStack
from sfn_flows.local.stack import state_path

# What a user's shell often holds: none of it asks a command to use AWS.
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
    "AWS_SECRET_ACCESS_KEY": "example-secret",
    "AWS_SESSION_TOKEN": "example-token",
    "AWS_PROFILE": "prod",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}
DEAD = LocalStack("http://127.0.0.1:9", 9, 999_999_999, "log")


def record(project: Path, stack: LocalStack) -> None:
    path = state_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(stack)))


def test_endpoint_url_is_the_local_stack(tmp_path: Path) -> None:
    target = resolve_target("http://127.0.0.1:4566/", None, "eu-west-1", project=tmp_path)
    assert target == Target(endpoint_url="http://127.0.0.1:4566", region="eu-west-1")


def test_profile_or_region_means_aws(tmp_path: Path, local_stack: LocalStack) -> None:
    record(tmp_path, local_stack)  # a running local stack does not override an explicit AWS
    assert resolve_target(None, "prod", None, project=tmp_path) == Target(profile="prod")
    assert resolve_target(None, None, "eu-west-1", project=tmp_path) == Target(region="eu-west-1")


def test_nothing_given_uses_the_recorded_local_stack(
    tmp_path: Path, local_stack: LocalStack
) -> None:
    record(tmp_path, local_stack)
    expected = Target(endpoint_url=local_stack.endpoint_url)
    assert resolve_target(project=tmp_path, environ=AWS_ENVIRONMENT) == expected
    local = {**AWS_ENVIRONMENT, TARGET_ENV: "local"}
    assert resolve_target(project=tmp_path, environ=local) == expected


def test_nothing_given_and_no_local_stack_is_an_error_that_says_what_to_do(
    tmp_path: Path,
) -> None:
    with pytest.raises(NoTarget) as raised:
        resolve_target(project=tmp_path, environ=AWS_ENVIRONMENT)
    message = str(raised.value)
    assert f"no local stack was started from {tmp_path}" in message
    assert "`sfn-flows local up`" in message
    assert "--profile/--region" in message and f"{TARGET_ENV}=aws" in message
    assert "\n" not in message


def test_a_dead_recorded_stack_is_an_error_even_with_aws_credentials(tmp_path: Path) -> None:
    record(tmp_path, DEAD)
    with pytest.raises(LocalStackDown) as raised:
        resolve_target(project=tmp_path, environ=AWS_ENVIRONMENT)
    message = str(raised.value)
    assert "the local stack recorded for this folder (http://127.0.0.1:9, pid 999999999)" in (
        message
    )
    assert "has stopped" in message and "restart it with `sfn-flows local up`" in message
    assert "never switch to AWS" in message


def test_sfn_flows_target_aws_asks_for_the_default_aws_account(tmp_path: Path) -> None:
    record(tmp_path, DEAD)
    assert resolve_target(project=tmp_path, environ={TARGET_ENV: "aws"}) == Target()
    assert resolve_target(project=tmp_path, environ={TARGET_ENV: " AWS "}) == Target()


def test_sfn_flows_target_local_never_means_aws(tmp_path: Path) -> None:
    with pytest.raises(NoTarget):
        resolve_target(project=tmp_path, environ={TARGET_ENV: "local"})


def test_an_unknown_sfn_flows_target_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match=rf"{TARGET_ENV}='prod' is not a target; set it to"):
        resolve_target(project=tmp_path, environ={TARGET_ENV: "prod"})


def test_options_win_over_the_environment(tmp_path: Path) -> None:
    environ = {TARGET_ENV: "local"}
    assert resolve_target(None, None, "eu-west-1", project=tmp_path, environ=environ) == Target(
        region="eu-west-1"
    )
    assert resolve_target(
        "http://127.0.0.1:4566", None, None, project=tmp_path, environ={TARGET_ENV: "aws"}
    ) == Target(endpoint_url="http://127.0.0.1:4566")


def test_profile_with_endpoint_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        TargetError, match=r"--profile prod names AWS credentials.*pass one of them"
    ):
        resolve_target("http://127.0.0.1:4566", "prod", None, project=tmp_path)
