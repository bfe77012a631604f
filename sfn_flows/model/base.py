"""The state base class and the chaining that makes a workflow read like its flow: `a >> b >> c`.

States are pydantic models whose snake_case fields dump to ASL's PascalCase names, so most of
each state's ASL comes from `model_dump(by_alias=True, exclude_unset=True)`: a field the user
set to `None` stays in the output as JSON null (ASL's way to say "discard", as in
`ResultPath: null`), a field never set does not appear. Where a builder method has a default
of its own (`add_catch`'s `result_path="$.error"`), `OMIT` leaves the field out instead.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Union

from pydantic import ConfigDict, Field, PrivateAttr
from pydantic.alias_generators import to_pascal

from sfn_flows.errors import ChainError, DeclarationError
from sfn_flows.model.keywords import KeywordChecked
from sfn_flows.model.order import ordered

if TYPE_CHECKING:
    from sfn_flows.model.function import LambdaFunction

QueryLanguage = Literal["JSONPath", "JSONata"]

# Declaration order is the order states appear in the ASL output; a process-wide counter
# records it without asking users to list their states.
_declaration_counter = itertools.count()


class Omit(enum.Enum):
    """Leave a field out of the ASL, where None would write JSON null."""

    OMIT = "OMIT"


OMIT = Omit.OMIT


class AslModel(KeywordChecked):
    """Base of every model that dumps to ASL field names."""

    model_config = ConfigDict(
        alias_generator=to_pascal,
        populate_by_name=True,
        extra="forbid",
        arbitrary_types_allowed=True,
    )

    def asl_fields(self, *, exclude: set[str] | None = None) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_unset=True, exclude=exclude)


class CompileContext:
    """What a state needs to know about its surroundings to write its own ASL."""

    __slots__ = ("query_language",)

    def __init__(self, query_language: QueryLanguage) -> None:
        self.query_language = query_language

    @property
    def jsonata(self) -> bool:
        return self.query_language == "JSONata"


Target = Union["State", str]
"""Where a transition goes: a state object, or the name of a state declared elsewhere."""


class State(AslModel):
    """One ASL state. Subclasses set `type_name` and may override `to_asl`."""

    type_name: ClassVar[str] = ""
    can_continue: ClassVar[bool] = True
    positional_name = True
    # Fields that dump specially (or not at all) rather than through model_dump.
    special_fields: ClassVar[frozenset[str]] = frozenset()

    name: str = Field(exclude=True, min_length=1)
    comment: str | None = None
    query_language: QueryLanguage | None = None
    assign: dict[str, Any] | None = None
    # Not ASL, like Map's max_items: the most times the loop through this state runs in one
    # execution, so the timeout budget can count the loop (its longest body x iterations).
    max_iterations: int | None = Field(default=None, ge=1, exclude=True)
    # ASL fields written as they are, for what the keywords cannot say (`sfn-flows import`
    # keeps a definition's fields this way where the model would write them differently).
    # They replace the state's own fields of the same name; the compiled definition is
    # validated as a whole, so they are checked like any field.
    raw_fields: dict[str, Any] | None = Field(default=None, exclude=True)

    _next: Target | None = PrivateAttr(default=None)
    # Set in __init__: a default_factory makes pydantic inspect its signature per instance,
    # which doubled the cost of declaring a large workflow.
    _order: int = PrivateAttr(default=0)

    def __init__(self, name: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        if self.type_name != "Task":
            _refuse_timeouts(self.type_name, data)
        _refuse_structural_raw_fields(self.type_name, data)
        if not self.can_continue and self.type_name != "Choice" and "assign" in data:
            raise DeclarationError(
                f"{self.type_name} state {data.get('name')!r} cannot take assign: ASL has no "
                "variables on states that end the execution. Assign them in an earlier state."
            )
        self.check_keywords(data)
        super().__init__(**data)
        self._order = next(_declaration_counter)

    @classmethod
    def check_keywords(cls, data: dict[str, Any]) -> None:
        """Refuse keywords that make no sense together, before pydantic sees them."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    # ---- chaining -------------------------------------------------------------------------
    def next(self, target: Target | Chain) -> Chain:
        """Continue with `target` after this state; returns a chain to keep going."""
        if not self.can_continue:
            raise ChainError(
                f"state {self.name!r} ({self.type_name}) cannot have a Next state; "
                + (
                    "route with .when(...) and .otherwise(...) instead"
                    if self.type_name == "Choice"
                    else "it ends the workflow"
                )
            )
        if isinstance(target, Chain):
            self._next = target.start
            return Chain(self, target.end)
        self._next = target
        return Chain(self, target if isinstance(target, State) else None)

    def __rshift__(self, target: Target | Chain) -> Chain:
        return self.next(target)

    @property
    def next_target(self) -> Target | None:
        return self._next

    @property
    def order(self) -> int:
        return self._order

    # ---- graph ----------------------------------------------------------------------------
    def transitions(self) -> Iterator[tuple[tuple[str | int, ...], Target]]:
        """Every outgoing edge as (JSON pointer tokens inside this state, target)."""
        if self._next is not None:
            yield ("Next",), self._next

    def child_scopes(self) -> Iterator[tuple[tuple[str | int, ...], State]]:
        """Nested state machines (Parallel branches, Map processors) and where they go."""
        return iter(())

    def lambda_functions(self) -> tuple[LambdaFunction, ...]:
        return ()

    # ---- compilation ----------------------------------------------------------------------
    def to_asl(self, ctx: CompileContext) -> dict[str, Any]:
        body: dict[str, Any] = {"Type": self.type_name}
        body.update(self.asl_fields(exclude=set(self.special_fields)))
        body.update(self.extra_asl(ctx))
        if self.raw_fields:
            body.update(self.raw_fields)
        if self.can_continue:
            if self._next is None:
                body["End"] = True
            else:
                body["Next"] = target_name(self._next)
        return ordered(body)

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        """Fields a subclass computes rather than dumps."""
        return {}


