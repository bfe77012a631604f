"""`sfn-flows build` on real projects in temporary folders, through the real command."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sfn_flows", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("workflows", "lambdas"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path


def tasks_of(scope: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for state in scope["States"].values():
        if state["Type"] == "Task":
            found.append(state)
        for branch in state.get("Branches", []):
            found.extend(tasks_of(branch))
        if "ItemProcessor" in state:
            found.extend(tasks_of(state["ItemProcessor"]))
    return found


def test_build_examples(project: Path) -> None:
    result = run(project, "build")
    assert result.returncode == 0, result.stderr
    assert "long-running-job" in result.stdout and "order-fulfilment" in result.stdout
    assert "22.23 min" in result.stdout  # the long-running job's budget: 1334 s
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    names = [w["name"] for w in manifest["workflows"]]
    assert names == ["long-running-job", "order-fulfilment"]
    for entry in manifest["workflows"]:
        definition = json.loads((project / "build" / entry["definition"]).read_text())
        assert definition["TimeoutSeconds"] == entry["timeout_seconds"]
        tasks = tasks_of(definition)
        assert tasks and all("TimeoutSeconds" in t for t in tasks)
        assert entry["budget"]["bounded"] is True
        assert entry["budget"]["seconds"] <= entry["timeout_seconds"]
    job = manifest["workflows"][0]
    assert job["budget"]["seconds"] == 1334.0
    assert job["input_schema"]["required"] == ["job_id", "items"]
    assert manifest["functions"]["ProcessData"] == {
        "handler": "process_data.handler",
        "timeout_seconds": 300,
        "memory_mb": 256,
        "substitution": "ProcessDataFunctionArn",
    }


def test_build_is_byte_identical_twice(project: Path, tmp_path: Path) -> None:
    assert run(project, "build", "--out", "one").returncode == 0
    assert run(project, "build", "--out", "two").returncode == 0
    one = {p.name: p.read_bytes() for p in (project / "one").iterdir()}
    two = {p.name: p.read_bytes() for p in (project / "two").iterdir()}
    # two ASL files, manifest.json and the CloudFormation template.json
    assert one == two and len(one) == 4


def test_build_json(project: Path) -> None:
    result = run(project, "build", "--json")
    document = json.loads(result.stdout)
    assert document["ok"] is True
    budgets = {w["name"]: w["budget"]["seconds"] for w in document["workflows"]}
    assert budgets["long-running-job"] == 1334.0


def test_stale_outputs_are_removed(project: Path) -> None:
    (project / "build").mkdir()
    (project / "build" / "gone.asl.json").write_text("{}")
    assert run(project, "build").returncode == 0
    assert not (project / "build" / "gone.asl.json").exists()


def write_workflow(project: Path, name: str, body: str) -> None:
    (project / "workflows" / f"{name}.py").write_text(textwrap.dedent(body))


def test_bad_workflows_report_every_problem_and_write_nothing(project: Path) -> None:
    write_workflow(
        project,
        "broken",
        """
        from sfn_flows import Pass, Task, Workflow
        a = Task("NoTimeout", resource="arn:aws:states:::lambda:invoke")
        b = Pass("BadPath", input_path="$.a[")
        first = Workflow(name="first-broken", start=a >> b, timeout_seconds=60)
        c = Task("Slow", resource="arn:aws:states:::lambda:invoke", timeout_seconds=100)
        second = Workflow(name="second-broken", start=c, timeout_seconds=60)
        """,
    )
    result = run(project, "build")
    assert result.returncode == 1
    out = result.stdout
    assert "first-broken" in out and "/States/NoTimeout/TimeoutSeconds" in out
    assert "/States/BadPath/InputPath" in out
    assert "second-broken" in out and "budget" not in out.split("second-broken", 1)[0][-5:]
    assert "more than the workflow's timeout_seconds=60" in out
    assert "nothing written" in out
    assert not (project / "build").exists()


@pytest.mark.parametrize(
    ("source", "fragments"),
    [
        ("def broken(:\n", ["bad.py:1: syntax error"]),
        ("raise RuntimeError('boom')\n", ["bad.py:1: RuntimeError: boom"]),
        (
            "from sfn_flows import Pass, Workflow\n"
            "w = Workflow(name='x y', start=Pass('P'), timeout_seconds=5)\n",
            ["bad.py:2: invalid Workflow", "name: Value error", "contains ' '"],
        ),
        (
            "from sfn_flows import Pass, Workflow\nw = Workflow(name='x', start=Pass('P'))\n",
            ["bad.py:2: invalid Workflow", "timeout_seconds: Field required"],
        ),
        (
            "from sfn_flows import Choice, Pass\nChoice('C') >> Pass('P')\n",
            ["bad.py:2: state 'C' (Choice) cannot have a Next state"],
        ),
    ],
    ids=["syntax", "raises", "bad-name", "no-timeout", "chain-error"],
)
def test_broken_modules(project: Path, source: str, fragments: list[str]) -> None:
    (project / "workflows" / "bad.py").write_text(source)
    result = run(project, "build")
    assert result.returncode == 1
    for fragment in fragments:
        assert fragment in result.stderr


def test_missing_workflows_folder(tmp_path: Path) -> None:
    result = run(tmp_path, "build")
    assert result.returncode == 1
    assert "workflows: no such folder" in result.stderr and "--workflows" in result.stderr


def test_folder_without_workflows(tmp_path: Path) -> None:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "empty.py").write_text("x = 1\n")
    result = run(tmp_path, "build")
    assert result.returncode == 1 and "no workflows found" in result.stderr


def test_duplicate_workflow_names(project: Path) -> None:
    write_workflow(
        project,
        "again",
        """
        from sfn_flows import Pass, Workflow
        clash = Workflow(name="long-running-job", start=Pass("P"), timeout_seconds=5)
        """,
    )
    result = run(project, "build")
    assert result.returncode == 1
    assert "workflow name 'long-running-job' is also used by" in result.stderr


# ---- workflow modules that exit, hang or are interrupted while they are imported --------


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("import sys\nsys.exit(0)\n", "leaving.py:2: the module exited (SystemExit(0))"),
        ("raise SystemExit('bye')\n", "leaving.py:1: the module exited (SystemExit('bye'))"),
        ("x = 1\nexit(3)\n", "leaving.py:2: the module exited (SystemExit(3))"),
        ("import sys\nsys.exit()\n", "leaving.py:2: the module exited (SystemExit(None))"),
    ],
    ids=["sys-exit-0", "system-exit-message", "builtin-exit-3", "sys-exit-bare"],
)
def test_a_module_that_exits_is_an_error_naming_it(
    project: Path, source: str, fragment: str
) -> None:
    (project / "workflows" / "leaving.py").write_text(source)
    result = run(project, "build")
    assert result.returncode == 1, result.stdout + result.stderr
    assert fragment in result.stderr
    assert 'if __name__ == "__main__"' in result.stderr  # the fix
    assert not (project / "build").exists()


def test_a_module_that_ends_the_process_with_os_exit_is_an_error_naming_it(project: Path) -> None:
    # os._exit raises nothing: the process used to end at once, exit status 0, nothing built.
    (project / "workflows" / "leaving.py").write_text("import os\nos._exit(0)\n")
    result = run(project, "build")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "leaving.py:2: the module exited (os._exit(0))" in result.stderr
    assert not (project / "build").exists()


def test_a_module_that_forks_is_an_error_and_the_copy_builds_nothing(project: Path) -> None:
    # The child of a fork used to go on and build a second time, next to its parent.
    (project / "workflows" / "forking.py").write_text("import os\nchild = os.fork()\n")
    result = run(project, "build")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "forking.py: the module forked the process" in result.stderr
    assert "wrote" not in result.stdout
    assert not (project / "build").exists()


def test_a_module_that_leaves_a_thread_running_is_named_and_the_build_ends(
    project: Path,
) -> None:
    # A non-daemon thread kept the process alive after "wrote 3 workflow(s)" until it ended.
    write_workflow(
        project,
        "threaded",
        """
        import threading
        import time

        def work() -> None:
            time.sleep(600)

        threading.Thread(target=work, name="poller").start()
        """,
    )
    result = run(project, "build", timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "threaded.py: the module started thread 'poller'" in result.stderr
    assert not (project / "build").exists()


def test_a_module_that_reads_stdin_is_named(project: Path) -> None:
    (project / "workflows" / "asking.py").write_text("x = 1\nname = input('name? ')\n")
    result = run(project, "build")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "asking.py:2: the module read standard input" in result.stderr
    assert not (project / "build").exists()


SLOW_MODULES = {
    "sleep": "import time\ntime.sleep(600)\n",
    "loop": "while True:\n    pass\n",
    "swallows-exceptions": (
        "import time\nwhile True:\n    try:\n        time.sleep(1)\n"
        "    except Exception:\n        pass\n"
    ),
}


@pytest.mark.parametrize("source", SLOW_MODULES.values(), ids=SLOW_MODULES.keys())
def test_an_import_that_does_not_finish_is_stopped_and_named(project: Path, source: str) -> None:
    (project / "workflows" / "slow.py").write_text(source)
    result = run(project, "build", "--import-timeout", "0.5")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "slow.py:" in result.stderr
    assert "did not finish within 0.5 s" in result.stderr
    assert "--import-timeout" in result.stderr and "SFN_FLOWS_IMPORT_TIMEOUT" in result.stderr
    assert not (project / "build").exists()


def test_the_import_deadline_from_the_environment(project: Path) -> None:
    (project / "workflows" / "slow.py").write_text(SLOW_MODULES["sleep"])
    env = {**os.environ, "SFN_FLOWS_IMPORT_TIMEOUT": "0.5"}
    result = run(project, "build", env=env, timeout=60)
    assert result.returncode == 1
    assert "slow.py:2: importing the module did not finish within 0.5 s" in result.stderr


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf"])
def test_a_bad_import_deadline_in_the_environment(project: Path, value: str) -> None:
    env = {**os.environ, "SFN_FLOWS_IMPORT_TIMEOUT": value}
    result = run(project, "build", env=env)
    assert result.returncode == 1
    assert f"SFN_FLOWS_IMPORT_TIMEOUT={value!r}" in result.stderr
    assert "positive number of seconds" in result.stderr


def test_a_bad_import_deadline_option(project: Path) -> None:
    result = run(project, "build", "--import-timeout", "0")
    assert result.returncode != 0 and "--import-timeout" in result.stderr


def _sigint_as_usual() -> None:
    # A shell may start background jobs with SIGINT ignored, and Python keeps it ignored then.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_build(project: Path, markers: list[Path]) -> tuple[int, str, str]:
    """Run `sfn-flows build`, pressing Ctrl-C as each marker file appears; the exit status and
    output. Generous timeouts: a build that hangs fails the test instead of the suite."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sfn_flows", "build", "--import-timeout", "300"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_sigint_as_usual,
    )
    try:
        for marker in markers:
            give_up = time.monotonic() + 120
            while not marker.exists() and process.poll() is None and time.monotonic() < give_up:
                time.sleep(0.05)
            assert marker.exists(), f"{marker.name}: never happened"
            process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, stdout, stderr


