"""Python names for what a definition names: its states, its Lambda functions, the workflow
and the module's file. Each is a readable ASCII identifier, never a keyword or a builtin,
and unique in the module (a name that collides after sanitising gets `_2`, `_3`, ...)."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Iterable
from pathlib import PurePath
from typing import Final

# Long enough for a name to read as the state's, short enough to leave room on the line.
MAX_IDENTIFIER: Final = 40
# A workflow's name as Step Functions and the API take it: letters, digits, '-' and '_'.
MAX_WORKFLOW_NAME: Final = 80
_DEFINITION_SUFFIXES: Final = (".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml")
_AVOIDED: Final = frozenset(
    {*keyword.kwlist, *keyword.softkwlist, *(n for n in dir(builtins) if n.islower())}
)
_CAMEL: Final = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM: Final = re.compile(r"([A-Z]+)([A-Z][a-z])")
_NOT_WORD: Final = re.compile(r"[^a-z0-9]+")
_NOT_NAME: Final = re.compile(r"[^A-Za-z0-9_-]+")


def snake_case(text: str) -> str:
    """`ReserveAndCharge` -> `reserve_and_charge`, `HTTPCall 2` -> `http_call_2`; accents are
    dropped (`Café` -> `cafe`), other letters outside ASCII are left out."""
    words = _ACRONYM.sub(r"\1_\2", _CAMEL.sub(r"\1_\2", ascii_words(text)))
    return _NOT_WORD.sub("_", words.lower()).strip("_")


def ascii_words(text: str) -> str:
    """`text` in ASCII: accents dropped, any other character a word break."""
    return "".join(
        char if char.isascii() else "" if unicodedata.combining(char) else " "
        for char in unicodedata.normalize("NFKD", text)
    )


def _shortened(name: str) -> str:
    if len(name) <= MAX_IDENTIFIER:
        return name
    cut = name[:MAX_IDENTIFIER]
    # At a word's end when one is near, so the name does not stop mid-word.
    boundary = cut.rfind("_")
    return (cut[:boundary] if boundary >= MAX_IDENTIFIER // 2 else cut).rstrip("_")


class Namer:
    """Hands out unique identifiers; `reserved` are names the module uses already."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: set[str] = set(reserved)

    def reserve(self, name: str) -> None:
        self._taken.add(name)

    def name(self, text: str, *, fallback: str = "state", suffix: str = "") -> str:
        base = _shortened(snake_case(text)) or fallback
        if base[0].isdigit():
            base = f"{fallback}_{base}"
        base += suffix
        # `class_`, as PEP 8 writes a keyword; a second one is `class_2`.
        candidate, count = (base + "_" if base in _AVOIDED else base), 1
        while candidate in self._taken:
            count += 1
            candidate = f"{base}_{count}"
        self._taken.add(candidate)
        return candidate


def definition_stem(path: PurePath | str) -> str:
    """The file's name without its definition suffix: `orders.asl.json` -> `orders`."""
    name = PurePath(path).name
    for suffix in _DEFINITION_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def module_name(stem: str) -> str:
    """A module name for `workflows/`: one that discovery imports (no leading `_`)."""
    return Namer().name(stem, fallback="workflow")


def workflow_name(stem: str) -> str:
    """A workflow name Step Functions accepts, as close to `stem` as it allows."""
    name = _NOT_NAME.sub("-", ascii_words(stem)).strip("-_")[:MAX_WORKFLOW_NAME].rstrip("-_")
    return name or "imported"


def lambda_handler(function_name: str) -> str:
    """The handler a Lambda function is guessed to have: `ProcessData` ->
    `process_data.handler` (the definition names the function, never its code)."""
    module = snake_case(function_name) or "handler"
    if module[0].isdigit() or keyword.iskeyword(module):
        module = f"fn_{module}"
    return f"{module}.handler"
