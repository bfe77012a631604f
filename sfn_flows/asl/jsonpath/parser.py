"""Reading a path into its tree, or saying why AWS would not accept it."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from sfn_flows.asl.jsonpath.lexical import (
    FILTER_NAME_RE,
    NAME_RE,
    VARIABLE_RE,
    integer,
    match_close,
    skip_quoted,
)
from sfn_flows.asl.jsonpath.segments import (
    Descent,
    Field,
    Filter,
    Function,
    Index,
    Script,
    Segment,
    Slice,
    Wildcard,
)
from sfn_flows.asl.jsonpath.tree import JsonPath

_INT_RE = re.compile(r"-?\d+\Z")
_INT_UNION_RE = re.compile(r"-?\d+(?:\s*,\s*-?\d+)+\Z")
_SLICE_RE = re.compile(r"(?:-?\d+)?\s*:\s*(?:-?\d+)?(?:\s*:\s*(?:-?\d+)?)?\Z")

_REFERENCE_ONLY = (
    "a reference path may not contain wildcards, filters, slices, unions, functions or '..'"
)


class PathSyntaxError(ValueError):
    """A path AWS would not accept; the message is `path_error`'s."""


@lru_cache(maxsize=8192)
def parse_path(expr: str) -> JsonPath:
    """The tree of a path AWS accepts; `PathSyntaxError` (with `path_error`'s message)
    for one it does not."""
    trimmed = expr.strip(" ")
    result = Scanner(trimmed, False).run()
    if isinstance(result, str):
        raise PathSyntaxError(result)
    return result


def _unquote(quoted: str) -> str:
    """The name inside ``'...'``: AWS reads a backslash as escaping only the quote itself
    (``$['Test\\""Name"']`` names the key ``Test\\""Name"``, recorded on AWS)."""
    quote = quoted[0]
    return quoted[1:-1].replace("\\" + quote, quote)


def _quoted_names(inner: str, offset: int) -> tuple[list[str], str | None]:
    """Read ``'a'`` or ``'a', "b"``; return (names, error)."""
    i = 0
    n = len(inner)
    names: list[str] = []
    while True:
        while i < n and inner[i].isspace():
            i += 1
        if i >= n or inner[i] not in "'\"":
            return names, f"expected a quoted name at offset {offset + i}"
        j = skip_quoted(inner, i)
        if j < 0:
            return names, f"unclosed string starting at offset {offset + i}"
        names.append(_unquote(inner[i:j]))
        i = j
        while i < n and inner[i].isspace():
            i += 1
        if i >= n:
            return names, None
        if inner[i] != ",":
            return names, f"unexpected {inner[i]!r} at offset {offset + i} in bracket"
        i += 1


_Step = tuple[int, Segment | Function]


