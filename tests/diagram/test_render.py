"""Mermaid and DOT text: structure, styles, escaping and determinism, read as text (the
parsers themselves read them in test_mermaid_parser.py and test_graphviz.py)."""

from __future__ import annotations

import re

import pytest

from sfn_flows.diagram import build_graph, execution_diagram, workflow_diagram
from sfn_flows.diagram.dot import dot_text
from sfn_flows.diagram.mermaid import mermaid_text
from tests.diagram.machines import HOSTILE_NAMES, hostile_definition, nested_definition, task


def test_mermaid_structure() -> None:
    text = workflow_diagram(nested_definition(), title="nested")
    lines = text.splitlines()
    assert lines[:4] == ["---", 'title: "nested"', "---", "flowchart TD"]
    assert '  start(("Start"))' in lines
    assert any(re.fullmatch(r'  n\d+\{"Route"\}', line) for line in lines)  # Choice: rhombus
    assert any(re.fullmatch(r'  n\d+\{\{"Nap<br>wait 600 s"\}\}', line) for line in lines)
    assert sum(line.strip().startswith("subgraph ") for line in lines) == 4
    assert sum(line.strip() == "end" for line in lines) == 4
    # Clusters nest: the Map's subgraph is inside branch 2's, inside the Parallel's.
    depth = {
        line.strip(): len(line) - len(line.lstrip())
        for line in lines
        if line.strip().startswith("subgraph")
    }
    assert list(depth.values()) == [2, 4, 4, 6]
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_mermaid_styles_retry_catch_and_the_longest_path_apart() -> None:
    lines = workflow_diagram(nested_definition()).splitlines()
    edges = [line.strip() for line in lines if re.match(r"\s+\w+ (-->|==>|-\.->)", line)]
    retry = [i for i, e in enumerate(edges) if '"retry ' in e]
    catch = [i for i, e in enumerate(edges) if '"catch ' in e]
    path = [i for i, e in enumerate(edges) if " ==> " in e or " ==>|" in e]
    assert retry and catch and path
    assert all(" -.->|" in edges[i] for i in retry + catch)
    styled = [line.strip().split(" ", 2) for line in lines if "linkStyle" in line]
    styles = {indexes: style for _, indexes, style in styled}

    def style_of(index: int) -> str:
        return next(s for indexes, s in styles.items() if str(index) in indexes.split(","))

    assert all("#e67700" in style_of(i) for i in retry)  # amber
    assert all(style_of(i).startswith("stroke:#c92a2a") for i in catch)  # red
    assert all("stroke-width:3px" in style_of(i) for i in path)
    assert "classDef path stroke:#e8590c,stroke-width:3px" in "\n".join(lines)


def test_the_longest_path_goes_through_the_slowest_branch() -> None:
    text = workflow_diagram(nested_definition())
    path_nodes = next(line for line in text.splitlines() if line.endswith(" path"))
    ids = path_nodes.split()[1].split(",")
    nodes = (re.match(r'\s+(\w+)[\[({]+"([^"<]*)', line) for line in text.splitlines())
    labels = {m[1]: m[2] for m in nodes if m}
    on_path = {labels.get(i) for i in ids}
    assert {"Route", "Both", "Prepare", "EachItem", "Item", "Nap", "Finish", "Done"} <= on_path
    assert "Fast" not in on_path and "Rejected" not in on_path


def test_dot_structure_and_styles() -> None:
    text = workflow_diagram(nested_definition(), "dot", title="nested")
    assert text.startswith("digraph workflow {\n") and text.endswith("}\n")
    assert 'label="nested"; labelloc=t;' in text
    assert text.count("subgraph cluster_") == 4
    assert re.search(r'n\d+ -> n\d+ \[label="retry Busy x2", style=dotted', text)
    assert re.search(r'j\d+ -> n\d+ \[label="catch States.ALL", style=dashed', text)
    assert re.search(r'label="Nap\\nwait 600 s", color="#e8590c", penwidth=3', text)


