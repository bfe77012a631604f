"""What an execution did, read from its history (GetExecutionHistory's events): the states it
entered, retried, caught and failed, and the transitions it took.

Events name their state only on entering and leaving it; the others (TaskFailed,
ParallelStateStarted, MapIterationSucceeded...) are tied to one by `previousEventId`, which
links each event to the one before it on the same path of the execution (branches and
iterations run side by side, each on its own path). Following those links gives, for every
event, the states open on its path, innermost first; an event belongs to the innermost open
state of its own kind (a Task event to a Task, a Map event to a Map). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from sfn_flows.asl.history import HistoryEvent
from sfn_flows.diagram.graph import FINISH, START, Edge, EdgeKind, Graph, Node, Step

# Event type prefix -> the type of state such events belong to.
_FAMILIES: Final = (
    ("Map", "Map"),
    ("Parallel", "Parallel"),
    ("Task", "Task"),
    ("LambdaFunction", "Task"),
    ("Activity", "Task"),
)
# The events that begin an attempt: one more than one in a state's stay is a retry.
_ATTEMPTS: Final = frozenset(
    {
        "TaskScheduled",
        "LambdaFunctionScheduled",
        "ActivityScheduled",
        "ParallelStateStarted",
        "MapStateStarted",
    }
)
_BRANCH_STARTS: Final = frozenset({"ParallelStateStarted", "MapIterationStarted"})


@dataclass
class StateRun:
    """How often the execution entered a state, and how its stays ended."""

    type: str
    entered: int = 0
    retries: int = 0
    caught: int = 0
    failed: int = 0

    @property
    def status(self) -> str:
        """The worst of its stays: failed, caught, retried, or entered."""
        if self.failed:
            return "failed"
        if self.caught:
            return "caught"
        return "retried" if self.retries else "entered"

    def note(self) -> str:
        """'entered 3x, retried 2x, caught': what its colour does not say alone."""
        parts = [f"entered {self.entered}x"] if self.entered > 1 else []
        if self.retries:
            parts.append(f"retried {self.retries}x")
        for word, count in (("caught", self.caught), ("failed", self.failed)):
            if count:
                parts.append(word if count == 1 else f"{word} {count}x")
        return ", ".join(parts)


@dataclass(frozen=True)
class ExecutionTrace:
    # By state name, in the order the execution first entered them.
    states: Mapping[str, StateRun]
    steps: frozenset[Step]


@dataclass(eq=False)
class _Stay:
    """One stay in a state: from its StateEntered event to its StateExited (if any)."""

    name: str
    family: str
    # The stay it is nested in (a Parallel's or Map's), on the same path.
    parent: _Stay | None
    attempts: int = 0
    # The attempt whose failure was the last one seen (-1: none failed).
    failed_attempt: int = -1
    exited: bool = False
    ended_execution: bool = False

    def find(self, name: str | None = None, family: str | None = None) -> _Stay | None:
        stay: _Stay | None = self
        while stay is not None:
            if (name is None or stay.name == name) and (family is None or stay.family == family):
                return stay
            stay = stay.parent
        return None

    @property
    def last_attempt_failed(self) -> bool:
        return self.failed_attempt >= 0 and self.failed_attempt == self.attempts


@dataclass
class _Reader:
    runs: dict[str, StateRun] = field(default_factory=dict)
    steps: set[Step] = field(default_factory=set)
    stays: list[_Stay] = field(default_factory=list)
    # After each event (by id): the innermost open stay on its path, and whether that stay's
    # current attempt has just failed.
    after: dict[int, tuple[_Stay | None, bool]] = field(default_factory=dict)
    events: dict[int, HistoryEvent] = field(default_factory=dict)
    exits: dict[int, _Stay] = field(default_factory=dict)
    followed: dict[int, list[HistoryEvent]] = field(default_factory=dict)
    timed_out: bool = False

    def read(self, event: HistoryEvent) -> None:
        self.events[event.id] = event
        previous = self.events.get(event.previous_id) if event.previous_id is not None else None
        if previous is not None:
            self.followed.setdefault(previous.id, []).append(event)
        top, ended = self.after.get(previous.id, (None, False)) if previous else (None, False)
        if event.is_state_entered and event.state_name is not None:
            self.after[event.id] = (self._enter(event, event.state_name, previous, top), False)
        elif event.is_state_exited and event.state_name is not None:
            stay = top.find(event.state_name) if top is not None else None
            if stay is None:
                self.after[event.id] = (top, ended)
                return
            stay.exited = True
            self.exits[event.id] = stay
            self.after[event.id] = (stay.parent, False)
        elif event.type.startswith("Execution"):
            if event.type == "ExecutionFailed" and top is not None:
                top.ended_execution = True
            # A timeout ends every state still open, whatever path it is on.
            self.timed_out = self.timed_out or event.type == "ExecutionTimedOut"
            self.after[event.id] = (top, ended)
        else:
            self.after[event.id] = self._state_event(event, top, ended)

    def _enter(
        self, event: HistoryEvent, name: str, previous: HistoryEvent | None, top: _Stay | None
    ) -> _Stay:
        kind = event.type.removesuffix("StateEntered")
        stay = _Stay(name, kind, top)
        self.stays.append(stay)
        run = self.runs.setdefault(name, StateRun(kind))
        run.entered += 1
        if previous is None or previous.type == "ExecutionStarted":
            self.steps.add(("start", None, name))
        elif previous.id in self.exits:
            before = self.exits[previous.id]
            caught = before.last_attempt_failed
            self.steps.add(("catch" if caught else "step", before.name, name))
        elif previous.type in _BRANCH_STARTS and top is not None:
            self.steps.add(("branch", top.name, name))
        return stay

    def _state_event(
        self, event: HistoryEvent, top: _Stay | None, ended: bool
    ) -> tuple[_Stay | None, bool]:
        family = next((f for prefix, f in _FAMILIES if event.type.startswith(prefix)), None)
        if family is None or top is None:
            return top, ended
        if event.type.startswith("MapIteration"):
            name = event.details.get("name")
            owner = top.find(name if isinstance(name, str) else None, "Map")
        else:
            # A stay whose attempt failed takes no more events of its own but a retry's.
            start = top.parent if ended and event.type not in _ATTEMPTS else top
            owner = start.find(family=family) if start is not None else None
        if owner is None:
            return top, ended
        if event.type in _ATTEMPTS:
            owner.attempts += 1
        if _own_failure(event.type):
            owner.failed_attempt = owner.attempts
            return owner, True
        return owner, False

    def trace(self) -> ExecutionTrace:
        for event_id, stay in self.exits.items():
            after = self.followed.get(event_id, [])
            if any(e.type == "ExecutionSucceeded" for e in after):
                self.steps.add(("end", stay.name, None))
            elif stay.parent is not None and not any(e.is_state_entered for e in after):
                # Nothing entered after it on its path: it ended a branch or an item.
                self.steps.add(("join", stay.name, stay.parent.name))
        for stay in self.stays:
            run = self.runs[stay.name]
            run.retries += max(stay.attempts - 1, 0)
            if stay.last_attempt_failed and stay.exited:
                run.caught += 1
            elif (
                stay.last_attempt_failed
                or stay.ended_execution
                or stay.family == "Fail"
                or (self.timed_out and not stay.exited)
            ):
                run.failed += 1
            if stay.attempts > 1:
                self.steps.add(("retry", stay.name, stay.name))
        return ExecutionTrace(self.runs, frozenset(self.steps))


def _own_failure(event_type: str) -> bool:
    """A failure of a state's own attempt: not an iteration's (the Map says so itself when it
    fails), not a Map Run's, not an abort (a branch stopped because another failed)."""
    if event_type.startswith(("MapIteration", "MapRun")):
        return False
    return event_type.endswith(("Failed", "TimedOut"))


