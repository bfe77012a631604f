"""The `Prefer` request header (RFC 7240): how long a client is willing to wait for a result.

Two preferences mean something to this API; every other one is ignored, as the RFC asks:

- `wait=N` (delta-seconds): answer within N seconds of receiving the request; the API waits
  up to N s for the execution to end and answers 200 with its result, else the usual 202.
- `respond-async`: answer 202 at once. With `wait=N` beside it, the RFC reads the pair as
  "wait up to N s, then answer asynchronously", which is what `wait=N` does alone.

The RFC lets a server ignore a preference it cannot honour. This API refuses a `wait` it cannot
honour instead (400 naming the header): a client that asked for 60 s and silently got 20 would
read the 202 as "took longer than 60 s". The cap, MAX_WAIT_SECONDS, and why it is what it is:
wait_window.py.

Pure: no I/O. The starter, the status reader and sfn_flows.client share it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sfn_flows.runtime.wait_window import MAX_WAIT_SECONDS

PREFER_HEADER = "Prefer"
PREFERENCE_APPLIED_HEADER = "Preference-Applied"

_DIGITS = re.compile(r"[0-9]+\Z")  # delta-seconds: ASCII digits only (str.isdigit takes '²')
# More digits than this cannot be a wait this API honours, whatever the leading zeros.
_MAX_DIGITS = 12


class PreferError(ValueError):
    """The Prefer header asks for a wait this API cannot honour; the message says the fix."""


class Preferences(NamedTuple):
    wait: int | None = None  # seconds; None when the client did not say
    respond_async: bool = False

    def window(self, default: int | None) -> int:
        """Seconds to wait for the end of the execution: the client's `wait`, none for
        `respond-async`, else the workflow's default (none when it has no default)."""
        if self.wait is not None:
            return self.wait
        if self.respond_async:
            return 0
        return default or 0

    def wants_no_wait(self) -> bool:
        """The client asked for an answer at once (`respond-async` alone, or `wait=0`)."""
        return self.wait == 0 or (self.respond_async and self.wait is None)


def parse_prefer(value: str | None) -> Preferences:
    """The preferences this API honours, from the header's value (repeated headers arrive
    joined by commas, which the RFC makes equivalent). Raises PreferError for a `wait`
    that is malformed or above MAX_WAIT_SECONDS."""
    if not value:
        return Preferences()
    wait: int | None = None
    seen_wait = False
    respond_async = False
    for element in _split(value, ","):
        head = _split(element, ";")[0]
        name, has_value, raw = head.partition("=")
        name = name.strip().lower()
        if name == "respond-async":
            respond_async = True
        elif name == "wait" and not seen_wait:
            # Only the first instance of a preference counts (RFC 7240, section 2).
            seen_wait = True
            wait = _wait_seconds(_unquote(raw.strip()) if has_value else "")
    return Preferences(wait, respond_async)


def prefer_value(wait: int | None = None, *, respond_async: bool = False) -> str:
    """The header value a client sends, e.g. "wait=10" or "respond-async"."""
    parts = ["respond-async"] if respond_async else []
    if wait is not None:
        parts.append(f"wait={wait}")
    return ", ".join(parts)


def _wait_seconds(text: str) -> int:
    usage = f"send {PREFER_HEADER}: wait=<seconds>, a whole number from 0 to {MAX_WAIT_SECONDS}"
    if not text:
        raise PreferError(f"the {PREFER_HEADER} header has wait without a value; {usage}.")
    shown = text if len(text) <= 20 else text[:20] + "..."
    if not _DIGITS.match(text):
        raise PreferError(
            f"the {PREFER_HEADER} header has wait={shown!r}, which is not a whole number of "
            f"seconds; {usage}."
        )
    digits = text.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS or int(digits) > MAX_WAIT_SECONDS:
        raise PreferError(
            f"the {PREFER_HEADER} header has wait={shown}, more than the {MAX_WAIT_SECONDS} s "
            f"this API waits (API Gateway ends a request after 30 s); send wait="
            f"{MAX_WAIT_SECONDS} or less, and if the answer is 202, GET its statusUrl with "
            f"the same header to wait again."
        )
    return int(digits)


def _split(text: str, separator: str) -> list[str]:
    """`text` split at `separator`, except inside quoted strings (with backslash escapes)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text
