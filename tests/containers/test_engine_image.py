"""The engine's image (sfn_flows.local.engine_images): sfn_flows copied in at build time and
named by the hash of its files, on a layer holding every dependency sfn-flows declares."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

from sfn_flows.local import engine_images, images
from sfn_flows.local.engine_images import (
    PACKAGE_ROOT,
    build_engine_image,
    engine_recipe,
    package_digest,
    package_files,
    remove_old_engine_images,
)


def _pins(requirements: str) -> dict[str, str]:
    pins = {}
    for line in requirements.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_every_dependency_of_sfn_flows_is_pinned_in_the_image() -> None:
    pins = _pins(engine_recipe().requirements)
    declared = [
        requirement
        for requirement in importlib.metadata.requires("sfn-flows") or []
        if "extra ==" not in requirement
    ]
    assert declared
    for requirement in declared:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!~; \[]", requirement)[0]).lower()
        assert name in pins, f"{requirement} is not pinned in the engine image's requirements"
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+]*", version) for version in pins.values())


def test_the_tag_follows_the_package_files(tmp_path: Path) -> None:
    root = tmp_path / "sfn_flows"
    shutil.copytree(PACKAGE_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    before = package_digest(root)
    assert package_digest(root) == before
    # Compiled files do not count; a changed source does.
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"compiled")
    assert package_digest(root) == before
    assert all("__pycache__" not in path.parts for path in package_files(root))
    (root / "errors.py").write_text((root / "errors.py").read_text() + "\n# changed\n")
    assert package_digest(root) != before
    dependencies = "sfn-flows/engine-deps:x"
    assert engine_images.engine_image_tag(dependencies, root) != engine_images.engine_image_tag(
        dependencies, PACKAGE_ROOT
    )


def test_the_image_holds_the_package_it_was_built_from(tmp_path: Path, sfn_engine: Any) -> None:
    # sfn_engine: Docker runs and the dependencies' layer exists. A copy of the package with
    # one more module gets an image of its own, which holds that module.
    root = tmp_path / "sfn_flows"
    shutil.copytree(PACKAGE_ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    value = uuid.uuid4().hex
    (root / "probe_module.py").write_text(f"VALUE = {value!r}\n")
    built = build_engine_image(root=root)
    try:
        assert not built.cached
        assert built.tag != build_engine_image().tag
        again = build_engine_image(root=root)
        assert (again.tag, again.cached) == (built.tag, True)
        shown = subprocess.run(
            [
                "docker",
                "run",
                "--rm",
                built.tag,
                "python",
                "-c",
                "import sfn_flows.probe_module as m, sfn_flows.cli.app; print(m.VALUE)",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.strip() == value
        # The image serves the engine by default.
        inspected = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{json .Config.Cmd}}", built.tag],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert inspected.stdout.strip() == (
            '["python","-m","sfn_flows","engine","serve","--host","0.0.0.0","--port","8083"]'
        )
    finally:
        subprocess.run(["docker", "rmi", built.tag], capture_output=True, timeout=120)


def test_old_engine_images_are_removed_when_a_new_one_is_built(sfn_engine: Any) -> None:
    # Tags of an image built long ago (the Debian base), in a repository of this test's own:
    # the real engine images of other sessions are never touched here.
    repository = f"sfn-flows/prune-test-{uuid.uuid4().hex[:8]}"
    base = images.image_tags()[0]
    tags = [f"{repository}:{name}" for name in ("old", "kept", "also-old")]
    for tag in tags:
        subprocess.run(["docker", "tag", base, tag], check=True, timeout=60)
    try:
        # Younger than ten years: nothing goes.
        assert remove_old_engine_images(tags[1], 10 * 365 * 86400.0, repository) == []
        removed = remove_old_engine_images(tags[1], 3600.0, repository)
        assert sorted(removed) == sorted([tags[0], tags[2]])
        assert [images.image_exists(tag) for tag in tags] == [False, True, False]
    finally:
        for tag in tags:
            subprocess.run(["docker", "rmi", tag], capture_output=True, timeout=60)
