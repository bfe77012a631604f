"""The Task state: the unit of work, and the only state ASL lets carry a timeout."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from sfn_flows.model.recovery import Recoverable

# Resources whose Task waits for someone else to report back: a lost callback or a stuck
# job is only noticed through a heartbeat.
_CALLBACK_RESOURCE = re.compile(
    r"(\.waitForTaskToken|\.sync(:\d+)?)$|^arn:[^:]+:states:[^:]*:[^:]*:activity:"
)


def is_callback_resource(resource: str) -> bool:
    """True for `.waitForTaskToken`, `.sync` and activity Tasks, which need a heartbeat."""
    return bool(_CALLBACK_RESOURCE.search(resource))


class Task(Recoverable):
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

    @property
    def needs_heartbeat(self) -> bool:
        return is_callback_resource(self.resource)

    @property
    def has_timeout(self) -> bool:
        return self.timeout_seconds is not None or self.timeout_seconds_path is not None

    @property
    def has_heartbeat(self) -> bool:
        return self.heartbeat_seconds is not None or self.heartbeat_seconds_path is not None
