"""States that move data and control without doing work: Pass, Wait, Succeed, Fail."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from sfn_flows.model.base import State


class Pass(State):
    type_name: ClassVar[str] = "Pass"

    input_path: str | None = None
    parameters: dict[str, Any] | None = None
    result: Any = None
    result_path: str | None = None
    output_path: str | None = None
    output: Any = None


class Wait(State):
    """Pause: exactly one of seconds, timestamp, seconds_path or timestamp_path."""

    type_name: ClassVar[str] = "Wait"

    seconds: int | str | None = Field(default=None)
    timestamp: str | None = None
    seconds_path: str | None = None
    timestamp_path: str | None = None
    input_path: str | None = None
    output_path: str | None = None
    output: Any = None


class Succeed(State):
    type_name: ClassVar[str] = "Succeed"
    can_continue: ClassVar[bool] = False

    input_path: str | None = None
    output_path: str | None = None
    output: Any = None


class Fail(State):
    type_name: ClassVar[str] = "Fail"
    can_continue: ClassVar[bool] = False

    error: str | None = None
    cause: str | None = None
    error_path: str | None = None
    cause_path: str | None = None
