"""Container-backed tests run with waits and retry intervals 1000 times shorter, so the
order-fulfilment flow's 600 s `AwaitCourier` wait takes 1 s (the plugin's `sfn_time_scale` fixture
overridden, as a user's conftest.py would), and the pytest sessions they start lean."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

TIME_SCALE = 0.001
# Plugins installed here that no session a test starts uses: importing hypothesis' and
# pytest-benchmark's takes 1.2 s of a sample session's 1.7 s before its first test.
UNUSED_PLUGINS = "-p no:hypothesispytest -p no:benchmark"


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


@pytest.fixture(autouse=True)
def _lean_sessions(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest sessions started by a test (sample projects, collections of this repository's
    tests) load the sfn-flows plugin as a user's would, without the unused plugins."""
    if "pytester" in request.fixturenames:
        request.getfixturevalue("pytester")  # first: it clears PYTEST_ADDOPTS when made
    added = f"{os.environ.get('PYTEST_ADDOPTS', '')} {UNUSED_PLUGINS}".strip()
    monkeypatch.setenv("PYTEST_ADDOPTS", added)
