"""202 latency of `POST /<workflow>/executions` through the local HTTP API.

Starts a local stack (MiniStack) in a temporary folder, builds and deploys this project into
it, then times, in one process and interleaved so machine noise hits both alike:
  - the baseline: `GET /_ministack/health` on the same endpoint (an HTTP round trip to the
    local stack with no Lambda behind it);
  - `POST /long-running-job/executions`: API Gateway -> starter Lambda -> StartExecution -> 202.
The first POST (the starter's cold start in the local stack) is reported separately.

    python benchmarks/bench_api.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
from pathlib import Path

from local_api import deployed_api

ROOT = Path(__file__).resolve().parents[1]
BODY = json.dumps({"job_id": "bench", "items": ["a", "b", "c"]}).encode()


def timed(request: urllib.request.Request) -> tuple[float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        status = response.status
    return (time.perf_counter() - started) * 1000, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with deployed_api(ROOT, "bench") as (api, target):

        def post() -> urllib.request.Request:
            return urllib.request.Request(
                f"{api}/long-running-job/executions",
                data=BODY,
                method="POST",
                headers={"Content-Type": "application/json"},
            )

        health = urllib.request.Request(f"{target.endpoint_url}/_ministack/health")
        cold, status = timed(post())
        assert status == 202, status
        posts: list[float] = []
        baseline: list[float] = []
        for _ in range(args.repeat):
            baseline.append(timed(health)[0])
            elapsed, status = timed(post())
            assert status == 202, status
            posts.append(elapsed)
    post_median = statistics.median(posts)
    base_median = statistics.median(baseline)
    print(f"repeat={args.repeat}; medians in ms")
    print(f"  baseline GET /_ministack/health   {base_median:8.1f}")
    print(
        f"  POST .../executions -> 202 (warm) {post_median:8.1f}  x{post_median / base_median:.1f}"
    )
    print(f"  POST .../executions -> 202 (p90)  {sorted(posts)[int(len(posts) * 0.9) - 1]:8.1f}")
    print(f"  first POST (starter cold start)   {cold:8.1f}")
    print("  API Gateway's limit the async pattern avoids: 29,000 ms")


if __name__ == "__main__":
    main()
