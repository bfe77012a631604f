"""Worst-case cost and outgoing edges of a single state."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sfn_flows.asl.describe import describe
from sfn_flows.asl.jsonata import is_jsonata
from sfn_flows.asl.pointers import child_pointer
from sfn_flows.asl.scopes import nested_scopes, transitions
from sfn_flows.budget.model import MachineResult, Unbounded
from sfn_flows.budget.quantities import (
    as_int,
    as_non_negative_int,
    as_positive_int,
    ceil_div,
    times,
    to_float,
)
from sfn_flows.budget.retry import NO_RETRY, retry_cost

# Documented AWS limits: an inline Map runs at most 40 iterations at once; a distributed
# Map runs 10,000 child executions at once when MaxConcurrency is not set.
INLINE_MAP_CONCURRENCY = 40
DISTRIBUTED_MAP_CONCURRENCY = 10_000

# Analyses a nested machine (a Parallel branch or a Map processor): (machine, pointer, owner).
SubMachine = Callable[[object, str, str], MachineResult]

_ZERO_COST_TYPES = frozenset({"Pass", "Choice", "Succeed", "Fail"})
_RETRYING_TYPES = frozenset({"Task", "Parallel", "Map"})
_RUNTIME_WAIT_FIELDS = {
    "SecondsPath": "Wait uses SecondsPath, its duration is only known at run time",
    "Timestamp": "Wait uses Timestamp, its duration depends on when the state is reached",
    "TimestampPath": "Wait uses TimestampPath, its duration is only known at run time",
}


@dataclass(slots=True)
class Edge:
    """An outgoing transition; ``target`` is the raw JSON value, checked by the caller."""

    target: object
    state_pointer: str
    location: tuple[str | int, ...]

    @property
    def pointer(self) -> str:
        # Built on demand: only edges with a bad target ever need their pointer.
        return child_pointer(self.state_pointer, *self.location)


@dataclass(slots=True)
class StateCost:
    seconds: float
    edges: tuple[Edge, ...]
    unbounded: tuple[Unbounded, ...]
    loops: tuple[tuple[str, ...], ...]
    # Declared loop bounds that are in a loop of a nested machine (branch, processor).
    loop_bounds: tuple[str, ...] = ()


@dataclass(slots=True)
class _Body:
    """Cost of one attempt of a state, with what could not be bounded inside it."""

    seconds: float = 0.0
    issues: list[Unbounded] = field(default_factory=list)
    cycles: list[tuple[str, ...]] = field(default_factory=list)
    loop_bounds: list[str] = field(default_factory=list)

    def problem(self, pointer: str, state: str, reason: str) -> None:
        self.issues.append(Unbounded(pointer, state, reason))

    def absorb(self, result: MachineResult) -> None:
        self.issues.extend(result.unbounded)
        self.cycles.extend(result.loops)
        self.loop_bounds.extend(result.loop_bounds)


def analyze_state(
    name: str,
    state: object,
    pointer: str,
    *,
    map_max_items: Mapping[str, object],
    sub_machine: SubMachine,
) -> StateCost:
    """Cost of ``state`` including its retries, and its edges in search order.

    Edge order is Next, then Choices in order, then Default, then Catch in order.
    """
    if not isinstance(state, Mapping):
        reason = "State is not an object, so its duration is unknown"
        return StateCost(0.0, (), (Unbounded(pointer, name, reason),), ())
    raw_kind = state.get("Type")
    # Random JSON may put a list here; set membership below must only see strings.
    kind = raw_kind if isinstance(raw_kind, str) else ""
    body = _Body()
    if kind == "Task":
        _task(name, state, pointer, body)
    elif kind == "Wait":
        _wait(name, state, pointer, body)
    elif kind == "Parallel":
        _parallel(name, state, pointer, body, sub_machine)
    elif kind == "Map":
        _map(name, state, pointer, body, sub_machine, map_max_items)
    elif kind not in _ZERO_COST_TYPES:
        reason = (
            f"Type is {describe(raw_kind)}, not a state type, so its duration and transitions "
            "are unknown"
        )
        body.problem(child_pointer(pointer, "Type"), name, reason)
        return StateCost(0.0, (), tuple(body.issues), ())
    retries = NO_RETRY
    if kind in _RETRYING_TYPES and "Retry" in state:
        retries = retry_cost(state["Retry"], name, child_pointer(pointer, "Retry"))
        body.issues.extend(retries.unbounded)
    seconds = retries.apply(body.seconds)
    if not math.isfinite(seconds):
        body.problem(pointer, name, "Worst case exceeds any representable duration")
        seconds = 0.0
    edges = _edges(name, state, pointer, body)
    return StateCost(
        seconds, edges, tuple(body.issues), tuple(body.cycles), tuple(body.loop_bounds)
    )


def _task(name: str, state: Mapping[object, object], pointer: str, body: _Body) -> None:
    if "TimeoutSecondsPath" in state:
        reason = "Task uses TimeoutSecondsPath, its timeout is only known at run time"
        body.problem(child_pointer(pointer, "TimeoutSecondsPath"), name, reason)
        return
    if "TimeoutSeconds" not in state:
        reason = "Task has no TimeoutSeconds: it can run until the machine times out"
        body.problem(pointer, name, reason)
        return
    value = state["TimeoutSeconds"]
    timeout = as_positive_int(value)
    if timeout is not None:
        body.seconds = to_float(timeout)
        return
    field_pointer = child_pointer(pointer, "TimeoutSeconds")
    if is_jsonata(value):
        reason = "Task TimeoutSeconds is a JSONata expression, its value is only known at run time"
        body.problem(field_pointer, name, reason)
    else:
        body.problem(field_pointer, name, "Task TimeoutSeconds is not a positive integer")


def _wait(name: str, state: Mapping[object, object], pointer: str, body: _Body) -> None:
    for key, reason in _RUNTIME_WAIT_FIELDS.items():
        if key in state:
            body.problem(child_pointer(pointer, key), name, reason)
            return
    if "Seconds" not in state:
        reason = "Wait has none of Seconds, SecondsPath, Timestamp or TimestampPath"
        body.problem(pointer, name, reason)
        return
    value = state["Seconds"]
    field_pointer = child_pointer(pointer, "Seconds")
    if is_jsonata(value):
        reason = "Wait Seconds is a JSONata expression, its duration is only known at run time"
        body.problem(field_pointer, name, reason)
        return
    seconds = as_non_negative_int(value)
    if seconds is None:
        body.problem(field_pointer, name, "Wait Seconds is not a non-negative integer")
        return
    body.seconds = to_float(seconds)


def _parallel(
    name: str,
    state: Mapping[object, object],
    pointer: str,
    body: _Body,
    sub_machine: SubMachine,
) -> None:
    branches = state.get("Branches")
    branches_pointer = child_pointer(pointer, "Branches")
    if not isinstance(branches, list):
        reason = "Parallel Branches is not a list, so its duration is unknown"
        body.problem(branches_pointer, name, reason)
        return
    # Branches run side by side: the slowest one decides.
    for nested in nested_scopes(state):
        result = sub_machine(nested.value, child_pointer(pointer, *nested.tokens), name)
        body.absorb(result)
        body.seconds = max(body.seconds, result.seconds)


def _map(
    name: str,
    state: Mapping[object, object],
    pointer: str,
    body: _Body,
    sub_machine: SubMachine,
    map_max_items: Mapping[str, object],
) -> None:
    # A broken Map with both: ItemProcessor, the one AWS documents today, counts.
    processors = nested_scopes(state)
    processor: object = None
    per_item = 0.0
    if not processors:
        reason = "Map has neither ItemProcessor nor Iterator, so its duration is unknown"
        body.problem(pointer, name, reason)
    else:
        processor = processors[0].value
        result = sub_machine(processor, child_pointer(pointer, *processors[0].tokens), name)
        body.absorb(result)
        per_item = result.seconds
    items = _map_items(name, state, pointer, body, map_max_items)
    if items is None or per_item == 0:
        return
    iterations = _map_iterations(state, items)
    concurrency = _map_concurrency(state, _is_distributed(processor))
    body.seconds = times(per_item, ceil_div(iterations, concurrency))


def _map_items(
    name: str,
    state: Mapping[object, object],
    pointer: str,
    body: _Body,
    map_max_items: Mapping[str, object],
) -> int | None:
    if name in map_max_items:
        declared = as_non_negative_int(map_max_items[name])
        if declared is None:
            reason = f"map_max_items[{name!r}] is not a non-negative integer"
            body.problem(pointer, name, reason)
        return declared
    reader = state.get("ItemReader")
    config = reader.get("ReaderConfig") if isinstance(reader, Mapping) else None
    if isinstance(config, Mapping):
        config_pointer = child_pointer(pointer, "ItemReader", "ReaderConfig")
        # 0 is not trusted as "no items": it is not documented to mean that.
        limit = as_positive_int(config.get("MaxItems"))
        if limit is not None:
            return limit
        if "MaxItemsPath" in config:
            reason = "Map reads its item limit from MaxItemsPath at run time: declare max_items"
            body.problem(child_pointer(config_pointer, "MaxItemsPath"), name, reason)
            return None
        if is_jsonata(config.get("MaxItems")):
            reason = "Map MaxItems is JSONata, only known at run time: declare max_items"
            body.problem(child_pointer(config_pointer, "MaxItems"), name, reason)
            return None
    reason = "Map has no declared maximum item count: declare max_items"
    body.problem(pointer, name, reason)
    return None


def _map_iterations(state: Mapping[object, object], items: int) -> int:
    batcher = state.get("ItemBatcher")
    if not isinstance(batcher, Mapping):
        return items
    per_batch = as_positive_int(batcher.get("MaxItemsPerBatch"))
    # A byte limit can split batches below MaxItemsPerBatch, down to one item each.
    byte_limited = "MaxInputBytesPerBatch" in batcher or "MaxInputBytesPerBatchPath" in batcher
    if per_batch is None or byte_limited:
        return items
    return ceil_div(items, per_batch)


def _is_distributed(processor: object) -> bool:
    if not isinstance(processor, Mapping):
        return False
    config = processor.get("ProcessorConfig")
    return isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED"


def _map_concurrency(state: Mapping[object, object], distributed: bool) -> int:
    service_limit = DISTRIBUTED_MAP_CONCURRENCY if distributed else INLINE_MAP_CONCURRENCY
    if "MaxConcurrencyPath" in state:
        # Unknown until run time; one at a time is the slowest it can possibly go.
        return 1
    if "MaxConcurrency" not in state:
        return service_limit
    value = state["MaxConcurrency"]
    if as_int(value) == 0:
        return service_limit
    declared = as_positive_int(value)
    if declared is None:
        return 1
    # Asking for more than the service runs at once does not make the Map any faster.
    return min(declared, service_limit)


# Why a part that should hold transitions cannot be read, by what asl.scopes calls it.
_UNREADABLE = {
    "Choices": "Choices is not a list",
    "Choice rule": "Choice rule is not an object",
    "Catch": "Catch is not a list",
    "Catcher": "Catcher is not an object",
}


def _edges(
    name: str, state: Mapping[object, object], pointer: str, body: _Body
) -> tuple[Edge, ...]:
    found, unreadable = transitions(state)
    for part in unreadable:
        reason = f"{_UNREADABLE[part.what]}, so where it leads is unknown"
        body.problem(child_pointer(pointer, *part.location), name, reason)
    return tuple(Edge(t.target, pointer, t.location) for t in found)
