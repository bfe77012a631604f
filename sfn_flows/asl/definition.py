"""The typed form of a definition: parsed once from a definition the validator accepted.

Every object keeps `raw` (its own dict) and `pointer` (where it stands, as a JSON pointer).
A field the definition leaves out is `ABSENT`; JSON null stays `None`, because ASL gives the
two different meanings (`"ResultPath": null` discards the result, no ResultPath keeps it).
A state without `QueryLanguage` takes the machine's: nested branches and processors inherit
the top level's, as AWS does, not the enclosing state's.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Final, Literal

from sfn_flows.asl.fields import QUERY_LANGUAGES
from sfn_flows.asl.pointers import escape_pointer_token
from sfn_flows.asl.retry import (
    DEFAULT_BACKOFF_RATE,
    DEFAULT_INTERVAL_SECONDS,
    DEFAULT_JITTER_STRATEGY,
    DEFAULT_MAX_ATTEMPTS,
)
from sfn_flows.asl.scopes import PROCESSOR_KEYS
from sfn_flows.errors import SfnFlowsError

QueryLanguage = Literal["JSONPath", "JSONata"]


class Absent(enum.Enum):
    """The type of ABSENT: a field the definition does not have."""

    ABSENT = "ABSENT"

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = Absent.ABSENT

# A path field: a path string, None (JSON null) or ABSENT.
PathField = str | None | Absent


class DefinitionShapeError(SfnFlowsError, ValueError):
    """parse_definition met a shape the validator refuses: validate the definition first."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Retrier:
    error_equals: tuple[str, ...]
    interval_seconds: int | float = DEFAULT_INTERVAL_SECONDS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff_rate: int | float = DEFAULT_BACKOFF_RATE
    max_delay_seconds: int | float | None = None
    jitter_strategy: str = DEFAULT_JITTER_STRATEGY
    comment: str | Absent = ABSENT
    pointer: str = ""
    raw: Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Catcher:
    error_equals: tuple[str, ...]
    next: str
    result_path: PathField = ABSENT
    output: Any = ABSENT
    assign: Any = ABSENT
    comment: str | Absent = ABSENT
    pointer: str = ""
    raw: Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceRule:
    """One entry of Choices; `raw` is the rule itself (operators, And/Or/Not, Condition)."""

    next: str
    condition: Any = ABSENT
    assign: Any = ABSENT
    output: Any = ABSENT
    comment: str | Absent = ABSENT
    pointer: str = ""
    raw: Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    type: ClassVar[str] = ""
    name: str
    pointer: str
    query_language: QueryLanguage
    raw: Mapping[str, Any]
    next: str | None = None
    end: bool = False
    comment: str | Absent = ABSENT

    @property
    def is_jsonata(self) -> bool:
        return self.query_language == "JSONata"


@dataclass(frozen=True, slots=True, kw_only=True)
class FilteredState(State):
    """A state with an effective input and output (every type but Fail)."""

    input_path: PathField = ABSENT
    output_path: PathField = ABSENT
    output: Any = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True)
class AssigningState(FilteredState):
    """A state that may set variables (every type but Succeed and Fail)."""

    assign: Any = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True)
class RecoveringState(AssigningState):
    """A state that produces a result and may Retry and Catch: Task, Parallel, Map."""

    parameters: Any = ABSENT
    arguments: Any = ABSENT
    result_selector: Any = ABSENT
    result_path: PathField = ABSENT
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PassState(AssigningState):
    type: ClassVar[str] = "Pass"
    parameters: Any = ABSENT
    result: Any = ABSENT
    result_path: PathField = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskState(RecoveringState):
    type: ClassVar[str] = "Task"
    resource: str
    credentials: Any = ABSENT
    # JSONata allows an expression string where JSONPath wants a number.
    timeout_seconds: Any = ABSENT
    timeout_seconds_path: str | Absent = ABSENT
    heartbeat_seconds: Any = ABSENT
    heartbeat_seconds_path: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceState(AssigningState):
    type: ClassVar[str] = "Choice"
    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitState(AssigningState):
    type: ClassVar[str] = "Wait"
    seconds: Any = ABSENT
    timestamp: Any = ABSENT
    seconds_path: str | Absent = ABSENT
    timestamp_path: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True)
class SucceedState(FilteredState):
    type: ClassVar[str] = "Succeed"


