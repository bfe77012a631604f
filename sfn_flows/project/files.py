"""Read a state machine definition from a JSON or YAML file, with errors that point at it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sfn_flows.errors import InputFileError

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedDefinition:
    path: Path
    definition: Any
    size: int
    duplicate_keys: tuple[str, ...] = field(default=())


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
    duplicates: list[str] = []
    if path.suffix.lower() in YAML_SUFFIXES:
        definition = _load_yaml(path, text)
    else:
        definition = _load_json(path, text, duplicates)
    return LoadedDefinition(path, definition, len(raw), tuple(duplicates))


def _not_json(constant: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (and AWS) do not.
    raise ValueError(f"{constant} is not a JSON value; write a number or a string")


def _load_json(path: Path, text: str, duplicates: list[str]) -> Any:
    def keep_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    try:
        return json.loads(text, object_pairs_hook=keep_pairs, parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}.") from None
    except RecursionError:
        raise InputFileError(f"{path}: JSON nested too deeply to read.") from None
    except ValueError as exc:  # e.g. an integer longer than Python converts (4,300 digits)
        raise InputFileError(f"{path}: invalid JSON: {exc}.") from None


class _JsonCompatibleLoader(yaml.SafeLoader):
    """SafeLoader without YAML's implicit timestamps: an unquoted `2026-01-31T12:00:00Z` in
    a Wait state must stay the string ASL expects, not become a Python datetime."""


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(path: Path, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_JsonCompatibleLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{mark.line + 1}:{mark.column + 1}:" if mark is not None else ""
        raise InputFileError(f"{path}:{where} invalid YAML: {exc.problem}.") from None
    except yaml.YAMLError as exc:
        raise InputFileError(f"{path}: invalid YAML: {exc}.") from None
    except RecursionError:
        raise InputFileError(f"{path}: YAML nested too deeply to read.") from None
    except Exception as exc:
        # PyYAML's constructors raise plain Python errors for scalars they cannot build: a
        # timestamp such as 2001-13-45 (ValueError), `!!int ''` (IndexError), `!!bool ''`
        # (KeyError), `!!timestamp ''` (AttributeError), an int past 4,300 digits...
        raise InputFileError(f"{path}: invalid YAML value: {type(exc).__name__}: {exc}.") from None
