"""The no-container-left check counts only what the test could have made: Docker objects of
others (another project, another session) may come and go meanwhile, while a container or
network that our code leaves behind is still caught."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import docker
import pytest

from sfn_flows.testing.engines import STEPFUNCTIONS_LOCAL, engine_labels, start_local_stack

from .leftovers import no_container_left


def _unrelated_network() -> Any:
    # No sfn-flows label: what another project on the same Docker would make.
    return docker.from_env().networks.create(f"unrelated-{uuid.uuid4().hex[:12]}")


def test_objects_of_others_that_come_and_go_do_not_count(sfn_engine: Any) -> None:
    # sfn_engine: Docker is running.
    removed, created = _unrelated_network(), None
    try:
        with no_container_left():
            removed.remove()
            created = _unrelated_network()
    finally:
        for network in (removed, created):
            with contextlib.suppress(Exception):
                network.remove()


def test_a_container_our_code_leaves_is_caught(sfn_engine: Any) -> None:
    leaked = None
    try:
        with (
            pytest.raises(AssertionError, match="left behind: container sfn-flows-"),
            no_container_left(),
        ):
            leaked = start_local_stack(sfn_engine.stack_image)
    finally:
        if leaked is not None:
            leaked.stop()


def test_a_network_our_code_leaves_is_caught(sfn_engine: Any) -> None:
    client = docker.from_env()
    name = f"sfn-flows-test-{uuid.uuid4().hex[:12]}"
    try:
        with (
            pytest.raises(AssertionError, match=f"left behind: network {name}"),
            no_container_left(),
        ):
            client.networks.create(name, labels=engine_labels(STEPFUNCTIONS_LOCAL))
    finally:
        for network in client.networks.list(names=[name]):
            network.remove()
