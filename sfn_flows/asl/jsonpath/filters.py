"""Reading filter bodies (``[?(@.price < 10 && @.tags.length() > 1)]``) and the literal
arguments of a trailing function."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sfn_flows.asl.jsonpath.lexical import VARIABLE_RE, number_value, skip_quoted
from sfn_flows.asl.jsonpath.parser import PathSyntaxError, Scanner, parse_path
from sfn_flows.asl.jsonpath.tree import Comparison, FilterExpr, JsonPath, Logical, Not, Operand


class FilterSyntaxError(ValueError):
    """A filter expression (``[?(...)]``) this dialect cannot read."""


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
            scanner = Scanner(text, False, start=1, relative=True)
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
            m = VARIABLE_RE.match(self.text, end)
            end = m.end() if m else end
        scanner = Scanner(self.text, False, start=end, relative=True)
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
