"""The Task state: the unit of work, and the only state ASL lets carry a timeout."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, PrivateAttr

from sfn_flows.asl.callbacks import is_callback_resource
from sfn_flows.model.base import CompileContext
from sfn_flows.model.function import LambdaFunction
from sfn_flows.model.recovery import Recoverable


class Task(Recoverable):
    """A unit of work. `timeout_seconds` (or the Workflow's default) is required.

    A `.sync`, `.waitForTaskToken` or activity Task gets a build warning without a heartbeat:
    set `heartbeat_seconds` when the worker can report that it is alive (SendTaskHeartbeat),
    or `heartbeat_seconds=None` to say it cannot (a person approving, a child execution).

    `resource=` may be a project's LambdaFunction: the Task then calls it in Lambda's direct
    form (its ARN as the Resource: the state's input is the event, the function's return
    value the result), and the function is deployed with the workflow like a LambdaInvoke's.
    """

    type_name: ClassVar[str] = "Task"

    resource: str = Field(min_length=1)
    timeout_seconds: int | str | None = None
    timeout_seconds_path: str | None = None
    heartbeat_seconds: int | str | None = None
    heartbeat_seconds_path: str | None = None
    credentials: dict[str, Any] | None = None
    input_path: str | None = None
    parameters: dict[str, Any] | None = None
    arguments: dict[str, Any] | str | None = None
    result_selector: dict[str, Any] | None = None
    result_path: str | None = None
    output_path: str | None = None
    output: Any = None

    _function: LambdaFunction | None = PrivateAttr(default=None)

    def __init__(self, name: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        function = data.get("resource")
        if isinstance(function, LambdaFunction):
            data["resource"] = function.arn_placeholder
        super().__init__(**data)
        if isinstance(function, LambdaFunction):
            self._function = function

    def lambda_functions(self) -> tuple[LambdaFunction, ...]:
        return (self._function,) if self._function is not None else ()

    @property
    def needs_heartbeat(self) -> bool:
        return is_callback_resource(self.resource)

    @property
    def has_timeout(self) -> bool:
        return (
            self.timeout_seconds is not None
            or self.timeout_seconds_path is not None
            or self._raw("TimeoutSeconds", "TimeoutSecondsPath")
        )

    @property
    def has_heartbeat(self) -> bool:
        return (
            self.heartbeat_seconds is not None
            or self.heartbeat_seconds_path is not None
            or self._raw("HeartbeatSeconds", "HeartbeatSecondsPath")
        )

    def _raw(self, *fields: str) -> bool:
        raw = self.raw_fields or {}
        return any(name in raw for name in fields)

    @property
    def declines_heartbeat(self) -> bool:
        """`heartbeat_seconds=None` given explicitly: this Task's worker sends no heartbeats."""
        return "heartbeat_seconds" in self.model_fields_set and not self.has_heartbeat

    def to_asl(self, ctx: CompileContext) -> dict[str, Any]:
        body = super().to_asl(ctx)
        if self.declines_heartbeat:
            # None means "no heartbeat" here; JSON null is no valid HeartbeatSeconds.
            del body["HeartbeatSeconds"]
        return body
