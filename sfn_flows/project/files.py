"""Read a state machine definition from a JSON or YAML file, with errors that point at it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from sfn_flows.errors import InputFileError
from sfn_flows.project.json_definition import DuplicateKey, JsonTooDeep, read_json
from sfn_flows.validate.size import MAX_DEFINITION_BYTES, NotJsonError, measure_json


class _PurePythonEvents(Reader, Scanner, Parser):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


try:  # libyaml's parser: three times faster than PyYAML's for the same file
    from yaml._yaml import CParser as _Events
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Events = _PurePythonEvents  # type: ignore[assignment,misc]

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedDefinition:
    path: Path
    definition: Any
    size: int  # bytes of the file
    duplicate_keys: tuple[DuplicateKey, ...] = ()
    source: Literal["json", "yaml"] = "json"
    json_bytes: int | None = None  # of its compact JSON, when measured here (YAML)


def load_definition(path: Path) -> LoadedDefinition:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a folder; give a .json or .yaml file.") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not UTF-8 text (byte {exc.start}).") from None
    if path.suffix.lower() in YAML_SUFFIXES:
        definition, json_bytes = _load_yaml(path, text)
        return LoadedDefinition(path, definition, len(raw), source="yaml", json_bytes=json_bytes)
    try:
        read = read_json(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}.") from None
    except JsonTooDeep as exc:
        raise InputFileError(
            f"{path}: JSON nested {exc.depth:,} levels deep (objects and arrays inside each "
            f"other); sfn-flows reads at most {exc.readable:,}. {_FLATTEN}"
        ) from None
    except ValueError as exc:  # e.g. an integer longer than Python converts (4,300 digits)
        raise InputFileError(f"{path}: invalid JSON: {exc}.") from None
    return LoadedDefinition(path, read.definition, len(raw), tuple(read.duplicate_keys))


_FLATTEN = (
    "Flatten it: move deeply nested data (Parameters, Result) into the execution input or "
    "S3, and nested Parallel or Map branches into state machines of their own."
)


class _JsonCompatibleLoader(_Events, Composer, SafeConstructor, Resolver):
    """SafeLoader without YAML's implicit timestamps: an unquoted `2026-01-31T12:00:00Z` in
    a Wait state must stay the string ASL expects, not become a Python datetime.

    Events come from libyaml, nodes from PyYAML's composer: libyaml's own composer recurses
    in C and crashes the interpreter (a segfault) on some 50,000 nested brackets, where
    PyYAML's raises RecursionError, which is reported as nesting too deep.

    Merge keys keep one pair per key. PyYAML copies every pair of every merged mapping, and
    merges of merges multiply: ten levels of `<<: [*m, *m, ...]` made 10**10 pairs from a few
    hundred bytes. The mapping built is the same: for a key given twice, it keeps the first
    position and the last value, as a dict does.
    """

    def __init__(self, stream: str) -> None:
        _Events.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    check_node = Composer.check_node
    get_node = Composer.get_node
    get_single_node = Composer.get_single_node

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        merges = any(key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value)
        super().flatten_mapping(node)
        if not merges:
            return
        pairs: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            # The key as the mapping will hold it (`1` and `true` are one key in Python);
            # built once, PyYAML reuses it when it builds the mapping.
            same: Any = (
                self.construct_object(key_node)
                if isinstance(key_node, yaml.ScalarNode)
                else ("node", id(key_node))
            )
            if same in pairs:
                pairs[same] = (pairs[same][0], value_node)
            else:
                pairs[same] = (key_node, value_node)
        node.value = list(pairs.values())


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(path: Path, text: str) -> tuple[Any, int | None]:
    """The definition, and its size as compact JSON (None: not JSON)."""
    definition = _parse_yaml(path, text)
    # PyYAML builds an anchored value once and shares it wherever an alias refers to it, so
    # loading is quick; written out as JSON (what AWS receives), a few hundred bytes of
    # aliases can be gigabytes. Measured without writing it out, and refused here, before
    # anything walks the copies.
    try:
        size, shared = measure_json(definition)
    except NotJsonError:
        return definition, None  # the validator says where (a value that contains itself...)
    if shared and size > MAX_DEFINITION_BYTES:
        raise InputFileError(
            f"{path}: YAML aliases expand this definition to {size:,} bytes of JSON, beyond "
            f"the {MAX_DEFINITION_BYTES:,} bytes Step Functions accepts. Write the repeated "
            "parts out where they are needed, or make them smaller."
        )
    return definition, size


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        loader = _JsonCompatibleLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if "nesting depth" in str(exc.problem):
            # libyaml 0.2.5 and later stop at a depth of their own (PyYAML >= 6.0.4 wheels):
            # the same refusal, in the same words, as the pure-Python parser's recursion limit.
            raise InputFileError(f"{path}: YAML nested too deeply to read. {_FLATTEN}") from None
        where = f"{mark.line + 1}:{mark.column + 1}:" if mark is not None else ""
        raise InputFileError(f"{path}:{where} invalid YAML: {exc.problem}.") from None
    except yaml.YAMLError as exc:
        raise InputFileError(f"{path}: invalid YAML: {exc}.") from None
    except RecursionError:
        raise InputFileError(f"{path}: YAML nested too deeply to read. {_FLATTEN}") from None
    except Exception as exc:
        # PyYAML's constructors raise plain Python errors for scalars they cannot build: a
        # timestamp such as 2001-13-45 (ValueError), `!!int ''` (IndexError), `!!bool ''`
        # (KeyError), `!!timestamp ''` (AttributeError), an int past 4,300 digits...
        raise InputFileError(f"{path}: invalid YAML value: {type(exc).__name__}: {exc}.") from None
