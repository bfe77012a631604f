"""Mermaid's and Graphviz's own programs, for the tests that check the text they are given:
Mermaid's parser under Node.js (tests/diagram/mermaid_js, `npm ci` there) and Graphviz's `dot`.
Where one is missing the test skips saying how to install it, unless CI's variable asks for
it (.ci/run sets both): there it fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Final

import pytest

MERMAID_JS: Final = Path(__file__).resolve().parent / "mermaid_js"
REQUIRE_MERMAID: Final = "SFN_FLOWS_REQUIRE_MERMAID"
REQUIRE_GRAPHVIZ: Final = "SFN_FLOWS_REQUIRE_GRAPHVIZ"
# Only a guard against a hang: Node.js loads Mermaid in about a second.
DEADLINE_SECONDS: Final = 120


def missing(variable: str, reason: str) -> None:
    if os.environ.get(variable):
        pytest.fail(f"{variable} is set but {reason}")
    pytest.skip(reason)


def mermaid_parse(diagrams: list[str]) -> list[dict[str, Any]]:
    """What Mermaid's parser reads in each diagram: {ok, error, vertices, edges, subgraphs}."""
    node = shutil.which("node")
    if node is None or not (MERMAID_JS / "node_modules" / "mermaid").is_dir():
        missing(
            REQUIRE_MERMAID,
            f"Mermaid's parser is not installed: run `npm ci --prefix {MERMAID_JS}` "
            "(needs Node.js and npm)",
        )
    done = subprocess.run(
        [str(node), str(MERMAID_JS / "parse.mjs")],
        input=json.dumps(diagrams),
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    parsed: list[dict[str, Any]] = json.loads(done.stdout)
    return parsed


def graphviz_dot() -> str:
    """The path of Graphviz's `dot`."""
    dot = shutil.which("dot")
    if dot is None:
        missing(REQUIRE_GRAPHVIZ, "Graphviz's dot is not installed (apt install graphviz)")
    assert dot is not None
    return dot
