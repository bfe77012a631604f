"""Cold start and per-request cost of the API starter Lambda (lambdas/starter.py).

    python benchmarks/bench_starter.py [--runs 10] [--repeat 15] [--batch 200]

1. Cold import, each run in a fresh interpreter (median of --runs):
   - the whole process, `python -c "import starter"` vs the baseline `python -c "import json"`;
   - the import alone, timed inside the process around `import starter` vs `import json`;
   - what the first call to Step Functions adds (boto3 import and client creation, deferred
     out of the import on purpose), and the slowest runtime modules from `-X importtime`.
2. Per request, in this process: the starter handler on an HTTP API event (parse the event,
   decode and parse the body, validate it against the workflow's JSON Schema, derive the
   execution name, build the 202) vs json.loads + json.dumps of the same body. StartExecution
   is excluded: the handler gets a client that answers at once (fine for a benchmark, which
   measures the handler's own work; the real call is network-bound).

Timings use time.perf_counter; a gc.collect() precedes each timed batch. Ratios, not
absolute times, are what compare across machines. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAMBDAS = ROOT / "lambdas"
STATE_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:long-running-job"
# The input schema pydantic emits for the long-running-job workflow's JobRequest.
JOB_SCHEMA: dict[str, Any] = {
    "properties": {
        "job_id": {
            "maxLength": 64,
            "minLength": 1,
            "pattern": "^[A-Za-z0-9_-]+$",
            "title": "Job Id",
            "type": "string",
        },
        "items": {
            "items": {"type": "string"},
            "maxItems": 1000,
            "minItems": 1,
            "title": "Items",
            "type": "array",
        },
        "notify": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "default": None,
            "title": "Notify",
        },
    },
    "required": ["job_id", "items"],
    "title": "JobRequest",
    "type": "object",
}

IMPORT_PROBE = """
import time
t = time.perf_counter()
import {module}
print(time.perf_counter() - t)
"""
CLIENT_PROBE = """
import time
from sfn_flows.runtime.clients import stepfunctions_client
t = time.perf_counter()
stepfunctions_client()
print(time.perf_counter() - t)
"""


class InstantClient:
    """Answers StartExecution at once: the benchmark measures the handler, not the network."""

    def start_execution(self, **request: Any) -> dict[str, Any]:
        return {"executionArn": f"{STATE_MACHINE}:{request['name']}"}


def python(code: str, env: dict[str, str] | None = None) -> tuple[float, str]:
    """Run `code` in a fresh interpreter from lambdas/; (wall seconds, stdout)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=LAMBDAS,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, result.stdout


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def cold_start(runs: int) -> None:
    print(f"\n1. Cold start (fresh interpreter each run, median of {runs})")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    base["AWS_DEFAULT_REGION"] = "us-east-1"
    # Lambda's /var/task is read-only: without .pyc files in the zip, every cold start
    # compiles the sources. "with bytecode" is a zip that ships them (compileall).
    envs = {
        "from source": {**base, "PYTHONDONTWRITEBYTECODE": "1"},
        "with bytecode": {**base, "PYTHONPYCACHEPREFIX": tempfile.mkdtemp(prefix="bench-pyc-")},
    }
    python(IMPORT_PROBE.format(module="starter"), envs["with bytecode"])  # writes the .pyc
    results: dict[tuple[str, str], dict[str, float]] = {}
    for label, env in envs.items():
        walls: dict[str, list[float]] = {"json": [], "starter": []}
        inner: dict[str, list[float]] = {"json": [], "starter": []}
        for _ in range(runs):
            for module in ("json", "starter"):
                wall, out = python(IMPORT_PROBE.format(module=module), env)
                walls[module].append(wall)
                inner[module].append(float(out))
        for module in ("json", "starter"):
            results[(label, module)] = {
                "wall": median_ms(walls[module]),
                "import": median_ms(inner[module]),
            }

    print(f"   {'':38}{'from source':>16}{'with bytecode':>16}")
    rows = (
        ("process, python -c 'import json'", "json", "wall"),
        ("process, python -c 'import starter'", "starter", "wall"),
        ("import json alone (baseline)", "json", "import"),
        ("import starter alone", "starter", "import"),
    )
    for title, module, key in rows:
        cells = ""
        for label in envs:
            value = results[(label, module)][key]
            ratio = value / results[(label, "json")][key]
            cells += f"{value:9.1f} ms" + (f" x{ratio:<4.1f}" if module == "starter" else " " * 6)
        print(f"   {title:38}{cells}")

    client = [float(python(CLIENT_PROBE, envs["with bytecode"])[1]) for _ in range(runs)]
    print(
        f"   first Step Functions call: import boto3 + create the client {median_ms(client):.1f} ms"
    )
    print(
        "   (deferred out of the import on purpose: paid once, by the first request that needs it)"
    )

    env = envs["with bytecode"]
    baseline_modules = {name for name, _, _ in import_times("json", env)}
    added = [row for row in import_times("starter", env) if row[0] not in baseline_modules]
    total = sum(own for _, own, _ in added)
    print(
        f"   modules the starter adds (with bytecode): {len(added)}, {total / 1000:.1f} ms own "
        "time; the costliest (-X importtime, own / cumulative):"
    )
    for name, own, cumulative in sorted(added, key=lambda row: -row[1])[:8]:
        print(f"     {own / 1000:6.2f} / {cumulative / 1000:6.2f} ms  {name}")


