"""What the container engine costs: image builds, container start, and each flow run.

    python benchmarks/bench_containers.py            # all of it (about 1-2 minutes)
    python benchmarks/bench_containers.py --skip-cold  # no cold image builds

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
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
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


def bench_runs(endpoint: str, repeat: int = 20, warmup: int = 3) -> tuple[list[float], str]:
    sfn = _sfn(endpoint)
    arn = sfn.create_state_machine(
        name=f"bench-pass-{uuid.uuid4().hex[:8]}", definition=PASS_ONLY, roleArn=ROLE
    )["stateMachineArn"]
    times = []
    for i in range(warmup + repeat):
        started = time.perf_counter()
        execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
        while (status := sfn.describe_execution(executionArn=execution)["status"]) == "RUNNING":
            time.sleep(POLL)
        elapsed = time.perf_counter() - started
        if status != "SUCCEEDED":
            raise RuntimeError(f"run {i} ended {status}")
        if i >= warmup:
            times.append(elapsed)
    return times, arn


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cold", action="store_true", help="no cold image builds")
    args = parser.parse_args(argv)
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} cpus")
    ensure_docker_engine()

    builds = bench_builds(args.skip_cold)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
