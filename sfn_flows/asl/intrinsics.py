"""Amazon States Language intrinsic functions: syntax and arity check, and call tree.

A broken intrinsic (misspelt name, wrong argument count, a ``States.Format``
template whose ``{}`` count does not match its values) surfaces from AWS
either as a terse definition error on deploy or as ``States.IntrinsicFailure``
once the state runs. Parsing the whole expression up front lets the validator
point at the exact problem, with a spelling suggestion for names
(`intrinsic_error`, which never raises), and gives the engine the tree it evaluates
(`parse_intrinsic`: a `Call` whose arguments are `Literal`s, parsed `JsonPath`s and
nested `Call`s).

The arities and escape rules follow the "Intrinsic functions for JSONPath
states" page of the Step Functions developer guide. Results are memoised
because the same few expressions recur across the states of a definition.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from sfn_flows.asl.jsonpath import NAME_RE as _FIELD_NAME_RE
from sfn_flows.asl.jsonpath import (
    JsonPath,
    match_close,
    number_value,
    parse_path,
    path_error,
    skip_quoted,
)

__all__ = [
    "INTRINSICS",
    "Argument",
    "Call",
    "IntrinsicSyntaxError",
    "Literal",
    "PathArgument",
    "intrinsic_error",
    "is_intrinsic",
    "parse_intrinsic",
]

#: Name -> (minimum arguments, maximum arguments or ``None`` if unbounded).
INTRINSICS: dict[str, tuple[int, int | None]] = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    # The third argument is an optional seed.
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}

# AWS documents a limit of 10 nested intrinsics per field; any deeper
# expression is therefore invalid, and the bound also keeps the recursive
# parser far from Python's recursion limit on hostile input.
_MAX_DEPTH = 10

_ESCAPABLE = frozenset("'{}\\")
NAME_RE = re.compile(r"[A-Za-z_]\w*(?:\.\w+)*")
_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERALS: dict[str, bool | None] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, number, ``true``, ``false`` or ``null`` written in the call. A string's
    `pieces` are its text cut at each unescaped ``{}`` (the placeholders of
    ``States.Format``); escapes are already resolved in `value` and `pieces`."""

    value: str | int | float | bool | None
    pieces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PathArgument:
    """``$.a``, ``$$.Execution.Id`` or ``$name.a`` passed as an argument."""

    path: JsonPath


@dataclass(frozen=True, slots=True)
class Call:
    """``States.Name(arguments...)``."""

    name: str
    arguments: tuple[Argument, ...]


Argument = Literal | PathArgument | Call


