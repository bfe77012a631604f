"""botocore's errors as one-line messages that name the target and the fix.

A missing region, missing credentials or an endpoint that does not answer is the user's
setup, not a bug: it never reaches the user as a traceback.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from sfn_flows.errors import SfnFlowsError

_UNREACHABLE = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ConnectionClosedError,
    ReadTimeoutError,
)


class AwsAccessError(SfnFlowsError):
    """AWS or the local stack cannot be called: no region, no credentials, no answer."""


def aws_access_message(exc: BotoCoreError, place: str, *, local: bool) -> str:
    """What to tell the user about `exc`, raised calling `place` (e.g. "local stack at ...")."""
    if isinstance(exc, NoRegionError):
        return (
            f"no AWS region for the {place}: pass --region, or set AWS_REGION, or a region "
            "in your AWS profile."
        )
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            f"no AWS credentials for the {place} ({exc}): pass --profile, or configure "
            "credentials (`aws configure`); for the local stack, run `sfn-flows local up`."
        )
    if isinstance(exc, ProfileNotFound):
        profile = exc.kwargs.get("profile", "")
        return (
            f"AWS profile {profile!r} is not configured (not in ~/.aws/config or "
            f"~/.aws/credentials); create it with `aws configure --profile {profile}`, or "
            "pass another --profile."
        )
    if isinstance(exc, _UNREACHABLE):
        if local:
            return (
                f"cannot reach the {place} ({exc}); is it running? Start it with "
                "`sfn-flows local up`, or pass the --endpoint-url of one that runs."
            )
        return f"cannot reach the {place}: {exc}; check the network and --region."
    return f"AWS call failed on the {place}: {exc}"
