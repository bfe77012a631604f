"""Reading the build deploy starts from: a missing, damaged or hand-edited build is named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sfn_flows.deploy.build_files import BuildMissing, read_build


@pytest.fixture
def build_dir(tmp_path: Path, built_project: Path) -> Path:
    return Path(shutil.copytree(built_project / "build", tmp_path / "build"))


def test_reads_the_manifest_and_every_definition(build_dir: Path) -> None:
    files = read_build(build_dir)
    assert sorted(files.definitions) == ["long-running-job", "order-fulfilment"]
    text = (build_dir / "long-running-job.asl.json").read_text()
    assert files.definitions["long-running-job"] == text


def test_no_build(tmp_path: Path) -> None:
    with pytest.raises(BuildMissing) as caught:
        read_build(tmp_path / "build")
    expected = (
        f"{tmp_path / 'build' / 'manifest.json'}: no build to deploy; run `sfn-flows build` first."
    )
    assert str(caught.value) == expected


def test_damaged_manifest(build_dir: Path) -> None:
    (build_dir / "manifest.json").write_text("{not json")
    with pytest.raises(BuildMissing, match=r"manifest\.json: cannot be read .*build` again\."):
        read_build(build_dir)
    (build_dir / "manifest.json").write_text('{"format": 1, "workflows": [{"name": "x"}]}')
    with pytest.raises(BuildMissing, match=r"holds no complete workflow entries; run `sfn"):
        read_build(build_dir)
    (build_dir / "manifest.json").write_text('{"format": 99}')
    with pytest.raises(BuildMissing, match=r"not a manifest this sfn-flows reads"):
        read_build(build_dir)


def test_missing_definition(build_dir: Path) -> None:
    (build_dir / "order-fulfilment.asl.json").unlink()
    with pytest.raises(BuildMissing, match=r"order-fulfilment\.asl\.json: missing from the build"):
        read_build(build_dir)


def test_edited_definition(build_dir: Path) -> None:
    path = build_dir / "long-running-job.asl.json"
    path.write_text(path.read_text().replace("1800", "1801"))
    with pytest.raises(BuildMissing) as caught:
        read_build(build_dir)
    assert str(caught.value) == (
        f"{path}: does not match {build_dir / 'manifest.json'}; run `sfn-flows build` again."
    )
