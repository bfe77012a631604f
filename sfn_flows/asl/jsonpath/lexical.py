"""The lexical rules of the dialect, shared by the path, filter and intrinsic parsers: what
ends a name, how strings are quoted and brackets balanced, how integers are read."""

from __future__ import annotations

import re

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
SIMPLE_PATH_RE = re.compile(rf"{_ROOT}(?:\.?(?:{_INDEX}|{_QUOTED})|\.{_NAME})*\Z")
NAME_RE = re.compile(_NAME)
# Inside a filter a name also ends at an operator: ``@.a==1`` compares ``a``.
FILTER_NAME_RE = re.compile(rf"[^{_NAME_STOP}=<>!&|~]+")
VARIABLE_RE = re.compile(r"[^\W\d]\w*")


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


# Longer than any Java long: Python's int() refuses past 4300 digits, and an index or a
# number this long cannot mean anything else to AWS anyway.
_MAX_DIGITS = 19
_BEYOND = 2**63


def integer(text: str) -> int:
    """An index as written; one too long for a Java long selects nothing, like its clamp."""
    text = text.strip()
    if len(text.lstrip("-")) > _MAX_DIGITS:
        return -_BEYOND if text.startswith("-") else _BEYOND
    return int(text)


def number_value(text: str) -> int | float:
    """A JSON number literal: an int without fraction or exponent, else a float."""
    if text.lstrip("-").isdigit():
        return integer(text)
    return float(text)
