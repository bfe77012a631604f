"""Make sure a Docker engine answers: install it (Debian's docker.io) when missing and
allowed, start dockerd when it is not running, always with a deadline.

Verified on these machines (see ../shared/notes/containers.md): apt does not start the
daemon, and a dockerd started while a killed one's pidfiles linger hangs for 60 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from sfn_flows.errors import SfnFlowsError
from sfn_flows.local.processes import process_alive

DOCKERD = "/usr/sbin/dockerd"
STALE_PIDFILES = ("/var/run/docker.pid", "/var/run/docker/containerd/containerd.pid")


class DockerEngineError(SfnFlowsError):
    """No Docker engine answers and none could be installed or started."""


def docker_answers(timeout: float = 10.0) -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            timeout=timeout,
        )
    except (subprocess.TimeoutExpired, OSError):
        return False
    return result.returncode == 0


def ensure_docker_engine(
    *, install: bool = True, deadline: float = 600.0, log: Path | None = None
) -> str:
    """Return how the engine was found ("running", "started", "installed"); raise with the
    cause and the fix otherwise. Leaves a running engine alone."""
    if docker_answers():
        return "running"
    how = "started"
    if not Path(DOCKERD).exists() and shutil.which("dockerd") is None:
        if not install:
            raise DockerEngineError(
                "no Docker engine: dockerd is not installed. Install Docker "
                "(e.g. `apt-get install docker.io`) or let sfn-flows install it."
            )
        apt_install(["docker.io", "mmdebstrap"], deadline)
        how = "installed"
    _start_dockerd(deadline=min(deadline, 120.0), log=log or Path("/tmp/sfn-flows-dockerd.log"))
    return how


def apt_install(packages: list[str], deadline: float) -> None:
    """Install Debian packages; only as root with apt-get, else say what to install."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise DockerEngineError(
            f"{', '.join(packages)} missing and no permission to install (needs root and "
            "apt-get). Install them (Docker must be running), then run the tests again."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
    ):
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, env=env, timeout=deadline
            )
        except subprocess.TimeoutExpired:
            raise DockerEngineError(
                f"`{' '.join(command)}` did not finish within {deadline:.0f} s"
            ) from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise DockerEngineError(f"`{' '.join(command)}` failed: {' / '.join(tail)}")


def _start_dockerd(*, deadline: float, log: Path) -> None:
    if os.geteuid() != 0:
        raise DockerEngineError(
            "the Docker engine is installed but not running, and starting it needs root."
        )
    _remove_stale_pidfiles()
    binary = DOCKERD if Path(DOCKERD).exists() else str(shutil.which("dockerd"))
    with log.open("ab") as out:
        subprocess.Popen(
            [binary],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    limit = time.monotonic() + deadline
    while not docker_answers(timeout=5):
        if time.monotonic() > limit:
            raise DockerEngineError(f"dockerd did not answer within {deadline:.0f} s; see {log}")
        time.sleep(0.2)


def _remove_stale_pidfiles() -> None:
    for name in STALE_PIDFILES:
        path = Path(name)
        try:
            pid = int(path.read_text().strip())
        except (OSError, ValueError):
            continue
        if not process_alive(pid):
            path.unlink(missing_ok=True)
