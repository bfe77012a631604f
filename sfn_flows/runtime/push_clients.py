"""The push Lambdas' DynamoDB and @connections clients: made on first use, reused after.

boto3 is imported with the first client, as in clients.py (the cold import stays standard
library). The @connections API has no endpoint of its own: its address is the WebSocket API's
(https://<api id>.execute-api.<region>.<suffix>/<stage>, which the template gives the
notifier). A local stack (AWS_ENDPOINT_URL set, as MiniStack sets it for its Lambdas) serves
the same API under its own address: <endpoint>/_aws/execute-api/<api id>/<stage>.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from sfn_flows.runtime.clients import CLIENT_CONFIG
from sfn_flows.runtime.deadline import refuse_late_attempts

# The notifier's environment: the @connections endpoint on AWS.
CONNECTIONS_ENDPOINT_ENV = "SFN_FLOWS_PUSH_ENDPOINT"
_SCOPE_ENV = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_PROFILE")
_clients: dict[tuple[str | None, ...], Any] = {}

ConnectionsFactory = Callable[[], Any]


def dynamodb_client() -> Any:
    return _client("dynamodb", None)


def connections_client() -> Any:
    """The @connections client of the WebSocket API named in CONNECTIONS_ENDPOINT_ENV."""
    return _client("apigatewaymanagementapi", connections_endpoint(os.environ))


def connections_endpoint(environ: Mapping[str, str]) -> str:
    endpoint = environ.get(CONNECTIONS_ENDPOINT_ENV, "")
    parts = urlsplit(endpoint)
    if not parts.hostname or ".execute-api." not in parts.hostname:
        raise ValueError(
            f"{CONNECTIONS_ENDPOINT_ENV} is {endpoint!r}, not the WebSocket API's address "
            "https://<api id>.execute-api.<region>.<suffix>/<stage> (the template sets it)"
        )
    local = environ.get("AWS_ENDPOINT_URL")
    if not local:
        return endpoint
    api = parts.hostname.split(".", 1)[0]
    return f"{local.rstrip('/')}/_aws/execute-api/{api}{parts.path.rstrip('/')}"


def _client(service: str, endpoint: str | None) -> Any:
    key = (service, endpoint, *(os.environ.get(name) for name in _SCOPE_ENV))
    client = _clients.get(key)
    if client is None:
        import boto3  # deferred on purpose: see the module docstring
        from botocore.config import Config

        options = {"endpoint_url": endpoint} if endpoint else {}
        client = boto3.client(service, config=Config(**CLIENT_CONFIG), **options)
        client.meta.events.register("before-send", refuse_late_attempts)
        _clients[key] = client
    return client


def reset_push_clients() -> None:
    _clients.clear()
