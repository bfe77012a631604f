"""`sfn-flows import` over the conformance corpus: every distinct definition of its 1,038
executions (recorded against AWS, read from ../shared, never copied) is imported, the module
built by the build's own discovery and compiler, and the ASL compared with the definition.

What may differ, and why, is listed here; anything else fails the test:
- the timeouts sfn-flows adds (the machine's, and each Task's that has none);
- key order (the build writes each object's keys in its own order);
- a top-level Version (no Workflow keyword) and an empty Catch list (add_catch writes none).
The build may refuse a module only where the definition's own timeouts exceed its machine
timeout (sfn-flows proves the budget fits).
`python -m pytest tests/codegen/test_corpus_round_trip.py -s` prints the figures.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.codegen import Imported, import_definition
from sfn_flows.validate import validate_definition
from tests.codegen.building import build_modules, ruff, written

# The differences the model cannot avoid, by what Difference.why() says of them.
EXPLAINED = (
    "Workflow has no keyword for Version",
    "an empty Catch catches nothing",
)


@pytest.fixture(scope="module")
def definitions(corpus_file: Path) -> dict[str, dict[str, Any]]:
    """Each distinct definition once, by the id of the first case that uses it."""
    found: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    with corpus_file.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            case = json.loads(line)
            key = json.dumps(case["definition"], sort_keys=True)
            if key not in seen:
                seen.add(key)
                found[case["id"]] = case["definition"]
    return found


@pytest.fixture(scope="module")
def imported(definitions: dict[str, dict[str, Any]]) -> dict[str, Imported]:
    results = {}
    for index, (case_id, definition) in enumerate(definitions.items()):
        errors = [p for p in validate_definition(definition) if p.severity == "error"]
        assert errors == [], case_id  # the validator accepts every definition of the corpus
        results[case_id] = import_definition(
            definition, source_name=case_id, workflow_name=f"corpus-{index}"
        )
    return results


@pytest.fixture(scope="module")
def modules(imported: dict[str, Imported]) -> dict[str, str]:
    return {f"m{index:03d}": case_id for index, case_id in enumerate(imported)}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus") / "workflows"


def test_every_definition_imports_and_builds_what_the_import_says(
    definitions: dict[str, dict[str, Any]],
    imported: dict[str, Imported],
    modules: dict[str, str],
    folder: Path,
) -> None:
    built = build_modules(folder, {m: imported[case].text for m, case in modules.items()})
    outcomes: Counter[str] = Counter()
    explained: Counter[str] = Counter()
    for module, case_id in modules.items():
        result = imported[case_id]
        text, accepted = built[module]
        # The module builds exactly what the import measured and reported.
        assert text == written(result.built), case_id
        assert accepted == result.builds, case_id
        source = written(definitions[case_id])
        outcome = result.outcome()
        assert (text == source) == (outcome == "exact"), case_id
        outcomes[outcome] += 1
        for difference in result.inexact:
            reason = difference.why()
            assert reason.startswith(EXPLAINED), (case_id, difference.describe())
            explained[reason] += 1
        if not accepted:
            codes = {p.code for p in result.problems if p.severity == "error"}
            assert codes == {"budget-exceeds-timeout"}, (case_id, result.problems)
            outcomes["refused by the build"] += 1
        outcomes["with raw_fields"] += bool(result.raw)
    print(
        f"\n{len(definitions)} distinct definitions: {dict(outcomes)}; inexact: {dict(explained)}"
    )
    assert outcomes["exact"] + outcomes["timeouts"] + outcomes["order"] + outcomes[
        "inexact"
    ] == len(definitions)


def test_the_build_of_an_import_imports_back_byte_for_byte(
    imported: dict[str, Imported], tmp_path: Path
) -> None:
    """build -> import -> build: the second import of every definition is exact."""
    again = {
        f"m{index:03d}": import_definition(
            result.built, source_name=case_id, workflow_name=f"corpus-{index}"
        )
        for index, (case_id, result) in enumerate(imported.items())
    }
    assert {m: r.outcome() for m, r in again.items() if r.outcome() != "exact"} == {}
    built = build_modules(tmp_path / "workflows", {m: r.text for m, r in again.items()})
    for index, (case_id, first) in enumerate(imported.items()):
        assert built[f"m{index:03d}"][0] == written(first.built), case_id


def test_every_module_is_formatted_as_ruff_formats(
    imported: dict[str, Imported], modules: dict[str, str], folder: Path
) -> None:
    for module, case_id in modules.items():
        (folder / f"{module}.py").write_text(imported[case_id].text, encoding="utf-8")
    for line_length in ("88", "100"):
        result = ruff("format", "--check", "--line-length", line_length, str(folder))
        assert result.returncode == 0, result.stdout + result.stderr
    # Lines may run long only where nothing can be split (a long string or name).
    checked = ruff("check", "--select", "E,F,W,I,B,UP,SIM,RUF", "--ignore", "E501", str(folder))
    assert checked.returncode == 0, checked.stdout
