"""Python expressions as small trees: each renders as `ruff format` writes it, and evaluates to
the objects the rendered text would make, so the module an import writes and the workflow the
import checks come from one description.

Layout follows ruff's (Black's) rules for what this package writes: an expression that fits
on its line stays on it; one that does not is split at its brackets, one item a line, each
ending in a comma. The trailing comma is ruff's "magic trailing comma": ruff keeps such a
split as it is, so the text is stable under `ruff format` at any line length from
LINE_LENGTH up. Strings are written by `repr` (always a valid literal, escapes included)
with ruff's preference for double quotes.
"""

from __future__ import annotations

import copy
import functools
import operator
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

# Black's and ruff's default: a module formatted at 88 stays as it is at any larger limit.
LINE_LENGTH: Final = 88
INDENT: Final = 4


@dataclass(frozen=True, slots=True)
class Ref:
    """A name: a variable of the module or an imported name."""

    name: str


@dataclass(frozen=True, slots=True)
class Lit:
    """A JSON value written as a Python literal."""

    value: Any


@dataclass(frozen=True, slots=True)
class Code:
    """Text written as it is, standing for `value` (e.g. `365 * 24 * 3600`)."""

    text: str
    value: Any


@dataclass(frozen=True, slots=True)
class Attr:
    obj: Expr
    attr: str


@dataclass(frozen=True, slots=True)
class Call:
    func: Expr
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True, slots=True)
class Op:
    """`a & b & c`: one binary operator between operands; `fallback` is written instead when
    the operators do not fit on the line (a call splits where operators would not)."""

    op: str
    operands: tuple[Expr, ...]
    fallback: Expr | None = None


@dataclass(frozen=True, slots=True)
class Invert:
    operand: Expr
    fallback: Expr | None = None


@dataclass(frozen=True, slots=True)
class ListOf:
    items: tuple[Expr, ...]


Expr = Ref | Lit | Code | Attr | Call | Op | Invert | ListOf

# Binding strength: an operand that binds less tightly than its operator is parenthesised.
_PRECEDENCE: Final = {"|": 1, "&": 2, ">>": 3}
_OPERATORS: Final[Mapping[str, Callable[[Any, Any], Any]]] = {
    "|": operator.or_,
    "&": operator.and_,
    ">>": operator.rshift,
}


@dataclass(frozen=True, slots=True)
class Statement:
    """`target = value`, or `value` alone; `comments` are written above it."""

    value: Expr
    target: str | None = None
    comments: tuple[str, ...] = ()


def call(func: str | Expr, *args: Expr, **kwargs: Expr) -> Call:
    head = Ref(func) if isinstance(func, str) else func
    return Call(head, args, tuple(kwargs.items()))


def method(obj: str, name: str, args: Iterable[Expr], kwargs: Iterable[tuple[str, Expr]]) -> Call:
    return Call(Attr(Ref(obj), name), tuple(args), tuple(kwargs))


# ---- text ------------------------------------------------------------------------------------
def string_literal(text: str) -> str:
    """A literal for `text` as ruff writes it: double quotes, unless the text holds more
    double quotes than single ones (fewer escapes in single quotes)."""
    written = repr(str(text))  # valid escapes for everything but the choice of quotes
    quote = '"' if text.count('"') <= text.count("'") else "'"
    if written[0] == quote:
        return written
    # Re-quote repr's body: `\'` stops being an escape, the new quote becomes one.
    body, chars, index = [], written[1:-1], 0
    while index < len(chars):
        char = chars[index]
        if char == "\\":
            pair = chars[index : index + 2]
            body.append(pair[1] if pair[1:] == written[0] else pair)
            index += 2
            continue
        body.append("\\" + char if char == quote else char)
        index += 1
    return quote + "".join(body) + quote


