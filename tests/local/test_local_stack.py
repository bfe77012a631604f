"""`sfn-flows local up|status|down` against a real MiniStack process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sfn_flows.local import find_local_stack, stop_local_stack
from sfn_flows.local.stack import LocalStackError, answers, start_local_stack


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sfn_flows", "local", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_up_status_down(tmp_path: Path) -> None:
    try:
        assert run(tmp_path, "status").returncode == 3
        started = run(tmp_path, "up", "--json")
        assert started.returncode == 0, started.stderr
        endpoint = json.loads(started.stdout)["endpoint_url"]
        assert answers(endpoint, timeout=2)
        # A second `up` reuses the running stack instead of starting another.
        again = json.loads(run(tmp_path, "up", "--json").stdout)
        assert again["endpoint_url"] == endpoint
        status = json.loads(run(tmp_path, "status", "--json").stdout)
        assert status == {"running": True, "endpoint_url": endpoint}
        stopped = run(tmp_path, "down")
        assert f"stopped the local stack at {endpoint}" in stopped.stdout
        assert not answers(endpoint, timeout=1)
        assert "no local stack was running" in run(tmp_path, "down").stdout
    finally:
        stop_local_stack(tmp_path)


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(
            LocalStackError, match=r"MiniStack exited with code \d+ while starting; see "
        ):
            start_local_stack(tmp_path, port=port, deadline=30)
        result = run(tmp_path, "up", "--port", str(port))
    assert result.returncode == 1
    assert "MiniStack exited" in result.stderr and ".log" in result.stderr
    assert find_local_stack(tmp_path) is None


def test_stale_record_is_ignored(tmp_path: Path) -> None:
    record = tmp_path / ".sfn-flows" / "local.json"
    record.parent.mkdir()
    record.write_text(
        json.dumps(
            {"endpoint_url": "http://127.0.0.1:9", "port": 9, "pid": 999999, "log_path": "x"}
        )
    )
    assert find_local_stack(tmp_path) is None
    assert run(tmp_path, "status").returncode == 3
