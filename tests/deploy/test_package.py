"""The Lambda package: deterministic bytes, the contract's contents, self-contained."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.deploy.naming import API_CONFIG_FILE
from sfn_flows.deploy.package import PackageError, build_package

from .conftest import copy_project, load_json


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="module")
def manifest(built_project: Path) -> dict[str, Any]:
    document: dict[str, Any] = load_json(built_project / "build" / "manifest.json")
    return document


def test_same_sources_give_the_same_bytes(
    project: Path, tmp_path: Path, manifest: dict[str, Any]
) -> None:
    first = build_package(project / "lambdas", manifest)
    # Another checkout: other timestamps, other permissions, compiled caches lying around.
    other = copy_project(tmp_path / "other")
    for path in (other / "lambdas").iterdir():
        os.utime(path, (1_900_000_000, 1_900_000_000))
        path.chmod(0o755)
    cache = other / "lambdas" / "__pycache__"
    cache.mkdir()
    (cache / "notify.cpython-311.pyc").write_bytes(b"compiled")
    (other / "lambdas" / "stray.pyc").write_bytes(b"compiled")
    second = build_package(other / "lambdas", manifest)
    assert second.data == first.data
    assert second.key == first.key == f"artifacts/{first.sha256}.zip"


def test_a_changed_handler_changes_the_key(project: Path, manifest: dict[str, Any]) -> None:
    before = build_package(project / "lambdas", manifest)
    with (project / "lambdas" / "notify.py").open("a") as handle:
        handle.write("\n# changed\n")
    assert build_package(project / "lambdas", manifest).key != before.key


def test_entries_are_normalised(project: Path, manifest: dict[str, Any]) -> None:
    package = build_package(project / "lambdas", manifest)
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        assert "__pycache__" not in info.filename and not info.filename.endswith(".pyc")


def test_contents_follow_the_contract(project: Path, manifest: dict[str, Any]) -> None:
    package = build_package(project / "lambdas", manifest)
    names = set(package.files)
    handlers = {p.name for p in (project / "lambdas").glob("*.py")}
    assert handlers <= names  # lambdas/ at the root
    assert {
        "sfn_flows/__init__.py",
        "sfn_flows/aws/__init__.py",
        "sfn_flows/runtime/__init__.py",
        API_CONFIG_FILE,
    } <= names
    # Nothing of the compiler, the model, deploy or the CLI.
    framework = {n.split("/")[1] for n in names if n.startswith("sfn_flows/")}
    assert framework <= {"__init__.py", "errors.py", "runtime", "aws"}
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        config = json.loads(archive.read(API_CONFIG_FILE))
    assert config == {
        "workflows": {
            entry["name"]: {"input_schema": entry["input_schema"]}
            for entry in manifest["workflows"]
        }
    }


def test_the_package_imports_on_its_own(
    project: Path, tmp_path: Path, manifest: dict[str, Any]
) -> None:
    """Every handler imports from the unpacked zip alone, without pydantic (cold start)."""
    package = build_package(project / "lambdas", manifest)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        archive.extractall(unpacked)
    modules = sorted({spec["handler"].rsplit(".", 1)[0] for spec in manifest["functions"].values()})
    modules += ["starter", "status"]
    script = (
        "import importlib, json, sys\n"
        f"sys.path.insert(0, {str(unpacked)!r})\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "import sfn_flows\n"
        "print(json.dumps({'sfn_flows': sfn_flows.__file__,\n"
        "                  'pydantic': 'pydantic' in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SFN_FLOWS_STATE_MACHINES": "{}"},
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["sfn_flows"].startswith(str(unpacked))
    assert found["pydantic"] is False


def test_missing_handler_module_is_named(project: Path, manifest: dict[str, Any]) -> None:
    (project / "lambdas" / "orders.py").unlink()
    with pytest.raises(PackageError) as caught:
        build_package(project / "lambdas", manifest)
    message = str(caught.value)
    assert "handler module(s) missing" in message
    assert "ReserveStock needs 'orders.reserve_stock'" in message
    assert str(project / "lambdas" / "orders.py") in message


def test_api_handlers_come_with_sfn_flows_unless_the_project_has_its_own(
    project: Path, manifest: dict[str, Any]
) -> None:
    (project / "lambdas" / "starter.py").unlink()
    (project / "lambdas" / "status.py").write_text("handler = 'custom'\n")
    package = build_package(project / "lambdas", manifest)
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        starter = archive.read("starter.py").decode()
        status = archive.read("status.py").decode()
    assert "handler = make_starter_handler()" in starter
    assert status == "handler = 'custom'\n"


def test_missing_lambdas_folder(tmp_path: Path, manifest: dict[str, Any]) -> None:
    with pytest.raises(PackageError, match=r"no such folder.*--lambdas DIR"):
        build_package(tmp_path / "lambdas", manifest)


def test_files_that_would_shadow_the_framework(project: Path, manifest: dict[str, Any]) -> None:
    (project / "lambdas" / "sfn_flows").mkdir()
    (project / "lambdas" / "sfn_flows" / "errors.py").write_text("")
    (project / "lambdas" / API_CONFIG_FILE).write_text("{}")
    with pytest.raises(PackageError) as caught:
        build_package(project / "lambdas", manifest)
    assert str(caught.value) == (
        f"{project / 'lambdas'}: sfn_flows/errors.py, {API_CONFIG_FILE} would shadow what "
        "sfn-flows puts into the package; rename or remove it."
    )
