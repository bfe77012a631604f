"""Syntax check for the JSONPath dialect that AWS Step Functions accepts.

Step Functions evaluates paths with a Jayway-style JSONPath engine and rejects
a definition whose paths do not parse, so catching a malformed path before
deployment saves a failed ``CreateStateMachine``/``UpdateStateMachine`` round
trip. The check is deliberately two-speed:

* Nearly every path in a real definition is a plain ``$.a.b[0]``; those are
  accepted by one precompiled regex, and results are memoised, because the
  validator visits every field of every state and must stay in the low
  milliseconds for definitions with thousands of states.
* Everything else goes through a small hand-written scanner. It is liberal
  for ordinary paths (AWS accepts filters, slices, unions, scripts and
  trailing functions, and we would rather miss a runtime-only problem than
  reject a definition AWS deploys) and strict for reference paths, where AWS
  only allows expressions that name exactly one node.

Nothing here raises: the validator reports problems, it must not crash on
whatever text a user typed.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["path_error"]

# Characters that end an unquoted field name. Everything else (``-``, ``@``,
# ``:``, non-ASCII letters...) stays in the name: AWS deploys definitions
# with ``$.delivery-partner`` and Jayway only ends a name at structural
# characters, so a narrower rule would reject definitions AWS accepts.
_NAME_STOP = r"\s.\[\]()'\",*\\"
_NAME = rf"[^{_NAME_STOP}]+"
_ROOT = r"\$(?:\$|[^\W\d]\w*)?"
_INDEX = r"\[-?\d+\]"
_QUOTED = r"\['[^'\\]*'\]|\[\"[^\"\\]*\"\]"

# The forms a reference path may take; also the overwhelmingly common shape
# of ordinary paths, so both modes try it first.
_SIMPLE = re.compile(rf"{_ROOT}(?:\.?(?:{_INDEX}|{_QUOTED})|\.{_NAME})*\Z")
NAME_RE = re.compile(_NAME)
_VARIABLE_RE = re.compile(r"[^\W\d]\w*")
_INT_RE = re.compile(r"-?\d+\Z")
_INT_UNION_RE = re.compile(r"-?\d+(?:\s*,\s*-?\d+)+\Z")
_SLICE_RE = re.compile(r"(?:-?\d+)?\s*:\s*(?:-?\d+)?(?:\s*:\s*(?:-?\d+)?)?\Z")

_REFERENCE_ONLY = (
    "a reference path may not contain wildcards, filters, slices, unions, functions or '..'"
)


@lru_cache(maxsize=8192)
def path_error(expr: str, *, reference: bool = False) -> str | None:
    """Return ``None`` if *expr* is a path AWS accepts, else why it is not.

    With ``reference=True`` the stricter rules for reference paths apply
    (``ResultPath``, Choice ``Variable``, ``...Path`` comparison operands):
    only ``.name``, ``['name']`` and ``[n]`` segments after the root.
    """
    if _SIMPLE.match(expr):
        return None
    trimmed = expr.strip(" ")
    if trimmed != expr:
        # Jayway, the JSONPath engine AWS runs, trims spaces around a path before compiling it.
        return path_error(trimmed, reference=reference)
    return _Scanner(expr, reference).run()


def skip_quoted(text: str, start: int) -> int:
    """Index just past the quoted string opening at *start*, or -1 if unclosed."""
    quote = text[start]
    i = start + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == quote:
            return i + 1
        i += 1
    return -1


def match_close(text: str, start: int) -> tuple[int, str | None]:
    """Find the bracket closing the ``[`` or ``(`` at *start*.

    Quotes are skipped so that ``[?(@.a == ')')]`` balances. Returns the
    index of the closing character, or ``-1`` and a message.
    """
    stack: list[tuple[str, int]] = []
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            j = skip_quoted(text, i)
            if j < 0:
                return -1, f"unclosed string starting at offset {i}"
            i = j
            continue
        if c in "[(":
            stack.append((c, i))
        elif c in "])":
            opener, where = stack.pop()
            if (opener == "[") != (c == "]"):
                return -1, f"'{c}' at offset {i} does not match '{opener}' at offset {where}"
            if not stack:
                return i, None
        i += 1
    opener, where = stack[-1]
    return -1, f"unclosed '{opener}' at offset {where}"


def _quoted_names_error(inner: str, offset: int) -> tuple[int, str | None]:
    """Validate ``'a'`` or ``'a', "b"``; return (number of names, error)."""
    i = 0
    n = len(inner)
    count = 0
    while True:
        while i < n and inner[i].isspace():
            i += 1
        if i >= n or inner[i] not in "'\"":
            return count, f"expected a quoted name at offset {offset + i}"
        j = skip_quoted(inner, i)
        if j < 0:
            return count, f"unclosed string starting at offset {offset + i}"
        count += 1
        i = j
        while i < n and inner[i].isspace():
            i += 1
        if i >= n:
            return count, None
        if inner[i] != ",":
            return count, f"unexpected {inner[i]!r} at offset {offset + i} in bracket"
        i += 1


class _Scanner:
    """Left-to-right walk over one path; ``run`` returns the first problem."""

    def __init__(self, expr: str, reference: bool) -> None:
        self.expr = expr
        self.reference = reference
        self.n = len(expr)

    def run(self) -> str | None:
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
        while i < self.n:
            step = self._segment(i)
            if isinstance(step, str):
                return step
            i, was_function = step
            if was_function and i < self.n:
                return f"nothing may follow a function call (offset {i})"
        return None

    def _root_end(self) -> int | str:
        expr = self.expr
        if self.n == 1 or expr[1] in ".[":
            return 1
        if expr[1] == "$":
            return 2
        m = _VARIABLE_RE.match(expr, 1)
        if m is None:
            return (
                f"unexpected {expr[1]!r} at offset 1: expected '$.', '$[', '$$' or a variable name"
            )
        return m.end()

    def _reference_error(self, what: str, at: int) -> str:
        return f"{_REFERENCE_ONLY} (found {what} at offset {at})"

    def _segment(self, i: int) -> tuple[int, bool] | str:
        """Consume one segment starting at *i*; return (next index, was_function)."""
        expr = self.expr
        c = expr[i]
        if c == "[":
            return self._bracket(i)
        if c != ".":
            return f"unexpected {c!r} at offset {i}: expected '.' or '['"
        start = i
        if expr.startswith("..", i):
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
            return self._bracket(i)
        if c == "*":
            if self.reference:
                return self._reference_error("'*'", i)
            return i + 1, False
        m = NAME_RE.match(expr, i)
        if m is None:
            return f"expected a field name at offset {i}, got {c!r}"
        i = m.end()
        if i < self.n and expr[i] == "(":
            if self.reference:
                return self._reference_error(f"function '{m.group()}()'", m.start())
            close, err = match_close(expr, i)
            if err is not None:
                return err
            return close + 1, True
        return i, False

    def _bracket(self, i: int) -> tuple[int, bool] | str:
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
            return close + 1, False
        if body[0] in "'\"":
            count, qerr = _quoted_names_error(body, offset)
            if qerr is not None:
                return qerr
            if count > 1 and self.reference:
                return self._reference_error(shown, i)
            return close + 1, False
        if self.reference:
            return self._reference_error(shown, i)
        if body == "*" or _INT_UNION_RE.match(body) or _SLICE_RE.match(body):
            return close + 1, False
        if body[0] == "?":
            rest = body[1:].lstrip()
            if not rest.startswith("("):
                return f"a filter must look like [?(...)] (offset {i})"
            return self._parenthesised(rest, offset + len(body) - len(rest), i, close)
        if body[0] == "(":
            return self._parenthesised(body, offset, i, close)
        return f"invalid bracket expression {shown} at offset {i}"

    def _parenthesised(
        self, text: str, offset: int, bracket: int, close: int
    ) -> tuple[int, bool] | str:
        """Check ``(...)`` spans all of *text* and is not empty."""
        end, err = match_close(text, 0)
        if err is not None:
            return err
        if text[end + 1 :].strip():
            return f"unexpected text after ')' at offset {offset + end + 1}"
        if not text[1:end].strip():
            return f"empty expression in brackets at offset {bracket}"
        return close + 1, False


def _preview(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return repr(shown)
