"""The one walker over the raw JSON of a definition: scopes (the machine, each Parallel
branch, each Map processor), their states, and each state's transitions.

It takes any JSON and never raises: a part that does not have the shape ASL gives it is
passed over (or, for transitions, returned as unreadable), so the validator can report on
it and the analyses can say what they could not read. Code that runs only after the
validator accepted a definition can use the typed form (`asl.definition`) instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sfn_flows.asl.fields import BRANCH_FIELDS, PROCESSOR_FIELDS
from sfn_flows.asl.pointers import escape_pointer_token, pointer

PROCESSOR_KEYS = ("ItemProcessor", "Iterator")


@dataclass(frozen=True, slots=True)
class NestedScope:
    """A scope inside a state: where it sits in the state, its JSON, the fields it allows."""

    tokens: tuple[str | int, ...]
    value: Any
    allowed: frozenset[str]


def nested_scopes(state: Any) -> list[NestedScope]:
    """The scopes a state holds, in document order: each item of a Parallel's Branches, a
    Map's ItemProcessor and its legacy Iterator (both, on a Map that has both)."""
    if not isinstance(state, Mapping):
        return []
    kind = state.get("Type")
    if kind == "Parallel":
        branches = state.get("Branches")
        if isinstance(branches, list):
            return [
                NestedScope(("Branches", index), branch, BRANCH_FIELDS)
                for index, branch in enumerate(branches)
            ]
    elif kind == "Map":
        return [
            NestedScope((key,), state[key], PROCESSOR_FIELDS)
            for key in PROCESSOR_KEYS
            if key in state
        ]
    return []


def scope_states(scope: Any) -> Mapping[Any, Any]:
    """A scope's States object; empty when the scope or its States is not an object."""
    states = scope.get("States") if isinstance(scope, Mapping) else None
    return states if isinstance(states, Mapping) else {}


@dataclass(frozen=True, slots=True)
class RawScope:
    value: Any
    pointer: str
    # The state that holds this scope; None for the machine itself.
    owner: RawState | None
    depth: int


@dataclass(frozen=True, slots=True)
class RawState:
    # A JSON key is a string; a YAML file can make it something else.
    name: Any
    value: Any
    pointer: str
    scope: RawScope


def iter_states(definition: Any) -> Iterator[RawState]:
    """Every state at every depth: a state, then the states nested in it, in document order.
    A scope met twice (a Python dict reused, or one that contains itself) is walked once."""
    top = RawScope(definition, "", None, 0)
    seen = {id(definition)}
    stack: list[tuple[RawScope, Iterator[tuple[Any, Any]]]] = [
        (top, iter(scope_states(definition).items()))
    ]
    while stack:
        scope, states = stack[-1]
        entry = next(states, None)
        if entry is None:
            stack.pop()
            continue
        name, value = entry
        state = RawState(name, value, f"{scope.pointer}/States/{escape_pointer_token(name)}", scope)
        yield state
        inner: list[RawScope] = []
        for nested in nested_scopes(value):
            if id(nested.value) not in seen:
                seen.add(id(nested.value))
                at = state.pointer + pointer(*nested.tokens)
                inner.append(RawScope(nested.value, at, state, scope.depth + 1))
        # Pushed last first, so the first branch is walked first.
        stack.extend((sub, iter(scope_states(sub.value).items())) for sub in reversed(inner))


def iter_scopes(definition: Any) -> Iterator[RawScope]:
    """The machine, then every branch and processor below it, in document order."""
    yield RawScope(definition, "", None, 0)
    seen = {id(definition)}
    for state in iter_states(definition):
        for nested in nested_scopes(state.value):
            if id(nested.value) in seen:
                continue
            seen.add(id(nested.value))
            yield RawScope(
                nested.value, state.pointer + pointer(*nested.tokens), state, state.scope.depth + 1
            )


@dataclass(frozen=True, slots=True)
class Transition:
    """A Next the state names: `target` is the raw value (a state name when valid)."""

    target: Any
    location: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A part that should hold transitions but has the wrong shape: "Choices" or "Catch"
    (not a list), "Choice rule" or "Catcher" (not an object)."""

    what: str
    location: tuple[str | int, ...]


def transitions(state: Mapping[Any, Any]) -> tuple[list[Transition], list[Unreadable]]:
    """Every transition of a state, in this order: Next, each Choice rule's Next, Default,
    each Catcher's Next. Read from the fields whatever the state's Type, so a broken state
    still shows where it leads."""
    found: list[Transition] = []
    unreadable: list[Unreadable] = []
    if "Next" in state:
        found.append(Transition(state["Next"], ("Next",)))
    _listed(state, "Choices", "Choice rule", found, unreadable)
    if "Default" in state:
        found.append(Transition(state["Default"], ("Default",)))
    _listed(state, "Catch", "Catcher", found, unreadable)
    return found, unreadable


def _listed(
    state: Mapping[Any, Any],
    key: str,
    item: str,
    found: list[Transition],
    unreadable: list[Unreadable],
) -> None:
    if key not in state:
        return
    entries = state[key]
    if not isinstance(entries, list):
        unreadable.append(Unreadable(key, (key,)))
        return
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            unreadable.append(Unreadable(item, (key, index)))
        elif "Next" in entry:
            found.append(Transition(entry["Next"], (key, index, "Next")))
