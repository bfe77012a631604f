"""The README's `simulate_flow` example is true: its code, run as written with this session's
`simulate_flow` fixture (the container-backed example has its own test in tests/containers)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sfn_flows.testing import ProjectFlows

ROOT = Path(__file__).resolve().parents[2]


def readme_simulate_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Testing flows in the test's process") :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's simulate_flow section has no python example"
    return match.group(1)


def test_the_readme_example_passes(simulate_flow: ProjectFlows) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(readme_simulate_example(), "README.md", "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert len(tests) == 2
    for test in tests:
        test(simulate_flow)
