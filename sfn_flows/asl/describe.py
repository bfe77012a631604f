"""How a message names a JSON value it refuses: its kind, and a short form of its text."""

from __future__ import annotations

from typing import Any


def describe(value: Any) -> str:
    """The value as a message names it: null, the boolean true, the string 'abc', the number
    5, a JSON array, a JSON object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {quoted(value)}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"a JSON {'array' if isinstance(value, list) else 'object'}"


def quoted(text: str) -> str:
    """`text` quoted, cut to its first 40 characters: a long name would swamp the message."""
    return repr(text[:40])
