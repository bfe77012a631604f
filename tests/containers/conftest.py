"""Container-backed tests run with waits and retry intervals 1000 times shorter, so the
order-fulfilment flow's 600 s `AwaitCourier` wait takes 1 s. Overrides the plugin's
`sfn_time_scale` fixture, as a user's conftest.py would."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

TIME_SCALE = 0.001


@pytest.fixture(scope="session")
def sfn_time_scale() -> float:
    return TIME_SCALE


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A host port something listens on (on all interfaces, as Docker would publish)."""
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        yield holder.getsockname()[1]