def test_ctrl_c_while_importing_names_the_module(project: Path) -> None:
    marker = project / "importing"
    write_workflow(
        project,
        "stuck",
        f"""
        import pathlib
        import time
        pathlib.Path({str(marker)!r}).write_text("now")
        time.sleep(600)
        """,
    )
    returncode, stdout, stderr = interrupt_build(project, [marker])
    assert returncode == 130, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert "interrupted" in stderr and "stuck.py:5" in stderr
    assert not (project / "build").exists()


IGNORES_INTERRUPTIONS = (
    "import time\nwhile True:\n    try:\n        time.sleep(1)\n"
    "    except BaseException:\n        pass\n"
)


def test_an_import_that_ignores_the_deadline_ends_the_build(project: Path) -> None:
    # Every interruption at the deadline was swallowed: the build used to hang for good.
    (project / "workflows" / "stubborn.py").write_text(IGNORES_INTERRUPTIONS)
    # Generous: a regression fails on the timeout instead of hanging the suite.
    result = run(project, "build", "--import-timeout", "1", timeout=90)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "stubborn.py:" in result.stderr
    assert "importing the module did not finish within 1 s" in result.stderr
    assert "it ignored the interruption" in result.stderr
    assert "--import-timeout" in result.stderr  # the deadline's fix
    assert not (project / "build").exists()


