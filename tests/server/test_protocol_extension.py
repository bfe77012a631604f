"""SfnFlows.RegisterFunctions, our own action beside AWS's: routed by its X-Amz-Target, its body
checked before the task runner sees it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.server.test_protocol import post

TARGET = "SfnFlows.RegisterFunctions"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "ValidationException"),
        ({"functions": []}, "SerializationException"),
        ({"functions": {"f": "handler.main"}}, "SerializationException"),
        ({"functions": {"f": {}}}, "ValidationException"),
        ({"functions": {"f": {"handler": 5}}}, "SerializationException"),
        ({"functions": {"f": {"handler": "m.f", "timeoutSeconds": 0}}}, "ValidationException"),
    ],
)
def test_bad_bodies(serve_with: Any, tmp_path: Path, body: dict[str, Any], code: str) -> None:
    server = serve_with(lambdas_dir=tmp_path)
    status, payload, _ = post(server, json.dumps(body).encode(), TARGET)
    assert (status, payload["__type"]) == (400, code)


def test_registered_functions_are_answered(serve_with: Any, tmp_path: Path) -> None:
    (tmp_path / "worker.py").write_text("def handle(event, context):\n    return 1\n")
    server = serve_with(lambdas_dir=tmp_path)
    body = {"functions": {"worker": {"handler": "worker.handle", "timeoutSeconds": 20}}}
    status, payload, _ = post(server, json.dumps(body).encode(), TARGET)
    assert status == 200, payload
    assert payload["registered"] == ["worker"]
    # AWS's prefix does not reach our action.
    status, payload, _ = post(server, b"{}", "AWSStepFunctions.RegisterFunctions")
    assert (status, payload["__type"]) == (400, "UnknownOperationException")
