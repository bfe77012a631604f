"""The wait window against start-then-poll: HTTP requests and latency to the result.

Starts a local stack (MiniStack) in a temporary folder, builds and deploys the wait window's
sample project (tests/e2e/wait_project) into it, and for jobs of several lengths (a Lambda
that works D to D + 1 s, drawn at random for each round so that the end of a job falls
anywhere between two polls) gets the result through the local HTTP API three ways, with the
same length in a round and interleaved so machine noise hits all alike:

  - wait window: `POST` with `Prefer: wait=20` (ApiClient.run): one request when the job
    ends within the window;
  - poll (client schedule): `POST` with `Prefer: respond-async`, then `GET /executions/{id}`
    on sfn_flows.client's default schedule (first poll at 1 s, then decorrelated jitter
    under a lateness cap of 1 s + 10 %), the baseline of a polling client;
  - poll (250 ms): the same with a poll every 250 ms, an eager poller.

Printed per job length: the median requests and latency (from sending the POST to holding
the result), the median lateness (from the execution's stopDate to holding the result), and
the ratios poll / wait window. The EXPRESS job (StartSyncExecution) is timed the same way.
Inside the Lambda the wait polls DescribeExecution on runtime/long_poll.py's schedule; the
calls that schedule makes for each length are printed too (they are not HTTP requests).

    python benchmarks/bench_wait_window.py [--repeat 5] [--seconds 0 2 5]
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from local_api import deployed_api

from sfn_flows.client import ApiClient
from sfn_flows.client.schedule import DEFAULT_SCHEDULE
from sfn_flows.runtime.long_poll import poll_delays
from sfn_flows.runtime.wait_window import MAX_WAIT_SECONDS

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "tests" / "e2e" / "wait_project"
EAGER_POLL_SECONDS = 0.25

Run = tuple[int, float, float]  # requests, latency (s), lateness (s)


def lateness(body: dict[str, Any], held_at: float) -> float:
    """Seconds from the execution's stopDate to `held_at` (time.time()); same machine."""
    stop = datetime.fromisoformat(str(body["stopDate"]).replace("Z", "+00:00"))
    return held_at - stop.timestamp()


def wait_window(api: str, workflow: str, seconds: float) -> Run:
    client = ApiClient(api)
    began = time.perf_counter()
    answer = client.run(workflow, {"seconds": seconds}, timeout=60)
    latency = time.perf_counter() - began
    assert answer.body["status"] == "SUCCEEDED", answer.body
    return sum(client.requests.values()), latency, lateness(answer.body, time.time())


def poll(api: str, workflow: str, seconds: float, delays: Callable[[], Any]) -> Run:
    client = ApiClient(api)
    began = time.perf_counter()
    accepted = client.start(workflow, {"seconds": seconds}, respond_async=True)
    answer = accepted
    for delay in delays():
        if answer.http_status == 200:
            break
        time.sleep(delay)
        answer = client.status(accepted.execution_id)
    latency = time.perf_counter() - began
    assert answer.body["status"] == "SUCCEEDED", answer.body
    return sum(client.requests.values()), latency, lateness(answer.body, time.time())


def lambda_polls(seconds: float) -> int:
    """DescribeExecution calls the starter's wait makes for a job of `seconds`."""
    elapsed = 0.0
    for count, delay in enumerate(poll_delays(), 1):
        elapsed += delay
        if elapsed >= seconds:
            return count
    raise AssertionError("unreachable")


def medians(runs: list[Run]) -> Run:
    requests, latencies, late = zip(*runs, strict=True)
    return (
        int(statistics.median(requests)),
        statistics.median(latencies),
        statistics.median(late),
    )


def report(title: str, rows: dict[str, Run]) -> None:
    print(f"\n{title}")
    print(f"  {'way':<24} {'requests':>8} {'latency':>9} {'lateness':>9}")
    for way, (requests, latency, late) in rows.items():
        print(f"  {way:<24} {requests:>8} {latency * 1000:>7.0f}ms {late * 1000:>7.0f}ms")
    base_requests, base_latency, _ = rows["wait window"]
    for way, (requests, latency, _) in rows.items():
        if way != "wait window":
            print(
                f"  {way} / wait window: requests {requests / base_requests:.1f}x, "
                f"latency {latency / base_latency:.2f}x"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, nargs="+", default=[0.0, 2.0, 5.0])
    args = parser.parse_args()
    rng = random.Random(7)
    ways: dict[str, Callable[[str, str, float], Run]] = {
        "wait window": wait_window,
        "poll (client schedule)": lambda api, wf, s: poll(
            api, wf, s, lambda: DEFAULT_SCHEDULE.delays(rng)
        ),
        f"poll ({EAGER_POLL_SECONDS * 1000:.0f} ms)": lambda api, wf, s: poll(
            api, wf, s, lambda: itertools.repeat(EAGER_POLL_SECONDS)
        ),
    }
    with deployed_api(PROJECT, "bench-wait") as (api, _):
        for way in ways.values():  # cold starts of the API's and the worker's Lambdas
            way(api, "quick-job", 0)
        print(f"wait window cap {MAX_WAIT_SECONDS} s; median of {args.repeat} runs each")
        for seconds in args.seconds:
            report(
                f"job of {seconds:g} to {seconds + 1:g} s (STANDARD; the Lambda's wait makes "
                f"{lambda_polls(seconds)} to {lambda_polls(seconds + 1.3)} DescribeExecution "
                "calls for it, with up to 0.3 s of Lambda overhead)",
                rounds(ways, api, "quick-job", seconds, args.repeat, rng),
            )
        report(
            "EXPRESS job of 1 to 2 s (StartSyncExecution answers: no DescribeExecution)",
            rounds(ways, api, "express-job", 1.0, args.repeat, rng),
        )


def rounds(
    ways: dict[str, Callable[[str, str, float], Run]],
    api: str,
    workflow: str,
    seconds: float,
    repeat: int,
    rng: random.Random,
) -> dict[str, Run]:
    """The medians of `repeat` rounds; each round draws one length and runs every way."""
    runs: dict[str, list[Run]] = {way: [] for way in ways}
    for _ in range(repeat):
        length = round(seconds + rng.random(), 3)
        for way, measure in ways.items():
            runs[way].append(measure(api, workflow, length))
    return {way: medians(found) for way, found in runs.items()}


if __name__ == "__main__":
    main()