def test_a_second_ctrl_c_ends_a_build_whose_module_ignores_it(project: Path) -> None:
    started, swallowed = project / "importing", project / "swallowed"
    write_workflow(
        project,
        "stuck",
        f"""
        import pathlib
        import time
        while True:
            try:
                pathlib.Path({str(started)!r}).write_text("now")
                time.sleep(1)
            except BaseException:
                pathlib.Path({str(swallowed)!r}).write_text("once")
        """,
    )
    # The first Ctrl-C once the module runs, the second once it swallowed the first.
    returncode, stdout, stderr = interrupt_build(project, [started, swallowed])
    assert returncode == 130, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert "interrupted" in stderr and "stuck.py:" in stderr
    assert "it ignored the interruption" in stderr
    assert not (project / "build").exists()


def test_a_tiny_import_deadline_names_no_framework_file(project: Path) -> None:
    # The alarm fires before the module's own code runs, in sfn-flows' or Python's code:
    # contextlib.py and threading.py were named as where the module "was running".
    result = run(project, "build", "--import-timeout", "1e-9")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "did not finish within 1e-09 s" in result.stderr
    named = re.findall(r"it was running (.+?):\d+\)", result.stderr)
    assert all(Path(path).resolve().is_relative_to(project) for path in named), named
    assert ":?:" not in result.stderr  # no line is shown rather than an unknown one


