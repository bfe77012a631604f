"""What the server remembers of a state machine: its current revision, versions, aliases, tags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Revision:
    """What a version freezes and an update replaces."""

    definition: str
    role_arn: str
    logging: dict[str, Any]
    tracing: dict[str, Any]
    revision_id: str

    def same_settings(self, other: Revision) -> bool:
        return (self.definition, self.role_arn, self.logging, self.tracing) == (
            other.definition,
            other.role_arn,
            other.logging,
            other.tracing,
        )


@dataclass(frozen=True)
class Version:
    arn: str
    number: int
    revision: Revision
    description: str | None
    created: float


@dataclass
class Alias:
    arn: str
    name: str
    description: str | None
    # (version ARN, weight); the weights add up to 100.
    routing: list[tuple[str, int]]
    created: float
    updated: float | None = None


@dataclass
class Machine:
    arn: str
    name: str
    type: str
    created: float
    revision: Revision
    updated: float | None = None
    versions: dict[int, Version] = field(default_factory=dict)
    next_version: int = 1
    aliases: dict[str, Alias] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    # What CreateStateMachine was given besides the revision: its idempotency compares them.
    created_with: tuple[bool, str | None] = (False, None)


@dataclass(frozen=True)
class Resolved:
    """What StartExecution runs for a state machine, version or alias ARN."""

    state_machine_arn: str
    name: str
    definition: str
    type: str
    role_arn: str
    version_arn: str | None
    alias_arn: str | None
    revision_id: str
