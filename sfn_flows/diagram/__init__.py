"""Diagrams of workflows and of their executions.

A definition becomes a Graph (`graph.build_graph`: states, Parallel and Map clusters, Choice
rules, Retry and Catch), an Overlay draws the longest budget path or what an execution did
over it, and a renderer writes Mermaid (`mermaid.to_mermaid`) or Graphviz DOT (`dot.to_dot`)
text. All of that is pure: no I/O, and the same input always gives the same text. SVG and
PNG come from Graphviz's own `dot` (`graphviz.render_image`, a subprocess).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

from sfn_flows.diagram.dot import to_dot
from sfn_flows.diagram.execution import ExecutionTrace, trace_execution, trace_graph
from sfn_flows.diagram.graph import Graph, build_graph
from sfn_flows.diagram.longest_path import longest_path
from sfn_flows.diagram.mermaid import to_mermaid
from sfn_flows.diagram.overlay import Overlay, execution_overlay, path_overlay
from sfn_flows.errors import SfnFlowsError

if TYPE_CHECKING:
    from sfn_flows.asl.history import HistoryEvent
    from sfn_flows.budget import Budget

TextFormat = Literal["mermaid", "dot"]
TEXT_FORMATS: Final = ("mermaid", "dot")

__all__ = [
    "TEXT_FORMATS",
    "ExecutionTrace",
    "Graph",
    "Overlay",
    "build_graph",
    "execution_diagram",
    "execution_overlay",
    "render",
    "trace_execution",
    "workflow_diagram",
]


def render(
    graph: Graph, overlay: Overlay | None, text_format: str, title: str | None = None
) -> str:
    if text_format == "mermaid":
        return to_mermaid(graph, overlay, title=title)
    if text_format == "dot":
        return to_dot(graph, overlay, title=title)
    raise SfnFlowsError(
        f"{text_format!r} is not a diagram text format; choose one of {', '.join(TEXT_FORMATS)}."
    )


def workflow_diagram(
    definition: Mapping[str, Any],
    text_format: str = "mermaid",
    *,
    budget: Budget | None = None,
    map_max_items: Mapping[str, int] | None = None,
    loop_max_iterations: Mapping[str, int] | None = None,
    title: str | None = None,
) -> str:
    """A definition drawn with its longest budget path highlighted (the declarations are the
    budget's: a Map's max_items, a loop's max_iterations, by state name)."""
    graph = build_graph(definition)
    path = longest_path(
        definition,
        budget=budget,
        map_max_items=map_max_items,
        loop_max_iterations=loop_max_iterations,
    )
    return render(graph, path_overlay(graph, path), text_format, title)


def execution_diagram(
    definition: Mapping[str, Any] | None,
    events: Iterable[HistoryEvent],
    text_format: str = "mermaid",
    *,
    title: str | None = None,
) -> str:
    """An execution drawn on its definition: the states it entered, retried, caught and
    failed, and the steps it took. Without the definition, its path alone."""
    trace = trace_execution(events)
    graph = build_graph(definition) if definition is not None else trace_graph(trace)
    return render(graph, execution_overlay(graph, trace), text_format, title)
