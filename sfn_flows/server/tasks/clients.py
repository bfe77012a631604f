"""boto3 clients for the endpoints Tasks call: the local stack and LAMBDA_ENDPOINT.

boto3 loads at the first call, never at import (the server starts without it). Each client
waits at most CONNECT_SECONDS to connect and the Task's own bound to read, and makes a single
attempt: retrying is the state machine's Retry, as on AWS. The credentials are the local
stack's test ones, so a user's real keys never reach an endpoint the server was given.
"""

from __future__ import annotations

import math
import threading
from typing import Any, Final

from sfn_flows.aws.target import LOCAL_CREDENTIALS

CONNECT_SECONDS: Final = 2.0
# How long a call without a Task TimeoutSeconds may take to answer: the AWS SDK's own
# socket timeout (50 s), then Lambda's longest function for an invocation.
DEFAULT_READ_SECONDS: Final = 50.0


class Clients:
    """Clients by (service, endpoint, read timeout), made once: making one costs ~50 ms."""

    def __init__(self, region: str) -> None:
        self._region = region
        self._clients: dict[tuple[str, str, int], Any] = {}
        self._session: Any = None
        self._lock = threading.Lock()

    def client(self, service: str, endpoint: str, read_seconds: float | None = None) -> Any:
        """A boto3 client of `service` (boto3's name) for `endpoint`."""
        seconds = DEFAULT_READ_SECONDS if read_seconds is None else read_seconds
        # Whole seconds, rounded up: Tasks with close timeouts share a client.
        key = (service, endpoint, max(1, math.ceil(seconds)))
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._make(service, endpoint, key[2])
                self._clients[key] = client
            return client

    def _make(self, service: str, endpoint: str, read_seconds: int) -> Any:
        import boto3  # here, not at import: see the module docstring
        from botocore.config import Config

        if self._session is None:
            # Sessions are not thread-safe: one, used under the lock only to make clients.
            self._session = boto3.session.Session(region_name=self._region, **LOCAL_CREDENTIALS)
        return self._session.client(
            service,
            endpoint_url=endpoint,
            config=Config(
                connect_timeout=CONNECT_SECONDS,
                read_timeout=read_seconds,
                retries={"total_max_attempts": 1},
                parameter_validation=True,
            ),
        )