@dataclass(frozen=True, slots=True, kw_only=True)
class FailState(State):
    type: ClassVar[str] = "Fail"
    error: Any = ABSENT
    cause: Any = ABSENT
    error_path: str | Absent = ABSENT
    cause_path: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelState(RecoveringState):
    type: ClassVar[str] = "Parallel"
    branches: tuple[Machine, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MapState(RecoveringState):
    """`parameters` is the legacy form of ItemSelector; `arguments` stays ABSENT."""

    type: ClassVar[str] = "Map"
    processor: Machine
    # ItemProcessor.ProcessorConfig; the legacy Iterator is always INLINE.
    processor_mode: str = "INLINE"
    execution_type: str | None = None
    uses_iterator: bool = False
    items_path: PathField = ABSENT
    items: Any = ABSENT
    item_selector: Any = ABSENT
    item_reader: Any = ABSENT
    item_batcher: Any = ABSENT
    result_writer: Any = ABSENT
    max_concurrency: Any = ABSENT
    max_concurrency_path: str | Absent = ABSENT
    tolerated_failure_percentage: Any = ABSENT
    tolerated_failure_percentage_path: str | Absent = ABSENT
    tolerated_failure_count: Any = ABSENT
    tolerated_failure_count_path: str | Absent = ABSENT
    label: str | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True)
class Machine:
    """The whole definition, a Parallel branch or a Map processor (a scope of states)."""

    start_at: str
    states: Mapping[str, State]
    query_language: QueryLanguage = "JSONPath"
    timeout_seconds: int | None = None
    comment: str | Absent = ABSENT
    version: str | Absent = ABSENT
    pointer: str = ""
    raw: Mapping[str, Any]

    def iter_states(self) -> Iterator[State]:
        """Every state at every depth: a state, then the states nested in it, in document order."""
        stack: list[Iterator[State]] = [iter(self.states.values())]
        while stack:
            state = next(stack[-1], None)
            if state is None:
                stack.pop()
                continue
            yield state
            for scope in reversed(nested_machines(state)):
                stack.append(iter(scope.states.values()))

    def iter_machines(self) -> Iterator[Machine]:
        """This scope and every branch and processor below it."""
        stack: list[Machine] = [self]
        while stack:
            machine = stack.pop()
            yield machine
            for state in reversed(list(machine.states.values())):
                stack.extend(reversed(nested_machines(state)))

    def find(self, name: str) -> State | None:
        """The state called `name` at any depth (names are unique in the whole machine)."""
        for state in self.iter_states():
            if state.name == name:
                return state
        return None


def nested_machines(state: State) -> tuple[Machine, ...]:
    """The scopes a state holds: a Parallel's branches, a Map's processor."""
    if isinstance(state, ParallelState):
        return state.branches
    if isinstance(state, MapState):
        return (state.processor,)
    return ()


STATE_CLASSES: Final[Mapping[str, type[State]]] = {
    cls.type: cls
    for cls in (
        PassState,
        TaskState,
        ChoiceState,
        WaitState,
        SucceedState,
        FailState,
        ParallelState,
        MapState,
    )
}

# Fields read here rather than copied by name.
_SPECIAL = frozenset(
    {"name", "pointer", "query_language", "raw", "next", "end", "retry", "catch", "choices"}
    | {"branches", "processor", "processor_mode", "execution_type", "uses_iterator"}
)


def _asl_key(attribute: str) -> str:
    return "".join(part.capitalize() for part in attribute.split("_"))


# ASL key -> attribute, for the fields each class copies as they are.
_COPIED: Final[Mapping[type[State], Mapping[str, str]]] = {
    cls: {_asl_key(f.name): f.name for f in fields(cls) if f.name not in _SPECIAL}
    for cls in STATE_CLASSES.values()
}


def parse_definition(definition: Mapping[str, Any]) -> Machine:
    """The typed form of a definition that passed validation.

    Raises DefinitionShapeError, naming the place, on a shape the validator refuses.
    """
    if not isinstance(definition, Mapping):
        raise DefinitionShapeError(
            f"a definition is a JSON object, not {type(definition).__name__}: validate it first."
        )
    language = definition.get("QueryLanguage", "JSONPath")
    if language not in QUERY_LANGUAGES:
        raise DefinitionShapeError(f"/QueryLanguage: {language!r} is not JSONPath or JSONata.")
    timeout = definition.get("TimeoutSeconds")
    return _Parser(language).machine(
        definition,
        "",
        timeout_seconds=timeout if isinstance(timeout, int) else None,
        version=definition.get("Version", ABSENT),
    )


