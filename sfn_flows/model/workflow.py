"""The Workflow: a named flow plus the limits sfn-flows proves it stays within."""

from __future__ import annotations

import builtins
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sfn_flows.model.base import Flow, QueryLanguage, State, entry
from sfn_flows.model.keywords import KeywordChecked

# Step Functions names: 1-80 chars, none of whitespace or these, no control characters.
_FORBIDDEN_NAME_CHARS = re.compile(r"[\s?*<>{}\[\]:;,\\|^~$#%&`\"\x00-\x1f\x7f-\x9f]")
MAX_STANDARD_SECONDS = 365 * 24 * 3600
MAX_EXPRESS_SECONDS = 300
# The longest wait window the API holds a request for: sfn_flows/runtime/wait_window.py says
# why (API Gateway's 30 s); the model cannot import the runtime, and a test holds them equal.
MAX_WAIT_SECONDS = 20
# How the API starts a workflow's executions: "direct" calls StartExecution in the request;
# "sqs" queues the request and a consumer Lambda starts it (sfn_flows.runtime.consumer).
INTAKES = ("direct", "sqs")


class Workflow(KeywordChecked):
    """A state machine declared in Python.

    `timeout_seconds` is required: it is the machine's own TimeoutSeconds, and the build
    fails unless the worst case of the longest path fits in it. `default_task_timeout` is
    given to every Task that does not set its own; `sync_budget` marks a workflow that an
    API answers synchronously (e.g. 29 s behind API Gateway) and bounds it the same way.
    `wait_seconds` is the API's default wait window for this workflow: how long `POST` waits
    for the result (200) before answering 202, when a request sends no `Prefer: wait=N`.
    `push=True` pushes each execution's end to WebSocket subscribers (deploy/push.py).
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)

    name: str
    start: Flow
    timeout_seconds: int = Field(ge=1, le=MAX_STANDARD_SECONDS)
    type: Literal["STANDARD", "EXPRESS"] = "STANDARD"
    comment: str | None = None
    query_language: QueryLanguage | None = None
    default_task_timeout: int | None = Field(default=None, ge=1)
    default_heartbeat_seconds: int | None = Field(default=None, ge=1)
    sync_budget: float | None = Field(default=None, gt=0)
    input_model: builtins.type[BaseModel] | None = None
    output_model: builtins.type[BaseModel] | None = None
    wait_seconds: int | None = None
    intake: Literal["direct", "sqs"] = "direct"
    push: bool = False

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not 1 <= len(value) <= 80:
            raise ValueError(f"a workflow name has 1 to 80 characters, {value!r} has {len(value)}")
        bad = _FORBIDDEN_NAME_CHARS.search(value)
        if bad:
            raise ValueError(
                f"{value!r} contains {bad.group()!r}, which Step Functions does not allow in a "
                "name; use letters, digits, '-' and '_'"
            )
        return value

    @field_validator("intake", mode="before")
    @classmethod
    def _known_intake(cls, value: object) -> object:
        if value not in INTAKES:
            raise ValueError(
                f"intake={value!r} is not an intake; use 'direct' (the API starts the execution "
                "in the request, the default) or 'sqs' (the API queues the request in SQS and a "
                "consumer starts it, for bursts)"
            )
        return value

    @model_validator(mode="after")
    def _sqs_intake_needs_standard(self) -> Workflow:
        if self.intake == "sqs" and self.type == "EXPRESS":
            raise ValueError(
                "intake='sqs' needs type='STANDARD': the consumer starts each queued request "
                "once by its execution name, and Express executions are neither unique by name "
                "nor readable by the status route; use type='STANDARD' or intake='direct'"
            )
        if self.intake == "sqs" and self.wait_seconds:
            # The POST only queues the request: there is no execution yet to wait for.
            raise ValueError(
                f"wait_seconds={self.wait_seconds} has no effect with intake='sqs': a queued "
                "POST answers 202 at once, before any execution exists; leave wait_seconds "
                "out, and let clients wait on the statusUrl with Prefer: wait=N (it holds a "
                "queued request too)"
            )
        return self

    @field_validator("wait_seconds", mode="before")
    @classmethod
    def _wait_window(cls, value: object) -> object:
        if value is None or (
            isinstance(value, int)
            and not isinstance(value, bool)
            and 0 <= value <= MAX_WAIT_SECONDS
        ):
            return value
        raise ValueError(
            f"wait_seconds={value!r} is not a wait the API can hold a request for; use a "
            f"whole number of seconds from 0 to {MAX_WAIT_SECONDS} (API Gateway ends a "
            "request after 30 s), or leave it out: clients then get 202 at once unless "
            "they send Prefer: wait=N"
        )

    @model_validator(mode="after")
    def _push_needs_standard(self) -> Workflow:
        if self.push and self.type == "EXPRESS":
            raise ValueError(
                "push=True needs type='STANDARD': Step Functions sends the status change events "
                "that push relies on for Standard executions only; use type='STANDARD', or "
                "leave push out and let clients poll (or wait with Prefer: wait=N)"
            )
        return self

    @model_validator(mode="after")
    def _express_limit(self) -> Workflow:
        if self.type == "EXPRESS" and self.timeout_seconds > MAX_EXPRESS_SECONDS:
            raise ValueError(
                f"an EXPRESS workflow runs at most {MAX_EXPRESS_SECONDS} s, but timeout_seconds "
                f"is {self.timeout_seconds}; lower it or use type='STANDARD'"
            )
        return self

    @property
    def start_state(self) -> State:
        return entry(self.start)

    def input_schema(self) -> dict[str, Any] | None:
        return self.input_model.model_json_schema() if self.input_model else None

    def output_schema(self) -> dict[str, Any] | None:
        return self.output_model.model_json_schema() if self.output_model else None
