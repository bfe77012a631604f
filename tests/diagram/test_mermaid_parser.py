"""Mermaid's own parser reads what sfn-flows writes: every diagram parses, and every label
(state names holding quotes, brackets, entity-like text, markup, unicode, controls) comes out
as the graph has it."""

from __future__ import annotations

from pathlib import Path

from sfn_flows.diagram import build_graph, execution_diagram, workflow_diagram
from sfn_flows.diagram.graph import Graph
from sfn_flows.engine import StatesError, simulate
from sfn_flows.testing import load_project
from tests.diagram.machines import hostile_definition, nested_definition, shown
from tests.diagram.renderers import mermaid_parse

ROOT = Path(__file__).resolve().parents[2]


def expected_labels(graph: Graph) -> dict[str, str]:
    return {
        node.id: "<br>".join(shown(part) for part in (node.title, *node.details))
        for node in graph.nodes.values()
        if node.kind != "join"
    }


def test_every_diagram_parses_with_its_nodes_edges_and_clusters() -> None:
    project = load_project(ROOT)
    definitions = [project.compiled(name).definition for name in project.names]
    definitions += [nested_definition(), hostile_definition()]
    texts = [workflow_diagram(d, title=f"diagram {i}") for i, d in enumerate(definitions)]
    for definition, parsed in zip(definitions, mermaid_parse(texts), strict=True):
        assert parsed["ok"], parsed["error"]
        assert parsed["type"] == "flowchart-v2"
        graph = build_graph(definition)
        assert set(parsed["vertices"]) == set(graph.nodes)
        assert [(s, e) for s, e, _ in parsed["edges"]] == [
            (edge.source, edge.target) for edge in graph.edges
        ]
        assert {s[0]: s[2] for s in parsed["subgraphs"]} == {
            cluster: list(graph.members[cluster]) for cluster in graph.clusters
        }


def test_hostile_names_come_out_of_mermaid_as_they_went_in() -> None:
    definition = hostile_definition()
    graph = build_graph(definition)
    [parsed] = mermaid_parse([workflow_diagram(definition, title='a "title" <&> #1;')])
    assert parsed["ok"], parsed["error"]
    labels = {ident: text for ident, text in parsed["vertices"].items() if ident in graph.nodes}
    expected = expected_labels(graph)
    assert {i: labels[i] for i in expected} == expected
    edge_labels = [text for _, _, text in parsed["edges"]]
    assert edge_labels == ["<br>".join(shown(line) for line in e.label) for e in graph.edges]
    assert '$.kind == "a \\"quoted\\" <value> | #1;"' in edge_labels
    assert "catch My.Error<&>" in edge_labels


def test_an_execution_diagram_parses_with_its_notes() -> None:
    definition = hostile_definition()

    def fail(payload: object) -> object:
        raise StatesError("My.Error<&>", "boom")

    result = simulate(definition, {"kind": 'a "quoted" <value> | #1;'}, tasks={"{other}": fail})
    assert result.status == "FAILED"
    with_definition = execution_diagram(definition, result.events, title="run")
    path_alone = execution_diagram(None, result.events)
    parsed = mermaid_parse([with_definition, path_alone])
    assert all(p["ok"] for p in parsed), parsed
    labels = parsed[0]["vertices"]
    graph = build_graph(definition)
    assert labels[graph.state_nodes["Fan|out"]].endswith("<br>caught")
    assert labels[graph.state_nodes["{other}"]].endswith("<br>failed")
    assert labels[graph.state_nodes['Fail "now"']].endswith("<br>failed")
    assert shown("\u202eevil\u2028sep") in parsed[1]["vertices"].values()
