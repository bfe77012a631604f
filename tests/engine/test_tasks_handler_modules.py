"""Handler modules are kept for the process per folder, module and file state, and a blocking
handler is left behind at its Task's timeout (where the loop runs: test_loop_threads.py)."""

from __future__ import annotations

import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

from sfn_flows.engine import simulate
from sfn_flows.engine.tasks import Integrations, LambdaFunctions, TaskAnswer, TaskCall
from sfn_flows.engine.tasks.lambda_functions import HandlerModules

INVOKE = "arn:aws:states:::lambda:invoke"


def write(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


COUNTED = """\
    with open({marker!r}, "a") as log:
        log.write("imported\\n")

    VERSION = {version!r}


    def handler(event, context):
        return VERSION
    """


def counted(folder: Path, version: str) -> Path:
    marker = folder / "imports.txt"
    write(folder, "counted.py", COUNTED.format(marker=str(marker), version=version))
    return marker


def run_once(folder: Path) -> Any:
    # Functions made afresh, as each simulate() makes them from lambdas_dir.
    functions = LambdaFunctions({"Counted": "counted.handler"}, folder)
    answer = Integrations(lambdas=functions).answer(
        TaskCall("Work", INVOKE, {"FunctionName": "Counted"})
    )
    assert isinstance(answer, TaskAnswer)
    return answer.result["Payload"]


def test_executions_share_a_loaded_module_as_a_warm_container_does(tmp_path: Path) -> None:
    marker = counted(tmp_path, "one")
    assert [run_once(tmp_path) for _ in range(3)] == ["one"] * 3
    assert marker.read_text() == "imported\n"


def test_same_named_modules_of_two_folders_stay_apart(tmp_path: Path) -> None:
    counted(tmp_path / "a", "from a")
    counted(tmp_path / "b", "from b")
    assert [run_once(tmp_path / "a"), run_once(tmp_path / "b")] == ["from a", "from b"]


def test_an_edited_handler_file_is_loaded_afresh(tmp_path: Path) -> None:
    marker = counted(tmp_path, "one")
    assert run_once(tmp_path) == "one"
    counted(tmp_path, "version two")  # a different size: a different file
    assert run_once(tmp_path) == "version two"
    assert marker.read_text() == "imported\nimported\n"
    assert str(tmp_path) not in sys.path


def test_the_module_cache_keeps_its_bound(tmp_path: Path) -> None:
    modules = HandlerModules(limit=2)
    paths = [write(tmp_path / str(n), "m.py", f"N = {n}\n") for n in range(3)]
    loaded = [modules.load(path.parent, "m", path) for path in paths]
    assert [module.N for module in loaded] == [0, 1, 2]
    assert modules.load(paths[2].parent, "m", paths[2]) is loaded[2]
    assert modules.load(paths[0].parent, "m", paths[0]) is not loaded[0]  # evicted, reloaded


def test_simulate_runs_a_blocking_handler_to_the_tasks_timeout_and_goes_on() -> None:
    release = threading.Event()
    definition = {
        "StartAt": "Stuck",
        "States": {
            "Stuck": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "stuck"},
                "TimeoutSeconds": 1,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Fine"}],
                "End": True,
            },
            "Fine": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "fine"},
                "OutputPath": "$.Payload",
                "End": True,
            },
        },
    }
    try:
        result = simulate(
            definition,
            {},
            lambdas={
                "stuck": lambda event, context: release.wait(30),
                "fine": lambda event, context: "done",
            },
        )
    finally:
        release.set()
    assert (result.status, result.output) == ("SUCCEEDED", "done")
