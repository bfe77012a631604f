"""The push Lambdas' DynamoDB and @connections clients: made on first use, reused after.

Made and cached by clients.py (boto3 is imported with the first client, so the cold import
stays standard library; `reset_clients()` clears them too). The @connections API has no
endpoint of its own: its address is the WebSocket API's
(https://<api id>.execute-api.<region>.<suffix>/<stage>, which the template gives the
notifier). A local stack (AWS_ENDPOINT_URL set, as MiniStack sets it for its Lambdas) serves
the same API under its own address: <endpoint>/_aws/execute-api/<api id>/<stage>.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sfn_flows.runtime.clients import service_client

# The notifier's environment: the @connections endpoint on AWS.
CONNECTIONS_ENDPOINT_ENV = "SFN_FLOWS_PUSH_ENDPOINT"


def dynamodb_client() -> Any:
    return service_client("dynamodb", "dynamodb")


def connections_client() -> Any:
    """The @connections client of the WebSocket API named in CONNECTIONS_ENDPOINT_ENV."""
    endpoint = connections_endpoint(os.environ)
    return service_client("apigatewaymanagementapi", "apigatewaymanagementapi", endpoint=endpoint)


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
