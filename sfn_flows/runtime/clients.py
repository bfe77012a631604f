"""The AWS clients of the runtime's Lambdas (Step Functions and SQS here; DynamoDB and
@connections for push, push_clients.py): each created on first use, then reused for the
container's life.

boto3 (and with it botocore) is imported here, on the first call, not when the handler module
loads: requests the handler answers without AWS (bad input, unknown ids) never pay for it,
and the cold import of the handler stays at the cost of the standard library. The client
honours the usual environment (AWS_REGION, AWS_ENDPOINT_URL, credentials); the cache is keyed
by the variables that choose the endpoint, and tests reset it with `reset_clients()`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from sfn_flows.runtime.deadline import refuse_late_attempts
from sfn_flows.runtime.wait_window import MAX_WAIT_SECONDS

# The handlers' deadline (runtime/deadline.py) bounds how long a request waits; these bound
# each attempt, so that a call the deadline abandoned ends too. Retries are the SDK's standard
# ones (they back off on throttling), and none starts after the deadline.
CLIENT_CONFIG: dict[str, Any] = {
    "connect_timeout": 2,
    "read_timeout": 5,
    "retries": {"max_attempts": 3, "mode": "standard"},
}
# StartSyncExecution holds its call open until the execution ends (at most the wait cap), so
# it reads for longer; and it makes one attempt only: a retry would run the EXPRESS execution
# again, since Step Functions does not deduplicate those by name.
SYNC_CLIENT_CONFIG: dict[str, Any] = {
    **CLIENT_CONFIG,
    "read_timeout": MAX_WAIT_SECONDS + 5,
    "retries": {"max_attempts": 1, "mode": "standard"},
}
_ENDPOINT_ENV = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SFN",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_PROFILE",
)
ClientFactory = Callable[[], Any]
_clients: dict[tuple[str | None, ...], Any] = {}


def stepfunctions_client() -> Any:
    return service_client("stepfunctions", "sfn")


def stepfunctions_sync_client() -> Any:
    """For StartSyncExecution. boto3 sends it to the operation's `sync-` host
    (sync-states.<region>.amazonaws.com) on AWS; a local endpoint (AWS_ENDPOINT_URL or
    AWS_ENDPOINT_URL_SFN) has no such host, so there the prefix is left out."""
    local = bool(os.environ.get("AWS_ENDPOINT_URL_SFN") or os.environ.get("AWS_ENDPOINT_URL"))
    config = {**SYNC_CLIENT_CONFIG, "inject_host_prefix": not local}
    return service_client("stepfunctions", "sfn", variant="sync", config=config)


def sqs_client() -> Any:
    """For the SQS intake: the starter queues requests, the consumer sends poison aside."""
    return service_client("sqs", "sqs")


def service_client(
    service: str,
    event_id: str,
    *,
    variant: str = "",
    config: dict[str, Any] = CLIENT_CONFIG,
    endpoint: str | None = None,
) -> Any:
    """The cached client of `service` (`event_id`: botocore's hyphenated service id, which
    names its events); `endpoint` overrides the environment's (push_clients.py)."""
    key = (service, variant, endpoint, *(os.environ.get(name) for name in _ENDPOINT_ENV))
    client = _clients.get(key)
    if client is None:
        import boto3  # deferred on purpose: see the module docstring
        from botocore.config import Config

        options = {"endpoint_url": endpoint} if endpoint else {}
        client = boto3.client(service, config=Config(**config), **options)
        client.meta.events.register(f"before-send.{event_id}", refuse_late_attempts)
        _clients[key] = client
    return client


def reset_clients() -> None:
    _clients.clear()
