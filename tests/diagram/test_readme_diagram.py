"""The README's diagram is what `sfn-flows graph order-fulfilment` prints today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Diagrams of workflows and executions\n"


def readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    start = section.index("```mermaid\n") + len("```mermaid\n")
    return section[start : section.index("\n```\n", start) + 1]


def test_the_readme_shows_the_commands_output() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sfn_flows", "graph", "order-fulfilment"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert readme_block() == done.stdout, (
        "the README's diagram is stale: paste `sfn-flows graph order-fulfilment` into it"
    )
