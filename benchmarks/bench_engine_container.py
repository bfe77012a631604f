"""The sfn-flows engine in its container (the `sfn-flows-local` test engine): its start, its
per-flow cost and the container test suite on it, each against a baseline run in the same
process.

    python benchmarks/bench_engine_container.py                 # rows 1-3 (about 7 minutes)
    python benchmarks/bench_engine_container.py --skip-suites   # rows 1-2 (about 1 minute)
    python benchmarks/bench_engine_container.py --today REV     # row 3 also runs REV's suite
    python benchmarks/bench_engine_container.py --suites-only --today REV   # row 3 alone

Rows:
1. Ready: `docker run -d --init -p 127.0.0.1:PORT:8083 <engine image>` (the image's own
   command: `python -m sfn_flows engine serve --host 0.0.0.0 --port 8083`) until `GET /`
   answers 200, polled every 2 ms; median of 9, each container removed after. Measured from
   the `docker run` call, and from the container's start (Docker's State.StartedAt: when its
   process is started, after Docker made its namespaces, network and mounts). Baseline, same
   run, same image: `python -m http.server 8083`, the standard library's server, i.e. what
   Docker and a Python process cost before any engine code. Target: ready within 300 ms of
   the container's start.
2. Per-flow overhead: one Pass-only state machine created with boto3 in the engine's
   container (start_engine("sfn-flows-local")) and in MiniStack's engine
   (start_engine("local-stack")); each run is StartExecution, then DescribeExecution every
   1 ms until it is no longer RUNNING (benchmarks/bench_containers.bench_runs); median of 30
   after 3 warm-up runs. Target: MiniStack / engine >= 20.
3. `python -m pytest tests/containers -q -p no:cacheprovider --sfn-engine E` in a subprocess
   from the project root, for E = sfn-flows-local (the default) then local-stack; wall time
   with time.monotonic(). Each runs as the project's pytest configuration says (pyproject's
   addopts: one xdist worker per core, at most 4). `--today REV` also runs the suite of
   revision REV (before this engine: its default, local-stack, in one process) from a git
   worktree, with PYTHONPATH pointing at it, so its code, its tests and its configuration run
   as they were. Target: the suite today <= half of REV's (the issue's "today's wall time");
   without `--today`, sfn-flows-local <= half of local-stack is shown instead. A suite that
   fails prints its last lines and the script exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench_containers import ROOT, SUITE_TAIL, SuiteRun, bench_runs, run_suite

from sfn_flows.local.docker_engine import ensure_docker_engine
from sfn_flows.local.engine_images import ENGINE_PORT, build_engine_image
from sfn_flows.local.images import build_local_stack_image
from sfn_flows.testing.engines import LOCAL_STACK, SFN_FLOWS_LOCAL, start_engine

STARTS = 9
RUNS = 30
READY_TARGET = 0.300
FLOW_TARGET = 20.0
SUITE_TARGET = 0.5
HTTP_SERVER = ("python", "-m", "http.server", str(ENGINE_PORT))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _started_at(container: str) -> float:
    """Docker's State.StartedAt of `container` as epoch seconds (nanoseconds cut to micro)."""
    text = subprocess.run(
        ["docker", "inspect", "--format", "{{.State.StartedAt}}", container],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.strip()
    whole, _, fraction = text.rstrip("Z").partition(".")
    moment = datetime.datetime.fromisoformat(whole).replace(tzinfo=datetime.UTC)
    return moment.timestamp() + float(f"0.{fraction or 0}")


def _running(container: str) -> bool:
    state = subprocess.run(
        ["docker", "inspect", "--format", "{{.State.Running}}", container],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return state.stdout.strip() == "true"


def ready_times(image: str, command: tuple[str, ...] = ()) -> tuple[float, float]:
    """(seconds from `docker run` to the first 200, seconds from the container's start)."""
    port = _free_port()
    called = time.monotonic()
    wall_called = time.time()
    container = subprocess.run(
        ["docker", "run", "-d", "--init", "-p", f"127.0.0.1:{port}:{ENGINE_PORT}", image, *command],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    try:
        while True:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as answer,
            ):
                if answer.status == 200:
                    break
            waited = time.monotonic() - called
            if waited > 30 or (waited > 5 and not _running(container)):
                logs = subprocess.run(
                    ["docker", "logs", "--tail", "5", container], capture_output=True, text=True
                )
                raise RuntimeError(
                    f"{image} did not answer GET / (after {waited:.1f} s); its last log lines:\n"
                    f"{logs.stdout}{logs.stderr}"
                )
            time.sleep(0.002)
        answered = time.monotonic() - called
        from_start = wall_called + answered - _started_at(container)
        return answered, from_start
    finally:
        subprocess.run(["docker", "rm", "-f", container], capture_output=True, timeout=60)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def bench_ready(image: str) -> bool:
    print(f"\n1. container ready: docker run -> GET / answers 200 (median of {STARTS})")
    rows = {}
    for label, command in (("engine", ()), ("http.server", HTTP_SERVER)):
        times = [ready_times(image, command) for _ in range(STARTS)]
        rows[label] = (
            statistics.median(t[0] for t in times),
            statistics.median(t[1] for t in times),
        )
        run, start = rows[label]
        print(
            f"   {label:<12} from docker run {_ms(run)}   from the container's start {_ms(start)}"
        )
    engine, baseline = rows["engine"], rows["http.server"]
    print(f"   engine / http.server: {engine[1] / baseline[1]:.2f}x from the container's start")
    print(f"   Docker's own part (docker run -> process started): {_ms(engine[0] - engine[1])}")
    met = engine[1] <= READY_TARGET
    print(f"   target: ready within {READY_TARGET * 1000:.0f} ms of the start: {_verdict(met)}")
    return met


def bench_flows(stack_image: str) -> bool:
    print(f"\n2. per-flow overhead: Pass-only flow, start -> SUCCEEDED seen (median of {RUNS})")
    medians = {}
    for name in (SFN_FLOWS_LOCAL, LOCAL_STACK):
        engine = start_engine(name, stack_image)
        try:
            endpoint = engine.target().stepfunctions_endpoint_url or engine.endpoint_url
            runs, _ = bench_runs(endpoint, repeat=RUNS, poll=0.001)
        finally:
            engine.stop()
        medians[name] = statistics.median(runs)
        print(
            f"   {name:<16} median {_ms(medians[name])}   min {_ms(min(runs))}"
            f"   max {_ms(max(runs))}"
        )
    ratio = medians[LOCAL_STACK] / medians[SFN_FLOWS_LOCAL]
    met = ratio >= FLOW_TARGET
    print(
        f"   local-stack / sfn-flows-local = {ratio:.1f}x (target >= {FLOW_TARGET:g}x: "
        f"{_verdict(met)})"
    )
    return met


@contextlib.contextmanager
def _worktree(revision: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="sfn-today-") as folder:
        path = Path(folder) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), revision],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=120,
        )
        try:
            yield path
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(path)],
                cwd=ROOT,
                capture_output=True,
                timeout=120,
            )


