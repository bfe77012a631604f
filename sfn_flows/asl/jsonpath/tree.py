"""The parsed forms: a path (`JsonPath`) and a filter expression (`FilterExpr`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sfn_flows.asl.jsonpath.jayway import jayway_fragment
from sfn_flows.asl.jsonpath.segments import Field, Function, Index, Script, Segment


@dataclass(frozen=True, slots=True)
class JsonPath:
    """One parsed path. `root` says what ``$`` stands for; `variable` names the variable
    of a ``$name`` root.

    Computed once: `definite` (selects at most one node, so Jayway returns the value
    itself rather than a list), `is_reference` (only single names and indexes after the
    root: ResultPath, Choice Variable), and `keys`, the names and indexes of a reference
    path without a function (``None`` otherwise), which evaluation walks directly.
    """

    text: str
    root: Literal["input", "context", "variable"]
    variable: str | None
    segments: tuple[Segment, ...]
    function: Function | None = None
    definite: bool = field(init=False, compare=False)
    is_reference: bool = field(init=False, compare=False)
    keys: tuple[str | int, ...] | None = field(init=False, compare=False)

    def __post_init__(self) -> None:
        keys: list[str | int] = []
        definite = True
        last = len(self.segments) - 1
        for position, segment in enumerate(self.segments):
            if isinstance(segment, Field) and len(segment.names) == 1:
                keys.append(segment.names[0])
            elif isinstance(segment, Index) and len(segment.indexes) == 1:
                keys.append(segment.indexes[0])
            # Jayway merges a union of names at the end into one object.
            elif not (
                isinstance(segment, Script) or (isinstance(segment, Field) and position == last)
            ):
                definite = False
        reference = self.function is None and len(keys) == len(self.segments)
        # Frozen: the computed fields are set once, here.
        object.__setattr__(self, "definite", definite)
        object.__setattr__(self, "is_reference", reference)
        object.__setattr__(self, "keys", tuple(keys) if reference else None)

    def jayway(self, upto: int | None = None) -> str:
        """The path as Jayway prints it in its messages (``$['a'][0]``), optionally only
        its first `upto` segments; the root is always ``$``."""
        return "$" + "".join(jayway_fragment(s) for s in self.segments[:upto])


# Filter expressions: ``[?(@.price < 10 && @.tags.length() > 1)]``


@dataclass(frozen=True, slots=True)
class Operand:
    """A value in a filter: a literal (`path` None) or a path (``@``-relative or
    ``$``-rooted, `relative` says which)."""

    value: Any = None
    path: JsonPath | None = None
    relative: bool = False
    regex: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    """``left op right``; ``op`` is ``exists`` for a lone path."""

    left: Operand
    op: str
    right: Operand | None


@dataclass(frozen=True, slots=True)
class Not:
    operand: FilterExpr


@dataclass(frozen=True, slots=True)
class Logical:
    op: Literal["&&", "||"]
    operands: tuple[FilterExpr, ...]


FilterExpr = Comparison | Not | Logical
