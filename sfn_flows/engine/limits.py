"""The service limits an execution runs into, as AWS enforces them."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.json_text import compact_json

# A state's input or output, and an execution's input, in UTF-8 bytes.
MAX_PAYLOAD_BYTES: Final = 262_144
# Events in one Standard execution's history; the execution fails when it reaches it.
MAX_HISTORY_EVENTS: Final = 25_000
# Events of an execution and all its Distributed Map child executions together: the
# engine's own bound (AWS has none), forty full histories, some seconds of work.
MAX_EXECUTION_EVENTS: Final = 40 * MAX_HISTORY_EVENTS
# Nesting of Parallel branches and Map iterations inside each other, far above any real
# definition: it keeps Python's own recursion limit out of reach.
MAX_NESTING: Final = 200
# How deep JSON values may nest (objects and arrays inside each other). AWS documents no
# bound; the engine needs one because its walkers (payload sizes, JSON text, JSONata's
# bindings) recurse. 512 levels keep them far below Python's default recursion limit of
# 1,000 wherever the engine is called from; no real payload comes near it.
MAX_JSON_DEPTH: Final = 512
# Items one Map state iterates over (a Distributed Map with an inline array is bounded by
# the payload limit long before this).
MAX_MAP_ITEMS: Final = 100_000


def over_payload_limit(value: Any) -> bool:
    """Is `value`, as compact JSON in UTF-8 bytes (what AWS counts), over the payload limit?"""
    if value is None or isinstance(value, bool | int | float):
        return False
    if isinstance(value, str) and len(value) < 1_000:
        return False
    text = compact_json(value)
    # A character is 1 to 4 bytes in UTF-8: most payloads are decided without encoding.
    if len(text) * 4 <= MAX_PAYLOAD_BYTES:
        return False
    if len(text) > MAX_PAYLOAD_BYTES:
        return True
    return len(text.encode("utf-8", "surrogatepass")) > MAX_PAYLOAD_BYTES


def check_state_output(state_name: str, value: Any, sizes: PayloadSizes | None = None) -> None:
    """Raise States.DataLimitExceeded when a state's result is over the payload limit."""
    over = sizes.over_limit(value) if sizes is not None else over_payload_limit(value)
    if over:
        raise data_limit_exceeded(state_name)


def data_limit_exceeded(state_name: str) -> StatesError:
    return StatesError(
        "States.DataLimitExceeded",
        f"The state/task '{state_name}' returned a result with a size exceeding the "
        "maximum number of bytes service limit.",
    )


class PayloadSizes:
    """Exact payload sizes (compact JSON, UTF-8 bytes) and nesting depths, remembered by
    identity.

    The engine never changes a value once made: a state passes its input on, or puts parts of
    it into a new object, so the lists and objects met again are not measured again. The
    cache holds its values (an id is never reused while the value is alive) and is bounded.
    """

    __slots__ = ("_known", "_texts")

    def __init__(self) -> None:
        self._known: dict[int, tuple[Any, int, int]] = {}
        # Short strings (keys above all) recur: their sizes are looked up, not measured.
        self._texts: dict[str, int] = {}

    def over_limit(self, value: Any) -> bool:
        try:
            return self.size(value) > MAX_PAYLOAD_BYTES
        except RecursionError:
            return True  # nested past Python's stack: far over any payload AWS carries

    def too_deep(self, value: Any) -> bool:
        """Is `value` nested more than MAX_JSON_DEPTH levels (objects and arrays)?"""
        try:
            return self.measure(value)[1] > MAX_JSON_DEPTH
        except RecursionError:
            return True

    def size(self, value: Any) -> int:
        kind = type(value)
        if kind is str:
            return self._text(value)
        if kind is dict or kind is list:
            return self._container(value)[0]
        return _scalar_size(value)

    def measure(self, value: Any) -> tuple[int, int]:
        """(size, depth): a scalar is at depth 0, `{}` and `[]` at 1."""
        kind = type(value)
        if kind is dict or kind is list:
            return self._container(value)
        return (self._text(value) if kind is str else _scalar_size(value)), 0

    def _container(self, value: Any) -> tuple[int, int]:
        known = self._known.get(id(value))
        if known is not None and known[0] is value:
            return known[1], known[2]
        # The hot loop of every state's exit: strings and scalars inline.
        texts = self._texts
        measured = 1 + max(len(value), 1)
        deepest = 0
        children = value
        if type(value) is dict:
            for key in value:
                size = texts.get(key)
                measured += 1 + (
                    size if size is not None else self._text(key if type(key) is str else str(key))
                )
            children = value.values()
        for item in children:
            kind = type(item)
            if kind is str:
                size = texts.get(item)
                measured += size if size is not None else self._text(item)
            elif kind is dict or kind is list:
                size, depth = self._container(item)
                measured += size
                if depth > deepest:
                    deepest = depth
            else:
                measured += _scalar_size(item)
        if len(self._known) >= _MAX_REMEMBERED:
            self._known.clear()
        self._known[id(value)] = (value, measured, deepest + 1)
        return measured, deepest + 1

    def _text(self, text: str) -> int:
        if len(text) <= _SHORT_TEXT:
            known = self._texts.get(text)
            if known is None:
                known = _string_size(text)
                if len(self._texts) >= _MAX_REMEMBERED:
                    self._texts.clear()
                self._texts[text] = known
            return known
        # A long string is remembered by identity, like a container: an array holding one
        # 200 KB string 5,000 times measures it once.
        seen = self._known.get(id(text))
        if seen is not None and seen[0] is text:
            return seen[1]
        measured = _string_size(text)
        if len(self._known) >= _MAX_REMEMBERED:
            self._known.clear()
        self._known[id(text)] = (text, measured, 0)
        return measured


def _scalar_size(value: Any) -> int:
    if value is None or value is True:
        return 4
    if value is False:
        return 5
    if type(value) is int and -(10**15) < value < 10**15:
        return len(str(value))
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))


_MAX_REMEMBERED: Final = 50_000
_SHORT_TEXT: Final = 64


def _string_size(text: str) -> int:
    if _PLAIN(text) is not None:
        return len(text) + 2
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8", "surrogatepass"))


# Printable ASCII other than '"' and '\\': JSON writes such a string as it is, in quotes.
_PLAIN: Final = re.compile(r"[ !#-\[\]-~]*").fullmatch
