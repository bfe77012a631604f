"""What the container engine costs: image builds, container start, and each flow run.

    python benchmarks/bench_containers.py                # all of it (several minutes)
    python benchmarks/bench_containers.py --skip-cold    # no cold image builds
    python benchmarks/bench_containers.py --skip-suites  # rows 1-4 only (about 1-2 minutes)
    python benchmarks/bench_containers.py --only-suites  # row 5 only

Rows:
1. Image build (`sfn_flows.local.images.build_local_stack_image`):
   - cold, base + stack: neither tag exists (mmdebstrap + docker import + pip download +
     docker build);
   - cold, stack only: the base exists, the stack tag does not;
   - cached: both tags exist (median of 5).
   Cold builds use benchmark-only tags (`sfn-flows/base:bench-PID`,
   `sfn-flows/local-stack:bench-PID`, removed at the end) instead of removing the shared
   `sfn-flows/*` tags, which other test sessions on this machine may be using. The bench base
   is a fresh `docker import`, so the stack build on it shares no Docker layer cache with the
   shared image. pip's own download cache on the host is not cleared.
2. Container start -> ready (`sfn_flows.testing.engines.start_engine`, its `ready_seconds`:
   testcontainers start + health answer), median of 5, each stopped after.
3. Per-flow-run overhead: one Pass-only state machine, created with boto3, in the container
   engine and in the embedded local stack (`sfn_flows.local.start_local_stack`, MiniStack
   as a host process, in a temporary folder). Each run is StartExecution, then
   DescribeExecution every 5 ms until it is no longer RUNNING: the same tight loop on both,
   so the poller adds the same latency to each. Median of 20 after 3 warm-up runs.
   MiniStack runs an execution on a background thread that first sleeps a fixed 0.15 s
   (`_run_execution` in ministack/services/stepfunctions.py), so a Pass-only run costs
   ~155 ms on both and that sleep, not the container's port mapping, dominates.
4. One API round trip (DescribeStateMachine) on each, median of 20: the container's own
   per-request cost (docker-proxy / port mapping) without any execution.
5. The whole container test suite's wall time: `python -m pytest tests/containers -q
   -p no:cacheprovider` in a subprocess from the project root (timeout 1800 s), timed with
   `time.monotonic()`; the counts (passed, failed, skipped, xfailed, xpassed) come from
   pytest's final summary line, and seconds per test is wall time / their sum (skipped tests
   count too). The baseline is `tests/e2e` run the same way: the end-to-end suite against
   the embedded local stack (MiniStack as a host process, no container). The two suites hold
   DIFFERENT tests, so the ratio of their per-test times is context, not a like-for-like
   comparison: rows 2-4 are the like-for-like costs. If either suite exits non-zero (or
   times out), its last 30 output lines are printed and the script exits 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from sfn_flows.local import images
from sfn_flows.local.docker_engine import ensure_docker_engine
from sfn_flows.local.stack import start_local_stack, stop_local_stack
from sfn_flows.testing.engines import start_engine

PASS_ONLY = (
    '{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": true}, "End": true}}}'
)
ROLE = "arn:aws:iam::000000000000:role/bench"
POLL = 0.005
ROOT = Path(__file__).resolve().parent.parent
SUITE_TIMEOUT = 1800
SUITE_TAIL = 30
COUNTED = ("passed", "failed", "skipped", "xfailed", "xpassed")
SUMMARY_COUNT = re.compile(r"\b(\d+) (passed|failed|skipped|xfailed|xpassed|errors?)\b")


def _rmi(tag: str) -> None:
    subprocess.run(["docker", "rmi", tag], capture_output=True, timeout=120)


def _build_with_tags(base: str, stack: str) -> images.BuiltImage:
    original = images.image_tags
    images.image_tags = lambda recipe=None: (base, stack)
    try:
        return images.build_local_stack_image()
    finally:
        images.image_tags = original


def bench_builds(skip_cold: bool) -> dict[str, float]:
    out: dict[str, float] = {}
    base, stack = (
        f"sfn-flows/base:bench-{os.getpid()}",
        f"sfn-flows/local-stack:bench-{os.getpid()}",
    )
    try:
        if not skip_cold:
            _rmi(stack)
            _rmi(base)
            built = _build_with_tags(base, stack)
            assert not built.cached
            out["cold base+stack"] = built.seconds
            _rmi(stack)
            built = _build_with_tags(base, stack)
            assert not built.cached
            out["cold stack only"] = built.seconds
    finally:
        _rmi(stack)
        _rmi(base)
    images.build_local_stack_image()  # the shared image, built once if missing
    out["cached"] = statistics.median(images.build_local_stack_image().seconds for _ in range(5))
    return out


def bench_start(image: str, repeat: int = 5) -> list[float]:
    times = []
    for _ in range(repeat):
        engine = start_engine("local-stack", image)
        times.append(engine.ready_seconds)
        engine.stop()
    return times


def _sfn(endpoint: str) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def bench_requests(endpoint: str, arn: str, repeat: int = 20) -> list[float]:
    """One DescribeStateMachine round trip: the per-request cost without any execution."""
    sfn = _sfn(endpoint)
    times = []
    for _ in range(repeat + 3):
        started = time.perf_counter()
        sfn.describe_state_machine(stateMachineArn=arn)
        times.append(time.perf_counter() - started)
    return times[3:]


def bench_runs(
    endpoint: str, repeat: int = 20, warmup: int = 3, poll: float = POLL
) -> tuple[list[float], str]:
    sfn = _sfn(endpoint)
    arn = sfn.create_state_machine(
        name=f"bench-pass-{uuid.uuid4().hex[:8]}", definition=PASS_ONLY, roleArn=ROLE
    )["stateMachineArn"]
    times = []
    for i in range(warmup + repeat):
        started = time.perf_counter()
        execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
        while (status := sfn.describe_execution(executionArn=execution)["status"]) == "RUNNING":
            time.sleep(poll)
        elapsed = time.perf_counter() - started
        if status != "SUCCEEDED":
            raise RuntimeError(f"run {i} ended {status}")
        if i >= warmup:
            times.append(elapsed)
    return times, arn


@dataclass
class SuiteRun:
    path: str
    seconds: float
    returncode: int | None  # None: timed out
    counts: dict[str, int]
    lines: list[str]

    @property
    def tests(self) -> int:
        return sum(self.counts.get(kind, 0) for kind in COUNTED)

    @property
    def per_test(self) -> float:
        return self.seconds / self.tests if self.tests else float("nan")


def _summary_counts(lines: list[str]) -> dict[str, int]:
    """The counts on pytest's final summary line ("3 passed, 1 skipped in 2.05s")."""
    for line in reversed(lines):
        found = SUMMARY_COUNT.findall(line)
        if found and " in " in line:
            counts: dict[str, int] = {}
            for number, kind in found:
                key = "errors" if kind.startswith("error") else kind
                counts[key] = counts.get(key, 0) + int(number)
            return counts
    return {}


