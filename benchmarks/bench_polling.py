"""How many DescribeExecution calls ExecutionClient.wait() makes, and how late it notices.

    python benchmarks/bench_polling.py                 # real MiniStack: Wait 5/10/30 s machines
    python benchmarks/bench_polling.py --fake-clock    # simulated: 5/10/30/120/600 s, no waiting

Aims (from the issue): for a 30-second execution at most 12 DescribeExecution calls, and
completion noticed at most 1 s + 10 % of the execution's duration late.

Baseline, in the same process: an idealized poller that calls DescribeExecution every second
on the dot (t = 1, 2, 3, ... after the start), the usual hand-written loop.

Real mode starts its own MiniStack in a temporary folder (stopped at the end), runs every
execution at once in threads (about 35 s in all), counts the DescribeExecution requests each
poller sends with a botocore hook (independent of the client's own counter), and measures
lateness as the moment wait() returned minus the execution's stopDate. Jitter is random, so
each duration runs `--samples` executions per poller.

Fake-clock mode runs the same schedule code (PollSchedule.poll_times) against executions of
the given durations plus a random offset in [0, 1) s (so that the fixed poller's ticks do not
line up with whole-second durations), over `--seeds` seeds.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn_flows.aws import Target
from sfn_flows.client import ExecutionClient, PollSchedule
from sfn_flows.local import start_local_stack, stop_local_stack

CALLS_AIM = 12  # DescribeExecution calls for a 30-second execution
AIM_DURATION = 30.0
ROLE_ARN = "arn:aws:iam::000000000000:role/bench-polling"  # MiniStack does not check it
FIXED_INTERVAL = 1.0


def lateness_bound(duration: float) -> float:
    return 1.0 + 0.1 * duration


@dataclass
class Sample:
    poller: str
    wait_seconds: float
    duration: float  # stopDate - startDate, as the service reports
    calls: int
    lateness: float


@dataclass
class Summary:
    calls_mean: float
    calls_max: int
    late_mean: float
    late_max: float
    # max over samples of lateness / (1 s + 10 % of that sample's duration): <= 1 meets the aim
    worst_ratio: float


def summarize(calls: list[int], lateness: list[float], durations: list[float]) -> Summary:
    ratios = [late / lateness_bound(d) for late, d in zip(lateness, durations, strict=True)]
    return Summary(
        statistics.mean(calls), max(calls), statistics.mean(lateness), max(lateness), max(ratios)
    )


# ---------------------------------------------------------------------------------------------
# Real MiniStack
# ---------------------------------------------------------------------------------------------


def counting_client(target: Target) -> tuple[Any, list[int]]:
    """A Step Functions client of its own, with a count of the DescribeExecution requests."""
    client = target.client("stepfunctions")
    count = [0]

    def bump(**_: Any) -> None:
        count[0] += 1

    client.meta.events.register("before-send.sfn.DescribeExecution", bump)
    return client, count


def fixed_interval_wait(sfn: Any, arn: str, timeout: float) -> dict[str, Any]:
    """The baseline: DescribeExecution at t = 1, 2, 3, ... s after the call, on the dot."""
    began = time.monotonic()
    tick = 1
    while True:
        time.sleep(max(0.0, began + tick * FIXED_INTERVAL - time.monotonic()))
        answer: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if answer["status"] != "RUNNING" or time.monotonic() - began > timeout:
            return answer
        tick += 1


def run_one(target: Target, machine: str, poller: str, wait_seconds: float) -> Sample:
    sfn, count = counting_client(target)
    arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    deadline = wait_seconds * 3 + 30
    if poller == "ExecutionClient.wait":
        status = ExecutionClient(sfn).wait(arn, timeout=deadline)
        noticed = time.time()
        start, stop = status.start_date, status.stop_date
    else:
        answer = fixed_interval_wait(sfn, arn, deadline)
        noticed = time.time()
        start, stop = answer["startDate"], answer.get("stopDate")
    assert stop is not None, f"{arn} did not finish"
    return Sample(
        poller,
        wait_seconds,
        (stop - start).total_seconds(),
        count[0],
        noticed - stop.timestamp(),
    )


def real_mode(durations: list[float], samples: int) -> bool:
    home = Path(tempfile.mkdtemp(prefix="bench-polling-"))
    print(f"starting MiniStack in {home} ...")
    stack = start_local_stack(home)
    try:
        target = Target(endpoint_url=stack.endpoint_url)
        admin = target.client("stepfunctions")
        machines = {
            seconds: admin.create_state_machine(
                name=f"wait-{seconds:g}s",
                definition=json.dumps(
                    {
                        "StartAt": "W",
                        "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}},
                    }
                ),
                roleArn=ROLE_ARN,
            )["stateMachineArn"]
            for seconds in durations
        }
        results: list[Sample] = []
        lock = threading.Lock()

        def job(seconds: float, poller: str) -> None:
            sample = run_one(target, machines[seconds], poller, seconds)
            with lock:
                results.append(sample)

        threads = [
            threading.Thread(target=job, args=(seconds, poller))
            for seconds in durations
            for poller in ("ExecutionClient.wait", "fixed 1 s")
            for _ in range(samples)
        ]
        print(f"running {len(threads)} executions at once (the longest waits {max(durations):g} s)")
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop_local_stack(home)
    print()
    ok = True
    for seconds in durations:
        ours = [r for r in results if r.wait_seconds == seconds and r.poller != "fixed 1 s"]
        base = [r for r in results if r.wait_seconds == seconds and r.poller == "fixed 1 s"]
        duration = statistics.mean(r.duration for r in ours + base)
        ok &= report_row(
            f"Wait {seconds:g} s (ran {duration:.2f} s)",
            duration,
            summarize(
                [r.calls for r in ours], [r.lateness for r in ours], [r.duration for r in ours]
            ),
            summarize(
                [r.calls for r in base], [r.lateness for r in base], [r.duration for r in base]
            ),
            aim_calls=seconds == AIM_DURATION,
        )
    return ok


# ---------------------------------------------------------------------------------------------
# Simulated clock
# ---------------------------------------------------------------------------------------------


def simulate(schedule: PollSchedule, duration: float, seeds: int) -> tuple[Summary, Summary]:
    ours_calls, ours_late, base_calls, base_late, actuals = [], [], [], [], []
    for seed in range(seeds):
        rng = random.Random(seed)
        actual = duration + rng.random()
        actuals.append(actual)
        polls = schedule.poll_times(actual, random.Random(seed + 1_000_003))
        ours_calls.append(len(polls))
        ours_late.append(polls[-1] - actual)
        ticks = math.ceil(actual / FIXED_INTERVAL)
        base_calls.append(ticks)
        base_late.append(ticks * FIXED_INTERVAL - actual)
    return (
        summarize(ours_calls, ours_late, actuals),
        summarize(base_calls, base_late, actuals),
    )


def worst_case_ratio(schedule: PollSchedule, horizon: float, seeds: int) -> float:
    """max over durations and seeds of lateness / (1 s + 10 % of duration); <= 1 keeps the aim."""
    worst = 0.0
    for seed in range(seeds):
        times = schedule.poll_times(horizon, random.Random(seed))
        previous = 0.0
        for poll in times:
            # The worst moment to finish is just after the previous poll.
            worst = max(worst, (poll - previous) / lateness_bound(previous))
            previous = poll
    return worst


def fake_clock_mode(durations: list[float], seeds: int, schedule: PollSchedule) -> bool:
    print(f"schedule: {schedule}; {seeds} seeds per duration")
    fewest = next(k for k in range(1, 1000) if 10 * (1.1**k - 1) >= AIM_DURATION)
    print(f"fewest polls any schedule keeping 1 s + 10 % can make by {AIM_DURATION:g} s: {fewest}")
    print()
    ok = True
    for seconds in durations:
        ours, base = simulate(schedule, seconds, seeds)
        ok &= report_row(
            f"{seconds:g} s (+ U[0,1) s)",
            seconds + 0.5,
            ours,
            base,
            aim_calls=seconds == AIM_DURATION,
        )
    ratio = worst_case_ratio(schedule, max(durations), min(seeds, 200))
    print(
        f"worst case over all durations up to {max(durations):g} s: lateness / (1 s + 10 %) = "
        f"{ratio:.3f} -> {'bound holds' if ratio <= 1 + 1e-9 else 'BOUND BROKEN'}"
    )
    return ok and ratio <= 1 + 1e-9


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def report_row(
    label: str, duration: float, ours: Summary, base: Summary, *, aim_calls: bool
) -> bool:
    bound = lateness_bound(duration)
    print(label)
    print(
        f"  ExecutionClient.wait  calls mean {ours.calls_mean:6.2f} max {ours.calls_max:4d}   "
        f"late mean {ours.late_mean:6.3f} s max {ours.late_max:6.3f} s"
    )
    print(
        f"  fixed 1 s baseline    calls mean {base.calls_mean:6.2f} max {base.calls_max:4d}   "
        f"late mean {base.late_mean:6.3f} s max {base.late_max:6.3f} s"
    )
    print(
        f"  ratio ours/baseline   calls {ours.calls_mean / base.calls_mean:5.2f}   "
        f"late (mean) {ours.late_mean / base.late_mean if base.late_mean else math.inf:5.2f}"
    )
    late_ok = ours.worst_ratio <= 1 + 1e-9
    line = (
        f"  aim lateness <= 1 s + 10 % (~{bound:.2f} s): {'met' if late_ok else 'NOT met'} "
        f"(worst lateness/bound {ours.worst_ratio:.2f}; baseline {base.worst_ratio:.2f})"
    )
    ok = late_ok
    if aim_calls:
        calls_ok = ours.calls_max <= CALLS_AIM
        line += (
            f"; aim calls <= {CALLS_AIM}: {'met' if calls_ok else 'NOT met'}"
            f" (mean {ours.calls_mean:.1f}, max {ours.calls_max})"
        )
        ok = ok and calls_ok
    print(line)
    print()
    return ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--fake-clock", action="store_true", help="simulate; no MiniStack")
    parser.add_argument("--durations", type=float, nargs="+", help="seconds per execution")
    parser.add_argument("--samples", type=int, default=3, help="real mode: runs per poller")
    parser.add_argument("--seeds", type=int, default=2000, help="fake clock: seeds")
    parser.add_argument(
        "--lateness-fraction",
        type=float,
        default=0.1,
        help="fake clock: the schedule's max_lateness_fraction (the aim stays 10 %%)",
    )
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()} on {platform.platform()}")
    if args.fake_clock:
        schedule = PollSchedule(max_lateness_fraction=args.lateness_fraction)
        durations = args.durations or [5.0, 10.0, 30.0, 120.0, 600.0]
        ok = fake_clock_mode(durations, args.seeds, schedule)
    else:
        ok = real_mode(args.durations or [5.0, 10.0, 30.0], args.samples)
    print("all aims met" if ok else "some aims NOT met (printed above; never an error)")


if __name__ == "__main__":
    main(sys.argv[1:])
