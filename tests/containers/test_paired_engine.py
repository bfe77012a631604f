"""Two containers started at once (testing/paired_engine.py): when the local stack cannot
start, the start of the other is abandoned rather than waited out, and nothing is left."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sfn_flows.testing.engines import EngineError
from sfn_flows.testing.paired_engine import (
    RunnerStart,
    health_answers,
    start_pair,
    start_runner_container,
)

from . import leftovers


@pytest.fixture
def no_container_left(sfn_engine: Any) -> Iterator[str]:
    with leftovers.no_container_left() as run:
        yield run


def test_a_local_stack_that_cannot_start_abandons_the_other(
    sfn_engine: Any, no_container_left: str, busy_port: int
) -> None:
    from testcontainers.core.container import DockerContainer

    outcomes: list[str] = []

    def never_ready(start: RunnerStart) -> tuple[Any, str]:
        # A container that never answers: only the abandonment can end its wait early.
        container = (
            DockerContainer(sfn_engine.stack_image)
            .with_command("sleep 600")
            .with_exposed_ports(8083)
            .with_network(start.network)
            .with_kwargs(labels=start.labels, init=True)
        )
        try:
            return start_runner_container(
                container,
                8083,
                "the waiting container",
                start,
                health_answers(start, "waiting"),
            )
        except BaseException as exc:
            outcomes.append(str(exc).partition("\n")[0])
            raise

    with pytest.raises(EngineError) as raised:
        start_pair(
            "sfn-flows-local",
            sfn_engine.stack_image,
            never_ready,
            host_port=busy_port,
            deadline=120,
        )
    assert str(raised.value).startswith(f"host port {busy_port} is already in use")
    assert outcomes == [
        "the start of the waiting container was abandoned: the engine's other part failed"
    ]
