"""A burst through the local HTTP API: SQS intake against the direct starter, in one run.

Starts a local stack (MiniStack) in a temporary folder and deploys two workflows that differ
only in `intake`: `direct-burst` (the starter calls StartExecution) and `queued-burst`
(`intake="sqs"`: the starter queues, the consumer Lambda starts). For each, in alternating
rounds, it sends a burst of `--requests` POSTs from `--clients` threads, each with its own
Idempotency-Key (and `--retries` of them sent twice, as a retrying client would), then waits
until the state machine has an execution for every request. Printed per workflow:

  accepted   all POSTs answered, and their rate (requests/s): what the client waits for
  started    until the last execution exists, and its rate (executions/s)
  202s       how many POSTs got 202 (others by status)
  lost/dup   requests without an execution / executions without a request (must be 0/0)
  dead       messages in the dead-letter queue (intake only; must be 0)

and the ratios intake/direct. The local stack runs every Lambda on this machine, so the
figures compare the two paths with each other, not with AWS.

    python benchmarks/bench_intake.py [--requests 500] [--clients 16] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sfn_flows.aws import Target
from sfn_flows.deploy.outputs import reachable_api_url
from sfn_flows.deploy.stack import deploy_project
from sfn_flows.local import start_local_stack, stop_local_stack
from sfn_flows.project.build import compile_project, write_build

PROJECT = """
from sfn_flows import Pass, Workflow

direct_burst = Workflow(name="direct-burst", start=Pass("Take"), timeout_seconds=60)
queued_burst = Workflow(
    name="queued-burst", start=Pass("Take"), timeout_seconds=60, intake="sqs"
)
"""
WORKFLOWS = ("direct-burst", "queued-burst")


def post(url: str, body: bytes, key: str) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def execution_names(sfn: Any, machine: str) -> list[str]:
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=machine)
    return [e["name"] for page in pages for e in page["executions"]]


def burst(
    api: str, sfn: Any, machine: str, workflow: str, args: argparse.Namespace
) -> dict[str, Any]:
    from sfn_flows.runtime.names import idempotent_execution_name

    before = set(execution_names(sfn, machine))
    keys = [f"bench-{uuid.uuid4()}" for _ in range(args.requests)]
    sends = keys + keys[: args.retries]
    body = json.dumps({"bench": True}).encode()
    url = f"{api}/{workflow}/executions"
    started_at = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        statuses = list(pool.map(lambda key: post(url, body, key), sends))
    accepted = time.perf_counter() - started_at
    expected = {idempotent_execution_name(key) for key in keys}
    limit = time.monotonic() + args.timeout
    while True:
        names = [n for n in execution_names(sfn, machine) if n not in before]
        if expected <= set(names) or time.monotonic() > limit:
            break
        time.sleep(0.05)
    started = time.perf_counter() - started_at
    return {
        "accepted": accepted,
        "started": started,
        "statuses": {s: statuses.count(s) for s in sorted(set(statuses))},
        "lost": len(expected - set(names)),
        "duplicates": len(names) - len(set(names)) + len(set(names) - expected),
    }


def dead_letters(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--retries", type=int, default=50)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / "workflows").mkdir()
        (project / "lambdas").mkdir()
        (project / "workflows" / "burst.py").write_text(textwrap.dedent(PROJECT))
        stack = start_local_stack(project)
        try:
            result = compile_project(project / "workflows")
            assert result.ok
            write_build(result, project / "build", project)
            target = Target(endpoint_url=stack.endpoint_url)
            deployed = deploy_project(
                target,
                stack="bench-intake",
                build_dir=project / "build",
                lambdas_dir=project / "lambdas",
            )
            api = reachable_api_url(target, deployed.outputs)
            assert api
            sfn, sqs = target.client("stepfunctions"), target.client("sqs")
            machines = {
                "direct-burst": deployed.outputs["DirectBurstStateMachineArn"],
                "queued-burst": deployed.outputs["QueuedBurstStateMachineArn"],
            }
            dead = deployed.outputs["QueuedBurstIntakeDeadLetterQueueUrl"]
            runs: dict[str, list[dict[str, Any]]] = {w: [] for w in WORKFLOWS}
            for round_ in range(args.rounds):
                order = WORKFLOWS if round_ % 2 == 0 else tuple(reversed(WORKFLOWS))
                for workflow in order:
                    runs[workflow].append(burst(api, sfn, machines[workflow], workflow, args))
            report(runs, args, dead_letters(sqs, dead))
        finally:
            stop_local_stack(project)


def report(runs: dict[str, list[dict[str, Any]]], args: argparse.Namespace, dead: int) -> None:
    sent = args.requests + args.retries
    print(
        f"burst: {args.requests} requests (+{args.retries} retried with their key) from "
        f"{args.clients} clients, {args.rounds} round(s), medians"
    )
    medians: dict[str, dict[str, float]] = {}
    for workflow, rows in runs.items():
        accepted = statistics.median(r["accepted"] for r in rows)
        started = statistics.median(r["started"] for r in rows)
        medians[workflow] = {"accepted": accepted, "started": started}
        statuses: dict[int, int] = {}
        for row in rows:
            for status, count in row["statuses"].items():
                statuses[status] = statuses.get(status, 0) + count
        lost = sum(r["lost"] for r in rows)
        duplicates = sum(r["duplicates"] for r in rows)
        print(
            f"  {workflow:13} accepted {accepted:6.2f} s ({sent / accepted:6.1f} req/s)  "
            f"started {started:6.2f} s ({args.requests / started:6.1f} exec/s)  "
            f"statuses {statuses}  lost {lost}  dup {duplicates}"
        )
    print(f"  dead-letter queue of queued-burst: {dead} message(s)")
    direct, queued = medians["direct-burst"], medians["queued-burst"]
    print(
        f"ratios intake/direct: accepted {queued['accepted'] / direct['accepted']:.2f}x, "
        f"all started {queued['started'] / direct['started']:.2f}x"
    )


if __name__ == "__main__":
    main()
