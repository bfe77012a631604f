"""Result types of the timeout-budget analysis."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unbounded:
    """A part of the definition whose duration cannot be bounded from the definition alone."""

    pointer: str
    state: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "state": self.state, "reason": self.reason}


@dataclass(frozen=True)
class Budget:
    """Worst-case duration of a state machine; see the package docstring for the rules."""

    seconds: float
    bounded: bool
    unbounded: tuple[Unbounded, ...]
    loops: tuple[tuple[str, ...], ...]
    critical_path: tuple[str, ...]
    # A dict cannot be hashed; leaving it out of the hash keeps the frozen Budget hashable.
    state_seconds: dict[str, float] = field(hash=False)
    # The states named in loop_max_iterations that are in a loop, so bound one; the others
    # bound nothing. Not in as_dict(): a check on the declarations, not part of the budget.
    loop_bounds: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "seconds": self.seconds,
            "bounded": self.bounded,
            "unbounded": [item.as_dict() for item in self.unbounded],
            "loops": [list(loop) for loop in self.loops],
            "critical_path": list(self.critical_path),
            "state_seconds": dict(self.state_seconds),
        }


@dataclass(frozen=True)
class MachineResult:
    """Budget of one (possibly nested) machine, before it is turned into a public Budget."""

    seconds: float
    critical_path: tuple[str, ...]
    unbounded: tuple[Unbounded, ...]
    loops: tuple[tuple[str, ...], ...]
    state_seconds: dict[str, float] = field(hash=False)
    loop_bounds: tuple[str, ...] = ()
