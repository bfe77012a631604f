"""`sfn-flows run` through the real command (a subprocess) against the real MiniStack."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.client import MAX_INPUT_BYTES
from sfn_flows.local import LocalStack

from .conftest import DEMO_WORKFLOW, Machines, deployed_machine


def sfn_flows(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sfn_flows", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def endpoint(local_target: Target) -> list[str]:
    assert local_target.endpoint_url
    return ["--endpoint-url", local_target.endpoint_url]


def test_success_prints_the_output_json(machines: Machines, endpoint: list[str]) -> None:
    result = sfn_flows("run", machines["pass-wait"], *endpoint, "--input", '{"a": 1}')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"x": 1}  # stdout is the output JSON alone
    assert "started arn:aws:states:" in result.stderr and ":execution:" in result.stderr
    assert "SUCCEEDED in" in result.stderr
    # Not a terminal: no progress line.
    assert "running: " not in result.stderr and "states: A" not in result.stderr


def test_failure_prints_error_and_cause(machines: Machines, endpoint: list[str]) -> None:
    result = sfn_flows("run", machines["fail"], *endpoint)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "FAILED in" in result.stderr
    assert "error: Boom" in result.stderr and "cause: it broke" in result.stderr


def test_a_failing_task(machines: Machines, endpoint: list[str]) -> None:
    result = sfn_flows("run", machines["task-fail"], *endpoint)
    assert result.returncode == 1
    assert "error: Lambda.ResourceNotFoundException" in result.stderr
    assert "sfn-flows-tests-no-such-function" in result.stderr


def test_json_success_and_failure(machines: Machines, endpoint: list[str]) -> None:
    ok = sfn_flows("run", machines["echo"], *endpoint, "--json", "--input", "[1, 2]")
    assert ok.returncode == 0, ok.stderr
    document = json.loads(ok.stdout)
    assert document["status"] == "SUCCEEDED" and document["output"] == [1, 2]
    assert document["executionArn"].startswith("arn:aws:states:") and document["stopDate"]
    assert ok.stderr == ""  # --json: quiet
    failed = sfn_flows("run", machines["fail"], *endpoint, "--json")
    assert failed.returncode == 1
    document = json.loads(failed.stdout)
    assert (document["status"], document["error"], document["cause"]) == (
        "FAILED",
        "Boom",
        "it broke",
    )


def test_no_wait_returns_a_running_execution(
    machines: Machines, endpoint: list[str], sfn: Any
) -> None:
    result = sfn_flows("run", machines["wait-2"], *endpoint, "--no-wait")
    assert result.returncode == 0, result.stderr
    started, hint = result.stdout.splitlines()
    arn = started.removeprefix("started ")
    assert ":execution:" in arn
    assert hint == f"follow it with: sfn-flows status {arn} {' '.join(endpoint)}"
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    as_json = sfn_flows("run", machines["wait-2"], *endpoint, "--no-wait", "--json")
    document = json.loads(as_json.stdout)
    assert document["status"] == "RUNNING" and document["executionId"] is None
    assert sfn.describe_execution(executionArn=document["executionArn"])["status"] == "RUNNING"


def test_input_from_a_file(machines: Machines, endpoint: list[str], tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_text('{"from": "file", "n": [1, 2]}')
    result = sfn_flows("run", machines["echo"], *endpoint, "--input", f"@{path}")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"from": "file", "n": [1, 2]}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            '{"a": 1,}',
            "error: --input is not valid JSON: Expecting property name enclosed in double "
            "quotes at line 1 column 9 (character 8), near '{\"a\": 1,}'.",
        ),
        ("{'a': 1}", "at line 1 column 2 (character 1)"),
        ("", "error: --input is not valid JSON: Expecting value at line 1 column 1"),
        ('{"a": NaN}', "error: --input is not valid JSON: NaN is not a JSON value."),
        ("@/no/such/input.json", "error: input file /no/such/input.json does not exist;"),
    ],
)
def test_bad_input_is_refused_before_calling_aws(
    machines: Machines, endpoint: list[str], sfn: Any, given: str, message: str
) -> None:
    before = len(sfn.list_executions(stateMachineArn=machines["echo"])["executions"])
    result = sfn_flows("run", machines["echo"], *endpoint, "--input", given)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(sfn.list_executions(stateMachineArn=machines["echo"])["executions"]) == before


def test_bad_json_in_an_input_file_names_the_file(
    machines: Machines, endpoint: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "a": [1, 2\n}\n')
    result = sfn_flows("run", machines["echo"], *endpoint, "--input", f"@{path}")
    assert result.returncode == 1
    assert f"error: input file {path} is not valid JSON: Expecting ',' delimiter at line 3" in (
        result.stderr
    )


def test_input_over_256_kib(
    machines: Machines, endpoint: list[str], sfn: Any, tmp_path: Path
) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"blob": "x" * MAX_INPUT_BYTES}))
    before = len(sfn.list_executions(stateMachineArn=machines["echo"])["executions"])
    result = sfn_flows("run", machines["echo"], *endpoint, "--input", f"@{path}")
    assert result.returncode == 1
    assert "error: the execution input is 262,155 bytes as compact JSON; Step Functions " in (
        result.stderr
    )
    assert "accepts at most 262,144 bytes (256 KiB)" in result.stderr
    assert len(sfn.list_executions(stateMachineArn=machines["echo"])["executions"]) == before


def test_a_missing_state_machine(
    machines: Machines, endpoint: list[str], local_target: Target
) -> None:
    arn = machines["echo"] + "-missing"
    result = sfn_flows("run", arn, *endpoint)
    assert result.returncode == 1
    assert (
        f"error: no state machine {arn} on the local stack at {local_target.endpoint_url}; "
        "check the ARN, or deploy the workflow." in result.stderr
    )


def test_the_client_deadline_exits_2(machines: Machines, endpoint: list[str], sfn: Any) -> None:
    result = sfn_flows("run", machines["wait-long"], *endpoint, "--timeout", "1.5")
    assert result.returncode == 2
    assert "error: gave up waiting for execution arn:aws:states:" in result.stderr
    assert "after 1.5 s: it is still RUNNING" in result.stderr
    assert "follow it with: sfn-flows status arn:aws:states:" in result.stderr
    arn = result.stderr.split("gave up waiting for execution ", 1)[1].split(" after ", 1)[0]
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    sfn.stop_execution(executionArn=arn)
    as_json = sfn_flows("run", machines["wait-long"], *endpoint, "--timeout", "0", "--json")
    assert as_json.returncode == 2
    document = json.loads(as_json.stdout)
    assert document["status"] == "RUNNING" and document["waitTimedOut"] is True
    assert "after 0.0 s: it is still RUNNING" in as_json.stderr
    sfn.stop_execution(executionArn=document["executionArn"])


def test_an_aborted_execution_exits_1(machines: Machines, endpoint: list[str], sfn: Any) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sfn_flows", "run", machines["wait-long"], *endpoint],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        arn = None
        for _ in range(400):  # up to 20 s for the command to start the execution
            running = sfn.list_executions(
                stateMachineArn=machines["wait-long"], statusFilter="RUNNING"
            )["executions"]
            if running:
                arn = running[0]["executionArn"]
                break
            time.sleep(0.05)
        assert arn is not None
        sfn.stop_execution(executionArn=arn, error="Cancelled", cause="stopped by the test")
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 1
    assert "ABORTED in" in stderr and "error: Cancelled" in stderr
    assert "cause: stopped by the test" in stderr and "Traceback" not in stdout + stderr


def test_a_workflow_by_name_from_its_stack(machines: Machines, endpoint: list[str]) -> None:
    result = sfn_flows(
        "run",
        DEMO_WORKFLOW,
        "--stack",
        machines.stack,
        *endpoint,
        "--input",
        '{"v": 3}',
        "--name",
        "by-name",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"v": 3}
    assert f"started {DEMO_WORKFLOW}~by-name" in result.stderr


def test_a_workflow_not_deployed(machines: Machines, endpoint: list[str]) -> None:
    for given in (["run", "no-such-flow"], ["status", "no-such-flow~some-name"]):
        result = sfn_flows(*given, "--stack", machines.stack, *endpoint)
        assert result.returncode == 1
        # The names users type, not the template's logical ids (DemoFlow).
        assert (
            f"error: workflow 'no-such-flow' is not in stack '{machines.stack}' "
            f"(its workflows: {DEMO_WORKFLOW}); check the name, or build and deploy again."
        ) in result.stderr
    no_stack = sfn_flows("run", "x", "--stack", "no-such-stack", *endpoint)
    assert no_stack.returncode == 1
    assert "error: stack 'no-such-stack' is not deployed on the local stack at" in no_stack.stderr


def test_the_local_stack_of_the_folder_is_the_default(
    machines: Machines, local_stack: LocalStack
) -> None:
    # The session's stack records itself in <home>/.sfn-flows/local.json, as `local up` does.
    home = Path(local_stack.log_path).parents[1]
    result = sfn_flows("run", machines["echo"], "--input", '"here"', cwd=home)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == "here"


def test_progress_on_a_terminal(machines: Machines, endpoint: list[str]) -> None:
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "sfn_flows", "run", machines["pass-wait"], *endpoint],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )
    os.close(terminal)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([controller], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the terminal closes when the command ends
                    break
                if not chunk:
                    break
                seen += chunk
            elif process.poll() is not None:
                break
        process.wait(timeout=60)
    finally:
        process.kill()
        os.close(controller)
    text = seen.decode("utf-8", "replace")
    assert process.returncode == 0, text
    assert "running: A > W" in text  # the live line, updated as states are entered
    assert "states: A > W > B" in text  # and what stays on screen afterwards
    assert '"x": 1' in text and "Traceback" not in text


def executions(sfn: Any, machine: str) -> int:
    return len(sfn.list_executions(stateMachineArn=machine)["executions"])


@pytest.mark.parametrize(
    ("given", "messages"),
    [
        (
            '{"job_id": "Not Valid!"}',
            [
                f"error: the input does not match the input model of workflow "
                f"'{DEMO_WORKFLOW}' (build/manifest.json); fix the input, or build again if "
                "the model changed:",
                "  job_id: must match the pattern ^[a-z0-9-]+$",
            ],
        ),
        ('{"count": 1.5}', ["  job_id: is required", "  count: must be an integer, not a number"]),
        ("[1]", ["  (body): must be an object, not an array"]),
    ],
)
def test_input_is_checked_against_the_workflow_input_model(
    machines: Machines,
    endpoint: list[str],
    sfn: Any,
    local_target: Target,
    demo_project: Path,
    given: str,
    messages: list[str],
) -> None:
    machine = deployed_machine(local_target, machines.stack)
    before = executions(sfn, machine)
    args = ["run", DEMO_WORKFLOW, "--stack", machines.stack, *endpoint, "--input", given]
    result = sfn_flows(*args, cwd=demo_project)
    assert result.returncode == 1
    for message in messages:
        assert message in result.stderr.splitlines(), result.stderr
    assert executions(sfn, machine) == before  # refused before any call


def test_input_that_matches_the_input_model_runs(
    machines: Machines, endpoint: list[str], demo_project: Path
) -> None:
    given = '{"job_id": "j-1", "extra": true}'
    args = ["run", DEMO_WORKFLOW, "--stack", machines.stack, *endpoint, "--input", given]
    result = sfn_flows(*args, cwd=demo_project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"job_id": "j-1", "extra": True}
    assert "not checked" not in result.stderr


def test_without_a_build_the_input_is_not_checked_and_it_says_so(
    machines: Machines, endpoint: list[str], tmp_path: Path
) -> None:
    args = ["run", DEMO_WORKFLOW, "--stack", machines.stack, *endpoint, "--input", "[1]"]
    result = sfn_flows(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "note: the input was not checked against an input model: no build/manifest.json "
        "here (run `sfn-flows build`, or pass --build DIR)"
    ) in result.stderr


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("has space", "' ' at position 4"),
        ("tab\there", "'\\t' at position 4"),
        ("a/b", "'/' at position 2"),
        ("x~y", "'~' at position 2"),
        ("é" + "x" * 80, "81 characters"),
        ("", "it is empty"),
    ],
)
def test_the_execution_name_follows_aws_rules(
    machines: Machines, endpoint: list[str], sfn: Any, name: str, why: str
) -> None:
    before = executions(sfn, machines["echo"])
    result = sfn_flows("run", machines["echo"], *endpoint, "--name", name)
    assert result.returncode == 1
    assert f"error: --name {name!r} is not a valid execution name ({why});" in result.stderr
    assert "1 to 80 characters" in result.stderr
    assert executions(sfn, machines["echo"]) == before  # MiniStack would have taken it
