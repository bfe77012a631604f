"""Which engine a command talks to: AWS only when asked for, else this folder's local stack.

Shared by deploy, run and status. In order:

1. `--endpoint-url`: that endpoint (a local stack).
2. `--profile` or `--region`: AWS.
3. SFN_FLOWS_TARGET=aws: AWS with boto3's default credentials and region (AWS_PROFILE,
   AWS_REGION, ~/.aws/config ...); SFN_FLOWS_TARGET=local (or unset): the local stack.
4. The local stack recorded for the folder (`sfn-flows local up`), which must answer.

AWS_* variables alone do not ask for AWS: they are often set in a shell for other tools, and
a command that found its local stack stopped used to fall through to them, reaching a real
account nobody had named. A stopped local stack is an error saying how to restart it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sfn_flows.aws import Target
from sfn_flows.errors import SfnFlowsError
from sfn_flows.local.processes import process_alive
from sfn_flows.local.stack import recorded_local_stack, state_path

TARGET_ENV = "SFN_FLOWS_TARGET"
_AWS, _LOCAL = "aws", "local"
_ASK_FOR_AWS = f"pass --profile/--region (or set {TARGET_ENV}=aws) to use AWS"


class TargetError(SfnFlowsError):
    """The target options contradict each other, or name no target."""


class NoTarget(TargetError):
    """No local stack was started here, and AWS was not asked for."""


class LocalStackDown(TargetError):
    """The folder's recorded local stack no longer answers."""


def resolve_target(
    endpoint_url: str | None = None,
    profile: str | None = None,
    region: str | None = None,
    *,
    project: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Target:
    if endpoint_url:
        if profile:
            raise TargetError(
                f"--profile {profile} names AWS credentials, but --endpoint-url {endpoint_url} "
                "targets a local stack (which takes no credentials); pass one of them."
            )
        return Target(endpoint_url=endpoint_url.rstrip("/"), region=region)
    if profile or region:
        return Target(profile=profile, region=region)
    if _asked_for(os.environ if environ is None else environ) == _AWS:
        return Target()
    return Target(endpoint_url=_running_local_stack(project or Path.cwd()))


def _asked_for(environ: Mapping[str, str]) -> str:
    value = environ.get(TARGET_ENV, "")
    choice = value.strip().lower() or _LOCAL
    if choice not in (_AWS, _LOCAL):
        raise TargetError(
            f"{TARGET_ENV}={value!r} is not a target; set it to 'aws' (AWS with the default "
            "credentials and region) or 'local' (the local stack), or unset it."
        )
    return choice


def _running_local_stack(project: Path) -> str:
    """The endpoint of the folder's local stack; an error when there is none or it is down."""
    stack = recorded_local_stack(project)
    if stack is None:
        raise NoTarget(
            f"no local stack was started from {project}: start one with `sfn-flows local up`, "
            f"or {_ASK_FOR_AWS}."
        )
    if stack.is_alive():
        return stack.endpoint_url
    where = f"the local stack recorded for this folder ({stack.endpoint_url}, pid {stack.pid})"
    if process_alive(stack.pid):
        state = f"does not answer (see its log {stack.log_path})"
    else:
        state = "has stopped"
    raise LocalStackDown(
        f"{where} {state}; restart it with `sfn-flows local up` (the record is "
        f"{state_path(project)}). Commands never switch to AWS on their own: {_ASK_FOR_AWS}."
    )
