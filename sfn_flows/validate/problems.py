"""A problem found in a definition, located by a JSON pointer (RFC 6901)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Re-exported: problems are built where pointers are, and callers import both from here.
from sfn_flows.asl.pointers import escape_pointer_token as escape_pointer_token
from sfn_flows.asl.pointers import pointer as pointer

Severity = Literal["error", "warning"]


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
