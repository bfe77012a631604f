"""SVG and PNG from Graphviz's own `dot`: hostile names laid out as written, a missing `dot`
named with the package to install, a failing or hanging one stopped with its reason."""

from __future__ import annotations

import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sfn_flows.diagram import build_graph, workflow_diagram
from sfn_flows.diagram.graphviz import GraphvizError, render_image
from tests.diagram.machines import hostile_definition, nested_definition, shown
from tests.diagram.renderers import graphviz_dot

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_hostile_names_are_laid_out_as_written() -> None:
    dot = graphviz_dot()
    definition = hostile_definition()
    svg = render_image(
        workflow_diagram(definition, "dot", title='t "&" <x>'), "svg", executable=dot
    )
    texts = svg_texts(svg)
    for node in build_graph(definition).nodes.values():
        for line in (node.title, *node.details):
            if line:
                assert shown(line) in texts, line
    assert 't "&" <x>' in texts
    assert "catch My.Error<&>" in texts


def test_svg_of_nested_clusters_and_styles() -> None:
    svg = render_image(
        workflow_diagram(nested_definition(), "dot"), "svg", executable=graphviz_dot()
    )
    root = ET.fromstring(svg)
    clusters = [g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert len(clusters) == 4
    # The longest path's orange and the Catch's dashed red are in the picture.
    paths = [p.attrib for p in root.iter(f"{SVG}path")]
    assert any(a.get("stroke") == "#e8590c" and a.get("stroke-width") == "3" for a in paths)
    assert any(a.get("stroke") == "#c92a2a" and a.get("stroke-dasharray") for a in paths)


def test_png_is_a_png() -> None:
    png = render_image(
        workflow_diagram(nested_definition(), "dot"), "png", executable=graphviz_dot()
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 200 and height > 400


def test_without_dot_on_path_the_error_names_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizError) as raised:
        render_image("digraph { a }", "png")
    message = str(raised.value)
    assert "\n" not in message
    assert "PNG needs Graphviz's `dot`, which is not on PATH" in message
    assert "`apt install graphviz`" in message and "`brew install graphviz`" in message


def fake_dot(folder: Path, body: str) -> str:
    script = folder / "dot"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_a_failing_dot_says_why(tmp_path: Path) -> None:
    dot = fake_dot(tmp_path, "echo 'Error: <stdin>: syntax error in line 1' >&2; exit 1")
    with pytest.raises(GraphvizError, match=r"exit status 1.*syntax error in line 1"):
        render_image("digraph {", "svg", executable=dot)


def test_a_dot_that_hangs_is_stopped_at_its_deadline(tmp_path: Path) -> None:
    dot = fake_dot(tmp_path, "exec sleep 60")
    with pytest.raises(GraphvizError, match=r"within 0\.5 s and was stopped"):
        render_image("digraph { a }", "svg", executable=dot, deadline_seconds=0.5)


def test_a_dot_that_cannot_run_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "dot"
    broken.write_text("not a program")
    os.chmod(broken, 0o644)
    with pytest.raises(GraphvizError, match=r"could not run.*apt install graphviz"):
        render_image("digraph { a }", "svg", executable=str(broken))
