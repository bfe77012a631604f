"""`sfn-flows import` run as a real process: what it writes, what it refuses, what it says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli_imports import HEAVY, modules_after
from tests.codegen.building import build_modules, written

JOB: dict[str, Any] = {
    "Comment": "charge, then notify",
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${ChargeFunctionArn}", "Payload.$": "$"},
            "OutputPath": "$.Payload",
            "Next": "Notify",
        },
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:done", "Message.$": "$"},
            "TimeoutSeconds": 30,
            "End": True,
        },
    },
}

JOB_YAML = """\
StartAt: Wait
States:
  Wait:
    Type: Wait
    Seconds: 5
    Next: Done
  Done:
    Type: Succeed
"""


def run(cwd: Path, *args: str, hash_seed: str = "random") -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sfn_flows", "import", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", "PYTHONHASHSEED": hash_seed},
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def test_it_writes_workflows_name_py_and_says_how_the_asl_differs(tmp_path: Path) -> None:
    write(tmp_path / "charge-job.asl.json", JOB)
    result = run(tmp_path, "charge-job.asl.json")
    assert result.returncode == 0, result.stderr
    module = tmp_path / "workflows" / "charge_job.py"
    text = module.read_text(encoding="utf-8")
    assert "workflows/charge_job.py: workflow 'charge-job', 2 states (2 Tasks)" in result.stdout
    # The differences, in the output and in the module's header alike.
    for said in (result.stdout, text):
        flat = " ".join(line.lstrip("# ") for line in said.splitlines())
        assert "TimeoutSeconds 31536000 (365 days) on the state machine" in flat
        assert (
            'TimeoutSeconds 900 (default_task_timeout) on the 1 Task(s) without one: "Charge"'
            in flat
        )
        assert 'handlers are guessed (lambdas/<name>.py, def handler) for "Charge"' in flat
    assert 'charge_fn = LambdaFunction("Charge", handler="charge.handler")' in text
    # No Retry in the source: the invoke's standard retrier is not added either.
    assert (
        'charge = LambdaInvoke("Charge", function=charge_fn, retry_on_service_errors=False)' in text
    )
    assert "charge >> notify" in text
    built = build_modules(tmp_path / "check", {"charge_job": text})
    asl = json.loads(built["charge_job"][0])
    expected = {**JOB, "TimeoutSeconds": 365 * 24 * 3600}
    expected["States"] = {**JOB["States"]}
    expected["States"]["Charge"] = {**JOB["States"]["Charge"], "TimeoutSeconds": 900}
    assert asl == expected


def test_an_existing_module_is_kept_without_force(tmp_path: Path) -> None:
    write(tmp_path / "job.json", JOB)
    target = tmp_path / "workflows" / "job.py"
    target.parent.mkdir()
    target.write_text("# mine\n")
    refused = run(tmp_path, "job.json")
    assert refused.returncode == 1
    assert "workflows/job.py exists; nothing was written. Pass --force" in refused.stderr
    assert target.read_text() == "# mine\n"
    forced = run(tmp_path, "job.json", "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.read_text().startswith('# Workflow "job", imported from "job.json"')


def test_output_option_and_stdout(tmp_path: Path) -> None:
    write(tmp_path / "job.json", JOB)
    result = run(tmp_path, "job.json", "-o", "flows/billing.py", "--name", "billing")
    assert result.returncode == 0, result.stderr
    assert 'name="billing"' in (tmp_path / "flows" / "billing.py").read_text()
    printed = run(tmp_path, "job.json", "-o", "-")
    assert printed.returncode == 0
    assert printed.stdout.startswith('# Workflow "job"')
    assert "imported job.json -> stdout" in printed.stderr
    assert not (tmp_path / "workflows").exists()
    document = json.loads(run(tmp_path, "job.json", "-o", "-", "--json").stdout)
    assert document["output"] is None
    assert document["module"] == printed.stdout


def test_the_task_timeout_option(tmp_path: Path) -> None:
    write(tmp_path / "job.json", JOB)
    result = run(tmp_path, "job.json", "--task-timeout", "45")
    assert result.returncode == 0, result.stderr
    assert "default_task_timeout=45," in (tmp_path / "workflows" / "job.py").read_text()
    refused = run(tmp_path, "job.json", "--task-timeout", "0", "--force")
    assert refused.returncode == 2
    assert "--task-timeout" in refused.stderr


def test_the_same_file_gives_the_same_module(tmp_path: Path) -> None:
    # Hostile names, both query languages, raw fields: whatever set orders a process has.
    from tests.codegen.test_hostile_names import hostile_definition

    write(tmp_path / "odd.json", hostile_definition())
    texts = {run(tmp_path, "odd.json", "-o", "-", hash_seed=seed).stdout for seed in "123"}
    assert len(texts) == 1 and texts != {""}


def test_a_yaml_definition_imports(tmp_path: Path) -> None:
    (tmp_path / "waiter.asl.yaml").write_text(JOB_YAML)
    result = run(tmp_path, "waiter.asl.yaml")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "workflows" / "waiter.py").read_text()
    assert 'wait = Wait("Wait", seconds=5)' in text


def test_invalid_asl_gets_the_validators_problems_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    broken = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "Missing"},
            "B": {"Type": "Wait", "End": True},
        },
    }
    write(tmp_path / "broken.json", broken)
    result = run(tmp_path, "broken.json")
    assert result.returncode == 1
    assert "broken.json: /States/A/Next: error:" in result.stdout
    assert "Fix:" in result.stdout
    assert "broken.json is not valid ASL" in result.stderr
    assert "nothing was written" in result.stderr
    assert not (tmp_path / "workflows").exists()
    as_json = run(tmp_path, "broken.json", "--json")
    assert as_json.returncode == 1
    document = json.loads(as_json.stdout)
    assert document["ok"] is False
    assert {p["pointer"] for p in document["problems"]} >= {"/States/A/Next"}


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "missing.json: no such file."),
        (lambda d: (d / "missing.json").mkdir(), "missing.json: is a folder"),
        (lambda d: (d / "missing.json").write_bytes(b"\xff\xfe"), "not UTF-8 text (byte 0)"),
        (
            lambda d: (d / "missing.json").write_text('{"StartAt": "A",\n  "States": }'),
            "missing.json:2:13: invalid JSON: Expecting value.",
        ),
    ],
)
def test_unreadable_files_get_the_same_errors_as_validate(
    tmp_path: Path, setup: Any, message: str
) -> None:
    setup(tmp_path)
    result = run(tmp_path, "missing.json")
    assert result.returncode == 1
    assert message in result.stderr
    validate = subprocess.run(
        [sys.executable, "-m", "sfn_flows", "validate", "missing.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert message in validate.stdout + validate.stderr
    assert not (tmp_path / "workflows").exists()


def test_yaml_aliases_past_the_size_limit_are_refused_as_read(tmp_path: Path) -> None:
    lines = ["a0: &a0 [" + ", ".join(["xxxxxxxxxx"] * 10) + "]"]
    for level in range(1, 8):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    lines += ["StartAt: A", "States:", "  A: {Type: Pass, Result: *a7, End: true}"]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    result = run(tmp_path, "bomb.yaml")
    assert result.returncode == 1
    assert "YAML aliases expand this definition to" in result.stderr
    assert not (tmp_path / "workflows").exists()


def test_the_definition_itself_is_never_the_output(tmp_path: Path) -> None:
    source = write(tmp_path / "job.json", JOB)
    result = run(tmp_path, "job.json", "-o", "job.json", "--force")
    assert result.returncode == 2
    assert "is the definition being imported" in result.stderr
    assert json.loads(source.read_text()) == JOB


def test_a_bad_name_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "job.json", JOB)
    result = run(tmp_path, "job.json", "--name", "not a name")
    assert result.returncode == 2
    assert "'not a name' is not a workflow name" in result.stderr


def test_json_output(tmp_path: Path) -> None:
    write(tmp_path / "job.json", {**JOB, "Version": "1.0"})
    result = run(tmp_path, "job.json", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is True
    assert document["output"] == str(Path("workflows") / "job.py")
    assert document["outcome"] == "inexact"
    kinds = {(d["pointer"], d["kind"]) for d in document["differences"]}
    assert kinds == {
        ("/Version", "removed"),
        ("/TimeoutSeconds", "added"),
        ("/States/Charge/TimeoutSeconds", "added"),
    }
    version = next(d for d in document["differences"] if d["pointer"] == "/Version")
    assert "Workflow has no keyword for Version" in version["text"]
    assert document["guessed_handlers"] == ["Charge"]
    assert document["builds"] is True


def test_the_import_command_loads_no_aws_or_deploy_code(tmp_path: Path) -> None:
    loaded = modules_after(tmp_path, "import", "--help")
    assert sorted(loaded.intersection(HEAVY)) == []
    write(tmp_path / "job.json", JOB)
    loaded = modules_after(tmp_path, "import", "job.json", "-o", "-")
    assert sorted(loaded.intersection(HEAVY)) == []
    assert "sfn_flows.codegen.module" in loaded


def test_a_built_definition_keeps_its_functions_from_the_manifest(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    write(build / "job.asl.json", JOB)
    manifest = {
        "format": 1,
        "functions": {
            "Charge": {"handler": "billing.charge", "timeout_seconds": 20, "memory_mb": 512},
        },
        "workflows": [
            {
                "name": "charge-job",
                "type": "STANDARD",
                "definition": "job.asl.json",
                "functions": ["Charge"],
            },
        ],
    }
    write(build / "manifest.json", manifest)
    result = run(tmp_path, "build/job.asl.json")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "workflows" / "charge_job.py").read_text()
    assert 'name="charge-job"' in text
    assert 'handler="billing.charge",\n    timeout_seconds=20,\n    memory_mb=512,' in text
    assert "guessed" not in text
    assert written(json.loads(json.dumps(JOB)))  # the source is untouched
