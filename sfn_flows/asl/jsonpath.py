"""The JSONPath dialect of Amazon States Language: syntax check and parse tree.

Step Functions evaluates paths with Jayway's JSONPath engine and rejects a definition whose
paths do not parse, so catching a malformed path before deployment saves a failed
``CreateStateMachine``/``UpdateStateMachine`` round trip; the engine evaluates the same
trees. Two entry points:

* `path_error(expr, reference=...)` says why a path is not one AWS accepts, or returns
  ``None``. It is liberal for ordinary paths (AWS accepts filters, slices, unions, scripts
  and trailing functions, and we would rather miss a runtime-only problem than reject a
  definition AWS deploys) and strict for reference paths, where AWS only allows
  expressions that name exactly one node. Nearly every path is a plain ``$.a.b[0]``,
  accepted by one precompiled regex; results are memoised because the validator visits
  every field of every state. It never raises.
* `parse_path(expr)` returns the tree (`JsonPath`): its root (``$`` input, ``$$`` context,
  ``$name`` variable), its segments, and an optional trailing function. Memoised too; a
  malformed path raises `PathSyntaxError` with the same message `path_error` gives.

Filter bodies (``[?(...)]``) are kept as text by the path parser, as the syntax check
always did, and parsed on first use by `parse_filter`: a filter AWS accepts but this
dialect cannot read fails when it runs, never at validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

__all__ = [
    "Comparison",
    "Descent",
    "Field",
    "Filter",
    "FilterExpr",
    "FilterSyntaxError",
    "Function",
    "Index",
    "JsonPath",
    "Logical",
    "Not",
    "Operand",
    "PathSyntaxError",
    "Script",
    "Segment",
    "Slice",
    "Wildcard",
    "function_arguments",
    "number_value",
    "parse_filter",
    "parse_path",
    "path_error",
]

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
# Inside a filter a name also ends at an operator: ``@.a==1`` compares ``a``.
_FILTER_NAME_RE = re.compile(rf"[^{_NAME_STOP}=<>!&|~]+")
_VARIABLE_RE = re.compile(r"[^\W\d]\w*")
_INT_RE = re.compile(r"-?\d+\Z")
_INT_UNION_RE = re.compile(r"-?\d+(?:\s*,\s*-?\d+)+\Z")
_SLICE_RE = re.compile(r"(?:-?\d+)?\s*:\s*(?:-?\d+)?(?:\s*:\s*(?:-?\d+)?)?\Z")

_REFERENCE_ONLY = (
    "a reference path may not contain wildcards, filters, slices, unions, functions or '..'"
)


class PathSyntaxError(ValueError):
    """A path AWS would not accept; the message is `path_error`'s."""


class FilterSyntaxError(ValueError):
    """A filter expression (``[?(...)]``) this dialect cannot read."""


# --------------------------------------------------------------------------------------
# The tree


