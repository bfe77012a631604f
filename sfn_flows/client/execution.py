"""Typed views of StartExecution and DescribeExecution answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
# PENDING_REDRIVE is not final: a redrive is about to run the execution again.
FINISHED = frozenset({SUCCEEDED, "FAILED", "TIMED_OUT", "ABORTED"})


@dataclass(frozen=True)
class Execution:
    """A started execution, as StartExecution reports it."""

    arn: str
    state_machine_arn: str
    start_date: datetime

    @property
    def name(self) -> str:
        return execution_name(self.arn)


@dataclass(frozen=True)
class ExecutionStatus:
    """One DescribeExecution answer; `output` and `input` are parsed JSON."""

    arn: str
    state_machine_arn: str
    name: str
    status: str
    start_date: datetime
    stop_date: datetime | None
    input: Any
    output: Any
    error: str | None
    cause: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCEEDED

    @property
    def duration(self) -> float | None:
        if self.stop_date is None:
            return None
        return (self.stop_date - self.start_date).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the field names of the HTTP status API."""
        return {
            "executionArn": self.arn,
            "name": self.name,
            "stateMachineArn": self.state_machine_arn,
            "status": self.status,
            "startDate": iso(self.start_date),
            "stopDate": iso(self.stop_date) if self.stop_date else None,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
        }

    @classmethod
    def from_api(cls, answer: dict[str, Any]) -> ExecutionStatus:
        return cls(
            arn=answer["executionArn"],
            state_machine_arn=answer.get("stateMachineArn", ""),
            name=answer.get("name") or execution_name(answer["executionArn"]),
            status=answer["status"],
            start_date=answer["startDate"],
            stop_date=answer.get("stopDate"),
            input=parse_json(answer.get("input")),
            output=parse_json(answer.get("output")),
            error=answer.get("error"),
            cause=answer.get("cause"),
        )


def parse_json(text: str | None) -> Any:
    """Parsed JSON; a string Step Functions did not encode as JSON is kept as it is."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def execution_name(arn: str) -> str:
    # arn:aws:states:<region>:<account>:execution:<state machine>:<name>
    return arn.rsplit(":", 1)[-1]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