def _report(label: str, run: SuiteRun) -> bool:
    if run.returncode != 0:
        ended = "timed out" if run.returncode is None else f"exited {run.returncode}"
        print(f"   {label} {ended} after {run.seconds:.1f} s; its last {SUITE_TAIL} lines:")
        for line in run.lines[-SUITE_TAIL:]:
            print(f"   | {line}")
        return False
    counts = ", ".join(f"{n} {kind}" for kind, n in run.counts.items())
    print(f"   {label:<34} {run.seconds:7.1f} s   ({counts})")
    return True


def bench_suites(today: str | None) -> tuple[bool, bool]:
    """(every suite passed, target met)"""
    print("\n3. pytest tests/containers -q -p no:cacheprovider (subprocess, wall time)")
    runs = {}
    for name in (SFN_FLOWS_LOCAL, LOCAL_STACK):
        runs[name] = run_suite("tests/containers", ("--sfn-engine", name))
        if not _report(f"--sfn-engine {name}", runs[name]):
            return False, False
    ratio = runs[SFN_FLOWS_LOCAL].seconds / runs[LOCAL_STACK].seconds
    if not today:
        met = ratio <= SUITE_TARGET
        print(
            f"   sfn-flows-local / local-stack = {ratio:.2f} (target <= {SUITE_TARGET:g}: "
            f"{_verdict(met)})"
        )
        return True, met
    print(f"   sfn-flows-local / local-stack = {ratio:.2f}")
    with _worktree(today) as tree:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        before = run_suite("tests/containers", root=tree, env=env)
    if not _report(f"revision {today[:12]} (its default)", before):
        return False, False
    ratio = runs[SFN_FLOWS_LOCAL].seconds / before.seconds
    met = ratio <= SUITE_TARGET
    print(
        f"   sfn-flows-local / revision {today[:12]} = {ratio:.2f} (target <= "
        f"{SUITE_TARGET:g}: {_verdict(met)})"
    )
    return True, met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-suites", action="store_true", help="rows 1-2 only")
    parser.add_argument("--suites-only", action="store_true", help="row 3 only")
    parser.add_argument("--today", metavar="REV", help="also run the suite of git revision REV")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} cpus")
    ensure_docker_engine()
    image = build_engine_image().tag
    stack_image = build_local_stack_image().tag
    print(f"engine image {image}, local stack image {stack_image}")
    if not args.suites_only:
        bench_ready(image)
        bench_flows(stack_image)
    if args.skip_suites:
        return 0
    passed, _ = bench_suites(args.today)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
