"""The README's example of the pytest plugin is true: run as it is written, in a copy of this
project, by pytest in a subprocess."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]


def readme_plugin_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Testing flows in a container") :]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README's plugin section has no python example"
    return match.group(1)


def test_the_readme_example_passes(pytester: pytest.Pytester, sfn_engine: Any) -> None:
    for folder in ("workflows", "lambdas"):
        shutil.copytree(
            ROOT / folder, pytester.path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    pytester.makepyfile(test_readme=readme_plugin_example())
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--sfn-local-stack-image", sfn_engine.stack_image, timeout=300
    )
    result.assert_outcomes(passed=2)