def test_keyboard_interrupt_raised_by_a_module(project: Path) -> None:
    (project / "workflows" / "stuck.py").write_text("x = 1\nraise KeyboardInterrupt\n")
    result = run(project, "build")
    assert result.returncode == 130
    assert "interrupted" in result.stderr and "stuck.py:2" in result.stderr


# ---- Lambda functions: one definition per name, handlers that exist ---------------------

HANDLER = "def handler(event, context):\n    return event\n"


def write_caller(project: Path, module: str, workflow: str, function: str) -> None:
    write_workflow(
        project,
        module,
        f"""
        from sfn_flows import LambdaFunction, LambdaInvoke, Workflow
        fn = {function}
        flow = Workflow(
            name="{workflow}",
            start=LambdaInvoke("Call", function=fn, timeout_seconds=10),
            timeout_seconds=60,
        )
        """,
    )


@pytest.mark.parametrize(
    ("second", "differs"),
    [
        ('LambdaFunction("Shared", handler="beta.handler")', ["alpha.handler", "beta.handler"]),
        ('LambdaFunction("Shared", handler="alpha.handler", memory_mb=512)', ["memory_mb"]),
    ],
    ids=["handler", "memory"],
)
def test_two_functions_with_one_name_are_refused(
    project: Path, second: str, differs: list[str]
) -> None:
    for module in ("alpha", "beta"):
        (project / "lambdas" / f"{module}.py").write_text(HANDLER)
    write_caller(
        project, "first", "first-flow", 'LambdaFunction("Shared", handler="alpha.handler")'
    )
    write_caller(project, "second", "second-flow", second)
    result = run(project, "build")
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout
    assert "Lambda function 'Shared'" in output
    for fragment in ("first.py", "second.py", "'first-flow'", "'second-flow'", *differs):
        assert fragment in output
    assert "nothing written" in output
    assert not (project / "build").exists()


def test_two_workflows_of_one_module_with_clashing_functions(project: Path) -> None:
    for module in ("alpha", "beta"):
        (project / "lambdas" / f"{module}.py").write_text(HANDLER)
    write_workflow(
        project,
        "both",
        """
        from sfn_flows import LambdaFunction, LambdaInvoke, Workflow
        one = Workflow(
            name="one",
            start=LambdaInvoke(
                "A", function=LambdaFunction("Same", handler="alpha.handler"), timeout_seconds=5
            ),
            timeout_seconds=60,
        )
        two = Workflow(
            name="two",
            start=LambdaInvoke(
                "B", function=LambdaFunction("Same", handler="beta.handler"), timeout_seconds=5
            ),
            timeout_seconds=60,
        )
        """,
    )
    result = run(project, "build")
    assert result.returncode == 1
    assert "'one'" in result.stdout and "'two'" in result.stdout
    assert "/States/A" in result.stdout and "/States/B" in result.stdout


