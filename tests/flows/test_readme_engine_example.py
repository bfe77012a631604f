"""The README's in-process engine example is true: its code runs as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_engine_example_runs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Any ASL, on the in-process engine") :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's engine section has no python example"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), "README.md", "exec"), namespace)  # its asserts are the test
    result = namespace["result"]
    # The retry waited its 30 s and the answer took 3 s, on the virtual clock.
    started = result.events[0].timestamp
    assert (result.events[-1].timestamp - started).total_seconds() == 33
