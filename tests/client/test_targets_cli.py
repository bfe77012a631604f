"""Which engine run, status and deploy talk to, through the real command (a subprocess).

A command uses AWS only when asked (--profile, --region, SFN_FLOWS_TARGET=aws); a stopped
local stack is an error that says how to restart it. "Did it contact AWS?" is observed, not
assumed: AWS_ENDPOINT_URL points every AWS client at a listener of the test (a trap that
counts connections), so a command that falls through to AWS is caught there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sfn_flows.deploy.targeting import TARGET_ENV
from sfn_flows.local import start_local_stack, stop_local_stack
from sfn_flows.local.stack import free_port, state_path

from .conftest import DEMO_WORKFLOW

SOME_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:some-flow"
# The three commands that pick a target, each as a user would type it.
TARGETED = {
    "run": ["run", DEMO_WORKFLOW, "--input", '{"job_id": "j1"}'],
    "status": ["status", f"{DEMO_WORKFLOW}~some-execution"],
    "deploy": ["deploy"],
}


class Trap:
    """A TCP listener that accepts, counts and closes every connection."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    listener = Trap()
    yield listener
    listener.close()


def environment(home: Path, **settings: str) -> dict[str, str]:
    """This process's environment without any AWS setting, plus `settings`.

    Config and credential files point into `home` (absent), the instance metadata service is
    off: only what a test sets can reach botocore.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != TARGET_ENV}
    env.update(
        AWS_CONFIG_FILE=str(home / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(settings)
    return env


def credentials(trap: Trap) -> dict[str, str]:
    """A shell with AWS credentials and a region: what silently reached real AWS before."""
    return {
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
        "AWS_SECRET_ACCESS_KEY": "example-secret",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": trap.url,
    }


def sfn_flows(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sfn_flows", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error of a command that must fail with one line on stderr and no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def stopped_stack_project(tmp_path_factory: pytest.TempPathFactory, demo_project: Path) -> Path:
    """A built project whose local stack really ran and was stopped; its record stays."""
    home = tmp_path_factory.mktemp("stopped-stack")
    for folder in ("workflows", "lambdas", "build"):
        shutil.copytree(demo_project / folder, home / folder)
    start_local_stack(home)
    record = state_path(home).read_text()
    stop_local_stack(home)
    state_path(home).write_text(record)  # as after a reboot or a killed stack
    return home


@pytest.mark.parametrize("command", sorted(TARGETED))
def test_a_stopped_local_stack_is_an_error_and_aws_is_never_contacted(
    command: str, stopped_stack_project: Path, trap: Trap, tmp_path: Path
) -> None:
    result = sfn_flows(
        stopped_stack_project, environment(tmp_path, **credentials(trap)), *TARGETED[command]
    )
    line = one_line_error(result)
    assert "error: the local stack recorded for this folder (http://127.0.0.1:" in line
    assert "has stopped" in line and "restart it with `sfn-flows local up`" in line
    assert trap.connections == 0


@pytest.mark.parametrize("command", sorted(TARGETED))
def test_no_local_stack_and_aws_not_asked_for_says_what_to_do(
    command: str, demo_project: Path, trap: Trap, tmp_path: Path
) -> None:
    # Credentials in the environment do not ask for AWS; without a region this was a
    # 60-line NoRegionError traceback.
    for settings in (credentials(trap), {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00"}):
        result = sfn_flows(demo_project, environment(tmp_path, **settings), *TARGETED[command])
        line = one_line_error(result)
        assert f"error: no local stack was started from {demo_project}" in line
        assert "`sfn-flows local up`" in line and f"{TARGET_ENV}=aws" in line
    assert trap.connections == 0


def test_asking_for_aws_reaches_aws(demo_project: Path, trap: Trap, tmp_path: Path) -> None:
    # The positive control of the trap: asked for, AWS (here the trap) is called.
    env = environment(tmp_path, **credentials(trap), **{TARGET_ENV: "aws"})
    result = sfn_flows(demo_project, env, "run", SOME_MACHINE)
    line = one_line_error(result)
    assert line.startswith("error: cannot reach the AWS account (default profile, default region)")
    assert trap.connections >= 1


def test_aws_without_a_region_is_one_line(demo_project: Path, tmp_path: Path) -> None:
    for command in ("run", "status"):
        env = environment(tmp_path, **{TARGET_ENV: "aws"})
        line = one_line_error(sfn_flows(demo_project, env, *TARGETED[command]))
        assert line == (
            "error: no AWS region for the AWS account (default profile, default region): pass "
            "--region, or set AWS_REGION, or a region in your AWS profile."
        )


def test_an_unknown_profile_is_one_line(demo_project: Path, tmp_path: Path) -> None:
    env = environment(tmp_path)
    line = one_line_error(sfn_flows(demo_project, env, "run", SOME_MACHINE, "--profile", "nope"))
    assert line.startswith("error: AWS profile 'nope' is not configured")
    assert "aws configure --profile nope" in line


def test_aws_without_credentials_is_one_line(demo_project: Path, tmp_path: Path) -> None:
    env = environment(tmp_path, AWS_DEFAULT_REGION="eu-west-1", **{TARGET_ENV: "aws"})
    line = one_line_error(sfn_flows(demo_project, env, "run", SOME_MACHINE))
    assert line.startswith(
        "error: no AWS credentials for the AWS account (default profile, default "
    )
    assert "pass --profile" in line


def test_an_endpoint_that_does_not_answer_is_one_line(demo_project: Path, tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    for command in ("run", "status"):
        args = [*TARGETED[command], "--endpoint-url", endpoint]
        line = one_line_error(sfn_flows(demo_project, environment(tmp_path), *args))
        assert line.startswith(f"error: cannot reach the local stack at {endpoint}")


def test_a_botocore_error_no_command_translated_is_one_line() -> None:
    # The CLI's last line of defence, for a path that lets botocore's error through.
    from botocore.exceptions import ClientError, NoRegionError

    from sfn_flows.cli.app import aws_failure

    assert aws_failure(NoRegionError()) == (
        "no AWS region for the AWS endpoint: pass --region, or set AWS_REGION, or a region in "
        "your AWS profile."
    )
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "not yours"}}, "GetItem")
    assert aws_failure(denied) == "GetItem failed: AccessDenied: not yours"
    assert aws_failure(ValueError("not botocore's")) is None