def _text(output: str | bytes | None) -> str:
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""


def run_suite(
    path: str,
    options: tuple[str, ...] = (),
    root: Path = ROOT,
    env: dict[str, str] | None = None,
) -> SuiteRun:
    """Run one test folder with pytest (and `options`) in a subprocess from `root`, timed."""
    command = [sys.executable, "-m", "pytest", path, "-q", "-p", "no:cacheprovider", *options]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=SUITE_TIMEOUT,
        )
        returncode: int | None = done.returncode
        output = done.stdout
    except subprocess.TimeoutExpired as expired:
        returncode, output = None, _text(expired.output)
    seconds = time.monotonic() - started
    lines = output.splitlines()
    return SuiteRun(path, seconds, returncode, _summary_counts(lines), lines)


def bench_suites() -> int:
    print("\n5. whole test suites (pytest -q -p no:cacheprovider, subprocess, wall time)")
    print("   NOTE: the two suites hold different tests; the ratio is context, not like-for-like")
    runs = []
    for path, label in (("tests/containers", "container"), ("tests/e2e", "embedded")):
        run = run_suite(path)
        if run.returncode != 0:
            ended = (
                f"timed out after {SUITE_TIMEOUT} s"
                if run.returncode is None
                else f"exited {run.returncode}"
            )
            print(f"   {path} {ended} after {run.seconds:.1f} s; its last {SUITE_TAIL} lines:")
            for line in run.lines[-SUITE_TAIL:]:
                print(f"   | {line}")
            return 1
        counts = ", ".join(f"{n} {kind}" for kind, n in run.counts.items())
        print(
            f"   {label:<10} {path:<17} {run.seconds:8.1f} s   {run.tests:4d} tests"
            f"   {run.per_test:6.2f} s/test   ({counts})"
        )
        runs.append(run)
    container, embedded = runs
    print(
        f"   per-test container / embedded = {container.per_test / embedded.per_test:.1f}x"
        " (different tests: context only)"
    )
    return 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cold", action="store_true", help="no cold image builds")
    suites = parser.add_mutually_exclusive_group()
    suites.add_argument("--skip-suites", action="store_true", help="no row 5 (test suites)")
    suites.add_argument("--only-suites", action="store_true", help="only row 5 (test suites)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} cpus")
    ensure_docker_engine()
    if not args.only_suites:
        bench_engine(args.skip_cold)
    return 0 if args.skip_suites else bench_suites()


