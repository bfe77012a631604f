"""Shared fixtures: where the conformance corpus lives (never copied into the project)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.engine.conformance import CASES_ENV, cases_file
from sfn_flows.local import LocalStack, start_local_stack, stop_local_stack

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Folders whose tests start the embedded local stack (or run `sfn-flows local`/`demo`).
E2E_FOLDERS = ("e2e", "local")
DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "conformance" / "localstack_cases.jsonl"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks `e2e` the tests that start the embedded local stack: those of E2E_FOLDERS and
    those using the `local_stack` fixture, also through another fixture."""
    folders = [PROJECT_ROOT / "tests" / folder for folder in E2E_FOLDERS]
    for item in items:
        in_folder = any(item.path.is_relative_to(folder) for folder in folders)
        if in_folder or "local_stack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


def corpus_path() -> Path:
    """The corpus file: $SFN_FLOWS_CONFORMANCE (the file or its folder, as the conformance
    runner reads it), else shared/ beside the project."""
    return cases_file(Path(os.environ.get(CASES_ENV, DEFAULT_CORPUS)))


@pytest.fixture(scope="session")
def corpus_file(corpus_cases: list[dict[str, Any]]) -> Path:
    """The corpus file (after `corpus_cases` found it), for tests in packages, which cannot
    import this module by the name `conftest`."""
    return corpus_path()


@pytest.fixture(scope="session")
def corpus_cases() -> list[dict[str, Any]]:
    path = corpus_path()
    if not path.is_file():
        if os.environ.get("SFN_FLOWS_REQUIRE_CORPUS"):
            pytest.fail(f"SFN_FLOWS_REQUIRE_CORPUS is set but the corpus is not at {path}")
        pytest.skip(
            f"conformance corpus not found at {path}: put shared/ beside the project or set "
            f"{CASES_ENV} to localstack_cases.jsonl or its folder"
        )
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A real MiniStack on a free port for the whole session, stopped at the end."""
    home = tmp_path_factory.mktemp("local-stack")
    stack = start_local_stack(home)
    try:
        yield stack
    finally:
        stop_local_stack(home)


@pytest.fixture(scope="session")
def local_target(local_stack: LocalStack) -> Target:
    return Target(endpoint_url=local_stack.endpoint_url)
