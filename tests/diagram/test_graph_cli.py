"""`sfn-flows graph` run as users run it (a subprocess of `python -m sfn_flows`) on a copy of
this project: every format, the bad input it refuses, and an execution read from a real
Step Functions endpoint (the engine server, `sfn-flows engine serve`'s code)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.diagram import workflow_diagram
from sfn_flows.server.app import RunningServer, serve
from sfn_flows.server.config import ServerConfig
from sfn_flows.testing import load_project
from tests.cli.test_build_cli import project
from tests.diagram.machines import DECLINED_ORDER
from tests.diagram.renderers import graphviz_dot

__all__ = ["project"]  # the fixture: a copy of this project's workflows and lambdas

ROOT = Path(__file__).resolve().parents[2]
# Only a guard against a hang.
DEADLINE_SECONDS = 120


def graph(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(
        [sys.executable, "-m", "sfn_flows", "graph", *args],
        cwd=project,
        capture_output=True,
        timeout=DEADLINE_SECONDS,
        env=env,
        check=False,
    )
    assert b"Traceback" not in done.stdout + done.stderr, done.stderr.decode()
    return done


def test_mermaid_on_stdout_is_the_build_drawn(project: Path) -> None:
    done = graph(project, "order-fulfilment")
    assert done.returncode == 0, done.stderr
    compiled = load_project(project).compiled("order-fulfilment")
    expected = workflow_diagram(
        compiled.definition,
        budget=compiled.budget,
        map_max_items=compiled.map_max_items,
        loop_max_iterations=compiled.loop_max_iterations,
        title="order-fulfilment: longest path 27.5 min of 1 h",
    )
    assert done.stdout.decode() == expected
    assert done.stderr == b""


def test_dot_on_stdout(project: Path) -> None:
    done = graph(project, "long-running-job", "--format", "dot")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"digraph workflow {\n")
    assert b'label="long-running-job: longest path 22.23 min of 30 min"' in done.stdout


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("job.mmd", b"---\ntitle:"),
        ("job.mermaid", b"---\ntitle:"),
        ("job.dot", b"digraph workflow {"),
        ("job.gv", b"digraph workflow {"),
        ("job.svg", b"<?xml"),
        ("job.png", b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_the_format_follows_the_file_name(project: Path, name: str, starts: bytes) -> None:
    if name.endswith((".svg", ".png")):
        graphviz_dot()
    done = graph(project, "long-running-job", "-o", name)
    assert done.returncode == 0, done.stderr
    assert done.stdout == b""
    assert done.stderr.decode().strip() == f"wrote {name} ({name.split('.')[-1]})".replace(
        "(mmd)", "(mermaid)"
    ).replace("(gv)", "(dot)")
    assert (project / name).read_bytes().startswith(starts)


def test_svg_holds_the_workflow(project: Path) -> None:
    graphviz_dot()
    done = graph(project, "order-fulfilment", "--format", "svg")
    assert done.returncode == 0, done.stderr
    svg = done.stdout.decode()
    for text in ("RouteByKind", "catch States.ALL", "timeout 20 s", "for each item, 10 at once"):
        assert f">{text}</text>" in svg


def test_png_on_a_pipe_is_written(project: Path) -> None:
    graphviz_dot()
    done = graph(project, "long-running-job", "--format", "png")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"\x89PNG\r\n\x1a\n")


def test_without_graphviz_svg_fails_in_one_line_naming_the_package(
    project: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "no-graphviz-here"
    empty.mkdir()
    done = graph(project, "long-running-job", "-o", "job.svg", env={"PATH": str(empty)})
    assert done.returncode == 1
    message = done.stderr.decode().strip()
    assert "\n" not in message
    assert message.startswith("error: SVG needs Graphviz's `dot`, which is not on PATH")
    assert "`apt install graphviz`" in message and "`brew install graphviz`" in message
    assert not (project / "job.svg").exists()
    # Text formats need nothing.
    assert (
        graph(project, "long-running-job", "-o", "job.dot", env={"PATH": str(empty)}).returncode
        == 0
    )


def test_an_existing_file_is_kept_without_force(project: Path) -> None:
    target = project / "job.mmd"
    target.write_text("mine")
    done = graph(project, "long-running-job", "-o", "job.mmd")
    assert done.returncode == 1
    assert done.stderr.decode() == "error: 'job.mmd' exists; pass --force to overwrite it.\n"
    assert target.read_text() == "mine"
    done = graph(project, "long-running-job", "-o", "job.mmd", "--force")
    assert done.returncode == 0, done.stderr
    assert target.read_text().startswith("---\ntitle:")
    assert sorted(p.name for p in project.iterdir()) == ["job.mmd", "lambdas", "workflows"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "png", "-o", "job.svg"],
            "error: --format png does not match 'job.svg', whose extension is svg's; name the "
            "file 'job.png' (or give --format svg).",
        ),
        (
            ["-o", "job.txt"],
            "error: cannot tell the format from the name 'job.txt'; end it in .mmd, .mermaid, "
            ".dot, .gv, .svg, .png, or give --format mermaid|dot|svg|png.",
        ),
        (["-o", "workflows"], "error: 'workflows' is a folder; give a file name."),
        (
            ["-o", "missing/job.svg"],
            "error: the folder of 'missing/job.svg' does not exist; create it first.",
        ),
    ],
)
def test_bad_output_options_are_refused_before_any_work(
    project: Path, args: list[str], message: str
) -> None:
    done = graph(project, "long-running-job", *args)
    assert done.returncode == 1
    assert done.stderr.decode().strip() == message


def test_an_explicit_format_takes_any_other_extension(project: Path) -> None:
    done = graph(project, "long-running-job", "--format", "mermaid", "-o", "job.txt")
    assert done.returncode == 0, done.stderr
    assert (project / "job.txt").read_text().startswith("---\ntitle:")


def test_an_unknown_format_is_named_with_the_choices(project: Path) -> None:
    done = graph(project, "long-running-job", "--format", "jpeg")
    assert done.returncode == 2
    said = " ".join(done.stderr.decode().replace("│", " ").split())
    assert "'jpeg' is not one of 'mermaid', 'svg', 'png', 'dot'" in said


def test_an_unknown_workflow_gets_the_known_ones(project: Path) -> None:
    done = graph(project, "long-runing-job")
    assert done.returncode == 1
    assert done.stdout == b""
    assert done.stderr.decode() == (
        "error: no workflow named 'long-runing-job'; the project's workflows: long-running-job, "
        "order-fulfilment.\n"
    )


def test_a_workflow_that_does_not_build_shows_its_problems(project: Path) -> None:
    (project / "workflows" / "broken.py").write_text(
        "from sfn_flows import Task, Workflow\n"
        "broken = Workflow(name='broken', start=Task('NoLimit', resource='arn:aws:states:::"
        "sqs:sendMessage', parameters={'QueueUrl': 'q', 'MessageBody': 'm'}), "
        "timeout_seconds=60)\n"
    )
    done = graph(project, "broken")
    assert done.returncode == 1
    said = done.stdout.decode()
    assert "broken (" in said and "/States/NoLimit" in said and "timeout" in said
    assert "error: workflow 'broken' does not build" in done.stderr.decode()
    # The others still draw.
    assert graph(project, "long-running-job").returncode == 0


def test_help_lists_the_options(project: Path) -> None:
    done = graph(project, "--help")
    assert done.returncode == 0
    said = " ".join(done.stdout.decode().split())
    for option in ("--format", "--output", "--force", "--execution", "--endpoint-url"):
        assert option in said


# -- an execution read from a real endpoint -------------------------------------------------


@pytest.fixture
def engine_server(project: Path, tmp_path: Path) -> Iterator[RunningServer]:
    """The engine server, running this project's handlers, as `sfn-flows engine serve` runs."""
    compiled = load_project(project)
    functions = {
        function.name: {"handler": function.handler, "timeoutSeconds": function.timeout_seconds}
        for name in compiled.names
        for function in compiled.compiled(name).functions
    }
    functions_file = tmp_path / "functions.json"
    functions_file.write_text(json.dumps({"functions": functions}))
    config = ServerConfig.from_env(
        {},
        port=0,
        virtual_time=True,
        lambdas_dir=project / "lambdas",
        functions=functions_file,
    )
    running = serve(config)
    try:
        yield running
    finally:
        running.stop()


