"""A Graph as Mermaid flowchart text, which GitHub and most Markdown viewers draw. Pure.

Node and cluster ids are the graph's own (`n0`, `c0`...); every label is quoted, and what
Mermaid would read as syntax or markup (quotes, `#`, `&`, `<`, `>`, backticks, `|`, `%`,
`;`, backslashes, the words `style` and `classDef`...) is written as an entity code
(`#35;`), which Mermaid shows as the character. Characters that print nothing (controls,
line and paragraph separators, direction overrides) are shown as `\\uXXXX`.
"""

from __future__ import annotations

import json
import re
from typing import Final

from sfn_flows.diagram.graph import Edge, Graph, Node, statements
from sfn_flows.diagram.overlay import Overlay

# Shapes by node kind: (opening, closing) around the quoted label.
_SHAPES: Final = {
    "Task": ("[", "]"),
    "Pass": ("(", ")"),
    "Choice": ("{", "}"),
    "Wait": ("{{", "}}"),
    "Succeed": ("([", "])"),
    "Fail": ("([", "])"),
    "Parallel": ("[[", "]]"),
    "Map": ("[[", "]]"),
    "start": ("((", "))"),
    "end": ("((", "))"),
    "join": ("((", "))"),
}
_SAFE: Final = re.compile(r"[A-Za-z0-9 _.,:()/+=@'!?$*\[\]{}^~-]*")
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9 _.,:()/+=@'!?$*\[\]{}^~-]")

# Classes: the kind fills of a plain picture, the stroke of the longest path, and the fills
# of an execution's states (the worst of its stays).
_CLASS_STYLES: Final = {
    "succeed": "fill:#ebfbee",
    "fail": "fill:#fff5f5",
    "path": "stroke:#e8590c,stroke-width:3px",
    "entered": "fill:#d3f9d8,stroke:#2b8a3e",
    "retried": "fill:#fff3bf,stroke:#e67700",
    "caught": "fill:#ffe8cc,stroke:#d9480f",
    "failed": "fill:#ffe3e3,stroke:#c92a2a,stroke-width:2px",
    "idle": "fill:#f8f9fa,stroke:#adb5bd,color:#868e96",
}
_EDGE_STYLES: Final = {
    "catch": "stroke:#c92a2a,color:#c92a2a",
    "retry": "stroke:#e67700,color:#e67700",
    "path": "stroke:#e8590c,stroke-width:3px",
    "taken": "stroke:#2b8a3e,stroke-width:3px",
}


# Before it reads entity codes, Mermaid cuts the last ";" of any line holding "style" or
# "classDef", then ":", then "#" (its style statements), which breaks the code that ";" ends:
# in a label those words start with an entity code.
_DIRECTIVES: Final = re.compile(r"style|classDef")


def mermaid_text(text: str) -> str:
    """`text` safe inside a quoted Mermaid label, shown as written."""
    if not _SAFE.fullmatch(text):
        text = _UNSAFE.sub(_entity, text)
    if "style" in text or "classDef" in text:
        text = _DIRECTIVES.sub(lambda word: f"#{ord(word[0][0])};{word[0][1:]}", text)
    return text


def _entity(match: re.Match[str]) -> str:
    char = match.group()
    if not char.isprintable():
        return f"#92;u{ord(char):04x}"
    if ord(char) > 127:
        return char
    return f"#{ord(char)};"


def to_mermaid(graph: Graph, overlay: Overlay | None = None, *, title: str | None = None) -> str:
    overlay = overlay or Overlay()
    lines: list[str] = []
    if title:
        # Front matter is YAML; a JSON string is a YAML double-quoted scalar.
        lines += ["---", f"title: {json.dumps(title, ensure_ascii=False)}", "---"]
    lines.append("flowchart TD")
    lines += statements(
        graph,
        open_cluster=lambda cluster: [f'subgraph {cluster.id}["{mermaid_text(cluster.title)}"]'],
        close_cluster="end",
        node=lambda node: _node(node, overlay),
        edge=lambda index, edge: _edge(edge, overlay.edge_classes.get(index)),
    )
    lines.extend(_styles(graph, overlay))
    return "\n".join(lines) + "\n"


def _node(node: Node, overlay: Overlay) -> str:
    opening, closing = _SHAPES.get(node.kind, ("[", "]"))
    parts = [node.title or " ", *node.details]
    note = overlay.notes.get(node.id)
    if note:
        parts.append(note)
    label = "<br>".join(mermaid_text(part) for part in parts)
    return f'{node.id}{opening}"{label}"{closing}'


def _edge(edge: Edge, emphasis: str | None) -> str:
    dotted = edge.kind in ("catch", "retry")
    arrow = "-.->" if dotted else ("==>" if emphasis else "-->")
    text = "<br>".join(mermaid_text(line) for line in edge.label)
    label = f'|"{text}"|' if text else ""
    return f"{edge.source} {arrow}{label} {edge.target}"


def _styles(graph: Graph, overlay: Overlay) -> list[str]:
    by_class: dict[str, list[str]] = {}
    if overlay.mode != "execution":
        for node in graph.nodes.values():
            if node.kind in ("Succeed", "Fail"):
                by_class.setdefault(node.kind.lower(), []).append(node.id)
    for node_id, name in overlay.node_classes.items():
        by_class.setdefault(name, []).append(node_id)
    lines = [
        f"  classDef {name} {_CLASS_STYLES[name]}" for name in _CLASS_STYLES if name in by_class
    ]
    lines += [f"  class {','.join(nodes)} {name}" for name, nodes in by_class.items()]
    # One linkStyle per distinct style: an edge's kind colour, or its emphasis over it.
    by_style: dict[str, list[str]] = {}
    for index, edge in enumerate(graph.edges):
        style = _EDGE_STYLES.get(overlay.edge_classes.get(index, ""), "")
        if edge.kind in ("catch", "retry"):
            style = _EDGE_STYLES[edge.kind] + (f",{style}" if style else "")
        if style:
            by_style.setdefault(style, []).append(str(index))
    lines += [f"  linkStyle {','.join(indexes)} {style}" for style, indexes in by_style.items()]
    return lines
