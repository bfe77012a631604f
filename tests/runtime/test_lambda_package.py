"""The handlers run from exactly what the contract puts in the Lambda zip, in a fresh process.

The package: lambdas/* at the root, sfn_flows/__init__.py, sfn_flows/runtime/, sfn_flows/aws/
and sfn_flows_api.json. Nothing else of the project may be needed (no deploy code: the runtime
defines the names it reads), and importing a handler may load only the standard library (boto3
and botocore come with the first call to Step Functions; pydantic never).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.local import LocalStack
from sfn_flows.runtime.config import API_CONFIG_FILE, STATE_MACHINES_ENV

from .conftest import JobRequest, Machines
from .gateway_events import start_http, status_http

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
before = set(sys.modules)
import starter, status
loaded = sorted({m.split(".")[0] for m in set(sys.modules) - before}
                - set(sys.stdlib_module_names))
events = json.loads(sys.stdin.read())
answers = [
    starter.handler(events["start"], None),
    status.handler(events["status"], None),
]
print(json.dumps({
    "loaded": loaded,
    "package": sys.modules["sfn_flows"].__file__,
    "boto3_after_import": "boto3" in before,
    "answers": answers,
}))
"""


def build_package(into: Path) -> Path:
    for handler in (ROOT / "lambdas").glob("*.py"):
        shutil.copy(handler, into / handler.name)
    package = into / "sfn_flows"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "sfn_flows" / "runtime", package / "runtime", ignore=ignore)
    shutil.copytree(ROOT / "sfn_flows" / "aws", package / "aws", ignore=ignore)
    shutil.copy(ROOT / "sfn_flows" / "__init__.py", package / "__init__.py")
    return into


def run_in_package(package: Path, env: dict[str, str], events: dict[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SFN_FLOWS"))}
    clean.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=package,
        env={**clean, **env},
        input=json.dumps(events),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return answer


@pytest.fixture
def package(tmp_path: Path, machines: Machines) -> Path:
    built = build_package(tmp_path)
    config = {"workflows": {"jobs": {"input_schema": JobRequest.model_json_schema()}}}
    (built / API_CONFIG_FILE).write_text(json.dumps(config))
    return built


def test_handlers_run_from_the_package_alone(
    package: Path, machines: Machines, local_stack: LocalStack
) -> None:
    env = {
        STATE_MACHINES_ENV: json.dumps({"jobs": machines.jobs}),
        "AWS_ENDPOINT_URL": local_stack.endpoint_url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    events = {
        "start": start_http("jobs", json.dumps({"job_id": "zip", "items": ["x"]})),
        "status": status_http("jobs~never-started"),
    }

    result = run_in_package(package, env, events)

    assert result["package"] == str(package / "sfn_flows" / "__init__.py")
    # At import: the standard library and the package itself.
    assert set(result["loaded"]) == {"sfn_flows", "starter", "status"}
    assert result["boto3_after_import"] is False
    started, status = result["answers"]
    assert started["statusCode"] == 202, started["body"]
    assert json.loads(started["body"])["executionId"].startswith("jobs~")
    assert status["statusCode"] == 404


def test_import_of_the_runtime_never_loads_pydantic_boto3_or_the_compiler() -> None:
    code = (
        "import sys, sfn_flows.runtime; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pydantic', 'jinja2', 'typer', 'rich', 'yaml', 'boto3', 'botocore') "
        "or m.startswith(('sfn_flows.model', 'sfn_flows.compile', 'sfn_flows.validate'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )

    assert result.stdout.strip() == "[]"
