"""The plugin's side of the sfn-flows-local engine without Docker: its container's environment
(Step Functions Local's variables and ours) and the engine's own action, RegisterFunctions,
sent to a real engine server in this process."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sfn_flows.server.app import serve
from sfn_flows.server.config import ServerConfig
from sfn_flows.testing.engine_server import REGISTER_TARGET, call_extension, engine_environment
from sfn_flows.testing.engines import EngineError


def test_the_container_gets_step_functions_locals_variables_and_ours() -> None:
    plain = engine_environment(mock_config=False, lambdas=False, status_events=False)
    assert plain == {
        "AWS_ACCOUNT_ID": "000000000000",
        "AWS_DEFAULT_REGION": "us-east-1",
        "LAMBDA_ENDPOINT": "http://local-stack:4566",
        "SFN_FLOWS_AWS_ENDPOINT": "http://local-stack:4566",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    full = engine_environment(mock_config=True, lambdas=True, status_events=True)
    assert {key: full[key] for key in set(full) - set(plain)} == {
        "SFN_MOCK_CONFIG": "/mock/config.json",
        "SFN_FLOWS_LAMBDAS_DIR": "/project/lambdas",
        "SFN_FLOWS_STATUS_EVENTS": "1",
    }
    # The server reads them as they are given (a bad one would stop it at start).
    config = ServerConfig.from_env({**plain, "SFN_FLOWS_STATUS_EVENTS": "1"})
    assert (config.account, config.lambda_endpoint, config.status_events) == (
        "000000000000",
        "http://local-stack:4566",
        True,
    )


def test_functions_are_registered_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return event\n")
    with serve(ServerConfig(port=0, lambdas_dir=tmp_path)) as server:
        good = {"functions": {"Greet": {"handler": "app.handler", "timeoutSeconds": 3}}}
        assert call_extension(server.url, REGISTER_TARGET, good) == {"registered": ["Greet"]}
        bad = {"functions": {"Greet": {"handler": "app.handler", "timeoutSeconds": 0}}}
        with pytest.raises(EngineError) as raised:
            call_extension(server.url, REGISTER_TARGET, bad)
    message = str(raised.value)
    assert message.startswith(
        "the engine refused SfnFlows.RegisterFunctions (400 ValidationException: "
    )
    assert "timeoutSeconds" in message


def test_an_engine_that_does_not_answer() -> None:
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(EngineError) as raised:
        call_extension(url, REGISTER_TARGET, {"functions": {}})
    assert str(raised.value).startswith(
        f"the engine did not answer SfnFlows.RegisterFunctions at {url}: "
    )