def literal(value: Any) -> str:
    if isinstance(value, str):
        return string_literal(value)
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def width(text: str) -> int:
    """Columns `text` takes, as ruff counts them: wide East Asian characters take two."""
    if text.isascii():
        return len(text)
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def flat(expr: Expr) -> str:
    """The expression on one line."""
    if isinstance(expr, Ref):
        return expr.name
    if isinstance(expr, Lit):
        return literal(expr.value)
    if isinstance(expr, Code):
        return expr.text
    if isinstance(expr, Attr):
        return f"{flat(expr.obj)}.{expr.attr}"
    if isinstance(expr, Call):
        items = [flat(a) for a in expr.args] + [f"{k}={flat(v)}" for k, v in expr.kwargs]
        return f"{flat(expr.func)}({', '.join(items)})"
    if isinstance(expr, Op):
        rank = _PRECEDENCE[expr.op]
        return f" {expr.op} ".join(_operand(item, rank) for item in expr.operands)
    if isinstance(expr, Invert):
        inner = flat(expr.operand)
        return f"~({inner})" if isinstance(expr.operand, Op) else f"~{inner}"
    return "[" + ", ".join(flat(item) for item in expr.items) + "]"


def _operand(expr: Expr, rank: int) -> str:
    text = flat(expr)
    # Also around an And inside an Or, which Python would not need: it reads as grouped.
    if isinstance(expr, Op) and _PRECEDENCE[expr.op] != rank:
        return f"({text})"
    return text


def layout(expr: Expr, indent: int = 0, prefix: str = "", suffix: str = "") -> list[str]:
    """The lines of `prefix + expr + suffix` at `indent` columns."""
    pad = " " * indent
    text = flat(expr)
    if width(pad + prefix + text + suffix) <= LINE_LENGTH:
        return [pad + prefix + text + suffix]
    if isinstance(expr, Op | Invert) and expr.fallback is not None:
        return layout(expr.fallback, indent, prefix, suffix)
    parts = _brackets(expr)
    if parts is None:
        return [pad + prefix + text + suffix]  # nothing to split at (a long string)
    opening, items, closing = parts
    lines = [pad + prefix + opening]
    for item_prefix, item in items:
        lines += layout(item, indent + INDENT, item_prefix, ",")
    lines.append(pad + closing + suffix)
    return lines


def _brackets(expr: Expr) -> tuple[str, list[tuple[str, Expr]], str] | None:
    if isinstance(expr, Call) and (expr.args or expr.kwargs):
        items = [("", a) for a in expr.args] + [(f"{k}=", v) for k, v in expr.kwargs]
        return flat(expr.func) + "(", items, ")"
    if isinstance(expr, ListOf) and expr.items:
        return "[", [("", item) for item in expr.items], "]"
    if isinstance(expr, Lit) and isinstance(expr.value, Mapping) and expr.value:
        pairs: list[tuple[str, Expr]] = [(f"{literal(k)}: ", Lit(v)) for k, v in expr.value.items()]
        return "{", pairs, "}"
    if isinstance(expr, Lit) and isinstance(expr.value, list | tuple) and expr.value:
        return "[", [("", Lit(item)) for item in expr.value], "]"
    return None


def statement_lines(statement: Statement) -> list[str]:
    lines = [f"# {line}".rstrip() for line in statement.comments]
    prefix = f"{statement.target} = " if statement.target else ""
    return lines + layout(statement.value, 0, prefix)


# ---- evaluation ------------------------------------------------------------------------------
def evaluate(expr: Expr, names: Mapping[str, Any]) -> Any:
    """What the rendered expression evaluates to, with `names` for its names."""
    if isinstance(expr, Ref):
        return names[expr.name]
    if isinstance(expr, Lit):
        # A fresh copy, as each literal in a module is, in plain JSON types (a str subclass
        # from a reader is written as a plain string).
        return _plain(copy.deepcopy(expr.value))
    if isinstance(expr, Code):
        return expr.value
    if isinstance(expr, Attr):
        return getattr(evaluate(expr.obj, names), expr.attr)
    if isinstance(expr, Call):
        func = evaluate(expr.func, names)
        args = [evaluate(a, names) for a in expr.args]
        kwargs = {k: evaluate(v, names) for k, v in expr.kwargs}
        return func(*args, **kwargs)
    if isinstance(expr, Op):
        values = [evaluate(item, names) for item in expr.operands]
        return functools.reduce(_OPERATORS[expr.op], values)
    if isinstance(expr, Invert):
        return ~evaluate(expr.operand, names)
    return [evaluate(item, names) for item in expr.items]


def run(statement: Statement, names: dict[str, Any]) -> Any:
    value = evaluate(statement.value, names)
    if statement.target is not None:
        names[statement.target] = value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
