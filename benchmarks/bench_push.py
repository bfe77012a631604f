"""WebSocket push against polling: how many calls each makes and how late each notices the end.

    python benchmarks/bench_push.py                  # Wait 1/5/15 s machines, 3 samples each
    python benchmarks/bench_push.py --samples 5 --durations 2 10

Aim (issue 11): completion noticed within 200 ms of the execution's end, with one WebSocket
message and no DescribeExecution call by the client.

Both ways run in the same process, on the same deployment, side by side: a project of
push=True workflows that each hold one static Wait, built and deployed into a MiniStack
started in a temporary folder (stopped at the end). Each sample is a pair of executions of the
same workflow started together, one waited for with ExecutionClient.wait(push=True)
(subscribe on the push socket, one `status` message), the other with the default polling
schedule; pairs run one after another (`--concurrent` starts them all at once instead, which
on this machine queues the local stack's socket Lambda behind many connections at once).
DescribeExecution requests are counted with a botocore hook on each client (independent of
the client's own counter); WebSocket messages by the client's push_traffic. Lateness is the
moment wait() returned minus the execution's stopDate (one clock: MiniStack runs here).

One push execution runs first, alone and unmeasured but reported: it pays the notifier's and
the socket Lambda's cold starts, which a deployed stack pays once per Lambda container.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn_flows.aws import Target
from sfn_flows.client import ExecutionClient
from sfn_flows.deploy.naming import state_machine_output
from sfn_flows.deploy.outputs import reachable_push_url
from sfn_flows.deploy.stack import deploy_project
from sfn_flows.local import start_local_stack, stop_local_stack
from sfn_flows.project.build import compile_project, write_build

LATENESS_AIM = 0.200
WAITERS = ("push", "poll")


@dataclass
class Sample:
    waiter: str
    seconds: int
    describe_calls: int
    messages: int  # WebSocket messages received
    lateness: float
    fallback: str | None


def project_source(durations: list[int]) -> str:
    lines = ["from sfn_flows import Wait, Workflow", ""]
    for seconds in durations:
        lines.append(
            f'hold_{seconds} = Workflow(name="hold-{seconds}s", start=Wait("Hold", '
            f"seconds={seconds}), timeout_seconds={seconds + 60}, push=True)"
        )
    return "\n".join(lines) + "\n"


def deploy(home: Path, target: Target, durations: list[int]) -> tuple[dict[str, str], str]:
    project = home / "project"
    (project / "workflows").mkdir(parents=True)
    (project / "lambdas").mkdir()
    (project / "workflows" / "holds.py").write_text(project_source(durations))
    result = compile_project(project / "workflows")
    if not result.ok:
        raise SystemExit([p.render() for _, f in result.failures for p in f.problems])
    write_build(result, project / "build", project)
    deployed = deploy_project(
        target, stack="bench-push", build_dir=project / "build", lambdas_dir=project / "lambdas"
    )
    url = reachable_push_url(target, deployed.outputs)
    if not url:
        raise SystemExit("the stack has no push socket")
    return deployed.outputs, url


def run_one(target: Target, machine: str, push_url: str, waiter: str, seconds: int) -> Sample:
    sfn = target.client("stepfunctions")
    count = [0]

    def bump(**_: Any) -> None:
        count[0] += 1

    sfn.meta.events.register("before-send.sfn.DescribeExecution", bump)
    client = ExecutionClient(sfn, push_url=push_url)
    execution = client.start(machine, {})
    status = client.wait(execution.arn, timeout=seconds * 3 + 60, push=waiter == "push")
    noticed = time.time()
    if status.stop_date is None:
        raise SystemExit(f"{execution.arn} did not finish")
    return Sample(
        waiter,
        seconds,
        count[0],
        client.push_traffic["received"],
        noticed - status.stop_date.timestamp(),
        client.push_fallback,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=3, help="executions per duration and way")
    parser.add_argument("--durations", type=int, nargs="+", default=[1, 5, 15])
    parser.add_argument("--concurrent", action="store_true", help="start every pair at once")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.platform()}")
    home = Path(tempfile.mkdtemp(prefix="bench-push-"))
    print(f"starting MiniStack in {home} ...")
    stack = start_local_stack(home)
    try:
        target = Target(endpoint_url=stack.endpoint_url)
        outputs, push_url = deploy(home, target, args.durations)
        machines = {s: outputs[state_machine_output(f"hold-{s}s")] for s in args.durations}
        first = min(args.durations)
        cold = run_one(target, machines[first], push_url, "push", first)
        print(
            f"cold start (first push, Wait {first} s): {cold.lateness * 1000:.0f} ms late, "
            f"{cold.messages} message(s), {cold.describe_calls} DescribeExecution"
        )
        samples: list[Sample] = []
        lock = threading.Lock()

        def job(seconds: int, waiter: str) -> None:
            sample = run_one(target, machines[seconds], push_url, waiter, seconds)
            with lock:
                samples.append(sample)

        pairs = [
            [threading.Thread(target=job, args=(seconds, waiter)) for waiter in WAITERS]
            for seconds in args.durations
            for _ in range(args.samples)
        ]
        batches = [[t for pair in pairs for t in pair]] if args.concurrent else pairs
        print(f"running {len(pairs)} pairs of executions (push and poll side by side)")
        for batch in batches:
            for thread in batch:
                thread.start()
            for thread in batch:
                thread.join()
    finally:
        stop_local_stack(home)
        shutil.rmtree(home, ignore_errors=True)
    return report(samples, args.durations)


def report(samples: list[Sample], durations: list[int]) -> int:
    print()
    print(
        f"{'execution':<11} {'way':<5} {'DescribeExecution':>18} {'WS messages':>12} "
        f"{'late mean':>10} {'late max':>9}"
    )
    for seconds in durations:
        rows = {w: [s for s in samples if s.seconds == seconds and s.waiter == w] for w in WAITERS}
        for waiter, chosen in rows.items():
            print(
                f"Wait {seconds:>2} s   {waiter:<5} "
                f"{statistics.mean(s.describe_calls for s in chosen):>18.1f} "
                f"{statistics.mean(s.messages for s in chosen):>12.1f} "
                f"{statistics.mean(s.lateness for s in chosen) * 1000:>8.0f} ms "
                f"{max(s.lateness for s in chosen) * 1000:>6.0f} ms"
            )
        push, poll = rows["push"], rows["poll"]
        calls = statistics.mean(s.describe_calls for s in poll)
        late = statistics.mean(s.lateness for s in push) / statistics.mean(s.lateness for s in poll)
        print(
            f"  push/poll: DescribeExecution {sum(s.describe_calls for s in push)}/"
            f"{sum(s.describe_calls for s in poll)} (polling makes {calls:.1f} a wait), "
            f"lateness x{late:.3f} (push {1 / late:.0f}x sooner)"
        )
        fallbacks = {s.fallback for s in push if s.fallback}
        if fallbacks:
            print(f"  push fell back to polling: {'; '.join(sorted(fallbacks))}")
    pushed = [s for s in samples if s.waiter == "push"]
    met = [
        s
        for s in pushed
        if s.lateness <= LATENESS_AIM and s.describe_calls == 0 and s.messages == 2
    ]
    print()
    print(
        f"aim (the end noticed within {LATENESS_AIM * 1000:.0f} ms, by its one status message "
        f"after the subscription's acknowledgement, no DescribeExecution): met by {len(met)} "
        f"of {len(pushed)} push waits"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
