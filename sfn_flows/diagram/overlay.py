"""What is drawn over a Graph: the longest budget path, or what an execution did. Both are
classes by node id and by edge index, which the renderers turn into their own styles. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from sfn_flows.diagram.execution import ExecutionTrace
from sfn_flows.diagram.graph import FINISH, START, Graph, edge_step
from sfn_flows.diagram.longest_path import LongestPath

Mode = Literal["plain", "path", "execution"]


@dataclass(frozen=True)
class Overlay:
    mode: Mode = "plain"
    # Node id -> "path" (on the longest path), or an execution's status: "entered",
    # "retried", "caught", "failed", "idle" (not entered).
    node_classes: Mapping[str, str] = field(default_factory=dict)
    # Edge index (in Graph.edges) -> "path" or "taken".
    edge_classes: Mapping[int, str] = field(default_factory=dict)
    # Node id -> a line added to its label ("retried 2x").
    notes: Mapping[str, str] = field(default_factory=dict)


def path_overlay(graph: Graph, path: LongestPath) -> Overlay:
    nodes = {graph.state_nodes[n]: "path" for n in path.states if n in graph.state_nodes}
    edges: dict[int, str] = {}
    for index, edge in enumerate(graph.edges):
        if edge_step(edge) in path.steps:
            edges[index] = "path"
            _mark_ends(graph, edge.source, edge.target, nodes, "path")
    return Overlay("path", _ordered(graph, nodes), edges)


def execution_overlay(graph: Graph, trace: ExecutionTrace) -> Overlay:
    nodes: dict[str, str] = {}
    notes: dict[str, str] = {}
    for name, node in graph.state_nodes.items():
        run = trace.states.get(name)
        nodes[node] = run.status if run is not None else "idle"
        if run is not None and run.note():
            notes[node] = run.note()
    edges: dict[int, str] = {}
    for index, edge in enumerate(graph.edges):
        if edge_step(edge) in trace.steps:
            edges[index] = "taken"
            _mark_ends(graph, edge.source, edge.target, nodes, "entered")
    return Overlay("execution", _ordered(graph, nodes), edges, notes)


def _mark_ends(graph: Graph, source: str, target: str, nodes: dict[str, str], status: str) -> None:
    """The start, end and join points an emphasised edge touches share its emphasis."""
    for end in (source, target):
        if end in (START, FINISH) or graph.nodes[end].kind == "join":
            nodes[end] = status


def _ordered(graph: Graph, classes: Mapping[str, str]) -> dict[str, str]:
    """In the graph's own node order, so the output never depends on set order."""
    return {node: classes[node] for node in graph.nodes if node in classes}
