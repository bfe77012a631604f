"""Pydantic's `pattern` (matched with Rust's regex crate) rewritten for Python's `re`.

Where the two read the same text differently, the rewrite keeps Rust's meaning:
- `$` outside multiline mode is the very end (Python's also matches before a final "\\n");
  `\\z` (Rust's end of text, unknown to Python 3.11) becomes `\\Z`.
- `\\s`/`\\S` follow Unicode White_Space (Python's also counts \\x1c-\\x1f as space).
- `\\w`, `\\W`, `\\b`, `\\B` follow Rust's word characters: letters, marks, decimal digits,
  connector punctuation and joiners, not other numbers such as "²" (Python's: str.isalnum()).
- `\\pL`, `\\p{Lu}`, `\\P{N}`: Unicode general categories (scripts are not supported).
- a flag group in mid-pattern, `a(?i)b`, scopes to the rest of its group, as in Rust.
Syntax with no rewrite here (nested classes, class set operations, the U and R flags)
raises ValueError, which the schema check reports as an unusable schema. Pydantic refuses
lookaround and backreferences in its patterns, so they are kept as written (they appear
only in patterns pydantic emits for other types, e.g. Decimal).

Unicode tables come from `unicodedata` on first use of a class that needs them, so only
schemas with such patterns pay for building them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from itertools import chain

# Unicode White_Space, as Rust's \s.
_SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Rust's \w beyond letters, marks, digits and connectors: joiners and the Other_Alphabetic
# symbols (circled and squared letters).
_WORD_EXTRA = (
    r"\u200c\u200d\u24b6-\u24e9\U0001f130-\U0001f149\U0001f150-\U0001f169\U0001f170-\U0001f189"
)
# Where letters' marks, other numbers and connectors are: the assigned planes, and the
# variation selectors of plane 14.
_WORD_PLANES = (range(0x32400), range(0xE0100, 0xE01F0))
_FLAG_GROUP = re.compile(r"\(\?([A-Za-z-]*)([:)])")
_CATEGORY = re.compile(r"\{\^?([A-Za-z_ ]+)\}|([A-Za-z])")


def python_pattern(source: str) -> str:
    return _Rewrite(source).run()


class _Rewrite:
    def __init__(self, source: str) -> None:
        self.source = source
        self.out: list[str] = []
        self.multiline = [False]  # per open group
        self.closers = [0]  # scoped flag groups to close with each open group

    def run(self) -> str:
        source, i = self.source, 0
        while i < len(source):
            char = source[i]
            if char == "\\":
                i = self.escape(i, in_class=False)
            elif char == "[":
                i = self.char_class(i)
            elif char == "(":
                i = self.group(i)
            elif char == ")":
                if len(self.closers) == 1:
                    raise ValueError("unbalanced parenthesis")
                self.out.append(")" * self.closers.pop() + ")")
                self.multiline.pop()
                i += 1
            elif char == "$":
                self.out.append("$" if self.multiline[-1] else r"\Z")
                i += 1
            else:
                self.out.append(char)
                i += 1
        return "".join(self.out) + ")" * self.closers[0]

    def group(self, i: int) -> int:
        flags = _FLAG_GROUP.match(self.source, i)
        multiline = self.multiline[-1]
        if flags is None:
            self.multiline.append(multiline)
            self.closers.append(0)
            self.out.append("(")
            return i + 1
        letters, end = flags.groups()
        on, _, off = letters.partition("-")
        if set(letters) - set("imsxu-") or "-" in off:
            raise ValueError(f"flags {letters!r} have no Python equivalent")
        multiline = True if "m" in on else False if "m" in off else multiline
        python = on.replace("u", "") + (f"-{off.replace('u', '')}" if off.strip("u") else "")
        if "u" in off:
            python = "a" + python  # Rust's (?-u): ASCII classes
        self.out.append(f"(?{python}:" if python else "(?:")
        if end == ":":
            self.multiline.append(multiline)
            self.closers.append(0)
        else:
            # (?i) applies to the rest of the enclosing group: a scoped group closed with it.
            self.multiline[-1] = multiline
            self.closers[-1] += 1
        return flags.end()

    def char_class(self, i: int) -> int:
        source, parts = self.source, ["["]
        i += 1
        negated = source.startswith("^", i)
        if negated:
            parts.append("^")
            i += 1
        if source.startswith("]", i):
            parts.append(r"\]")
            i += 1
        words = False
        while i < len(source) and source[i] != "]":
            if source[i] == "[":
                raise ValueError("nested character classes ('[' inside '[...]') are not supported")
            if source.startswith(("&&", "--", "~~"), i):
                raise ValueError("character class set operations are not supported")
            if source[i] == "\\":
                if source[i + 1 : i + 2] == "W":
                    raise ValueError("\\W inside a character class is not supported")
                words = words or source[i + 1 : i + 2] == "w"
                mark = len(self.out)
                i = self.escape(i, in_class=True)
                parts.extend(self.out[mark:])
                del self.out[mark:]
            else:
                parts.append(source[i])
                i += 1
        if i >= len(source):
            raise ValueError("unterminated character class")
        parts.append("]")
        text = "".join(parts)
        if words:
            # Python's \w in a class: take out what Rust's lacks, add what it has besides.
            extra = _word_extra()
            text = (
                f"(?:(?![{extra}])(?:{text}|[{_other_numbers()}]))"
                if negated
                else f"(?:(?![{_other_numbers()}]){text}|[{extra}])"
            )
        self.out.append(text)
        return i + 1

    def escape(self, i: int, *, in_class: bool) -> int:
        source = self.source
        if i + 1 >= len(source):
            raise ValueError("the pattern ends with a backslash")
        kind = source[i + 1]
        out = self.out
        if kind == "z":
            out.append(r"\Z")
        elif kind == "s":
            out.append(_SPACE if in_class else f"[{_SPACE}]")
        elif kind == "S":
            out.append(r"\S\x1c-\x1f" if in_class else r"[\S\x1c-\x1f]")
        elif kind in "wW" and not in_class:
            out.append(_word() if kind == "w" else _not_word())
        elif kind in "bB" and not in_class:
            word = _word()
            boundary = f"(?:(?<={word})(?!{word})|(?<!{word})(?={word}))"
            out.append(boundary if kind == "b" else f"(?!{boundary})")
        elif kind in "pP":
            found = _CATEGORY.match(source, i + 2)
            if found is None:
                raise ValueError(f"\\{kind} needs a Unicode class name, e.g. \\p{{L}}")
            name = (found.group(1) or found.group(2)).replace(" ", "")
            negated = (kind == "P") != source[i + 2 : i + 4].startswith("{^")
            ranges = _category_ranges(name)
            if in_class:
                if negated:
                    raise ValueError("\\P{...} inside a character class is not supported")
                out.append(ranges)
            else:
                out.append(f"[{'^' if negated else ''}{ranges}]")
            return found.end()
        else:
            out.append(source[i : i + 2])
        return i + 2


def _word() -> str:
    return f"(?:(?![{_other_numbers()}])\\w|[{_word_extra()}])"


def _not_word() -> str:
    return f"(?:(?![{_word_extra()}])(?:\\W|[{_other_numbers()}]))"


@cache
def _other_numbers() -> str:
    """Characters in Python's \\w that Rust's lacks: numbers that are not decimal digits
    (No), except the few that are alphabetic."""
    return _ranges(lambda cat: cat == "No", _WORD_PLANES)


@cache
def _word_extra() -> str:
    """Characters in Rust's \\w that Python's lacks: marks and connector punctuation."""
    return _ranges(lambda cat: cat[0] == "M" or cat == "Pc", _WORD_PLANES) + _WORD_EXTRA


@cache
def _category_ranges(name: str) -> str:
    if not (len(name) in (1, 2) and name[0] in "LMNPSZC" and name.isalpha()):
        raise ValueError(f"Unicode class {name!r} is not supported (general categories are)")
    every = (range(0xD800), range(0xE000, 0x110000))  # others (C) fill all of Unicode
    return _ranges(lambda cat: cat.startswith(name), every if name[0] == "C" else _WORD_PLANES)


def _ranges(keep: Callable[[str], bool], planes: tuple[range, ...]) -> str:
    """The code points whose general category `keep` accepts, as a class's ranges."""
    import unicodedata

    pieces: list[str] = []
    start = previous = -2
    for code in chain(*planes):
        if keep(unicodedata.category(chr(code))):
            if code != previous + 1:
                if start >= 0:
                    pieces.append(_span(start, previous))
                start = code
            previous = code
    if start >= 0:
        pieces.append(_span(start, previous))
    return "".join(pieces)


def _span(start: int, end: int) -> str:
    first = f"\\U{start:08x}"
    return first if start == end else f"{first}-\\U{end:08x}"
