"""ServerConfig.from_env: Step Functions Local's variables and ours, options over them, and a
ConfigError naming the variable and the fix for each bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfn_flows.server.config import ConfigError, ServerConfig


def test_defaults() -> None:
    config = ServerConfig.from_env({})
    assert (config.host, config.port, config.region, config.account) == (
        "127.0.0.1",
        8083,
        "us-east-1",
        "123456789012",
    )
    assert (config.wait_time_scale, config.virtual_time, config.status_events) == (
        1.0,
        False,
        False,
    )
    assert config.lambda_endpoint is None and config.mock_config is None


def test_every_variable(tmp_path: Path) -> None:
    mock = tmp_path / "mock.json"
    mock.write_text("{}")
    environ = {
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_ACCOUNT_ID": "000000000000",
        "WAIT_TIME_SCALE": "0.5",
        "SFN_FLOWS_VIRTUAL_TIME": "1",
        "LAMBDA_ENDPOINT": "http://localhost:4566/",
        "SFN_MOCK_CONFIG": str(mock),
        "SFN_FLOWS_LAMBDAS_DIR": str(tmp_path),
        "SFN_FLOWS_AWS_ENDPOINT": "http://stack:4566",
        "SFN_FLOWS_STATUS_EVENTS": "true",
    }
    config = ServerConfig.from_env(environ)
    assert (config.region, config.account, config.wait_time_scale) == ("eu-west-3", "0" * 12, 0.5)
    assert config.virtual_time and config.status_events
    assert config.lambda_endpoint == "http://localhost:4566"
    assert (config.mock_config, config.lambdas_dir) == (mock, tmp_path)
    assert config.aws_endpoint == "http://stack:4566"


def test_options_override_and_none_is_not_given(tmp_path: Path) -> None:
    environ = {"SFN_FLOWS_VIRTUAL_TIME": "1", "SFN_FLOWS_LAMBDAS_DIR": str(tmp_path)}
    config = ServerConfig.from_env(environ, virtual_time=False, port=0, lambdas_dir=None)
    assert (config.virtual_time, config.port, config.lambdas_dir) == (False, 0, tmp_path)
    with pytest.raises(TypeError, match="no setting"):
        ServerConfig.from_env({}, colour="red")


@pytest.mark.parametrize(
    ("environ", "overrides", "named"),
    [
        ({"AWS_DEFAULT_REGION": "mars"}, {}, "AWS_DEFAULT_REGION"),
        ({"AWS_ACCOUNT_ID": "12ab"}, {}, "AWS_ACCOUNT_ID"),
        ({"WAIT_TIME_SCALE": "fast"}, {}, "WAIT_TIME_SCALE"),
        ({"WAIT_TIME_SCALE": "nan"}, {}, "WAIT_TIME_SCALE"),
        ({"WAIT_TIME_SCALE": "-0.1"}, {}, "WAIT_TIME_SCALE"),
        ({"SFN_FLOWS_VIRTUAL_TIME": "maybe"}, {}, "SFN_FLOWS_VIRTUAL_TIME"),
        ({"LAMBDA_ENDPOINT": "localhost:4566"}, {}, "LAMBDA_ENDPOINT"),
        ({"SFN_FLOWS_AWS_ENDPOINT": "ftp://x"}, {}, "SFN_FLOWS_AWS_ENDPOINT"),
        ({"SFN_MOCK_CONFIG": "/no/such/file.json"}, {}, "SFN_MOCK_CONFIG"),
        ({}, {"lambdas_dir": Path("/no/such/folder")}, "--lambdas-dir"),
        ({}, {"port": 65536}, "65535"),
        ({}, {"host": "a b"}, "host"),
        ({}, {"max_request_bytes": 10}, "max_request_bytes"),
    ],
)
def test_bad_values_name_the_setting(
    environ: dict[str, str], overrides: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        ServerConfig.from_env(environ, **overrides)
