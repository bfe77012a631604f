"""One code path for AWS and for the local stack: only the endpoint differs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3

LOCAL_REGION = "us-east-1"
# The local stack accepts any credentials; fixed ones keep a user's real keys out of it.
LOCAL_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@dataclass(frozen=True)
class Target:
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    # Step Functions elsewhere than the other services: AWS's Step Functions Local runs the
    # state machines while the local stack keeps the Lambdas and CloudFormation.
    stepfunctions_endpoint_url: str | None = None
    # One boto3 session for every client of this target: a new session parses botocore's
    # endpoint and service models again (about 60 ms a client, against 5 ms from a session
    # that has them; a deploy makes about ten). A session is not safe to make clients from in
    # two threads at once: the lock keeps them one at a time.
    _session: list[boto3.Session] = field(
        default_factory=list, init=False, compare=False, repr=False
    )
    _lock: threading.RLock = field(
        default_factory=threading.RLock, init=False, compare=False, repr=False
    )

    @property
    def is_local(self) -> bool:
        return self.endpoint_url is not None

    def describe(self) -> str:
        if self.endpoint_url:
            return f"local stack at {self.endpoint_url}"
        profile, region = self.profile or "default profile", self.region or "default region"
        return f"AWS account ({profile}, {region})"

    def session(self) -> boto3.Session:
        with self._lock:
            if not self._session:
                self._session.append(self._new_session())
            return self._session[0]

    def _new_session(self) -> boto3.Session:
        # boto3 loads on first use: a command that never calls AWS (help, validate, build)
        # does not pay its ~100 ms of imports.
        import boto3

        if self.is_local:
            return boto3.Session(region_name=self.region or LOCAL_REGION, **LOCAL_CREDENTIALS)
        return boto3.Session(profile_name=self.profile, region_name=self.region)

    def client(self, service: str, **config: Any) -> Any:
        """A boto3 client with deadlines: nothing waits forever on an unreachable endpoint.

        A missing region or profile is an AwsAccessError naming the fix, not botocore's
        traceback.
        """
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError

        from sfn_flows.aws.errors import AwsAccessError, aws_access_message

        options: dict[str, Any] = {
            "connect_timeout": 5,
            "read_timeout": 60,
            "retries": {"max_attempts": 4, "mode": "standard"},
        }
        options.update(config)
        endpoint = self.endpoint_url
        if service == "stepfunctions" and self.stepfunctions_endpoint_url:
            endpoint = self.stepfunctions_endpoint_url
        try:
            with self._lock:
                session = self.session()
                return session.client(service, endpoint_url=endpoint, config=Config(**options))
        except BotoCoreError as exc:
            message = aws_access_message(exc, self.describe(), local=self.is_local)
            raise AwsAccessError(message) from None