def trace_execution(events: Iterable[HistoryEvent]) -> ExecutionTrace:
    """What the execution whose history is `events` (oldest first) did."""
    reader = _Reader()
    for event in events:
        reader.read(event)
    return reader.trace()


def trace_graph(trace: ExecutionTrace) -> Graph:
    """The states an execution entered and the steps between them, for a run whose definition
    is not at hand: its path alone, in the order it first entered each state."""
    nodes = {START: Node(START, "start", "Start")}
    ids = {name: f"n{index}" for index, name in enumerate(trace.states)}
    for name, run in trace.states.items():
        nodes[ids[name]] = Node(ids[name], run.type, name, state=name)
    rank = {name: index for index, name in enumerate(trace.states)}

    def order(step: Step) -> tuple[int, int, str]:
        kind, source, target = step
        return (
            -1 if source is None else rank[source],
            len(rank) if target is None else rank[target],
            kind,
        )

    edges: list[Edge] = []
    for kind, source, target in sorted(trace.steps, key=order):
        if kind == "join":
            continue  # a path alone has no join points
        if kind == "end":
            nodes[FINISH] = Node(FINISH, "end", "End")
        begin = START if source is None else ids[source]
        end = FINISH if target is None else ids[target]
        label = (kind,) if kind in ("catch", "retry") else ()
        edges.append(Edge(begin, end, _TRACE_EDGES[kind], label, source, target))
    return Graph(
        nodes=nodes,
        clusters={},
        edges=tuple(edges),
        members={None: tuple(nodes)},
        state_nodes=ids,
    )


_TRACE_EDGES: Final[Mapping[str, EdgeKind]] = {
    "start": "start",
    "step": "next",
    "catch": "catch",
    "retry": "retry",
    "branch": "branch",
    "end": "end",
}
