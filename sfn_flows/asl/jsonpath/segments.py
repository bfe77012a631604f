"""The steps of a parsed path (``.a``, ``[0]``, ``[1:3]``, ``[*]``, ``[?(...)]``, ``..``)
and its trailing function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sfn_flows.asl.jsonpath.tree import FilterExpr


@dataclass(frozen=True, slots=True)
class Field:
    """``.name``, ``['name']``, or the union ``['a','b']``."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Index:
    """``[0]``, ``[-1]``, or the union ``[0,2]``."""

    indexes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Slice:
    """``[start:stop:step]``; any part may be missing."""

    start: int | None
    stop: int | None
    step: int | None


@dataclass(frozen=True, slots=True)
class Wildcard:
    """``.*`` or ``[*]``: every member of an object or array."""


@dataclass(frozen=True, slots=True)
class Filter:
    """``[?(...)]``; `expression` is the text between the parentheses."""

    expression: str

    @property
    def tree(self) -> FilterExpr:
        # Imported here: the filter grammar reads paths, whose segments include this one.
        from sfn_flows.asl.jsonpath.filters import parse_filter

        return parse_filter(self.expression)


@dataclass(frozen=True, slots=True)
class Script:
    """``[(...)]``, an index computed from the array (``(@.length-1)``)."""

    expression: str


@dataclass(frozen=True, slots=True)
class Descent:
    """``..`` followed by what it looks for at every depth."""

    selector: Field | Index | Slice | Wildcard | Filter | Script


Segment = Field | Index | Slice | Wildcard | Filter | Script | Descent


@dataclass(frozen=True, slots=True)
class Function:
    """A trailing ``.length()``, ``.sum()``...; `arguments` is the raw text between the
    parentheses (``concat('x')`` and ``append(1)`` take some)."""

    name: str
    arguments: str
