"""The layer contracts of pyproject.toml ([tool.importlinter]) hold, as CI checks them.

Beside them, the "imports only ..." rules that import-linter can state only as lists of
what is forbidden are checked in their positive form: everything `sfn_flows.runtime` (inside
Lambda), `sfn_flows.asl` (the pure core) and `sfn_flows.diagram` import, directly, is named
here.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sysconfig.get_path("scripts")) / "lint-imports"

# package -> (the parts of sfn_flows it may import besides itself, third-party packages)
ONLY = {
    "sfn_flows.runtime": (frozenset(), frozenset({"boto3", "botocore"})),
    "sfn_flows.asl": (frozenset({"sfn_flows.errors"}), frozenset({"jsonata"})),
    # Diagrams: ASL and the budget in, text out (Graphviz is a program, run as one).
    "sfn_flows.diagram": (
        frozenset({"sfn_flows.asl", "sfn_flows.budget", "sfn_flows.errors"}),
        frozenset(),
    ),
}


def test_lint_imports_keeps_every_contract() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--config", "pyproject.toml", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = result.stdout[result.stdout.find("Contracts") :]  # after the banner
    assert result.returncode == 0, report + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("sfn_flows", include_external_packages=True, cache_dir=None)


@pytest.mark.parametrize("package", sorted(ONLY))
def test_package_imports_only_what_it_may(graph: grimp.ImportGraph, package: str) -> None:
    internal, external = ONLY[package]
    stdlib = sys.stdlib_module_names
    outside: list[str] = []
    for module in sorted({package, *graph.find_descendants(package)}):
        for imported in graph.find_modules_directly_imported_by(module):
            top = imported.split(".")[0]
            if top == "sfn_flows":
                allowed = imported == package or imported.startswith(f"{package}.")
                allowed = allowed or any(
                    imported == part or imported.startswith(f"{part}.") for part in internal
                )
            else:
                allowed = top in stdlib or top in external
            if not allowed:
                outside.append(f"{module} -> {imported}")
    assert outside == [], f"{package} may import only the standard library, {sorted(external)}"
