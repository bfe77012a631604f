"""The size of a definition as Step Functions receives it: its JSON text, in UTF-8 bytes.

Measured without writing the text out, and in time proportional to the distinct objects of
the value: a YAML file can make one list appear a billion times through aliases (PyYAML builds
each anchor once and shares it), and `json.dumps` on that would write every copy. Each list
and object is measured once and remembered by identity, so a shared one costs its distinct
parts however often it is referred to.
"""

from __future__ import annotations

import json
import math
from typing import Any

# CreateStateMachine's limit on the definition string, and CloudFormation's on a definition
# file (DefinitionS3Location): 1 MiB.
MAX_DEFINITION_BYTES = 1024 * 1024

# allow_nan=False: NaN and Infinity are not JSON, and AWS rejects them.
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


class NotJsonError(ValueError):
    """The value holds something JSON cannot (a set, NaN, a tuple key, itself...)."""


def json_size(value: Any) -> int:
    """Bytes of `value` as compact JSON, the least a tool can send to AWS for it."""
    return measure_json(value)[0]


def written_json_size(value: Any) -> int:
    """Bytes of `value` as compact JSON, written out at C speed: for values a program built
    (a compiled workflow), whose text is written anyway. A value read from YAML goes through
    measure_json instead, where aliases cannot make the writing explode."""
    return _dumped_size(value)


def measure_json(value: Any) -> tuple[int, bool]:
    """Bytes of `value` as compact JSON, and whether a list, an object or a long string in it
    is reached more than once (shared, as YAML aliases make them).

    Linear in the distinct objects of `value`, and iterative (any depth). Raises
    NotJsonError, with json.dumps' own words, for anything json.dumps refuses.
    """
    weight, shared = _expanded_weight(value)
    if weight is not None and weight <= _DUMPS_LIMIT:
        # Written out, it stays small: json.dumps measures it at C speed. Compiled workflows
        # share objects too (one retrier list on many states), so sharing alone is no reason
        # to take the slow path.
        try:
            return _dumped_size(value), shared
        except RecursionError:
            pass  # nested deeper than json.dumps recurses: measured below, without recursion
    return _measured_size(value), shared or weight is None


_LONG = 32  # a string this long or shorter adds at most 6 * 32 + 2 bytes per reference

# Above this estimate of the written-out text, json.dumps would spend time (and memory) on
# copies: the size is then summed from each distinct part instead.
_DUMPS_LIMIT = 8 * 1024 * 1024

_CONTAINERS = (dict, list, tuple)


def _expanded_weight(value: Any) -> tuple[int | None, bool]:
    """An estimate of the characters json.dumps would write, every shared part counted each
    time it is reached, computed once per distinct container; and whether a container or a
    long string is shared.
    None for the weight when a container contains itself (json.dumps refuses it)."""
    if not isinstance(value, _CONTAINERS):
        return 0, False
    weights: dict[int, int] = {}
    on_path: set[int] = set()
    long_strings: set[int] = set()
    shared = False
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        items = node.values() if isinstance(node, dict) else node
        if done:
            on_path.discard(key)
            total = 2 + len(node)
            if isinstance(node, dict):
                total += sum(len(k) + 3 if isinstance(k, str) else 8 for k in node)
            for item in items:
                if isinstance(item, _CONTAINERS):
                    total += weights[id(item)]
                elif isinstance(item, str):
                    total += len(item) + 2
                    if len(item) > _LONG and not shared:
                        shared = id(item) in long_strings
                        long_strings.add(id(item))
                else:
                    total += 1
            weights[key] = total
            continue
        if key in weights:
            shared = True
            continue
        if key in on_path:
            return None, True
        on_path.add(key)
        stack.append((node, True))
        stack.extend((item, False) for item in items if isinstance(item, _CONTAINERS))
    return weights[id(value)], shared


def _measured_size(value: Any) -> int:
    """Each container measured once, from its items, and remembered by identity."""
    sizes = _Sizes()
    on_path: set[int] = set()  # containers being measured: meeting one again is a cycle
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            sizes.containers[key] = sizes.container(node)
            continue
        if not isinstance(node, dict | list | tuple) or key in sizes.containers:
            continue
        if key in on_path:
            raise NotJsonError("Circular reference detected")
        on_path.add(key)
        stack.append((node, True))
        items = node.values() if isinstance(node, dict) else node
        stack.extend((item, False) for item in items if isinstance(item, dict | list | tuple))
    return sizes.of(value)


class _Sizes:
    """Sizes of containers (by identity, once measured) and of long strings (by identity:
    one string can be referred to a million times)."""

    __slots__ = ("containers", "strings")

    def __init__(self) -> None:
        self.containers: dict[int, int] = {}
        self.strings: dict[int, int] = {}

    def of(self, item: Any) -> int:
        if isinstance(item, dict | list | tuple):
            return self.containers[id(item)]
        if isinstance(item, str) and len(item) > _LONG:
            known = self.strings.get(id(item))
            if known is None:
                known = self.strings[id(item)] = _dumped_size(item)
            return known
        return _scalar_size(item)

    def container(self, node: Any) -> int:
        of = self.of
        separators = max(len(node) - 1, 0)  # commas
        if isinstance(node, dict):
            pairs = sum(_key_size(k) + 1 + of(v) for k, v in node.items())  # 1 for ':'
            return 2 + separators + pairs
        return 2 + separators + sum(of(item) for item in node)


def _dumped_size(value: Any) -> int:
    try:
        text = _ENCODE(value)
    except (TypeError, ValueError) as exc:
        raise NotJsonError(str(exc)) from None
    return _utf8_length(text)


def _scalar_size(value: Any) -> int:
    if value is None or value is True:
        return 4
    if value is False:
        return 5
    if isinstance(value, str):
        return _dumped_size(value)
    if isinstance(value, int):
        return _int_length(value)
    if isinstance(value, float) and math.isfinite(value):
        return len(float.__repr__(value))
    return _dumped_size(value)  # raises with json.dumps' message


def _key_size(key: Any) -> int:
    """json.dumps writes True as "true", 1 as "1", None as "null" for keys."""
    if isinstance(key, str):
        return _dumped_size(key)
    if key is None or isinstance(key, bool | float):
        return 2 + _scalar_size(key)
    if isinstance(key, int):
        return 2 + _int_length(key)
    raise NotJsonError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _int_length(value: int) -> int:
    try:
        return len(int.__repr__(value))
    except ValueError as exc:  # beyond the 4,300 digits Python converts
        raise NotJsonError(str(exc)) from None


def _utf8_length(text: str) -> int:
    if text.isascii():
        return len(text)
    # surrogatepass: json.loads('"\\ud800"') gives lone surrogates; they still have a size.
    return len(text.encode("utf-8", "surrogatepass"))
