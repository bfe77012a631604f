"""Target resolution shared by deploy, run, status and demo."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from sfn_flows.aws import Target
from sfn_flows.deploy.targeting import TargetError, resolve_target
from sfn_flows.local import LocalStack
from sfn_flows.local.stack import state_path


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
    assert resolve_target(project=tmp_path) == Target(endpoint_url=local_stack.endpoint_url)


def test_nothing_given_and_no_local_stack_means_aws_defaults(tmp_path: Path) -> None:
    assert resolve_target(project=tmp_path) == Target()


def test_a_dead_recorded_stack_is_ignored(tmp_path: Path) -> None:
    record(tmp_path, LocalStack("http://127.0.0.1:9", 9, 999_999_999, "log"))
    assert resolve_target(project=tmp_path) == Target()


def test_profile_with_endpoint_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        TargetError, match=r"--profile prod names AWS credentials.*pass one of them"
    ):
        resolve_target("http://127.0.0.1:4566", "prod", None, project=tmp_path)