@pytest.mark.parametrize("text_format", ["mermaid", "dot"])
def test_output_is_byte_identical_for_the_same_input(text_format: str) -> None:
    for definition in (nested_definition(), hostile_definition()):
        first = workflow_diagram(definition, text_format)
        assert workflow_diagram(definition, text_format) == first


def test_mermaid_escaping_leaves_no_syntax_in_labels() -> None:
    for name in HOSTILE_NAMES:
        escaped = mermaid_text(name)
        # Inside a quoted label only `"` ends it, and `#...;`, `&`, `<` are markup: what is
        # left once the entity codes are taken out holds none of them.
        bare = re.sub(r"#\d+;", "", escaped)
        assert not set(bare) & set('"#&<>`|%;\\\n\t'), (name, escaped)
    assert mermaid_text('a "b" #c;') == "a #34;b#34; #35;c#59;"
    assert mermaid_text("é😀") == "é😀"
    assert mermaid_text("a\nb\u202e") == "a#92;u000ab#92;u202e"
    assert mermaid_text("plain Name-1_2") == "plain Name-1_2"


def test_dot_escaping() -> None:
    assert dot_text('a "b" \\ c & d') == 'a \\"b\\" \\\\ c &amp; d'
    assert dot_text("a\nb") == "a\\\\u000ab"
    assert dot_text("é 😀 <b>") == "é 😀 <b>"


def test_hostile_names_never_reach_an_id_or_break_a_line() -> None:
    for text_format in ("mermaid", "dot"):
        text = workflow_diagram(hostile_definition(), text_format)
        for line in text.splitlines():
            # Each line is one statement: a name's newline or separator never splits one.
            assert line.isprintable(), line
        assert "\u202e" not in text


def test_an_execution_without_its_definition_is_drawn_as_its_path() -> None:
    from sfn_flows.engine import simulate

    result = simulate(
        nested_definition(), {"kind": "small", "coupon": 1}, tasks={"Finish": lambda payload: {}}
    )
    text = execution_diagram(None, result.events)
    assert '"Route"' in text and '"Nap' in text and '"Both' not in text


def test_dot_colours_an_execution_over_the_kinds_own_fills() -> None:
    from sfn_flows.engine import simulate

    definition = nested_definition()
    result = simulate(definition, {"kind": "none"})  # the Default: Rejected, a Fail
    text = execution_diagram(definition, result.events, "dot")
    lines = {line.split(" [")[0].strip(): line for line in text.splitlines() if " [" in line}
    ids = build_graph(definition).state_nodes
    assert lines[ids["Rejected"]].endswith('fillcolor="#ffe3e3", color="#c92a2a", penwidth=2];')
    # Done is a Succeed (green of its own) that did not run: grey, the last fill wins.
    assert lines[ids["Done"]].endswith(
        'style="rounded,filled", fillcolor="#f8f9fa", color="#adb5bd", fontcolor="#868e96"];'
    )
    assert re.search(r'n\d+ -> n\d+ \[label="otherwise", color="#2b8a3e", penwidth=3\];', text)


def test_dot_does_not_rank_a_shared_failure_handler_by_its_catches() -> None:
    def catching(after: str | None) -> dict[str, object]:
        return task(after, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Failed"}])

    definition = {
        "StartAt": "A",
        "States": {
            "A": catching("B"),
            "B": catching("C"),
            "C": catching(None),
            "Failed": {"Type": "Fail", "Error": "Failed"},
        },
    }
    shared = [line for line in workflow_diagram(definition, "dot").splitlines() if "catch" in line]
    assert len(shared) == 3 and all("constraint=false" in line for line in shared)
    # One Catch (order-fulfilment's kind) keeps its place below the state it leaves.
    single = [line for line in workflow_diagram(nested_definition(), "dot").splitlines()]
    assert not [line for line in single if "constraint" in line]
