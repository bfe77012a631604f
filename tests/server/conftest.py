"""A real engine server on a free port, and boto3 clients for it.

`server`: a server with the default configuration (virtual time off), stopped after the test.
`serve_with(**settings)`: a server with other ServerConfig settings (stopped after the test).
`sfn`: a boto3 Step Functions client for `server`; `sfn_for(running)`: one for another.
The clients never retry (a failure shows at once), every call has a deadline, and they send
to the endpoint's host as given (inject_host_prefix=False, as any local endpoint needs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sfn_flows.server.app import RunningServer, serve
from sfn_flows.server.config import ServerConfig

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/sfn-flows-test"
CLIENT_TIMEOUT_SECONDS = 30

PASS_DEFINITION = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'


@pytest.fixture(scope="session")
def boto_session() -> Any:
    """One boto3 session: its loader reads the service model once for every client."""
    import boto3

    return boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    )


@pytest.fixture
def serve_with() -> Iterator[Callable[..., RunningServer]]:
    started: list[RunningServer] = []

    def start(**settings: Any) -> RunningServer:
        config = ServerConfig.from_env({}, **({"port": 0} | settings))
        running = serve(config)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def server(serve_with: Callable[..., RunningServer]) -> RunningServer:
    return serve_with()


@pytest.fixture
def sfn_for(boto_session: Any) -> Callable[[RunningServer], Any]:
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=CLIENT_TIMEOUT_SECONDS,
        # StartSyncExecution and TestState are sent to "sync-<host>" on AWS; a local endpoint
        # (this server, Step Functions Local, LocalStack) needs the host as given.
        inject_host_prefix=False,
    )

    def client(running: RunningServer) -> Any:
        return boto_session.client("stepfunctions", endpoint_url=running.url, config=config)

    return client


@pytest.fixture
def sfn(server: RunningServer, sfn_for: Callable[[RunningServer], Any]) -> Any:
    return sfn_for(server)
