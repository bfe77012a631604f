"""What happens without a Docker engine. These machines do have one (the tests install and
start it), so its absence is simulated by hiding the binaries and the daemon; the messages
are the point."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfn_flows.local import docker_engine
from sfn_flows.local.docker_engine import DockerEngineError, ensure_docker_engine


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docker_engine, "docker_answers", lambda timeout=10.0: False)
    monkeypatch.setattr(docker_engine, "DOCKERD", "/nonexistent/dockerd")
    monkeypatch.setattr(docker_engine.shutil, "which", lambda name: None)


def test_not_installed_and_not_allowed_to_install(no_engine: None) -> None:
    with pytest.raises(DockerEngineError, match=r"dockerd is not installed\. Install Docker"):
        ensure_docker_engine(install=False)


def test_no_permission_to_install(no_engine: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docker_engine.os, "geteuid", lambda: 1000)
    with pytest.raises(DockerEngineError, match="no permission to install") as caught:
        ensure_docker_engine()
    assert "docker.io, mmdebstrap missing" in str(caught.value)


def test_installed_but_not_running_without_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docker_engine, "docker_answers", lambda timeout=10.0: False)
    monkeypatch.setattr(docker_engine.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(docker_engine, "DOCKERD", str(Path(__file__)))  # "installed"
    with pytest.raises(DockerEngineError, match="not running, and starting it needs root"):
        ensure_docker_engine()


def test_stale_pidfiles_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "docker.pid"
    stale.write_text("999999\n")
    live = tmp_path / "containerd.pid"
    live.write_text(f"{1}\n")  # pid 1 is alive
    monkeypatch.setattr(docker_engine, "STALE_PIDFILES", (str(stale), str(live)))
    docker_engine._remove_stale_pidfiles()
    assert not stale.exists() and live.exists()


def test_a_running_engine_is_left_alone(sfn_engine: object) -> None:
    # sfn_engine made sure the real engine of this machine runs.
    assert ensure_docker_engine(install=False) == "running"
