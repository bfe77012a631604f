"""How the ASL a generated module builds differs from the definition it was imported from.

Values compare as written JSON: 2 and 2.0 differ, and so does a `${Name}` the file held
without quotes (the build writes a string). Key order is a difference of its own kind: the
build writes each object's keys in sfn-flows' order (compare `json.dumps` of both), which
changes no meaning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from sfn_flows.asl.definition import ABSENT, Absent, Machine, TaskState
from sfn_flows.asl.pointers import escape_pointer_token, pointer_tokens

Kind = Literal["added", "removed", "changed", "order"]
# What a difference is, for the report: a timeout sfn-flows adds, key order, or a loss.
Category = Literal["machine-timeout", "task-timeout", "order", "inexact"]
_SHOWN: Final = 60


@dataclass(frozen=True)
class Difference:
    pointer: str
    kind: Kind
    source: Any = ABSENT
    built: Any = ABSENT

    def describe(self) -> str:
        where = self.pointer or "/"
        if self.kind == "added":
            text = f"{where}: added, {shown(self.built)}"
        elif self.kind == "removed":
            text = f"{where}: left out (the source has {shown(self.source)})"
        elif self.kind == "order":
            text = f"{where}: the same keys in sfn-flows' order"
        else:
            text = f"{where}: {shown(self.built)} where the source has {shown(self.source)}"
        why = self.why()
        return f"{text}: {why}" if why else text

    def why(self) -> str:
        """Why the model cannot write it as it is, for the differences it knows."""
        tokens = self.pointer.split("/")
        if self.pointer == "/Version":
            return "Workflow has no keyword for Version (AWS reads its absence as 1.0)"
        if self.kind == "removed" and tokens[-1] == "Catch" and self.source == []:
            return "an empty Catch catches nothing, and add_catch writes none"
        in_rule = len(tokens) > 3 and tokens[-3] in ("Choices", "Catch")
        if self.kind == "removed" and in_rule and self.source is None:
            return "when() and add_catch() read None as not given"
        if self.pointer == "/Comment" and self.source == "":
            return "Workflow writes no empty comment"
        if isinstance(self.source, str) and type(self.source) is not str:
            return (
                "the build writes JSON, where a placeholder is a string; CloudFormation "
                "substitutes the text of the file, so an unquoted one can stand for a number"
            )
        in_branch = len(tokens) > 3 and tokens[-3] == "Branches" and tokens[-2].isdigit()
        in_processor = len(tokens) > 2 and tokens[-2] in ("ItemProcessor", "Iterator")
        if self.kind == "removed" and (in_branch or in_processor):
            return "a branch or processor holds only its states (and a processor's config)"
        return ""


def shown(value: Any) -> str:
    """A value as JSON, cut short; a str subclass (an unquoted `${Name}`) as it was written."""
    if isinstance(value, Absent):
        return "nothing"
    if isinstance(value, str) and type(value) is not str:
        return str(value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def differences(source: Any, built: Any) -> list[Difference]:
    """Every difference, in document order; [] when the build writes the source again."""
    found: list[Difference] = []
    stack: list[tuple[str, Any, Any]] = [("", source, built)]
    while stack:
        at, left, right = stack.pop()
        nested: list[tuple[str, Any, Any]] = []
        if isinstance(left, Mapping) and isinstance(right, Mapping):
            for key, value in left.items():
                where = f"{at}/{escape_pointer_token(key)}"
                if key in right:
                    nested.append((where, value, right[key]))
                else:
                    found.append(Difference(where, "removed", source=value))
            found.extend(
                Difference(f"{at}/{escape_pointer_token(key)}", "added", built=value)
                for key, value in right.items()
                if key not in left
            )
            shared = [k for k in left if k in right]
            if shared != [k for k in right if k in left]:
                found.append(Difference(at, "order"))
        elif isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
            nested = [(f"{at}/{i}", a, b) for i, (a, b) in enumerate(zip(left, right, strict=True))]
        elif not _same(left, right):
            found.append(Difference(at, "changed", source=left, built=right))
        stack.extend(reversed(nested))
    return found


def _same(left: Any, right: Any) -> bool:
    return type(left) is type(right) and left == right


def category(difference: Difference, tasks: Iterable[str]) -> Category:
    """`tasks`: the pointers of the definition's Task states."""
    if difference.kind == "order":
        return "order"
    if difference.kind == "added" and difference.pointer == "/TimeoutSeconds":
        return "machine-timeout"
    at = difference.pointer.removesuffix("/TimeoutSeconds")
    if difference.kind == "added" and at != difference.pointer and at in tasks:
        return "task-timeout"
    return "inexact"


def task_pointers(machine: Machine) -> frozenset[str]:
    return frozenset(s.pointer for s in machine.iter_states() if isinstance(s, TaskState))


def owner(pointer: str, states: Mapping[str, str]) -> tuple[str, str | None] | None:
    """The state a pointer falls in (`states`: state pointer -> name) and the first key
    below it, or None for a pointer outside every state."""
    tokens = pointer.split("/")
    for end in range(len(tokens), 1, -1):
        prefix = "/".join(tokens[:end])
        if prefix in states:
            below = tokens[end:]
            return prefix, (pointer_tokens("/" + below[0])[0] if below else None)
    return None
