"""The engine a flow runs on in tests: the local stack (MiniStack) in a Docker container,
started with testcontainers from the locally built image."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from sfn_flows.errors import SfnFlowsError
from sfn_flows.local.processes import process_alive

LOCAL_STACK = "local-stack"
ENGINES = (LOCAL_STACK,)
CONTAINER_PORT = 4566
LABEL = "sfn-flows.engine"
# The pid of the test session that started the container: another session (a nested pytest,
# a parallel run) must not remove it while that process lives.
OWNER_LABEL = "sfn-flows.owner-pid"

# Verified on these machines (../shared/notes/containers.md): Ryuk cannot be pulled, a stray
# /.dockerenv misleads testcontainers about where mapped ports live, and its default wait
# polls once a second.
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
os.environ.setdefault("TESTCONTAINERS_CONNECTION_MODE", "docker_host")
os.environ.setdefault("TC_POOLING_INTERVAL", "0.1")


class EngineError(SfnFlowsError):
    """The engine container could not be started or never became ready."""


@dataclass
class ContainerEngine:
    name: str
    image: str
    endpoint_url: str
    container: Any
    ready_seconds: float

    def stop(self) -> None:
        self.container.stop()


def start_engine(
    name: str,
    image: str,
    *,
    deadline: float = 60.0,
    env: dict[str, str] | None = None,
    volumes: dict[str, str] | None = None,
) -> ContainerEngine:
    """Start engine `name`; `volumes` maps host paths to read-only container paths."""
    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    from testcontainers.core.container import DockerContainer

    container = (
        DockerContainer(image)
        .with_exposed_ports(CONTAINER_PORT)
        .with_kwargs(init=True, labels={LABEL: name, OWNER_LABEL: str(os.getpid())})
    )
    for key, value in (env or {}).items():
        container = container.with_env(key, value)
    for host_path, container_path in (volumes or {}).items():
        container = container.with_volume_mapping(host_path, container_path, "ro")
    started = time.monotonic()
    try:
        container.start()
    except Exception as exc:  # docker's own errors: port clash, missing image, daemon gone
        raise EngineError(f"could not start the {name} container from {image}: {exc}") from None
    try:
        host = container.get_container_host_ip()
        port = container.get_exposed_port(CONTAINER_PORT)
        endpoint = f"http://{host}:{port}"
        _wait_until_ready(endpoint, container, started + deadline)
    except BaseException:
        container.stop()
        raise
    return ContainerEngine(name, image, endpoint, container, time.monotonic() - started)


def _wait_until_ready(endpoint: str, container: Any, limit: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(endpoint + "/_ministack/health", timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > limit:
            logs = container.get_logs()[0].decode(errors="replace").strip().splitlines()[-5:]
            raise EngineError(
                f"the engine at {endpoint} did not become ready in time; last log lines: "
                + " / ".join(logs)
            )
        time.sleep(0.05)


def remove_leftover_containers() -> int:
    """Remove engine containers whose session is gone (a crashed or killed run: Ryuk, which
    would do this, cannot be pulled here). Containers of living sessions stay."""
    import docker

    client = docker.from_env()
    gone = 0
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        owner = container.labels.get(OWNER_LABEL, "")
        if owner.isdigit() and process_alive(int(owner)):
            continue
        container.remove(force=True)
        gone += 1
    return gone
