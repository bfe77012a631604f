"""A test session that is interrupted leaves no engine container behind: Ctrl-C and SIGTERM
run the fixtures' teardown; after SIGKILL (no teardown possible) the next session removes
the containers of sessions that are gone."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from sfn_flows.testing.engines import OWNER_LABEL, remove_leftover_containers

from .sample_project import write_sample_project

pytest_plugins = ["pytester"]

# Not a speed check: how long an interrupted session may take to clean up before the test
# calls it stuck (its teardown removes containers and a network through Docker, slow when the
# machine is busy).
ENDS_WITHIN = 60

WAITING_TEST = """
import time


def test_waits_for_a_signal(sfn_engine):
    time.sleep(600)
"""


def _containers_of(pid: int) -> list[Any]:
    import docker

    return docker.from_env().containers.list(
        all=True, filters={"label": f"{OWNER_LABEL}={pid}"}, ignore_removed=True
    )


def _session_with_a_running_engine(pytester: pytest.Pytester) -> subprocess.Popen[bytes]:
    write_sample_project(pytester, WAITING_TEST)
    session = subprocess.Popen(
        # faulthandler: a session that does not end gets SIGABRT, and its threads' stacks
        # (written to stderr) say where it waits.
        [sys.executable, "-X", "faulthandler", "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        cwd=pytester.path,
        stdout=subprocess.DEVNULL,
        stderr=(pytester.path / "session.err").open("wb"),
    )
    limit = time.monotonic() + 300
    while not _containers_of(session.pid):
        if session.poll() is not None or time.monotonic() > limit:
            session.kill()
            pytest.fail("the sample session never started its engine container")
        time.sleep(0.2)
    return session


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_session_removes_its_container(
    pytester: pytest.Pytester, sfn_engine: Any, signum: int
) -> None:
    # sfn_engine: Docker runs and the image is built, so the sample session starts quickly.
    # The signal comes as soon as the container exists: while it starts, waits for its
    # health answer or runs the test, whichever the timing gives; each must clean up.
    session = _session_with_a_running_engine(pytester)
    session.send_signal(signum)
    try:
        session.wait(timeout=ENDS_WITHIN)
    except subprocess.TimeoutExpired:
        session.send_signal(signal.SIGABRT)
        session.wait(timeout=30)
        stacks = (pytester.path / "session.err").read_text(errors="replace")
        pytest.fail(
            f"the session did not end within {ENDS_WITHIN} s of {signum.name}; "
            f"where its threads were:\n{stacks[-6000:]}"
        )
    finally:
        session.kill()
    assert _containers_of(session.pid) == []


def test_the_next_session_removes_the_container_of_a_killed_one(
    pytester: pytest.Pytester, sfn_engine: Any
) -> None:
    session = _session_with_a_running_engine(pytester)
    session.kill()
    session.wait(timeout=60)
    assert len(_containers_of(session.pid)) == 1  # SIGKILL: no teardown ran
    assert remove_leftover_containers() >= 1  # what sfn_engine does at the start of a session
    assert _containers_of(session.pid) == []