class IntrinsicSyntaxError(ValueError):
    """An intrinsic call AWS would not accept; the message is `intrinsic_error`'s."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_intrinsic(expr: str) -> bool:
    """True if *expr* is meant as an intrinsic call rather than a path."""
    return expr.lstrip().startswith("States.")


@lru_cache(maxsize=4096)
def intrinsic_error(expr: str) -> str | None:
    """Return ``None`` if *expr* is a well-formed intrinsic call, else why not."""
    try:
        parse_intrinsic(expr)
    except IntrinsicSyntaxError as exc:
        return exc.message
    return None


@lru_cache(maxsize=4096)
def parse_intrinsic(expr: str) -> Call:
    """The call tree of *expr*; `IntrinsicSyntaxError` when it is not a well-formed call."""
    return _Parser(expr).parse()


_ParseError = IntrinsicSyntaxError


def _plural(count: int) -> str:
    return f"{count} argument" if count == 1 else f"{count} arguments"


def _expected_arity(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {_plural(low)}"
    if low == high:
        return _plural(low)
    return f"{low} or {high} arguments" if high == low + 1 else f"{low} to {high} arguments"


class _Parser:
    def __init__(self, expr: str) -> None:
        self.text = expr
        self.pos = 0
        self.n = len(expr)

    def parse(self) -> Call:
        self._skip_ws()
        m = NAME_RE.match(self.text, self.pos)
        looks_like_call = m is not None and self.text[m.end() :].lstrip().startswith("(")
        # A call with a misspelt prefix ("states.Format(...)") goes on to get
        # a did-you-mean suggestion; anything else is not a call at all.
        if not (looks_like_call or self.text.startswith("States.", self.pos)):
            raise _ParseError(
                "an intrinsic function call must start with 'States.' "
                f"(got {self.text[self.pos : self.pos + 20]!r})"
            )
        call = self._call(depth=1)
        self._skip_ws()
        if self.pos < self.n:
            rest = self.text[self.pos : self.pos + 20]
            raise _ParseError(f"unexpected trailing characters {rest!r} at offset {self.pos}")
        return call

    def _skip_ws(self) -> None:
        while self.pos < self.n and self.text[self.pos].isspace():
            self.pos += 1

    def _call(self, depth: int) -> Call:
        if depth > _MAX_DEPTH:
            raise _ParseError(
                f"intrinsic functions may not be nested more than {_MAX_DEPTH} deep "
                f"(offset {self.pos})"
            )
        start = self.pos
        m = NAME_RE.match(self.text, start)
        if m is None:  # pragma: no cover - callers only enter on a name
            raise _ParseError(f"expected an intrinsic function name at offset {start}")
        name = m.group()
        self.pos = m.end()
        if name not in INTRINSICS:
            raise _ParseError(_unknown_name(name))
        self._skip_ws()
        if self.pos >= self.n or self.text[self.pos] != "(":
            raise _ParseError(f"expected '(' after {name} at offset {self.pos}")
        open_at = self.pos
        self.pos += 1
        args = self._arguments(name, open_at, depth)
        low, high = INTRINSICS[name]
        if len(args) < low or (high is not None and len(args) > high):
            raise _ParseError(
                f"{name} takes {_expected_arity(low, high)}, got {len(args)} (offset {start})"
            )
        first = args[0] if args else None
        if name == "States.Format" and isinstance(first, Literal) and isinstance(first.value, str):
            wanted = len(first.pieces) - 1
            given = len(args) - 1
            if wanted != given:
                raise _ParseError(
                    f"States.Format template has {wanted} '{{}}' placeholder"
                    f"{'' if wanted == 1 else 's'} but {given} value"
                    f"{'' if given == 1 else 's'} given (offset {start})"
                )
        return Call(name, tuple(args))

    def _arguments(self, name: str, open_at: int, depth: int) -> list[Argument]:
        args: list[Argument] = []
        self._skip_ws()
        if self.pos < self.n and self.text[self.pos] == ")":
            self.pos += 1
            return args
        while True:
            self._skip_ws()
            if self.pos >= self.n:
                raise _ParseError(f"unclosed '(' of {name} at offset {open_at}")
            args.append(self._argument(depth))
            self._skip_ws()
            if self.pos >= self.n:
                raise _ParseError(f"unclosed '(' of {name} at offset {open_at}")
            c = self.text[self.pos]
            self.pos += 1
            if c == ")":
                return args
            if c != ",":
                raise _ParseError(
                    f"unexpected {c!r} at offset {self.pos - 1} in arguments of {name}: "
                    "expected ',' or ')'"
                )

    def _argument(self, depth: int) -> Argument:
        c = self.text[self.pos]
        start = self.pos
        if c == "'":
            return self._string()
        if c == "$":
            return self._path()
        if c == "-" or c.isdigit():
            m = _NUMBER_RE.match(self.text, start)
            if m is None:
                raise self._bad_argument(start)
            self.pos = m.end()
            self._expect_argument_end(start)
            return Literal(number_value(m.group()))
        m = NAME_RE.match(self.text, start)
        if m is None:
            if c in ",)":
                raise _ParseError(f"missing argument at offset {start}")
            raise self._bad_argument(start)
        word = m.group()
        after = m.end()
        while after < self.n and self.text[after].isspace():
            after += 1
        if after < self.n and self.text[after] == "(":
            return self._call(depth + 1)
        if word in _LITERALS:
            self.pos = m.end()
            self._expect_argument_end(start)
            return Literal(_LITERALS[word])
        raise self._bad_argument(start)

    def _bad_argument(self, start: int) -> _ParseError:
        end = start
        while end < self.n and self.text[end] not in ",)":
            end += 1
        shown = self.text[start:end].strip() or self.text[start : start + 1]
        return _ParseError(
            f"bad argument {shown!r} at offset {start}: expected a 'string', a number, "
            "true, false, null, a path or an intrinsic call"
        )

    def _expect_argument_end(self, start: int) -> None:
        if self.pos < self.n and not (self.text[self.pos].isspace() or self.text[self.pos] in ",)"):
            raise self._bad_argument(start)

    def _string(self) -> Literal:
        start = self.pos
        i = start + 1
        pieces: list[str] = []
        piece: list[str] = []
        while i < self.n:
            c = self.text[i]
            if c == "\\":
                if i + 1 >= self.n:
                    break
                escaped = self.text[i + 1]
                if escaped not in _ESCAPABLE:
                    raise _ParseError(
                        f"invalid escape '\\{escaped}' at offset {i} in string literal: "
                        "only \\', \\{, \\} and \\\\ are allowed"
                    )
                piece.append(escaped)
                i += 2
                continue
            if c == "'":
                self.pos = i + 1
                self._expect_argument_end(start)
                pieces.append("".join(piece))
                return Literal("{}".join(pieces), tuple(pieces))
            if c == "{" and self.text.startswith("}", i + 1):
                pieces.append("".join(piece))
                piece = []
                i += 2
                continue
            piece.append(c)
            i += 1
        raise _ParseError(f"unclosed string literal starting at offset {start}")

    def _path(self) -> PathArgument:
        """Take a path up to the ',' or ')' that ends the argument, then check it."""
        start = self.pos
        depth = 0
        i = start
        while i < self.n:
            c = self.text[i]
            if c in "'\"":
                j = skip_quoted(self.text, i)
                if j < 0:
                    i = self.n
                    break
                i = j
                continue
            if c in "[(":
                depth += 1
            elif c in "])":
                if depth == 0:
                    break
                depth -= 1
            elif c == "," and depth == 0:
                break
            i += 1
        path = self.text[start:i].rstrip()
        err = path_error(path) or _shorthand_error(path)
        if err is not None:
            raise _ParseError(f"invalid path argument {path!r} at offset {start}: {err}")
        self.pos = start + len(path)
        return PathArgument(parse_path(path))


def _shorthand_error(path: str) -> str | None:
    """Enforce AWS's extra rule for paths passed to intrinsics.

    The developer guide requires bracket notation inside intrinsic arguments
    for any field name with characters other than letters, digits and ``_``
    (``$.abc.['def ghi']``), even though the same dotted name is fine in a
    plain path field. *path* has already passed ``path_error``.
    """
    i = 0
    n = len(path)
    while i < n:
        c = path[i]
        if c in "[(":
            close, _ = match_close(path, i)
            if close < 0:  # pragma: no cover - path_error already balanced it
                return None
            i = close + 1
            continue
        if c == ".":
            m = _FIELD_NAME_RE.match(path, i + 1)
            if m is not None:
                name = m.group()
                is_function = m.end() < n and path[m.end()] == "("
                if not is_function and not all(ch.isalnum() or ch == "_" for ch in name):
                    return (
                        f"field {name!r} must use bracket notation inside an intrinsic "
                        f"function: ['{name}']"
                    )
                i = m.end()
                continue
        i += 1
    return None


def _unknown_name(name: str) -> str:
    message = f"unknown intrinsic function {name!r}"
    matches = difflib.get_close_matches(name, INTRINSICS, n=1, cutoff=0.6)
    if not matches:
        # Case slips ("states.format") score poorly against the mixed-case names.
        lowered = {known.lower(): known for known in INTRINSICS}
        hit = difflib.get_close_matches(name.lower(), lowered, n=1, cutoff=0.6)
        matches = [lowered[hit[0]]] if hit else []
    if matches:
        message += f"; did you mean {matches[0]!r}?"
    return message
