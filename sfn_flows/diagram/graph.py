"""The picture of a definition before any drawing syntax: nodes (the states, a start, an end,
and the point where a Parallel's branches or a Map's items join), clusters (a Parallel with a
cluster per branch, a Map with its processor) and edges (transitions, Choice rules, Catch and
Retry), all in document order.

Read with the one walker over definitions (`asl.scopes`); pure, so the same definition always
gives the same Graph. Node ids are generated (`n0`, `c0`, `j0`...), never taken from state
names, so a name can hold any character: the renderers escape it in labels only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sfn_flows.asl.describe import rule_text
from sfn_flows.asl.pointers import child_pointer
from sfn_flows.asl.retry import DEFAULT_MAX_ATTEMPTS
from sfn_flows.asl.scopes import RawState, iter_states, nested_scopes, transitions

EdgeKind = Literal["start", "next", "choice", "default", "catch", "retry", "branch", "join", "end"]
# What a step of a run or a path is, (kind, from state, to state): "step" and "catch" between
# two states of a scope, "start" (None -> first state), "end" (last state -> None), "branch"
# (a Parallel or Map -> the first state of a branch or item), "join" (a branch's last state ->
# its Parallel or Map), "retry" (a state -> itself).
Step = tuple[str, str | None, str | None]

START: Final = "start"
FINISH: Final = "finish"
# Labels longer than this are cut with "…": a long error list or condition swamps the picture.
LABEL_LIMIT: Final = 48
_DETAIL_LIMIT: Final = 40


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    # A state type (Task, Pass, ...), or "start", "end", "join".
    kind: str
    title: str
    details: tuple[str, ...] = ()
    # The state it stands for: a state's own node, or the head of a Parallel or Map.
    state: str | None = None


@dataclass(frozen=True, slots=True)
class Cluster:
    id: str
    title: str
    # "parallel", "branch" or "map".
    kind: str


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    # Lines of its label.
    label: tuple[str, ...] = ()
    # The states at either end (None for the start and the end); for a "join" edge, the
    # Parallel or Map whose branches end there.
    from_state: str | None = None
    to_state: str | None = None


@dataclass(frozen=True)
class Graph:
    nodes: Mapping[str, Node]
    clusters: Mapping[str, Cluster]
    edges: tuple[Edge, ...]
    # What each cluster holds (None: the top level), node and cluster ids in document order.
    members: Mapping[str | None, tuple[str, ...]]
    # State name -> the id of its node (a Parallel's or Map's head).
    state_nodes: Mapping[str, str] = field(default_factory=dict)


def nesting(graph: Graph) -> Iterator[tuple[str, str, int]]:
    """The graph's members as a renderer writes them: ("open", cluster, depth), ("node",
    node, depth) and ("close", cluster, depth), depth 0 at the top. Iterative: clusters can
    nest as deep as definitions do."""
    stack: list[tuple[str | None, Iterator[str]]] = [(None, iter(graph.members[None]))]
    while stack:
        cluster, members = stack[-1]
        member = next(members, None)
        if member is None:
            stack.pop()
            if cluster is not None:
                yield ("close", cluster, len(stack) - 1)
        elif member in graph.clusters:
            yield ("open", member, len(stack) - 1)
            stack.append((member, iter(graph.members[member])))
        else:
            yield ("node", member, len(stack) - 1)


def statements(
    graph: Graph,
    *,
    open_cluster: Callable[[Cluster], Sequence[str]],
    close_cluster: str,
    node: Callable[[Node], str],
    edge: Callable[[int, Edge], str],
) -> list[str]:
    """A renderer's statements: nodes inside their clusters, indented two spaces a level,
    then the edges. The renderer says how each is written."""
    lines: list[str] = []
    for what, ident, depth in nesting(graph):
        indent = "  " * (depth + 1)
        if what == "open":
            lines.extend(indent + line for line in open_cluster(graph.clusters[ident]))
        elif what == "close":
            lines.append(indent + close_cluster)
        else:
            lines.append(indent + node(graph.nodes[ident]))
    lines.extend("  " + edge(index, item) for index, item in enumerate(graph.edges))
    return lines


def edge_step(edge: Edge) -> Step:
    """The step an edge draws: Next, Choice rules and Default are all a "step"."""
    kind = "step" if edge.kind in ("next", "choice", "default") else edge.kind
    return (kind, edge.from_state, edge.to_state)


def build_graph(definition: Mapping[str, Any]) -> Graph:
    """The Graph of a definition the validator accepted (a shape it refuses is drawn as far
    as it can be read: a transition to a missing state is left out)."""
    builder = _Builder()
    builder.read(definition)
    return builder.graph()


@dataclass
class _Scope:
    cluster: str | None
    # The Parallel or Map holding the scope (None for the machine itself).
    owner: str | None
    start_at: Any
    names: dict[str, str] = field(default_factory=dict)


class _Builder:
    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.clusters: dict[str, Cluster] = {}
        self.members: dict[str | None, list[str]] = {None: []}
        self.edges: list[Edge] = []
        self.state_nodes: dict[str, str] = {}
        self.scopes: dict[str, _Scope] = {}
        self.joins: dict[str, str] = {}
        self.states: list[tuple[RawState, str]] = []
        # Each join goes last in its cluster, after the branches it joins.
        self.pending_joins: list[tuple[Node, str]] = []

    def read(self, definition: Mapping[str, Any]) -> None:
        top = _Scope(None, None, definition.get("StartAt"))
        self.scopes[""] = top
        self._node(Node(START, "start", "Start"), None)
        for state in iter_states(definition):
            scope = self.scopes.get(state.scope.pointer)
            if scope is None or not isinstance(state.name, str):
                continue
            self._state(state, scope)
        for join, cluster in self.pending_joins:
            self._node(join, cluster)
        for state, scope_pointer in self.states:
            self._edges(state, self.scopes[scope_pointer])
        self._starts()

    def graph(self) -> Graph:
        return Graph(
            nodes=self.nodes,
            clusters=self.clusters,
            edges=tuple(self.edges),
            members={key: tuple(value) for key, value in self.members.items()},
            state_nodes=self.state_nodes,
        )

    def _node(self, node: Node, cluster: str | None) -> None:
        self.nodes[node.id] = node
        self.members[cluster].append(node.id)

    def _cluster(self, title: str, kind: str, parent: str | None) -> str:
        cluster = f"c{len(self.clusters)}"
        self.clusters[cluster] = Cluster(cluster, title, kind)
        self.members[parent].append(cluster)
        self.members[cluster] = []
        return cluster

    def _state(self, state: RawState, scope: _Scope) -> None:
        name: str = state.name
        value = state.value if isinstance(state.value, Mapping) else {}
        kind = value.get("Type")
        kind = kind if isinstance(kind, str) else "?"
        node_id = f"n{len(self.state_nodes)}"
        scope.names.setdefault(name, node_id)
        self.state_nodes.setdefault(name, node_id)
        self.states.append((state, state.scope.pointer))
        nested = nested_scopes(value)
        if kind not in ("Parallel", "Map"):
            self._node(Node(node_id, kind, name, _details(kind, value), name), scope.cluster)
            return
        if kind == "Parallel":
            title = "in parallel"
        else:
            concurrency = value.get("MaxConcurrency")
            at_once = f", {concurrency} at once" if _positive_int(concurrency) else ""
            title = f"for each item{at_once}"
        outer = self._cluster(title, kind.lower(), scope.cluster)
        self._node(Node(node_id, kind, name, _details(kind, value), name), outer)
        for index, inner in enumerate(nested):
            cluster = outer
            if kind == "Parallel":
                cluster = self._cluster(f"branch {index + 1}", "branch", outer)
            pointer = child_pointer(state.pointer, *inner.tokens)
            start_at = inner.value.get("StartAt") if isinstance(inner.value, Mapping) else None
            self.scopes[pointer] = _Scope(cluster, name, start_at)
        join = f"j{len(self.joins)}"
        self.joins[name] = join
        self.pending_joins.append((Node(join, "join", ""), outer))

    def _edges(self, state: RawState, scope: _Scope) -> None:
        name: str = state.name
        value = state.value if isinstance(state.value, Mapping) else {}
        node = scope.names[name]
        # A Parallel's or Map's transitions leave from where its branches join.
        exit_node = self.joins.get(name, node)
        found, _ = transitions(value)
        for transition in found:
            target = transition.target
            if not isinstance(target, str) or target not in scope.names:
                continue
            where = transition.location
            kind: EdgeKind = "next"
            label: tuple[str, ...] = ()
            if where[0] == "Choices":
                kind, label = "choice", (rule_text(value["Choices"][where[1]], LABEL_LIMIT),)
            elif where[0] == "Default":
                kind, label = "default", ("otherwise",)
            elif where[0] == "Catch":
                kind, label = "catch", (_errors_label("catch", value["Catch"][where[1]]),)
            edge = Edge(exit_node, scope.names[target], kind, label, name, target)
            self.edges.append(edge)
        retry = _retry_label(value.get("Retry"))
        if retry:
            self.edges.append(Edge(node, node, "retry", retry, name, name))
        if value.get("End") is True or value.get("Type") == "Succeed":
            if scope.owner is None:
                self.edges.append(Edge(exit_node, FINISH, "end", (), name, None))
            else:
                join = self.joins[scope.owner]
                self.edges.append(Edge(exit_node, join, "join", (), name, scope.owner))

    def _starts(self) -> None:
        ends = any(edge.kind == "end" for edge in self.edges)
        if ends:
            self._node(Node(FINISH, "end", "End"), None)
        starts: list[Edge] = []
        for scope in self.scopes.values():
            target = scope.names.get(scope.start_at) if isinstance(scope.start_at, str) else None
            if target is None:
                continue
            if scope.owner is None:
                starts.append(Edge(START, target, "start", (), None, scope.start_at))
            else:
                head = self.state_nodes[scope.owner]
                starts.append(Edge(head, target, "branch", (), scope.owner, scope.start_at))
        # Starts first: a layout engine places what it reads first at the top.
        self.edges[:0] = starts


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _details(kind: str, state: Mapping[str, Any]) -> tuple[str, ...]:
    if kind == "Task":
        return (_integration(state.get("Resource")), _task_limits(state))
    if kind == "Wait":
        return (_wait(state),)
    if kind == "Fail":
        error = state.get("Error", state.get("ErrorPath"))
        return (f"Fail: {_short(error)}",) if isinstance(error, str) else ("Fail",)
    if kind == "Parallel":
        branches = state.get("Branches")
        count = len(branches) if isinstance(branches, list) else 0
        return (f"Parallel, {count} branch{'' if count == 1 else 'es'}",)
    if kind == "Map":
        processor = next(iter(nested_scopes(state)), None)
        config = processor.value.get("ProcessorConfig") if processor else None
        mode = config.get("Mode") if isinstance(config, Mapping) else None
        return ("Map (distributed)" if mode == "DISTRIBUTED" else "Map",)
    if kind in ("Pass", "Choice", "Succeed"):
        return ()
    return (f"Type {_short(kind)}",)


def _integration(resource: Any) -> str:
    """What a Task calls, short: lambda:invoke, sqs:sendMessage.sync, function NAME..."""
    if not isinstance(resource, str):
        return "Resource (CloudFormation)"
    if ":::" in resource:
        return _short(resource.split(":::", 1)[1])
    parts = resource.split(":")
    if len(parts) >= 7 and parts[5] in ("function", "activity"):
        return _short(f"{parts[5]} {parts[6]}")
    return _short(resource)


def _task_limits(state: Mapping[str, Any]) -> str:
    text = "timeout " + _seconds(state, "TimeoutSeconds", "none")
    if "HeartbeatSeconds" in state or "HeartbeatSecondsPath" in state:
        text += ", heartbeat " + _seconds(state, "HeartbeatSeconds", "none")
    return text


def _seconds(state: Mapping[str, Any], key: str, absent: str) -> str:
    value = state.get(key)
    if _positive_int(value):
        return f"{value} s"
    if isinstance(state.get(key + "Path"), str):
        return f"at {_short(state[key + 'Path'])}"
    if isinstance(value, str):
        return "from JSONata" if value.startswith("{%") else _short(value)
    return absent


def _wait(state: Mapping[str, Any]) -> str:
    if "Seconds" in state or "SecondsPath" in state:
        return "wait " + _seconds(state, "Seconds", "?")
    until = state.get("Timestamp", state.get("TimestampPath"))
    if isinstance(until, str):
        return "until " + ("JSONata" if until.startswith("{%") else _short(until))
    return "wait"


def _errors_label(verb: str, entry: Any) -> str:
    errors = entry.get("ErrorEquals") if isinstance(entry, Mapping) else None
    if not isinstance(errors, list) or not errors:
        return verb
    more = f" +{len(errors) - 1}" if len(errors) > 1 else ""
    return _short(f"{verb} {errors[0]}{more}", LABEL_LIMIT)


def _retry_label(retry: Any) -> tuple[str, ...]:
    """("retry Busy x2", "Lambda.ServiceException +3 x6"): a line per retrier that retries."""
    if not isinstance(retry, list):
        return ()
    lines = []
    for retrier in retry:
        if not isinstance(retrier, Mapping):
            continue
        attempts = retrier.get("MaxAttempts", DEFAULT_MAX_ATTEMPTS)
        if _positive_int(attempts):  # MaxAttempts 0 never retries
            lines.append(f"{_errors_label('', retrier).strip()} x{attempts}")
    if lines:
        lines[0] = "retry " + lines[0]
    return tuple(_short(line, LABEL_LIMIT) for line in lines)


def _short(value: Any, limit: int = _DETAIL_LIMIT) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
