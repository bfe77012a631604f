"""What starting the CLI imports: the heavy libraries load only in the commands that use them.

Behaviour, not time (benchmarks/bench_cli_startup.py measures the time): a fresh interpreter
runs the command and reports sys.modules.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Loaded by deploy, run, status, demo and `local` only.
HEAVY = (
    "boto3",
    "botocore",
    "jinja2",
    "ministack",
    "sfn_flows.client.client",
    "sfn_flows.deploy.outputs",
    "sfn_flows.deploy.stack",
    "sfn_flows.deploy.targeting",
    "sfn_flows.local.stack",
)

REPORT = """
import json, sys
sys.argv = ["sfn-flows", *json.loads(sys.argv[1])]
from sfn_flows.cli.app import main
try:
    main()
except SystemExit:
    pass
with open({out!r}, "w") as handle:
    json.dump(sorted(sys.modules), handle)
"""


def modules_after(tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", REPORT.format(out=str(out)), json.dumps(args)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return set(json.loads(out.read_text()))


def test_importing_the_cli_loads_no_aws_or_deploy_code(tmp_path: Path) -> None:
    out = tmp_path / "modules.json"
    code = (
        "import json, sys, sfn_flows.cli.app; "
        f"json.dump(sorted(sys.modules), open({str(out)!r}, 'w'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    loaded = set(json.loads(out.read_text()))
    assert "sfn_flows.cli.app" in loaded
    assert sorted(loaded.intersection(HEAVY)) == []


@pytest.mark.parametrize(
    "args",
    [("--help",), ("run", "--help"), ("deploy", "--help"), ("validate", "small.json")],
)
def test_help_and_validate_load_no_aws_or_deploy_code(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    (tmp_path / "small.json").write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}'
    )
    loaded = modules_after(tmp_path, *args)
    assert sorted(loaded.intersection(HEAVY)) == []


def test_a_command_still_loads_what_it_needs(tmp_path: Path) -> None:
    # The control: `local status` does load the local stack's module, lazily.
    loaded = modules_after(tmp_path, "local", "status")
    assert "sfn_flows.local.stack" in loaded