class Scanner:
    """Left-to-right walk over one path; ``run`` returns the tree or the first problem.

    In a filter (`relative`), it reads the segments of ``@.a.b`` from `start` up to the
    first character that cannot continue a path, and `end` tells where that was.
    """

    def __init__(self, expr: str, reference: bool, *, start: int = 0, relative: bool = False):
        self.expr = expr
        self.reference = reference
        self.n = len(expr)
        self.start = start
        self.relative = relative
        self.end = start
        self.name_re = FILTER_NAME_RE if relative else NAME_RE

    def run(self) -> JsonPath | str:
        expr = self.expr
        if not expr:
            return "a path may not be empty"
        if expr != expr.strip():
            return "a path may not start or end with whitespace other than spaces"
        if expr[0] != "$":
            return f"a path must start with '$' (got {_preview(expr)})"
        i = self._root_end()
        if isinstance(i, str):
            return i
        if i == 2 and expr.startswith("$$"):
            root: Literal["input", "context", "variable"] = "context"
            variable = None
        elif i > 1:
            root, variable = "variable", expr[1:i]
        else:
            root, variable = "input", None
        walked = self.segments(i)
        if isinstance(walked, str):
            return walked
        segments, function = walked
        return JsonPath(expr, root, variable, segments, function)

    def segments(self, i: int) -> tuple[tuple[Segment, ...], Function | None] | str:
        """The segments from *i* on, and a trailing function."""
        segments: list[Segment] = []
        function: Function | None = None
        while i < self.n:
            if self.relative and self.expr[i] not in ".[":
                break
            step = self._segment(i)
            if isinstance(step, str):
                return step
            i, segment = step
            if isinstance(segment, Function):
                function = segment
                if i < self.n and not self.relative:
                    return f"nothing may follow a function call (offset {i})"
                break
            segments.append(segment)
        self.end = i
        return tuple(segments), function

    def _root_end(self) -> int | str:
        expr = self.expr
        if self.n == 1 or expr[1] in ".[":
            return 1
        if expr[1] == "$":
            return 2
        m = VARIABLE_RE.match(expr, 1)
        if m is None:
            return (
                f"unexpected {expr[1]!r} at offset 1: expected '$.', '$[', '$$' or a variable name"
            )
        return m.end()

    def _reference_error(self, what: str, at: int) -> str:
        return f"{_REFERENCE_ONLY} (found {what} at offset {at})"

    def _segment(self, i: int) -> _Step | str:
        """Consume one segment starting at *i*; return (next index, segment)."""
        expr = self.expr
        c = expr[i]
        if c == "[":
            return self._bracket(i)
        if c != ".":
            return f"unexpected {c!r} at offset {i}: expected '.' or '['"
        start = i
        descent = expr.startswith("..", i)
        if descent:
            if self.reference:
                return self._reference_error("'..'", i)
            i += 2
        else:
            i += 1
        if i >= self.n:
            return f"a path may not end with '{expr[start:i]}'"
        c = expr[i]
        if c == ".":
            return f"unexpected '.' at offset {i}"
        if c == "[":
            # Jayway accepts ``$.a.['b']`` and ``$..[0]``: the dot is a no-op.
            step = self._bracket(i)
            if isinstance(step, str) or not descent:
                return step
            return _descend(step)
        if c == "*":
            if self.reference:
                return self._reference_error("'*'", i)
            return _descend((i + 1, Wildcard())) if descent else (i + 1, Wildcard())
        m = self.name_re.match(expr, i)
        if m is None:
            return f"expected a field name at offset {i}, got {c!r}"
        i = m.end()
        if i < self.n and expr[i] == "(":
            if self.reference:
                return self._reference_error(f"function '{m.group()}()'", m.start())
            close, err = match_close(expr, i)
            if err is not None:
                return err
            return close + 1, Function(m.group(), expr[i + 1 : close].strip())
        name = Field((m.group(),))
        return _descend((i, name)) if descent else (i, name)

    def _bracket(self, i: int) -> _Step | str:
        close, err = match_close(self.expr, i)
        if err is not None:
            return err
        inner = self.expr[i + 1 : close]
        body = inner.strip()
        offset = i + 1 + (len(inner) - len(inner.lstrip()))
        shown = f"'[{inner}]'"
        if not body:
            return f"empty brackets at offset {i}"
        if _INT_RE.match(body):
            return close + 1, Index((integer(body),))
        if body[0] in "'\"":
            names, qerr = _quoted_names(body, offset)
            if qerr is not None:
                return qerr
            if len(names) > 1 and self.reference:
                return self._reference_error(shown, i)
            return close + 1, Field(tuple(names))
        if self.reference:
            return self._reference_error(shown, i)
        if body == "*":
            return close + 1, Wildcard()
        if _INT_UNION_RE.match(body):
            return close + 1, Index(tuple(integer(part) for part in body.split(",")))
        if _SLICE_RE.match(body):
            parts = [part.strip() for part in body.split(":")]
            numbers = [integer(part) if part else None for part in parts] + [None]
            return close + 1, Slice(numbers[0], numbers[1], numbers[2])
        if body[0] == "?":
            rest = body[1:].lstrip()
            if not rest.startswith("("):
                return f"a filter must look like [?(...)] (offset {i})"
            inside, problem = self._parenthesised(rest, offset + len(body) - len(rest), i)
            return problem if problem is not None else (close + 1, Filter(inside))
        if body[0] == "(":
            inside, problem = self._parenthesised(body, offset, i)
            return problem if problem is not None else (close + 1, Script(inside))
        return f"invalid bracket expression {shown} at offset {i}"

    def _parenthesised(self, text: str, offset: int, bracket: int) -> tuple[str, str | None]:
        """Check ``(...)`` spans all of *text* and is not empty; return what is inside
        and the problem, if any."""
        end, err = match_close(text, 0)
        if err is not None:
            return "", err
        if text[end + 1 :].strip():
            return "", f"unexpected text after ')' at offset {offset + end + 1}"
        inside = text[1:end].strip()
        if not inside:
            return "", f"empty expression in brackets at offset {bracket}"
        return inside, None


def _descend(step: _Step) -> _Step:
    end, selector = step
    assert not isinstance(selector, Descent | Function)
    return end, Descent(selector)


def _preview(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return repr(shown)
