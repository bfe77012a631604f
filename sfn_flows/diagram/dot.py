"""A Graph as Graphviz DOT text (`dot -Tsvg` lays it out). Pure.

Ids are the graph's own (`n0`, `cluster_c0`); labels are double-quoted strings in which `\\`
and `"` are escaped, `&` is written `&amp;` (Graphviz reads entities in labels), and
characters that print nothing are shown as `\\uXXXX`.
"""

from __future__ import annotations

from collections import Counter
from typing import Final

from sfn_flows.diagram.graph import Edge, Graph, Node, statements
from sfn_flows.diagram.overlay import Overlay

_FONT: Final = "Helvetica"
# Node attributes by kind.
_SHAPES: Final = {
    "Task": 'shape=box, style="rounded"',
    "Pass": 'shape=box, style="rounded,dashed"',
    "Choice": "shape=diamond",
    "Wait": "shape=hexagon",
    "Succeed": 'shape=box, style="rounded,filled", fillcolor="#ebfbee"',
    "Fail": 'shape=box, style="rounded,filled", fillcolor="#fff5f5"',
    "Parallel": "shape=box, peripheries=2",
    "Map": "shape=box, peripheries=2",
    "start": "shape=circle, fontsize=9",
    "end": "shape=doublecircle, fontsize=9",
    "join": 'shape=point, width=0.12, label=""',
}
_NODE_EMPHASIS: Final = {
    "path": 'color="#e8590c", penwidth=3',
    "entered": 'style="rounded,filled", fillcolor="#d3f9d8", color="#2b8a3e"',
    "retried": 'style="rounded,filled", fillcolor="#fff3bf", color="#e67700"',
    "caught": 'style="rounded,filled", fillcolor="#ffe8cc", color="#d9480f"',
    "failed": 'style="rounded,filled", fillcolor="#ffe3e3", color="#c92a2a", penwidth=2',
    # Over a kind's own fill (Succeed green, Fail red): only what ran is coloured.
    "idle": 'style="rounded,filled", fillcolor="#f8f9fa", color="#adb5bd", fontcolor="#868e96"',
}
_EDGE_KINDS: Final = {
    "catch": 'style=dashed, color="#c92a2a", fontcolor="#c92a2a"',
    "retry": 'style=dotted, color="#e67700", fontcolor="#e67700"',
}
_EDGE_EMPHASIS: Final = {
    "path": 'color="#e8590c", penwidth=3',
    "taken": 'color="#2b8a3e", penwidth=3',
}
_ESCAPED: Final = {"\\": "\\\\", '"': '\\"', "&": "&amp;"}


def dot_text(text: str) -> str:
    """`text` safe inside a double-quoted DOT label, shown as written."""
    if text.isprintable() and not any(char in text for char in _ESCAPED):
        return text
    return "".join(_escape(char) for char in text)


def _escape(char: str) -> str:
    if char in _ESCAPED:
        return _ESCAPED[char]
    if not char.isprintable():
        return f"\\\\u{ord(char):04x}"
    return char


# A state that this many Catch edges or more lead to is a shared failure handler: those edges
# do not rank it. Ranked below every Task that catches into it, it pulls each of them into an
# edge across the whole picture, and Graphviz spends minutes on a hundred of them (100 Tasks
# catching into one Fail: over 4 min; so, 2 s).
SHARED_HANDLER_CATCHES: Final = 3


def to_dot(graph: Graph, overlay: Overlay | None = None, *, title: str | None = None) -> str:
    overlay = overlay or Overlay()
    catches = Counter(edge.target for edge in graph.edges if edge.kind == "catch")
    shared = {target for target, count in catches.items() if count >= SHARED_HANDLER_CATCHES}
    lines = [
        "digraph workflow {",
        f'  graph [rankdir=TB, fontname="{_FONT}", fontsize=11, newrank=true];',
        f'  node [fontname="{_FONT}", fontsize=11];',
        f'  edge [fontname="{_FONT}", fontsize=9];',
    ]
    if title:
        lines.append(f'  label="{dot_text(title)}"; labelloc=t;')
    lines += statements(
        graph,
        open_cluster=lambda cluster: [
            f"subgraph cluster_{cluster.id} {{",
            f'  label="{dot_text(cluster.title)}"; style="rounded,dashed"; '
            'color="#868e96"; fontcolor="#495057";',
        ],
        close_cluster="}",
        node=lambda node: _node(node, overlay),
        edge=lambda index, edge: _edge(edge, overlay.edge_classes.get(index), shared),
    )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(node: Node, overlay: Overlay) -> str:
    attributes = [_SHAPES.get(node.kind, "shape=box")]
    if node.kind != "join":
        parts = [node.title, *node.details]
        note = overlay.notes.get(node.id)
        if note:
            parts.append(note)
        attributes.append('label="' + "\\n".join(dot_text(part) for part in parts) + '"')
    emphasis = overlay.node_classes.get(node.id)
    if emphasis is not None:
        attributes.append(_NODE_EMPHASIS[emphasis])
    return f"{node.id} [{', '.join(attributes)}];"


def _edge(edge: Edge, emphasis: str | None, shared: set[str]) -> str:
    attributes = []
    if edge.label:
        attributes.append('label="' + "\\n".join(dot_text(line) for line in edge.label) + '"')
    if edge.kind in _EDGE_KINDS:
        attributes.append(_EDGE_KINDS[edge.kind])
    if edge.kind == "catch" and edge.target in shared:
        attributes.append("constraint=false")
    if emphasis is not None:
        attributes.append(_EDGE_EMPHASIS[emphasis])
    listed = f" [{', '.join(attributes)}]" if attributes else ""
    return f"{edge.source} -> {edge.target}{listed};"
