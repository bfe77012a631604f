"""Start-up time of the `sfn-flows` command against `python -c pass`, in the same run.

Times, interleaved so machine noise hits every command alike, each in a fresh interpreter
(the one running this script):
  - the baseline: `python -c pass`;
  - `python -m sfn_flows --help`;
  - `python -m sfn_flows validate small.json` on a three-state definition.
Prints the median wall-clock time of each and its ratio to the baseline, and the same for
CPU time (user + system of the child), which a loaded machine distorts less: waiting for a
core inflates every wall-clock time by about the same amount, shrinking the ratios. Exits 1
when a ratio of either kind exceeds --max-ratio (10 by default: the goal of issue 8).

    python benchmarks/bench_cli_startup.py [--repeat 15] [--max-ratio 10]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = "python -c pass"
SMALL = {
    "Comment": "a small machine, as a user would validate one",
    "StartAt": "Work",
    "States": {
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "work", "Payload.$": "$"},
            "TimeoutSeconds": 30,
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one run of `command`."""
    cpu = cpu_of_children()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    took = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr}")
    return took, cpu_of_children() - cpu


def report(kind: str, times: dict[str, list[float]]) -> float:
    """Print the medians of one kind of time and their ratios; return the worst ratio."""
    medians = {name: statistics.median(values) for name, values in times.items()}
    baseline = medians[BASELINE]
    print(f"{kind}:")
    worst = 0.0
    for name, median in medians.items():
        ratio = median / baseline
        if name != BASELINE:
            worst = max(worst, ratio)
        print(f"  {name:<32} median {median * 1000:7.1f} ms  {ratio:5.1f}x the baseline")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--max-ratio", type=float, default=10.0)
    args = parser.parse_args()
    python = sys.executable
    commands = {
        BASELINE: [python, "-c", "pass"],
        "sfn-flows --help": [python, "-m", "sfn_flows", "--help"],
        "sfn-flows validate small.json": [python, "-m", "sfn_flows", "validate", "small.json"],
    }
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        (cwd / "small.json").write_text(json.dumps(SMALL))
        for command in commands.values():
            run_once(command, cwd)  # warm the file cache and the bytecode caches
        wall: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                took, used = run_once(command, cwd)
                wall[name].append(took)
                cpu[name].append(used)
    print(f"{args.repeat} runs each, interleaved; Python {sys.version.split()[0]}")
    worst = max(report("wall-clock", wall), report("CPU (user + system)", cpu))
    verdict = "within" if worst <= args.max_ratio else "OVER"
    print(f"worst ratio {worst:.1f}x: {verdict} the goal of {args.max_ratio:g}x")
    if worst > args.max_ratio:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
