"""ContinueUntilDone and the worker deadline guard on the in-process engine: the sample project
in tests/flows/long_work (its real worker and reports), compiled as `sfn-flows build` compiles
it, runs through several invocations of its worker to the end, and to MaxIterationsExceeded
caught by the loop's catcher.

A worker stops when its deadline comes near, and real time never runs out in a test, so the
runs that need several invocations give the real worker function (the handler's
`__wrapped__`) a deadline guard on a clock that moves one file's time each time it is read:
the decorator reads it at the start of an invocation and the worker once before each file.
Nothing here measures real time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sfn_flows import (
    MAX_ITERATIONS_EXCEEDED,
    ContinueUntilDone,
    LambdaFunction,
    LambdaInvoke,
    Workflow,
    compile_workflow,
    validate_definition,
)
from sfn_flows.engine import VirtualClock, simulate
from sfn_flows.runtime import deadline_guard
from sfn_flows.testing import FlowResult, ProjectFlows, load_project

PROJECT = Path(__file__).parent / "long_work"
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
# One file takes this long on the ticking clock: with the Task's 60 s and the worker's margin
# of 2 s, an invocation checksums two files (38 s and 18 s left, over the 5 s one file needs)
# and stops before the third (no time left).
FILE_SECONDS = 20.0


class TickingClock:
    """Monotonic seconds that move `step` seconds each time they are read."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def checksum_module() -> ModuleType:
    """lambdas/checksum.py of the sample, loaded apart from the engine's copy."""
    spec = importlib.util.spec_from_file_location(
        "long_work_checksum", PROJECT / "lambdas" / "checksum.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ticking_worker() -> Callable[..., Any]:
    """The sample's worker under a guard whose clock runs FILE_SECONDS per file. Its wall
    clock is the engine's virtual START, so EnteredTime counts (the first attempt, entered
    just now)."""
    work = checksum_module().handler.__wrapped__
    guard = deadline_guard(
        margin_seconds=2, clock=TickingClock(FILE_SECONDS), wall_clock=START.timestamp
    )
    return guard(work)


def digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def invocations(result: FlowResult, function: str) -> list[dict[str, Any]]:
    """The payloads `function` was invoked with, in order."""
    payloads = []
    for event in result.events:
        if event.type == "TaskScheduled":
            parameters = json.loads(event.details["parameters"])
            if parameters["FunctionName"].endswith(f":function:{function}"):
                payloads.append(parameters["Payload"])
    return payloads


def answers(result: FlowResult) -> list[dict[str, Any]]:
    """What the worker answered, invocation by invocation."""
    return [
        json.loads(event.details["output"])["step"]  # where the loop keeps the answer
        for event in result.events
        if event.type == "TaskStateExited" and event.state_name == "ChecksumFiles"
    ]


@pytest.fixture(scope="module")
def project() -> ProjectFlows:
    return load_project(PROJECT)


def test_the_compiled_loop_passes_the_strict_validator_and_its_budget_counts_each_round(
    project: ProjectFlows,
) -> None:
    compiled = project.compiled("checksum-job")
    assert validate_definition(compiled.definition, strict=True) == []
    assert compiled.warnings == ()
    # 12 rounds of ChecksumFiles (4 attempts of 60 s under Lambda's retrier, 1 + 2 + 4 s of
    # delays between them), then ReportChecksums or ReportUnfinished (4 x 10 s + 7 s).
    assert compiled.budget.seconds == 12 * (4 * 60 + 7) + (4 * 10 + 7)
    assert compiled.budget.seconds <= compiled.definition["TimeoutSeconds"]


def test_a_worker_with_time_for_everything_finishes_in_one_invocation(
    project: ProjectFlows,
) -> None:
    files = ["a.csv", "b.csv", "c.csv"]
    result = project("checksum-job", {"job_id": "j-1", "files": files})
    assert result.succeeded, (result.error, result.cause)
    assert result.output == {"job_id": "j-1", "checksums": 3}
    [payload] = invocations(result, "ChecksumFiles")
    assert payload["input"] == {"job_id": "j-1", "files": files}
    guard = payload["guard"]
    assert (guard["iteration"], guard["maxIterations"], guard["continuation"]) == (1, 12, None)
    assert (guard["timeoutSeconds"], guard["retryCount"]) == (60, 0)
    result.assert_path(
        "ChecksumFilesUntilDone",
        "ChecksumFilesStart",
        "ChecksumFiles",
        "ChecksumFilesDone?",
        "ChecksumFilesFinished",
        "ReportChecksums",
    )


def test_a_worker_that_runs_out_of_time_goes_on_from_its_continuation(
    project: ProjectFlows,
) -> None:
    files = [f"part-{n}.bin" for n in range(5)]
    job = {"job_id": "j-2", "files": files}
    result = project(
        "checksum-job",
        job,
        lambdas={"ChecksumFiles": ticking_worker()},
        clock=VirtualClock(START),
    )
    assert result.succeeded, (result.error, result.cause)
    # Two files per invocation: 2 + 2 + 1, each invocation going on from the last.
    sent = invocations(result, "ChecksumFiles")
    assert [p["guard"]["iteration"] for p in sent] == [1, 2, 3]
    assert [p["guard"]["continuation"] for p in sent] == [
        None,
        [digest(f) for f in files[:2]],
        [digest(f) for f in files[:4]],
    ]
    assert all(p["input"] == job for p in sent)
    # Each stop is a partial result with the progress so far; the last is the final result.
    got = answers(result)
    assert [(a["done"], a["result"]) for a in got[:2]] == [
        (False, {"files": 2, "of": 5, "iteration": 1}),
        (False, {"files": 4, "of": 5, "iteration": 2}),
    ]
    assert got[2] == {
        "done": True,
        "result": {f: digest(f) for f in files},
        "continuation": None,
    }
    # result_path="$.checksums": the report got the job with every checksum beside it.
    [report] = invocations(result, "ReportChecksums")
    assert report == {**job, "checksums": {f: digest(f) for f in files}}
    assert result.output == {"job_id": "j-2", "checksums": 5}


def test_a_worker_still_unfinished_after_max_iterations_fails_the_loop(
    project: ProjectFlows,
) -> None:
    files = [f"part-{n}.bin" for n in range(30)]  # 15 invocations' work; 12 allowed
    result = project(
        "checksum-job",
        {"job_id": "j-3", "files": files},
        lambdas={"ChecksumFiles": ticking_worker()},
        clock=VirtualClock(START),
    )
    assert (result.status, result.error) == ("FAILED", "Unfinished")
    assert len(invocations(result, "ChecksumFiles")) == 12
    assert answers(result)[-1]["result"] == {"files": 24, "of": 30, "iteration": 12}
    # The loop's catcher got the job's input with the loop's error, as a Task's would.
    [report] = invocations(result, "ReportUnfinished")
    assert report["job_id"] == "j-3" and report["files"] == files
    assert report["error"]["Error"] == MAX_ITERATIONS_EXCEEDED
    assert "ChecksumFiles was not done after 12 iterations" in report["error"]["Cause"]
    result.assert_visited(
        "ChecksumFilesDone?", "ChecksumFilesUnfinished", "ReportUnfinished", "Unfinished"
    )


@pytest.mark.parametrize("files", [5, 30])
def test_the_loop_in_jsonata_goes_round_the_same_way(files: int) -> None:
    worker = LambdaFunction("ChecksumFiles", handler="checksum.handler", timeout_seconds=60)
    task = LambdaInvoke("ChecksumFiles", function=worker, timeout_seconds=60)
    loop = ContinueUntilDone(task, max_iterations=12)
    workflow = Workflow(
        name="jsonata-job", start=loop, timeout_seconds=3600, query_language="JSONata"
    )
    compiled = compile_workflow(workflow)
    assert validate_definition(compiled.definition, strict=True) == []
    names = [f"f{n}" for n in range(files)]
    result = simulate(
        compiled,
        {"files": names},
        lambdas={"ChecksumFiles": ticking_worker()},
        clock=VirtualClock(START),
    )
    sent = invocations(result, "ChecksumFiles")
    if files == 5:
        assert result.succeeded, (result.error, result.cause)
        assert result.output == {name: digest(name) for name in names}
        assert [p["guard"]["continuation"] for p in sent] == [
            None,
            [digest(n) for n in names[:2]],
            [digest(n) for n in names[:4]],
        ]
    else:  # no catcher: the execution fails with the loop's error
        assert (result.status, result.error) == ("FAILED", MAX_ITERATIONS_EXCEEDED)
        assert result.cause is not None and "after 12 iterations" in result.cause
        assert [p["guard"]["iteration"] for p in sent] == list(range(1, 13))


def code_lines(text: str) -> list[str]:
    """The lines of Python `text` without blank lines, comments or indentation."""
    lines = (line.split("  # ")[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_the_readmes_example_is_this_samples_code() -> None:
    readme = (PROJECT.parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### A worker that stops before its deadline") :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's worker deadline section has no python example"
    sample = {
        line
        for path in sorted(PROJECT.glob("*/*.py"))
        for line in code_lines(path.read_text(encoding="utf-8"))
    }
    assert [line for line in code_lines(match.group(1)) if line not in sample] == []