def test_one_function_shared_by_workflows_is_fine(project: Path) -> None:
    (project / "lambdas" / "alpha.py").write_text(HANDLER)
    write_caller(
        project, "first", "first-flow", 'LambdaFunction("Shared", handler="alpha.handler")'
    )
    # the same object, imported from the other module
    write_caller(project, "second", "second-flow", "__import__('first').fn")
    # an equal definition of its own
    write_caller(
        project, "third", "third-flow", 'LambdaFunction("Shared", handler="alpha.handler")'
    )
    result = run(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert manifest["functions"]["Shared"]["handler"] == "alpha.handler"


@pytest.mark.parametrize(
    ("handler", "fragments"),
    [
        (
            "orders.charge_payments",
            [
                "'orders.charge_payments'",
                "orders.py has no module-level function 'charge_payments'",
                "'charge_payment'",
            ],
        ),
        (
            "order.reserve_stock",
            ["'order.reserve_stock'", "order.py", "'orders'"],
        ),
    ],
    ids=["function", "module"],
)
def test_a_handler_missing_from_lambdas_is_refused(
    project: Path, handler: str, fragments: list[str]
) -> None:
    write_caller(project, "calls", "calls-flow", f'LambdaFunction("Missing", handler="{handler}")')
    result = run(project, "build")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "calls-flow" in result.stdout and "Lambda function 'Missing'" in result.stdout
    for fragment in fragments:
        assert fragment in result.stdout
    assert not (project / "build").exists()


def test_a_handler_with_a_syntax_error_fails_the_build(project: Path) -> None:
    # Only a warning before: the build exited 0 and "'(' was never closed" deployed.
    write_caller(
        project, "calls", "calls-flow", 'LambdaFunction("Broken", handler="broken.handler")'
    )
    (project / "lambdas" / "broken.py").write_text("def handler(event, context:\n    return 1\n")
    result = run(project, "build")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "broken.py:1:12: syntax error: '(' was never closed" in result.stdout
    assert "The build parses with Python" in result.stdout
    assert not (project / "build").exists()


def test_handlers_need_a_lambdas_folder(project: Path) -> None:
    shutil.rmtree(project / "lambdas")
    result = run(project, "build")
    assert result.returncode == 1
    assert "no such folder" in result.stdout and "--lambdas" in result.stdout


def test_the_lambdas_folder_option(project: Path) -> None:
    (project / "lambdas").rename(project / "handlers")
    result = run(project, "build", "--lambdas", "handlers")
    assert result.returncode == 0, result.stdout + result.stderr


# ---- the table through a pipe ------------------------------------------------------------

LONG_NAME = "quarterly-inventory-reconciliation-for-every-warehouse-region"


@pytest.mark.parametrize("columns", [None, "40"], ids=["columns-unset", "columns-40"])
def test_the_table_is_not_cut_through_a_pipe(project: Path, columns: str | None) -> None:
    write_workflow(
        project,
        "long_name",
        f"""
        from sfn_flows import Pass, Workflow
        w = Workflow(name="{LONG_NAME}", start=Pass("P"), timeout_seconds=86400)
        """,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns:
        env["COLUMNS"] = columns
    result = run(project, "build", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "…" not in result.stdout
    header = next(line for line in result.stdout.splitlines() if "workflow" in line)
    for column in ("type", "states", "tasks", "budget", "timeout", "used"):
        assert column in header
    rows = {
        "long-running-job": ["STANDARD", "4", "3", "22.23 min", "30 min", "74%"],
        "order-fulfilment": ["STANDARD", "13", "4", "27.5 min", "1 h", "46%"],
        LONG_NAME: ["STANDARD", "1", "0", "0 s", "24 h", "0%"],
    }
    lines = result.stdout.splitlines()
    for name, cells in rows.items():
        line = next(line for line in lines if line.startswith(name + " "))
        assert [cell.strip() for cell in line.split("│")] == [name, *cells]
