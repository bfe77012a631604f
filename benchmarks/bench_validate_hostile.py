"""`sfn-flows validate` on hostile files (YAML alias bombs, deep nesting, 1 MB definitions)
against a small valid file, in the same process.

    python benchmarks/bench_validate_hostile.py [--repeat N] [--warmup N] [--no-subprocess]

Each file is written to a temporary folder, then validated through the real CLI (typer's
CliRunner on `sfn_flows.cli.app`), `--warmup` times untimed and `--repeat` times timed; the
median is reported with its ratio to the small valid YAML file. Each file is also validated
once by `python -m sfn_flows.cli.app validate FILE` in a child process (wall time, start-up
included), with a 120 s deadline so that a regression shows as a timeout instead of a hang.

The aim (issue 8): no input keeps `validate` busy for more than a second per megabyte of
file, and a file under a megabyte takes under a second. It is printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_build import Timing, measure
from typer.testing import CliRunner

from sfn_flows.cli.app import app

MEGABYTE = 1024 * 1024
PASS_STATE = "StartAt: A\nTimeoutSeconds: 60\nStates:\n  A:\n    Type: Pass\n    End: true\n"
SMALL_YAML = """\
Comment: wait, then succeed
StartAt: Pause
TimeoutSeconds: 120
States:
  Pause: {Type: Wait, Seconds: 5, Next: Done}
  Done: {Type: Succeed}
"""


def laughs(levels: int, width: int, under: str) -> str:
    """Each level lists `width` aliases of the one before: width**levels strings in all."""
    lines = [f"      l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"      l{level}: &l{level} [{refs}]")
    return PASS_STATE + f"    {under}:\n" + "\n".join(lines) + "\n"


def merges(levels: int) -> str:
    """Ten `<<` merges per level of the level before: PyYAML alone copied 10**levels pairs."""
    lines = ["      m0: &m0 {k0: 0, k1: 1}"]
    for level in range(1, levels):
        refs = ", ".join([f"*m{level - 1}"] * 10)
        lines.append(f"      m{level}: &m{level} {{<<: [{refs}], n{level}: *m{level - 1}}}")
    return PASS_STATE + "    Result:\n" + "\n".join(lines) + "\n"


def large_definition(states: int) -> dict[str, Any]:
    """A plain chain of Tasks with 30 `.$` parameters each: about 1 MB at 700 states."""
    chain: dict[str, Any] = {}
    for i in range(states):
        chain[f"S{i}"] = {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "TimeoutSeconds": 30,
            "Parameters": {f"k{j}.$": f"$.input.field{j}.value{i}" for j in range(30)},
            "Next": f"S{i + 1}",
        }
    chain[f"S{states}"] = {"Type": "Succeed"}
    return {"StartAt": "S0", "TimeoutSeconds": 3600, "States": chain}


def yaml_text(value: Any) -> str:
    import yaml

    return yaml.safe_dump(value, sort_keys=False, width=1000)


@dataclass(frozen=True)
class Case:
    name: str
    suffix: str
    text: str
    what: str


def cases() -> list[Case]:
    large = large_definition(700)
    return [
        Case("small-valid", ".yaml", SMALL_YAML, "baseline: a two-state YAML file"),
        Case("laughs-parameters", ".yaml", laughs(10, 9, "Parameters"), "9**10 strings"),
        Case("laughs-result", ".yaml", laughs(6, 10, "Result"), "10**6 strings, 6 MB JSON"),
        Case("merge-keys", ".yaml", merges(10), "10 levels of 10 merges"),
        Case(
            "aliases-under-1MB",
            ".yaml",
            laughs(6, 8, "Parameters").replace("lol", "1"),
            "8**6 numbers, walked",
        ),
        Case("self-containing", ".yaml", PASS_STATE + "    Result: &r [1, *r]\n", "a cycle"),
        Case("deep-flow", ".yaml", "[" * 100_000 + "]" * 100_000, "100,000 nested lists"),
        Case("large-yaml", ".yaml", yaml_text(large), "700 Tasks, no aliases"),
        Case("large-json", ".json", json.dumps(large, indent=1), "700 Tasks, indented"),
    ]


def invoke(path: Path) -> Callable[[], tuple[int, str]]:
    runner = CliRunner()

    def run() -> tuple[int, str]:
        result = runner.invoke(app, ["validate", str(path)])
        return result.exit_code, result.output

    return run


def outcome(exit_code: int, output: str, path: Path) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    if "error:" in output and f"{path}: valid" not in output:
        first = next(line for line in lines if "error" in line)
        last = first
    shown = last.replace(str(path.parent) + os.sep, "")
    return f"exit {exit_code}: {shown[:90]}"


def child_seconds(path: Path) -> str:
    start = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, "-m", "sfn_flows.cli.app", "validate", str(path)],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "TIMEOUT (120 s)"
    return f"{time.perf_counter() - start:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed warm-up runs (default 1)")
    parser.add_argument(
        "--no-subprocess", action="store_true", help="skip the child-process wall times"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 1:
        parser.error("--repeat and --warmup must be at least 1")
    print(f"Python {platform.python_version()} on {platform.platform()}")
    print(f"repeat={args.repeat} warmup={args.warmup}; in-process times are medians")
    print("command: python benchmarks/bench_validate_hostile.py")
    print()
    rows: list[tuple[Case, int, Timing, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="sfn-hostile-") as folder:
        for case in cases():
            path = Path(folder) / f"{case.name}{case.suffix}"
            path.write_text(case.text, encoding="utf-8")
            run = invoke(path)
            exit_code, output = run()
            timing = measure(case.name, run, repeat=args.repeat, warmup=args.warmup)
            child = "-" if args.no_subprocess else child_seconds(path)
            rows.append(
                (case, path.stat().st_size, timing, outcome(exit_code, output, path), child)
            )
    baseline = rows[0][2].median_ms
    width = max(len(case.name) for case, *_ in rows)
    print(
        f"  {'file':{width}} {'bytes':>10} {'median':>10} {'vs small':>9} {'ms/MB':>8} "
        f"{'child':>9}  aim  outcome"
    )
    all_met = True
    for case, size, timing, result, child in rows:
        allowed_ms = 1000.0 * max(size / MEGABYTE, 1.0)
        met = timing.median_ms <= allowed_ms
        all_met = all_met and met
        per_mb = timing.median_ms / (size / MEGABYTE)
        print(
            f"  {case.name:{width}} {size:>10,} {timing.median_ms:8.1f}ms "
            f"{timing.median_ms / baseline:8.1f}x {per_mb:8.0f} {child:>9}  "
            f"{'met' if met else 'NOT'}  {result}"
        )
        print(f"  {'':{width}} ({case.what})")
    print()
    bomb = rows[1][2]
    print(
        f"Summary: the 9**10 alias bomb under Parameters takes {bomb.median_ms:.1f} ms in-process, "
        f"{bomb.median_ms / baseline:.1f}x a small valid file ({baseline:.1f} ms); "
        f"aim (<= 1 s per MB of file, under 1 s below 1 MB): {'MET' if all_met else 'NOT MET'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