@dataclass(frozen=True, slots=True)
class Field:
    """``.name``, ``['name']``, or the union ``['a','b']``."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Index:
    """``[0]``, ``[-1]``, or the union ``[0,2]``."""

    indexes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Slice:
    """``[start:stop:step]``; any part may be missing."""

    start: int | None
    stop: int | None
    step: int | None


@dataclass(frozen=True, slots=True)
class Wildcard:
    """``.*`` or ``[*]``: every member of an object or array."""


@dataclass(frozen=True, slots=True)
class Filter:
    """``[?(...)]``; `expression` is the text between the parentheses."""

    expression: str

    @property
    def tree(self) -> FilterExpr:
        return parse_filter(self.expression)


@dataclass(frozen=True, slots=True)
class Script:
    """``[(...)]``, an index computed from the array (``(@.length-1)``)."""

    expression: str


@dataclass(frozen=True, slots=True)
class Descent:
    """``..`` followed by what it looks for at every depth."""

    selector: Field | Index | Slice | Wildcard | Filter | Script


Segment = Field | Index | Slice | Wildcard | Filter | Script | Descent


@dataclass(frozen=True, slots=True)
class Function:
    """A trailing ``.length()``, ``.sum()``...; `arguments` is the raw text between the
    parentheses (``concat('x')`` and ``append(1)`` take some)."""

    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class JsonPath:
    """One parsed path. `root` says what ``$`` stands for; `variable` names the variable
    of a ``$name`` root.

    Computed once: `definite` (selects at most one node, so Jayway returns the value
    itself rather than a list), `is_reference` (only single names and indexes after the
    root: ResultPath, Choice Variable), and `keys`, the names and indexes of a reference
    path without a function (``None`` otherwise), which evaluation walks directly.
    """

    text: str
    root: Literal["input", "context", "variable"]
    variable: str | None
    segments: tuple[Segment, ...]
    function: Function | None = None
    definite: bool = field(init=False, compare=False)
    is_reference: bool = field(init=False, compare=False)
    keys: tuple[str | int, ...] | None = field(init=False, compare=False)

    def __post_init__(self) -> None:
        keys: list[str | int] = []
        definite = True
        last = len(self.segments) - 1
        for position, segment in enumerate(self.segments):
            if isinstance(segment, Field) and len(segment.names) == 1:
                keys.append(segment.names[0])
            elif isinstance(segment, Index) and len(segment.indexes) == 1:
                keys.append(segment.indexes[0])
            # Jayway merges a union of names at the end into one object.
            elif not (
                isinstance(segment, Script) or (isinstance(segment, Field) and position == last)
            ):
                definite = False
        reference = self.function is None and len(keys) == len(self.segments)
        # Frozen: the computed fields are set once, here.
        object.__setattr__(self, "definite", definite)
        object.__setattr__(self, "is_reference", reference)
        object.__setattr__(self, "keys", tuple(keys) if reference else None)

    def jayway(self, upto: int | None = None) -> str:
        """The path as Jayway prints it in its messages (``$['a'][0]``), optionally only
        its first `upto` segments; the root is always ``$``."""
        return "$" + "".join(_jayway_fragment(s) for s in self.segments[:upto])


def _jayway_fragment(segment: Segment) -> str:
    if isinstance(segment, Field):
        return "[" + ",".join(f"'{name}'" for name in segment.names) + "]"
    if isinstance(segment, Index):
        return "[" + ",".join(str(i) for i in segment.indexes) + "]"
    if isinstance(segment, Slice):
        start = "" if segment.start is None else str(segment.start)
        stop = "" if segment.stop is None else str(segment.stop)
        return f"[{start}:{stop}]"
    if isinstance(segment, Wildcard):
        return "[*]"
    if isinstance(segment, Filter):
        return "[?]"
    if isinstance(segment, Script):
        return f"[({segment.expression})]"
    return ".." + _jayway_fragment(segment.selector)


# --------------------------------------------------------------------------------------
# Entry points


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
    result = _Scanner(expr, reference).run()
    return result if isinstance(result, str) else None


@lru_cache(maxsize=8192)
def parse_path(expr: str) -> JsonPath:
    """The tree of a path AWS accepts; `PathSyntaxError` (with `path_error`'s message)
    for one it does not."""
    trimmed = expr.strip(" ")
    result = _Scanner(trimmed, False).run()
    if isinstance(result, str):
        raise PathSyntaxError(result)
    return result


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


def _unquote(quoted: str) -> str:
    """The name inside ``'...'``: AWS reads a backslash as escaping only the quote itself
    (``$['Test\\""Name"']`` names the key ``Test\\""Name"``, recorded on AWS)."""
    quote = quoted[0]
    return quoted[1:-1].replace("\\" + quote, quote)


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


def _quoted_names(inner: str, offset: int) -> tuple[list[str], str | None]:
    """Read ``'a'`` or ``'a', "b"``; return (names, error)."""
    i = 0
    n = len(inner)
    names: list[str] = []
    while True:
        while i < n and inner[i].isspace():
            i += 1
        if i >= n or inner[i] not in "'\"":
            return names, f"expected a quoted name at offset {offset + i}"
        j = skip_quoted(inner, i)
        if j < 0:
            return names, f"unclosed string starting at offset {offset + i}"
        names.append(_unquote(inner[i:j]))
        i = j
        while i < n and inner[i].isspace():
            i += 1
        if i >= n:
            return names, None
        if inner[i] != ",":
            return names, f"unexpected {inner[i]!r} at offset {offset + i} in bracket"
        i += 1


_Step = tuple[int, Segment | Function]


class _Scanner:
    """Left-to-right walk over one path; ``run`` returns the tree or the first problem.

    In a filter (`relative`), it reads the segments of ``@.a.b`` from `start` up to the
    first character that cannot continue a path, and `end` tells where that was.
    """

    def __init__(self, expr: str, reference: bool, *, start: int = 0, relative: bool = False):
        self.expr = expr
        self.reference = reference
        self.n = len(expr)
        self.start = start
        self.relative = relative
        self.end = start
        self.name_re = _FILTER_NAME_RE if relative else NAME_RE

    def run(self) -> JsonPath | str:
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
        if i == 2 and expr.startswith("$$"):
            root: Literal["input", "context", "variable"] = "context"
            variable = None
        elif i > 1:
            root, variable = "variable", expr[1:i]
        else:
            root, variable = "input", None
        walked = self.segments(i)
        if isinstance(walked, str):
            return walked
        segments, function = walked
        return JsonPath(expr, root, variable, segments, function)

    def segments(self, i: int) -> tuple[tuple[Segment, ...], Function | None] | str:
        """The segments from *i* on, and a trailing function."""
        segments: list[Segment] = []
        function: Function | None = None
        while i < self.n:
            if self.relative and self.expr[i] not in ".[":
                break
            step = self._segment(i)
            if isinstance(step, str):
                return step
            i, segment = step
            if isinstance(segment, Function):
                function = segment
                if i < self.n and not self.relative:
                    return f"nothing may follow a function call (offset {i})"
                break
            segments.append(segment)
        self.end = i
        return tuple(segments), function

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

    def _segment(self, i: int) -> _Step | str:
        """Consume one segment starting at *i*; return (next index, segment)."""
        expr = self.expr
        c = expr[i]
        if c == "[":
            return self._bracket(i)
        if c != ".":
            return f"unexpected {c!r} at offset {i}: expected '.' or '['"
        start = i
        descent = expr.startswith("..", i)
        if descent:
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
            step = self._bracket(i)
            if isinstance(step, str) or not descent:
                return step
            return _descend(step)
        if c == "*":
            if self.reference:
                return self._reference_error("'*'", i)
            return _descend((i + 1, Wildcard())) if descent else (i + 1, Wildcard())
        m = self.name_re.match(expr, i)
        if m is None:
            return f"expected a field name at offset {i}, got {c!r}"
        i = m.end()
        if i < self.n and expr[i] == "(":
            if self.reference:
                return self._reference_error(f"function '{m.group()}()'", m.start())
            close, err = match_close(expr, i)
            if err is not None:
                return err
            return close + 1, Function(m.group(), expr[i + 1 : close].strip())
        name = Field((m.group(),))
        return _descend((i, name)) if descent else (i, name)

    def _bracket(self, i: int) -> _Step | str:
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
            return close + 1, Index((_integer(body),))
        if body[0] in "'\"":
            names, qerr = _quoted_names(body, offset)
            if qerr is not None:
                return qerr
            if len(names) > 1 and self.reference:
                return self._reference_error(shown, i)
            return close + 1, Field(tuple(names))
        if self.reference:
            return self._reference_error(shown, i)
        if body == "*":
            return close + 1, Wildcard()
        if _INT_UNION_RE.match(body):
            return close + 1, Index(tuple(_integer(part) for part in body.split(",")))
        if _SLICE_RE.match(body):
            parts = [part.strip() for part in body.split(":")]
            numbers = [_integer(part) if part else None for part in parts] + [None]
            return close + 1, Slice(numbers[0], numbers[1], numbers[2])
        if body[0] == "?":
            rest = body[1:].lstrip()
            if not rest.startswith("("):
                return f"a filter must look like [?(...)] (offset {i})"
            inside, problem = self._parenthesised(rest, offset + len(body) - len(rest), i)
            return problem if problem is not None else (close + 1, Filter(inside))
        if body[0] == "(":
            inside, problem = self._parenthesised(body, offset, i)
            return problem if problem is not None else (close + 1, Script(inside))
        return f"invalid bracket expression {shown} at offset {i}"

    def _parenthesised(self, text: str, offset: int, bracket: int) -> tuple[str, str | None]:
        """Check ``(...)`` spans all of *text* and is not empty; return what is inside
        and the problem, if any."""
        end, err = match_close(text, 0)
        if err is not None:
            return "", err
        if text[end + 1 :].strip():
            return "", f"unexpected text after ')' at offset {offset + end + 1}"
        inside = text[1:end].strip()
        if not inside:
            return "", f"empty expression in brackets at offset {bracket}"
        return inside, None


# Longer than any Java long: Python's int() refuses past 4300 digits, and an index or a
# number this long cannot mean anything else to AWS anyway.
_MAX_DIGITS = 19
_BEYOND = 2**63


def _integer(text: str) -> int:
    """An index as written; one too long for a Java long selects nothing, like its clamp."""
    text = text.strip()
    if len(text.lstrip("-")) > _MAX_DIGITS:
        return -_BEYOND if text.startswith("-") else _BEYOND
    return int(text)


def number_value(text: str) -> int | float:
    """A JSON number literal: an int without fraction or exponent, else a float."""
    if text.lstrip("-").isdigit():
        return _integer(text)
    return float(text)


def _descend(step: _Step) -> _Step:
    end, selector = step
    assert not isinstance(selector, Descent | Function)
    return end, Descent(selector)


def _preview(text: str, limit: int = 40) -> str:
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return repr(shown)


# --------------------------------------------------------------------------------------
# Filter expressions: ``[?(@.price < 10 && @.tags.length() > 1)]``


@dataclass(frozen=True, slots=True)
class Operand:
    """A value in a filter: a literal (`path` None) or a path (``@``-relative or
    ``$``-rooted, `relative` says which)."""

    value: Any = None
    path: JsonPath | None = None
    relative: bool = False
    regex: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    """``left op right``; ``op`` is ``exists`` for a lone path."""

    left: Operand
    op: str
    right: Operand | None


@dataclass(frozen=True, slots=True)
class Not:
    operand: FilterExpr


@dataclass(frozen=True, slots=True)
class Logical:
    op: Literal["&&", "||"]
    operands: tuple[FilterExpr, ...]


FilterExpr = Comparison | Not | Logical

# Longest first, so ``<=`` is not read as ``<``.
_SYMBOL_OPS = ("==", "!=", "<=", ">=", "=~", "<", ">")
_WORD_OPS = ("subsetof", "anyof", "noneof", "contains", "empty", "size", "nin", "in")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_CONSTANTS: dict[str, bool | None] = {"true": True, "false": False, "null": None}
_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
# Nesting of parentheses and ``!`` in one filter: far above real paths, far below
# Python's recursion limit.
_MAX_FILTER_DEPTH = 50


@lru_cache(maxsize=1024)
def parse_filter(text: str) -> FilterExpr:
    """The tree of a filter body (the text inside ``[?(...)]``)."""
    parser = _FilterParser(text)
    expr = parser.disjunction(0)
    parser.skip()
    if parser.i < parser.n:
        raise parser.fail(f"unexpected {text[parser.i : parser.i + 10]!r}")
    return expr


class _FilterParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.n = len(text)

    def fail(self, what: str) -> FilterSyntaxError:
        return FilterSyntaxError(f"{what} at offset {self.i} of the filter {self.text!r}")

    def skip(self) -> None:
        while self.i < self.n and self.text[self.i].isspace():
            self.i += 1

    def take(self, token: str) -> bool:
        self.skip()
        if self.text.startswith(token, self.i):
            self.i += len(token)
            return True
        return False

    def disjunction(self, depth: int) -> FilterExpr:
        operands = [self.conjunction(depth)]
        while self.take("||"):
            operands.append(self.conjunction(depth))
        return operands[0] if len(operands) == 1 else Logical("||", tuple(operands))

    def conjunction(self, depth: int) -> FilterExpr:
        operands = [self.unary(depth)]
        while self.take("&&"):
            operands.append(self.unary(depth))
        return operands[0] if len(operands) == 1 else Logical("&&", tuple(operands))

    def unary(self, depth: int) -> FilterExpr:
        if depth > _MAX_FILTER_DEPTH:
            raise self.fail("the filter is nested too deeply")
        self.skip()
        if self.text.startswith("!", self.i) and not self.text.startswith("!=", self.i):
            self.i += 1
            return Not(self.unary(depth + 1))
        if self.take("("):
            inner = self.disjunction(depth + 1)
            if not self.take(")"):
                raise self.fail("expected ')'")
            return inner
        left = self.operand()
        op = self.operator()
        if op is None:
            if left.path is None:
                raise self.fail("expected a comparison")
            return Comparison(left, "exists", None)
        return Comparison(left, op, self.operand())

    def operator(self) -> str | None:
        self.skip()
        for op in _SYMBOL_OPS:
            if self.text.startswith(op, self.i):
                self.i += len(op)
                return op
        for op in _WORD_OPS:
            end = self.i + len(op)
            if self.text.startswith(op, self.i) and (end >= self.n or not self.text[end].isalnum()):
                self.i = end
                return op
        return None

    def operand(self) -> Operand:
        self.skip()
        if self.i >= self.n:
            raise self.fail("expected a value")
        c = self.text[self.i]
        if c in "@$":
            return self.path(relative=c == "@")
        if c == "/":
            return self.regex()
        return Operand(self.literal())

    def path(self, *, relative: bool) -> Operand:
        start = self.i
        if relative:
            # ``@`` plays the root: read it as ``$`` and the segments after it.
            text = "$" + self.text[start + 1 :]
            scanner = _Scanner(text, False, start=1, relative=True)
            walked = scanner.segments(1)
            if isinstance(walked, str):
                raise self.fail(walked)
            segments, function = walked
            self.i = start + scanner.end
            parsed = JsonPath(self.text[start : self.i], "input", None, segments, function)
            return Operand(path=parsed, relative=True)
        end = start + 1
        if self.text.startswith("$$", start):
            end += 1
        else:
            m = _VARIABLE_RE.match(self.text, end)
            end = m.end() if m else end
        scanner = _Scanner(self.text, False, start=end, relative=True)
        walked = scanner.segments(end)
        if isinstance(walked, str):
            raise self.fail(walked)
        self.i = scanner.end
        try:
            return Operand(path=parse_path(self.text[start : self.i]))
        except PathSyntaxError as exc:
            raise self.fail(str(exc)) from None

    def regex(self) -> Operand:
        i = self.i + 1
        pattern: list[str] = []
        while i < self.n and self.text[i] != "/":
            if self.text[i] == "\\" and i + 1 < self.n and self.text[i + 1] == "/":
                pattern.append("/")
                i += 2
                continue
            pattern.append(self.text[i])
            i += 1
        if i >= self.n:
            raise self.fail("unclosed regular expression")
        i += 1
        flags = 0
        while i < self.n and self.text[i] in _REGEX_FLAGS:
            flags |= _REGEX_FLAGS[self.text[i]]
            i += 1
        self.i = i
        try:
            return Operand(regex=re.compile("".join(pattern), flags))
        except re.error as exc:
            raise self.fail(f"invalid regular expression ({exc})") from None

    def literal(self) -> Any:
        self.skip()
        text = self.text
        if self.i >= self.n:
            raise self.fail("expected a value")
        c = text[self.i]
        if c in "'\"":
            end = skip_quoted(text, self.i)
            if end < 0:
                raise self.fail("unclosed string")
            value = _unescape_filter_string(text[self.i + 1 : end - 1])
            self.i = end
            return value
        if c == "[":
            self.i += 1
            items: list[Any] = []
            if self.take("]"):
                return items
            while True:
                items.append(self.literal())
                if self.take("]"):
                    return items
                if not self.take(","):
                    raise self.fail("expected ',' or ']'")
        m = _NUMBER.match(text, self.i)
        if m is not None:
            self.i = m.end()
            number = m.group()
            return number_value(number)
        for word, constant in _CONSTANTS.items():
            if text.startswith(word, self.i):
                self.i += len(word)
                return constant
        raise self.fail("expected a value")


@lru_cache(maxsize=256)
def function_arguments(text: str) -> tuple[Any, ...]:
    """The literal arguments of a trailing function (``concat('a', 1)``)."""
    parser = _FilterParser(text)
    values: list[Any] = []
    parser.skip()
    while parser.i < parser.n:
        values.append(parser.literal())
        if parser.take(","):
            continue
        parser.skip()
        if parser.i < parser.n:
            raise parser.fail("expected ','")
    return tuple(values)


def _unescape_filter_string(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(body[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)