def bench_engine(skip_cold: bool) -> None:
    """Rows 1-4."""

    builds = bench_builds(skip_cold)
    print("\n1. image build (build_local_stack_image)")
    for label, seconds in builds.items():
        print(f"   {label:<18} {seconds:8.2f} s")
    if "cold base+stack" in builds:
        cached = builds["cached"]
        print(f"   cold base+stack / cached    = {builds['cold base+stack'] / cached:8.0f}x")
        print(f"   cold stack only / cached    = {builds['cold stack only'] / cached:8.0f}x")
        share = builds["cold stack only"] / builds["cold base+stack"]
        print(f"   stack only / base+stack     = {share:8.2f}")

    image = images.image_tags()[1]
    starts = bench_start(image)
    print("\n2. container start -> ready (start_engine), 5 starts")
    print(
        f"   median {_ms(statistics.median(starts))}   min {_ms(min(starts))}"
        f"   max {_ms(max(starts))}"
    )

    engine = start_engine("local-stack", image)
    try:
        container_runs, arn = bench_runs(engine.endpoint_url)
        container_requests = bench_requests(engine.endpoint_url, arn)
    finally:
        engine.stop()
    with tempfile.TemporaryDirectory(prefix="sfn-bench-") as folder:
        project = Path(folder)
        stack = start_local_stack(project)
        try:
            embedded_runs, arn = bench_runs(stack.endpoint_url)
            embedded_requests = bench_requests(stack.endpoint_url, arn)
        finally:
            stop_local_stack(project)
    rows: list[tuple[str, list[float]]] = [
        ("container", container_runs),
        ("embedded", embedded_runs),
    ]
    print("\n3. Pass-only flow run (start -> SUCCEEDED seen, 5 ms poll), median of 20")
    for label, runs in rows:
        print(
            f"   {label:<10} median {_ms(statistics.median(runs))}   min {_ms(min(runs))}"
            f"   max {_ms(max(runs))}"
        )
    ratio = statistics.median(container_runs) / statistics.median(embedded_runs)
    print(f"   container / embedded = {ratio:.2f}x")
    print("\n4. one API round trip (DescribeStateMachine), median of 20")
    for label, requests in (("container", container_requests), ("embedded", embedded_requests)):
        print(
            f"   {label:<10} median {_ms(statistics.median(requests))}"
            f"   min {_ms(min(requests))}   max {_ms(max(requests))}"
        )
    ratio = statistics.median(container_requests) / statistics.median(embedded_requests)
    print(f"   container / embedded = {ratio:.2f}x")
    runs_per_start = statistics.median(starts) / statistics.median(container_runs)
    print(f"   one container start = {runs_per_start:.0f} container flow runs")


if __name__ == "__main__":
    sys.exit(main())
