"""Read a JSON definition file as CloudFormation users write it, with errors that point at it.

SAM and CloudFormation users write `"Seconds": ${ReminderTimeout}`: DefinitionSubstitutions
put text in place of each `${Name}` before AWS parses the file, so a placeholder without
quotes stands for a number. Such a file is not JSON until then; it is read with each
unquoted placeholder (outside strings, where a value goes) taken as an UnquotedPlaceholder,
and errors name the line and column of the file as written.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sfn_flows.validate.problems import escape_pointer_token
from sfn_flows.validate.values import UnquotedPlaceholder, is_placeholder

# A whole JSON string, or a `${...}` outside strings. An unterminated string does not match
# here: the parser reports it at its opening quote.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRING_OR_DOLLAR = re.compile(_STRING + r"|\$\{[^}]*\}", re.DOTALL)
_STRING_OR_BRACKET = re.compile(_STRING + r"|[\[\]{}]", re.DOTALL)
_STRINGS = re.compile(_STRING, re.DOTALL)
_ESCAPED_NULS = re.compile(r"(?:\\u0000)+")


class JsonTooDeep(Exception):
    """The file nests objects and arrays deeper than the parser goes."""

    def __init__(self, depth: int, readable: int) -> None:
        super().__init__(depth, readable)
        self.depth = depth
        self.readable = readable


@dataclass(frozen=True)
class DuplicateKey:
    pointer: str  # the object that holds the key twice
    key: str


@dataclass
class JsonDefinition:
    definition: Any
    duplicate_keys: list[DuplicateKey] = field(default_factory=list)


def _not_json(constant: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (and AWS) do not.
    raise ValueError(f"{constant} is not a JSON value; write a number or a string")


def read_json(text: str) -> JsonDefinition:
    """Parse `text`. Raises JSONDecodeError with the line and column of `text` itself,
    JsonTooDeep, or ValueError (NaN, an integer too long to convert)."""
    marked = _Marked(text)
    duplicates: list[tuple[dict[str, Any], str]] = []

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        built = dict(pairs)
        if len(built) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates.append((built, key))
                seen.add(key)
        return built

    def build_or_unmark(pairs: list[tuple[str, Any]]) -> Any:
        if len(pairs) == 1 and pairs[0][0] == marked.key:
            return UnquotedPlaceholder(pairs[0][1])
        return build(pairs)

    hook = build if marked.key is None else build_or_unmark
    try:
        definition = json.loads(marked.text, object_pairs_hook=hook, parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        where = marked.original_position(exc.pos)
        raise json.JSONDecodeError(exc.msg, text, where) from None
    except RecursionError:
        raise JsonTooDeep(_depth(text), _readable_depth()) from None
    return JsonDefinition(definition, _locate(definition, duplicates))


class _Marked:
    """`text` with each unquoted placeholder replaced by a marker object the parser hands
    to the object hook: {"<NULs>": "${Name}"}. The key has one NUL more than any run of
    escaped NULs in the file, so no object of the file can look like a marker."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.key: str | None = None
        # Where each marker starts in the new text; its end there, and where its placeholder
        # starts and ends in the original.
        self._starts: list[int] = []
        self._moves: list[tuple[int, int, int]] = []
        # Most files quote all their placeholders: seen without a pass in Python.
        if "${" not in text or "${" not in _STRINGS.sub("", text):
            return
        runs = _ESCAPED_NULS.findall(text)
        self.key = "\x00" * (max((len(run) // 6 for run in runs), default=0) + 1)
        escaped_key = json.dumps(self.key)
        parts: list[str] = []
        copied = grown = 0
        for match in _STRING_OR_DOLLAR.finditer(text):
            token = match.group()
            if token[0] == '"' or not is_placeholder(token):
                continue
            marker = f"{{{escaped_key}:{json.dumps(token)}}}"
            parts += (text[copied : match.start()], marker)
            start = match.start() + grown
            self._starts.append(start)
            self._moves.append((start + len(marker), match.start(), match.end()))
            grown += len(marker) - len(token)
            copied = match.end()
        if self._moves:
            self.text = "".join(parts) + text[copied:]
        else:
            self.key = None

    def original_position(self, position: int) -> int:
        index = bisect.bisect_right(self._starts, position) - 1
        if index < 0:
            return position
        end, original_start, original_end = self._moves[index]
        if position < end:
            return original_start  # inside a marker: at its placeholder
        return original_end + (position - end)


def _depth(text: str) -> int:
    """How deep objects and arrays nest in `text` (brackets outside strings)."""
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in "]}":
            depth -= 1
    return deepest


def _readable_depth() -> int:
    """The deepest nesting the parser reads from here: it recurses, so the limit depends on
    the interpreter's recursion limit and how deep the caller already is."""
    low, high = 0, 1
    while _parses(high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _parses(middle) else (low, middle)
    return low


def _parses(depth: int) -> bool:
    try:
        json.loads("[" * depth + "]" * depth)
    except RecursionError:
        return False
    return True


def _locate(definition: Any, duplicates: list[tuple[dict[str, Any], str]]) -> list[DuplicateKey]:
    """The duplicates with the pointers of their objects, in document order. The parser's
    hook knows the object, not where it is: found by one walk, only when there are any."""
    if not duplicates:
        return []
    wanted: dict[int, list[str]] = {}
    for holder, key in duplicates:
        wanted.setdefault(id(holder), []).append(key)
    found: list[DuplicateKey] = []
    stack: list[tuple[str, Any]] = [("", definition)]
    remaining = len(wanted)
    while stack and remaining:
        where, node = stack.pop()
        if isinstance(node, dict):
            keys = wanted.get(id(node))
            if keys is not None:
                found += (DuplicateKey(where, key) for key in keys)
                remaining -= 1
            items = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            continue
        stack.extend(
            (f"{where}/{escape_pointer_token(token)}", value)
            for token, value in reversed(items)
            if isinstance(value, dict | list)
        )
    return found
