"""Which engine a command talks to, from its --endpoint-url / --profile / --region options.

Shared by deploy, run, status and demo: an explicit endpoint is a local stack; a profile or
region means AWS; with none given, the local stack this project started (`sfn-flows local
up`) if it still runs, else AWS with the default credentials and region.
"""

from __future__ import annotations

from pathlib import Path

from sfn_flows.aws import Target
from sfn_flows.errors import SfnFlowsError
from sfn_flows.local import find_local_stack


class TargetError(SfnFlowsError):
    """The target options contradict each other."""


def resolve_target(
    endpoint_url: str | None = None,
    profile: str | None = None,
    region: str | None = None,
    *,
    project: Path | None = None,
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
    local = find_local_stack(project or Path.cwd())
    if local is not None:
        return Target(endpoint_url=local.endpoint_url)
    return Target()
