"""A problem found in a definition, located by a JSON pointer (RFC 6901)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Join tokens into a JSON pointer: pointer("States", "A/B") == "/States/A~1B"."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


@dataclass(frozen=True, slots=True)
class Problem:
    pointer: str
    message: str
    fix: str = ""
    severity: Severity = "error"
    code: str = "invalid"

    def render(self) -> str:
        where = self.pointer or "/"
        text = f"{where}: {self.severity}: {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text

    def as_dict(self) -> dict[str, str]:
        return {
            "pointer": self.pointer,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
        }
