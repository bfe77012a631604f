"""`sfn-flows engine serve` as a process: ready line, readiness answer, clean stop on SIGTERM
and SIGINT, exit code 2 for a bad option or a taken port. And the AWS CLI (`aws
stepfunctions`, a real subprocess) against the server, unchanged but for --endpoint-url."""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.server.app import RunningServer
from tests.server.conftest import PASS_DEFINITION, ROLE_ARN

DEADLINE_SECONDS = 30
READY = re.compile(r"^sfn-flows engine listening on (http://127\.0\.0\.1:(\d+))$")


def start(*args: str, command: tuple[str, ...] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*(command or (sys.executable, "-m", "sfn_flows")), "engine", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ready_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    readable, _, _ = select.select([process.stdout], [], [], DEADLINE_SECONDS)
    assert readable, "the server printed nothing in time"
    return process.stdout.readline().rstrip("\n")


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(DEADLINE_SECONDS)


@pytest.mark.parametrize(
    ("command", "stop"),
    [
        (None, signal.SIGTERM),
        (None, signal.SIGINT),
        ((shutil.which("sfn-flows") or "sfn-flows",), signal.SIGTERM),
    ],
    ids=["python-m-sigterm", "python-m-sigint", "console-script-sigterm"],
)
def test_serves_until_signalled_then_exits_0(
    processes: list[subprocess.Popen[str]], command: tuple[str, ...] | None, stop: int
) -> None:
    process = start("--port", "0", command=command)
    processes.append(process)
    line = ready_line(process)
    match = READY.match(line)
    assert match, line
    connection = http.client.HTTPConnection("127.0.0.1", int(match[2]), timeout=DEADLINE_SECONDS)
    connection.request("GET", "/")
    assert json.loads(connection.getresponse().read())["status"] == "ready"
    connection.close()
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 0
    assert "Traceback" not in stderr


def test_a_taken_port_is_exit_2_with_a_clear_error(
    server: RunningServer, processes: list[subprocess.Popen[str]]
) -> None:
    process = start("--port", str(server.port))
    processes.append(process)
    _, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 2
    assert "in use" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("args", "environment", "message"),
    [
        (("--port", "70000"), {}, "0 to 65535"),
        (("--port", "x"), {}, "invalid int value"),
        (("--lambdas-dir", "/no/such/folder"), {}, "not a folder"),
        ((), {"WAIT_TIME_SCALE": "-1"}, "WAIT_TIME_SCALE"),
        ((), {"AWS_ACCOUNT_ID": "12"}, "AWS_ACCOUNT_ID"),
    ],
)
def test_bad_settings_are_exit_2_naming_the_setting(
    processes: list[subprocess.Popen[str]],
    args: tuple[str, ...],
    environment: dict[str, str],
    message: str,
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sfn_flows", "engine", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | environment,
    )
    processes.append(process)
    _, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 2
    assert message in stderr
    assert "Traceback" not in stderr


def test_options_override_the_environment(processes: list[subprocess.Popen[str]]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sfn_flows", "engine", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"SFN_FLOWS_LAMBDAS_DIR": "/no/such/folder"},
    )
    processes.append(process)
    # The environment's bad folder is refused; an option would have replaced it.
    _, stderr = process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 2
    assert "SFN_FLOWS_LAMBDAS_DIR" in stderr
    process = start("--port", "0", "--lambdas-dir", str(Path(__file__).parent))
    processes.append(process)
    assert READY.match(ready_line(process))
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 0


# -- the AWS CLI ---------------------------------------------------------------------------

AWS = shutil.which("aws")


def aws(server: RunningServer, *args: str) -> Any:
    """`aws stepfunctions ...` against the server: dummy credentials, no real account."""
    assert AWS is not None
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_MAX_ATTEMPTS": "1",
    }
    result = subprocess.run(
        [AWS, "stepfunctions", *args, "--endpoint-url", server.url, "--output", "json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=DEADLINE_SECONDS,
    )
    return result


@pytest.mark.skipif(AWS is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_creates_describes_and_lists(server: RunningServer, tmp_path: Path) -> None:
    definition = tmp_path / "machine.json"
    definition.write_text(PASS_DEFINITION)
    created = aws(
        server,
        "create-state-machine",
        "--name",
        "cli-machine",
        "--definition",
        f"file://{definition}",
        "--role-arn",
        ROLE_ARN,
    )
    assert created.returncode == 0, created.stderr
    arn = json.loads(created.stdout)["stateMachineArn"]
    assert arn.endswith(":stateMachine:cli-machine")
    described = aws(server, "describe-state-machine", "--state-machine-arn", arn)
    assert described.returncode == 0, described.stderr
    assert json.loads(described.stdout)["definition"] == PASS_DEFINITION
    listed = aws(server, "list-state-machines")
    assert [m["name"] for m in json.loads(listed.stdout)["stateMachines"]] == ["cli-machine"]
    missing = aws(server, "describe-state-machine", "--state-machine-arn", arn + "-none")
    assert missing.returncode != 0
    assert "StateMachineDoesNotExist" in missing.stderr


def test_readiness_comes_before_any_action_is_imported(
    processes: list[subprocess.Popen[str]],
) -> None:
    """The first answer does not wait for the actions (and the engine) to load."""
    code = (
        "import sys, json;"
        "from sfn_flows.server.app import serve; from sfn_flows.server.config import "
        "ServerConfig; s=serve(ServerConfig(port=0)); import http.client as h;"
        "c=h.HTTPConnection('127.0.0.1', s.port, timeout=10); c.request('GET','/');"
        "c.getresponse().read(); print(json.dumps('sfn_flows.server.actions' in sys.modules));"
        "s.stop()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=DEADLINE_SECONDS
    )
    assert result.stdout.strip() == "false", result.stderr
