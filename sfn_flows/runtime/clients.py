"""The Step Functions client: created on first use, then reused for the container's life.

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

# A request waits on Step Functions inside API Gateway's 29 s: short timeouts, and only the
# SDK's standard retries (which back off on throttling) before the caller is told to retry.
CLIENT_CONFIG: dict[str, Any] = {
    "connect_timeout": 3,
    "read_timeout": 10,
    "retries": {"max_attempts": 3, "mode": "standard"},
}
_ENDPOINT_ENV = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SFN",
    "AWS_PROFILE",
)
ClientFactory = Callable[[], Any]
_clients: dict[tuple[str | None, ...], Any] = {}


def stepfunctions_client() -> Any:
    key = tuple(os.environ.get(name) for name in _ENDPOINT_ENV)
    client = _clients.get(key)
    if client is None:
        import boto3  # deferred on purpose: see the module docstring
        from botocore.config import Config

        client = _clients[key] = boto3.client("stepfunctions", config=Config(**CLIENT_CONFIG))
    return client


def reset_clients() -> None:
    _clients.clear()
