"""The check that a test leaves no engine container or network behind.

It looks only at what the test could have made: while it runs, every engine container and
network started here or in a subprocess (a pytest session run by the test) carries a fresh
run tag (sfn_flows.testing.engines.RUN_ENV), and so do the intermediate containers of an image
build whose Dockerfile sets the tag as a LABEL. Docker objects of others (another project,
another test session on the same Docker) may come and go meanwhile without counting.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sfn_flows.testing.engines import RUN_ENV, RUN_LABEL


@contextmanager
def no_container_left() -> Iterator[str]:
    """Yields the run tag; raises AssertionError naming what carries it afterwards."""
    run = f"check-{uuid.uuid4().hex}"
    previous = os.environ.get(RUN_ENV)
    os.environ[RUN_ENV] = run
    try:
        yield run
    finally:
        if previous is None:
            del os.environ[RUN_ENV]
        else:
            os.environ[RUN_ENV] = previous
    left = tagged(run)
    assert not left, f"left behind: {', '.join(left)}"


def tagged(run: str) -> list[str]:
    """The containers and networks carrying run tag `run`, by name."""
    import docker

    client = docker.from_env()
    selector = {"label": f"{RUN_LABEL}={run}"}
    containers = client.containers.list(all=True, filters=selector, ignore_removed=True)
    networks = client.networks.list(filters=selector)
    return [f"container {c.name}" for c in containers] + [f"network {n.name}" for n in networks]
