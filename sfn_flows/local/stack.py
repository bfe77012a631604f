"""Start, find and stop MiniStack as a background process on 127.0.0.1.

The running stack is recorded in `.sfn-flows/local.json` of the project, so `deploy`, `run`
and `status` find it without options.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from sfn_flows.errors import SfnFlowsError
from sfn_flows.local.processes import process_alive

STATE_DIR = ".sfn-flows"
STATE_FILE = "local.json"
HEALTH_PATH = "/_ministack/health"


class LocalStackError(SfnFlowsError):
    """The local stack could not be started, reached or stopped."""


@dataclass(frozen=True)
class LocalStack:
    endpoint_url: str
    port: int
    pid: int
    log_path: str

    def is_alive(self) -> bool:
        return process_alive(self.pid) and answers(self.endpoint_url, timeout=1.0)


def state_path(project: Path) -> Path:
    return project / STATE_DIR / STATE_FILE


def recorded_local_stack(project: Path) -> LocalStack | None:
    """The stack `local up` recorded for this project, running or not (None: no record)."""
    try:
        return LocalStack(**json.loads(state_path(project).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def find_local_stack(project: Path) -> LocalStack | None:
    """The stack recorded for this project, if it is still running."""
    stack = recorded_local_stack(project)
    return stack if stack is not None and stack.is_alive() else None


def start_local_stack(
    project: Path, *, port: int | None = None, deadline: float = 60.0
) -> LocalStack:
    """Start MiniStack (or return the running one) and wait until it answers."""
    running = find_local_stack(project)
    if running:
        return running
    try:
        import ministack  # noqa: F401  (only to say clearly when it is missing)
    except ImportError:
        raise LocalStackError(
            "the local stack needs MiniStack: pip install 'sfn-flows[local]' (or ministack)"
        ) from None
    port = port or free_port()
    state_dir = project / STATE_DIR
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / f"ministack-{port}.log"
    env = {
        **os.environ,
        "GATEWAY_PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        # Extra listeners on fixed ports (MQTT 8883, SFTP) would clash between two stacks.
        "IOT_MTLS_ENABLED": "0",
        "SFTP_ENABLED": "0",
        "LOG_LEVEL": os.environ.get("SFN_FLOWS_LOCAL_LOG_LEVEL", "WARNING"),
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ministack"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=state_dir,
            start_new_session=True,  # outlives the command that started it
        )
    endpoint = f"http://127.0.0.1:{port}"
    limit = time.monotonic() + deadline
    while not answers(endpoint, timeout=0.5):
        if process.poll() is not None:
            raise LocalStackError(
                f"MiniStack exited with code {process.returncode} while starting; see {log_path}"
            )
        if time.monotonic() > limit:
            process.kill()
            raise LocalStackError(
                f"MiniStack did not answer on {endpoint} within {deadline:.0f} s; see {log_path}"
            )
        time.sleep(0.05)
    stack = LocalStack(endpoint, port, process.pid, str(log_path))
    state_path(project).write_text(json.dumps(asdict(stack), indent=2) + "\n")
    return stack


def stop_local_stack(project: Path, *, deadline: float = 10.0) -> LocalStack | None:
    """Stop the recorded stack; returns it, or None when nothing was running."""
    stack = recorded_local_stack(project)
    if stack is None:
        return None
    if process_alive(stack.pid):
        _signal_group(stack.pid, signal.SIGTERM)
        limit = time.monotonic() + deadline
        while process_alive(stack.pid) and time.monotonic() < limit:
            time.sleep(0.05)
        if process_alive(stack.pid):
            _signal_group(stack.pid, signal.SIGKILL)
    state_path(project).unlink(missing_ok=True)
    return stack


def answers(endpoint: str, *, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(endpoint + HEALTH_PATH, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