class _Parser:
    def __init__(self, top_language: QueryLanguage) -> None:
        self.top_language: QueryLanguage = top_language

    def machine(
        self,
        scope: Any,
        at: str,
        *,
        timeout_seconds: int | None = None,
        version: str | Absent = ABSENT,
    ) -> Machine:
        if not isinstance(scope, Mapping):
            raise DefinitionShapeError(
                f"{at or '/'}: a scope is an object with StartAt and States."
            )
        states = scope.get("States")
        start = scope.get("StartAt")
        if not isinstance(states, Mapping) or not isinstance(start, str):
            raise DefinitionShapeError(f"{at or '/'}: StartAt or States is missing or not valid.")
        parsed = {
            name: self.state(name, raw, f"{at}/States/{escape_pointer_token(name)}")
            for name, raw in states.items()
        }
        return Machine(
            start_at=start,
            states=parsed,
            query_language=self.top_language,
            timeout_seconds=timeout_seconds,
            comment=scope.get("Comment", ABSENT),
            version=version,
            pointer=at,
            raw=scope,
        )

    def state(self, name: Any, raw: Any, at: str) -> State:
        if not isinstance(name, str) or not isinstance(raw, Mapping):
            raise DefinitionShapeError(f"{at}: a state is an object under a string name.")
        cls = STATE_CLASSES.get(raw.get("Type"))  # type: ignore[arg-type]
        if cls is None:
            raise DefinitionShapeError(f"{at}/Type: {raw.get('Type')!r} is not a state type.")
        language = raw.get("QueryLanguage", self.top_language)
        copied = _COPIED[cls]
        values: dict[str, Any] = {copied[key]: value for key, value in raw.items() if key in copied}
        nxt = raw.get("Next")
        values.update(
            name=name,
            pointer=at,
            query_language=language,
            raw=raw,
            next=nxt if isinstance(nxt, str) else None,
            end=raw.get("End") is True,
        )
        if "Retry" in raw:
            values["retry"] = tuple(
                _retrier(r, f"{at}/Retry/{i}") for i, r in enumerate(raw["Retry"])
            )
        if "Catch" in raw:
            values["catch"] = tuple(
                _catcher(c, f"{at}/Catch/{i}") for i, c in enumerate(raw["Catch"])
            )
        if cls is ChoiceState:
            values["choices"] = tuple(
                _choice_rule(c, f"{at}/Choices/{i}") for i, c in enumerate(raw.get("Choices", ()))
            )
        elif cls is ParallelState:
            values["branches"] = tuple(
                self.machine(b, f"{at}/Branches/{i}") for i, b in enumerate(raw.get("Branches", ()))
            )
        elif cls is MapState:
            self._map_processor(raw, at, values)
        try:
            return cls(**values)
        except TypeError as exc:  # a required field (Resource, ...) is missing
            raise DefinitionShapeError(f"{at}: {exc}") from None

    def _map_processor(self, raw: Mapping[str, Any], at: str, values: dict[str, Any]) -> None:
        key = next((k for k in PROCESSOR_KEYS if k in raw), PROCESSOR_KEYS[-1])
        scope = raw.get(key)
        values["processor"] = self.machine(scope, f"{at}/{key}")
        values["uses_iterator"] = key == "Iterator"
        config = scope.get("ProcessorConfig") if isinstance(scope, Mapping) else None
        if isinstance(config, Mapping):
            values["processor_mode"] = config.get("Mode", "INLINE")
            values["execution_type"] = config.get("ExecutionType")


def _error_equals(raw: Mapping[str, Any], at: str) -> tuple[str, ...]:
    names = raw.get("ErrorEquals")
    if not isinstance(names, list):
        raise DefinitionShapeError(f"{at}/ErrorEquals: a list of error names is required.")
    return tuple(names)


def _retrier(raw: Any, at: str) -> Retrier:
    if not isinstance(raw, Mapping):
        raise DefinitionShapeError(f"{at}: a Retrier is an object.")
    return Retrier(
        error_equals=_error_equals(raw, at),
        interval_seconds=raw.get("IntervalSeconds", DEFAULT_INTERVAL_SECONDS),
        max_attempts=raw.get("MaxAttempts", DEFAULT_MAX_ATTEMPTS),
        backoff_rate=raw.get("BackoffRate", DEFAULT_BACKOFF_RATE),
        max_delay_seconds=raw.get("MaxDelaySeconds"),
        jitter_strategy=raw.get("JitterStrategy", DEFAULT_JITTER_STRATEGY),
        comment=raw.get("Comment", ABSENT),
        pointer=at,
        raw=raw,
    )


def _catcher(raw: Any, at: str) -> Catcher:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("Next"), str):
        raise DefinitionShapeError(f"{at}: a Catcher is an object with a Next.")
    return Catcher(
        error_equals=_error_equals(raw, at),
        next=raw["Next"],
        result_path=raw.get("ResultPath", ABSENT),
        output=raw.get("Output", ABSENT),
        assign=raw.get("Assign", ABSENT),
        comment=raw.get("Comment", ABSENT),
        pointer=at,
        raw=raw,
    )


def _choice_rule(raw: Any, at: str) -> ChoiceRule:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("Next"), str):
        raise DefinitionShapeError(f"{at}: a Choice rule is an object with a Next.")
    return ChoiceRule(
        next=raw["Next"],
        condition=raw.get("Condition", ABSENT),
        assign=raw.get("Assign", ABSENT),
        output=raw.get("Output", ABSENT),
        comment=raw.get("Comment", ABSENT),
        pointer=at,
        raw=raw,
    )