def finished_execution(server: RunningServer, project: Path, workflow: str, data: Any) -> str:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "stepfunctions",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=30),
    )
    definition = load_project(project).definition(workflow)
    machine = client.create_state_machine(
        name=workflow,
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/sfn-flows-test",
    )["stateMachineArn"]
    arn: str = client.start_execution(stateMachineArn=machine, input=json.dumps(data))[
        "executionArn"
    ]
    deadline = time.monotonic() + DEADLINE_SECONDS
    while client.describe_execution(executionArn=arn)["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not end"
        time.sleep(0.05)
    return arn


ORDER = {**DECLINED_ORDER, "order_id": "o-graph-cli"}


def test_an_execution_on_the_engine_server_is_coloured(
    project: Path, engine_server: RunningServer
) -> None:
    arn = finished_execution(engine_server, project, "order-fulfilment", ORDER)
    done = graph(
        project, "order-fulfilment", "--execution", arn, "--endpoint-url", engine_server.url
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert f'title: "order-fulfilment: execution {arn.rsplit(":", 1)[-1]}, FAILED"' in text
    assert "ChargePayment<br>lambda:invoke<br>timeout 20 s<br>retried 1x, failed" in text
    assert "ReserveAndCharge<br>Parallel, 2 branches<br>caught" in text
    classes = {
        line.split()[2]: set(line.split()[1].split(","))
        for line in text.splitlines()
        if line.startswith("  class ")
    }
    assert set(classes) == {"entered", "caught", "failed", "idle"}
    # The same picture FlowResult.diagram() draws of the same run on the in-process engine.
    local = load_project(project)("order-fulfilment", {**ORDER, "order_id": "o-graph-local"})
    local_classes = {
        line.split()[2]: set(line.split()[1].split(","))
        for line in local.diagram().splitlines()
        if line.startswith("  class ")
    }
    assert local_classes == classes


def test_an_execution_of_another_workflow_is_refused(
    project: Path, engine_server: RunningServer
) -> None:
    arn = finished_execution(
        engine_server, project, "long-running-job", {"job_id": "j1", "items": ["a"]}
    )
    done = graph(
        project, "order-fulfilment", "--execution", arn, "--endpoint-url", engine_server.url
    )
    assert done.returncode == 1
    said = done.stderr.decode()
    assert "none of which is a state of workflow 'order-fulfilment'" in said
    assert "'ProcessData', 'NotifyCompletion'" in said


def test_an_execution_id_of_another_workflow_is_refused_before_any_call(project: Path) -> None:
    done = graph(project, "order-fulfilment", "--execution", "long-running-job~run-1")
    assert done.returncode == 1
    assert done.stderr.decode().strip() == (
        "error: execution 'long-running-job~run-1' is one of workflow 'long-running-job', not "
        "'order-fulfilment'; draw it with `sfn-flows graph long-running-job --execution "
        "long-running-job~run-1`."
    )


def test_png_to_a_terminal_is_refused(project: Path) -> None:
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "sfn_flows", "graph", "long-running-job", "-f", "png"],
            cwd=project,
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=DEADLINE_SECONDS,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 1
    assert done.stderr.decode().strip() == (
        "error: a PNG is binary: write it to a file with -o FILE.png."
    )


def test_graph_help_loads_no_aws_deploy_or_diagram_code(project: Path) -> None:
    from tests.cli.test_cli_imports import HEAVY, modules_after

    loaded = modules_after(project, "graph", "--help")
    assert sorted(loaded.intersection(HEAVY)) == []
    assert [m for m in loaded if m.startswith("sfn_flows.diagram")] == []


def test_a_layout_past_its_deadline_is_stopped_and_says_how_to_wait_longer(
    project: Path, tmp_path: Path
) -> None:
    slow = tmp_path / "slow-graphviz"
    slow.mkdir()
    (slow / "dot").write_text("#!/bin/sh\nexec sleep 60\n")
    (slow / "dot").chmod(0o755)
    done = graph(
        project,
        "long-running-job",
        "-o",
        "job.svg",
        "--layout-timeout",
        "0.5",
        env={"PATH": f"{slow}:/usr/bin:/bin"},
    )
    assert done.returncode == 1
    assert done.stderr.decode().strip() == (
        "error: Graphviz's `dot` did not lay the diagram out within 0.5 s and was stopped; give "
        "it longer (--layout-timeout SECONDS), or draw Mermaid or DOT text (--format "
        "mermaid|dot)."
    )
    assert not (project / "job.svg").exists()
    bad = graph(project, "long-running-job", "--layout-timeout", "0")
    assert bad.returncode == 2
    assert "0 is not a positive number of seconds" in bad.stderr.decode()