_TIMEOUT_FIELDS = frozenset(
    {"timeout_seconds", "timeout_seconds_path", "heartbeat_seconds", "heartbeat_seconds_path"}
)


def _refuse_timeouts(type_name: str, data: dict[str, Any]) -> None:
    given = sorted(_TIMEOUT_FIELDS & set(data))
    if given:
        raise DeclarationError(
            f"{type_name} state {data.get('name')!r} cannot take {', '.join(given)}: ASL allows "
            "timeouts only on Task states and on the whole workflow (AWS rejects the "
            "definition otherwise). Put the timeout on the Tasks inside, and bound the "
            "workflow with Workflow(timeout_seconds=...)."
        )


# What the builder writes from state objects (transitions, nested scopes) or the class itself:
# raw values there would hide states from the compiler, which places each one it reaches.
STRUCTURAL_FIELDS = {
    "Type": "the state's class",
    "Next": "chaining (a >> b)",
    "End": "chaining (a state with no next state ends its scope)",
    "Choices": ".when(...)",
    "Default": ".otherwise(...)",
    "Catch": ".add_catch(...)",
    "Branches": "Parallel(branches=[...])",
    "ItemProcessor": "Map(processor=...)",
    "Iterator": "Map(processor=..., legacy_iterator=True)",
}


def _refuse_structural_raw_fields(type_name: str, data: dict[str, Any]) -> None:
    raw = data.get("raw_fields")
    if not isinstance(raw, dict):
        return
    given = [key for key in STRUCTURAL_FIELDS if key in raw]
    if given:
        how = "; ".join(f"{key}: {STRUCTURAL_FIELDS[key]}" for key in given)
        raise DeclarationError(
            f"{type_name} state {data.get('name')!r} got raw_fields with {', '.join(given)}, "
            f"which the builder writes from the states themselves. Use {how}."
        )


def target_name(target: Target) -> str:
    return target if isinstance(target, str) else target.name


class Chain:
    """A sequence of states with one entry and one exit, built by `.next()` or `>>`."""

    __slots__ = ("end", "start")

    def __init__(self, start: State, end: State | None) -> None:
        self.start = start
        # None after a jump to a state given by name: nothing can follow such a jump.
        self.end = end

    def next(self, target: Target | Chain) -> Chain:
        if self.end is None:
            raise ChainError(
                f"the chain from {self.start.name!r} ends in a jump to a state given by name; "
                "nothing can follow it. Chain the state object instead of its name"
            )
        tail = self.end.next(target)
        return Chain(self.start, tail.end)

    def __rshift__(self, target: Target | Chain) -> Chain:
        return self.next(target)

    def __repr__(self) -> str:
        return f"Chain({self.start!r} ... {self.end!r})"


Flow = State | Chain
"""Anything that can start a workflow, a Parallel branch or a Map processor."""


def entry(flow: Flow) -> State:
    return flow.start if isinstance(flow, Chain) else flow
