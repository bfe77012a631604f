"""The runtime's handlers called in-process against real state machines in the real MiniStack.

boto3 inside the handlers reaches MiniStack through the standard environment variables
(AWS_ENDPOINT_URL, test credentials, us-east-1), set per test with monkeypatch; the client
and configuration caches are reset around every test so none leaks into the next.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from pydantic import BaseModel, Field

from sfn_flows.aws import Target
from sfn_flows.local import LocalStack
from sfn_flows.runtime import make_starter_handler, make_status_handler
from sfn_flows.runtime.clients import reset_clients
from sfn_flows.runtime.config import (
    API_CONFIG_ENV,
    API_CONFIG_FILE,
    STATE_MACHINES_ENV,
    clear_config_cache,
)
from sfn_flows.runtime.responses import Handler

ROLE_ARN = "arn:aws:iam::000000000000:role/sfn-flows-runtime-tests"
# Passes its input through: the output of a finished execution is its input.
PASS_DEFINITION = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
# Stays RUNNING for the whole session (MiniStack waits in real time).
WAIT_DEFINITION = {
    "StartAt": "Hold",
    "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}},
}
# Ends a second after it starts, with its input as output: a quick job for the wait window.
BRIEF_DEFINITION = {
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}
FAIL_DEFINITION = {
    "StartAt": "Boom",
    "States": {"Boom": {"Type": "Fail", "Error": "JobFailed", "Cause": "the job broke"}},
}


class JobRequest(BaseModel):
    """The input model of the project's long-running-job workflow (same constraints)."""

    job_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    items: list[str] = Field(min_length=1, max_length=1000)
    notify: str | None = Field(default=None, description="Where to send the completion notice")


@dataclass(frozen=True)
class Machines:
    jobs: str  # Pass, with JobRequest's schema: finishes at once
    slow: str  # Wait an hour, no schema
    broken: str  # Fail, no schema
    foreign: str  # a state machine of the same account that the API is not configured for
    brief: str  # Wait 1 s, then Pass: ends soon, with its input as output
    express: str  # EXPRESS, Pass: what StartSyncExecution answers at once
    express_broken: str  # EXPRESS, Fail


@dataclass
class Api:
    start: Handler
    status: Handler
    machines: Machines
    sfn: Any  # a boto3 Step Functions client of the test itself
    config_path: Path

    def started(self, event: dict[str, Any]) -> dict[str, Any]:
        """Start through the handler, insist on 202, return the parsed body."""
        response = self.start(event, None)
        assert response["statusCode"] == 202, response["body"]
        body: dict[str, Any] = json.loads(response["body"])
        return body

    def wait_until_stopped(self, execution_arn: str, deadline: float = 30.0) -> dict[str, Any]:
        limit = time.monotonic() + deadline
        while True:
            described: dict[str, Any] = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                return described
            assert time.monotonic() < limit, f"{execution_arn} still RUNNING after {deadline} s"
            time.sleep(0.05)


@pytest.fixture(scope="session")
def sfn(local_target: Target) -> Any:
    return local_target.client("stepfunctions")


@pytest.fixture(scope="session")
def machines(sfn: Any) -> Machines:
    suffix = uuid.uuid4().hex[:8]

    def create(name: str, definition: dict[str, Any], kind: str = "STANDARD") -> str:
        arn: str = sfn.create_state_machine(
            name=f"{name}-{suffix}", definition=json.dumps(definition), roleArn=ROLE_ARN, type=kind
        )["stateMachineArn"]
        return arn

    return Machines(
        jobs=create("runtime-jobs", PASS_DEFINITION),
        slow=create("runtime-slow", WAIT_DEFINITION),
        broken=create("runtime-broken", FAIL_DEFINITION),
        foreign=create("runtime-foreign", PASS_DEFINITION),
        brief=create("runtime-brief", BRIEF_DEFINITION),
        express=create("runtime-express", PASS_DEFINITION, "EXPRESS"),
        express_broken=create("runtime-express-broken", FAIL_DEFINITION, "EXPRESS"),
    )


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, local_stack: LocalStack) -> Iterator[None]:
    """boto3, as the handlers create it, pointed at MiniStack."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", local_stack.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_REGION", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_SFN"):
        monkeypatch.delenv(name, raising=False)
    reset_clients()
    clear_config_cache()
    yield
    reset_clients()
    clear_config_cache()


class WriteConfig(Protocol):
    def __call__(
        self,
        state_machines: dict[str, str],
        schemas: dict[str, Any],
        options: dict[str, dict[str, Any]] | None = None,
    ) -> Path: ...


@pytest.fixture
def write_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> WriteConfig:
    """Configure the API: SFN_FLOWS_STATE_MACHINES and the api config file in tmp_path.
    `options`: more fields of a workflow's entry (wait_seconds, sync) by workflow."""

    def write(
        state_machines: dict[str, str],
        schemas: dict[str, Any],
        options: dict[str, dict[str, Any]] | None = None,
    ) -> Path:
        path = tmp_path / API_CONFIG_FILE
        document = {
            "workflows": {
                name: {"input_schema": s, **(options or {}).get(name, {})}
                for name, s in schemas.items()
            }
        }
        path.write_text(json.dumps(document))
        monkeypatch.setenv(STATE_MACHINES_ENV, json.dumps(state_machines))
        monkeypatch.setenv(API_CONFIG_ENV, str(path))
        clear_config_cache()
        return path

    return write


@pytest.fixture
def api(aws_env: None, write_config: WriteConfig, machines: Machines, sfn: Any) -> Api:
    path = write_config(
        {"jobs": machines.jobs, "slow": machines.slow, "broken": machines.broken},
        {"jobs": JobRequest.model_json_schema(), "slow": None, "broken": None},
    )
    return Api(make_starter_handler(), make_status_handler(), machines, sfn, path)
