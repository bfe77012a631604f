"""JSON pointers (RFC 6901): every place in a definition is named by one."""

from __future__ import annotations

from typing import Any


def escape_pointer_token(token: str | int) -> str:
    """One pointer token: `~` becomes `~0` and `/` becomes `~1`."""
    text = str(token)
    # Most names need no escaping; skipping replace() keeps large machines fast.
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def pointer(*tokens: str | int) -> str:
    """Join tokens into a JSON pointer: pointer("States", "A/B") == "/States/A~1B"."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


def child_pointer(base: str, *tokens: str | int) -> str:
    """Extend the pointer `base` by escaped tokens."""
    return base + pointer(*tokens)


def unescape_pointer_token(token: str) -> str:
    """The name a pointer token stands for: `~1` becomes `/` and `~0` becomes `~`."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer_tokens(text: str) -> list[str]:
    """The unescaped tokens of a pointer: "/States/A~1B" -> ["States", "A/B"]."""
    return [unescape_pointer_token(t) for t in text.split("/")[1:]]


def resolve_pointer(document: Any, text: str) -> Any:
    """The value `text` points at; KeyError, IndexError or TypeError when there is none."""
    value = document
    for token in pointer_tokens(text):
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value