def import_times(module: str, env: dict[str, str]) -> list[tuple[str, int, int]]:
    """(module, own µs, cumulative µs) of everything `import <module>` loads."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=LAMBDAS,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in result.stderr.splitlines()[1:]:
        own, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        rows.append((name, int(own), int(cumulative)))
    return rows


def timed(fn: Callable[[], object], repeat: int, batch: int) -> float:
    """Median seconds per call over `repeat` batches of `batch` calls."""
    for _ in range(min(batch, 50)):
        fn()
    samples = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter() - started) / batch)
    return statistics.median(samples)


def event_for(body: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "POST /{workflow}/executions",
        "rawPath": "/long-running-job/executions",
        "rawQueryString": "",
        "headers": {
            "content-type": "application/json",
            "host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "x-forwarded-proto": "https",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "http": {"method": "POST", "path": "/long-running-job/executions"},
            "requestId": "bench",
            "stage": "$default",
        },
        "pathParameters": {"workflow": "long-running-job"},
        "body": body,
        "isBase64Encoded": False,
    }


def json_round_trip(body: str) -> str:
    return json.dumps(json.loads(body))


def per_request(repeat: int, batch: int) -> None:
    sys.path.insert(0, str(ROOT))
    from sfn_flows.runtime import make_starter_handler

    folder = Path(tempfile.mkdtemp(prefix="bench-starter-"))
    config = folder / "sfn_flows_api.json"
    config.write_text(json.dumps({"workflows": {"long-running-job": {"input_schema": JOB_SCHEMA}}}))
    os.environ["SFN_FLOWS_API_CONFIG"] = str(config)
    os.environ["SFN_FLOWS_STATE_MACHINES"] = json.dumps({"long-running-job": STATE_MACHINE})
    client = InstantClient()
    handler = make_starter_handler(client=lambda: client)

    print(f"\n2. Per request, StartExecution excluded (median of {repeat} x {batch} calls)")
    for label, items in (("3 items", 3), ("1000 items", 1000)):
        body = json.dumps(
            {"job_id": "bench-1", "items": [f"item-{i:05d}" for i in range(items)], "notify": None}
        )
        event = event_for(body)
        assert handler(event, None)["statusCode"] == 202
        start = timed(partial(handler, event, None), repeat, batch)
        baseline = timed(partial(json_round_trip, body), repeat, batch)
        print(
            f"   {label:>10} ({len(body):6d} B)  handler {start * 1e6:8.1f} us   "
            f"json.loads+dumps {baseline * 1e6:8.1f} us   x{start / baseline:.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="fresh interpreters per cold start")
    parser.add_argument("--repeat", type=int, default=15, help="timed batches per request type")
    parser.add_argument("--batch", type=int, default=200, help="calls per timed batch")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.platform()}")
    cold_start(args.runs)
    per_request(args.repeat, args.batch)


if __name__ == "__main__":
    main()
