"""Configuration problems of a deployed starter/status Lambda, each with its message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_flows.runtime.config import (
    API_CONFIG_ENV,
    DEFAULT_API_CONFIG,
    STATE_MACHINES_ENV,
    ConfigError,
    api_config_path,
    clear_config_cache,
    load_api_config,
)

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:jobs"


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "sfn_flows_api.json"
    path.write_text(json.dumps({"workflows": {"jobs": {"input_schema": {"type": "object"}}}}))
    monkeypatch.setenv(API_CONFIG_ENV, str(path))
    monkeypatch.setenv(STATE_MACHINES_ENV, json.dumps({"jobs": ARN}))
    clear_config_cache()
    return path


def test_reads_state_machines_and_schemas() -> None:
    config = load_api_config()

    jobs = config.workflows["jobs"]
    assert jobs.state_machine.arn == ARN
    assert jobs.input_schema == {"type": "object"}
    assert config.by_state_machine("aws", "us-east-1", "123456789012", "jobs") == "jobs"
    assert config.by_state_machine("aws", "eu-west-1", "123456789012", "jobs") is None


def test_read_once_per_environment(fresh: Path) -> None:
    first = load_api_config()
    fresh.write_text("not read again")

    assert load_api_config() is first


def test_default_path_is_beside_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(API_CONFIG_ENV)

    assert api_config_path() == DEFAULT_API_CONFIG
    assert Path(DEFAULT_API_CONFIG).parent == Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "SFN_FLOWS_STATE_MACHINES is not set; set it to a JSON object of workflow name"),
        ("{oops", "SFN_FLOWS_STATE_MACHINES is not JSON (Expecting property name"),
        ("[]", "SFN_FLOWS_STATE_MACHINES must be a non-empty JSON object of workflow name -> ARN"),
        (
            '{"jobs": "arn:aws:lambda:us-east-1:1:function:x"}',
            "SFN_FLOWS_STATE_MACHINES: workflow 'jobs' maps to "
            "'arn:aws:lambda:us-east-1:1:function:x', which is not a state machine ARN",
        ),
    ],
)
def test_bad_state_machines_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None, message: str
) -> None:
    if value is None:
        monkeypatch.delenv(STATE_MACHINES_ENV)
    else:
        monkeypatch.setenv(STATE_MACHINES_ENV, value)

    with pytest.raises(ConfigError) as caught:
        load_api_config()
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{path} is missing; the Lambda package needs sfn_flows_api.json at its root"),
        ("{", "cannot read {path}: Expecting property name"),
        ('{"flows": {}}', '{path} must be {"workflows": {"<name>": {"input_schema": ...}}}'),
        (
            '{"workflows": {"jobs": {"input_schema": 3}}}',
            "{path}: workflow 'jobs' needs {\"input_schema\": <JSON Schema or null>}.",
        ),
        (
            '{"workflows": {"other": {"input_schema": null}}}',
            "{path} has no entry for workflow(s) jobs named in SFN_FLOWS_STATE_MACHINES; "
            "package the Lambda from the same build as the stack.",
        ),
    ],
)
def test_bad_api_config_file(fresh: Path, content: str | None, message: str) -> None:
    if content is None:
        fresh.unlink()
    else:
        fresh.write_text(content)

    with pytest.raises(ConfigError) as caught:
        load_api_config()
    assert str(caught.value).startswith(message.replace("{path}", str(fresh)))
