"""Build the engine's container image locally (`sfn-flows engine serve` in Docker), with no
registry, the way the local-stack image is built (sfn_flows.local.images).

Two layers on the shared Debian base, each tagged by the hash of its inputs and reused:
- the dependencies (`sfn-flows/engine-deps`): the pinned requirements of
  sfn_flows/local/engine_image/, installed from wheels downloaded on the host;
- sfn_flows itself (`sfn-flows/engine`): the installed package's files copied in and compiled,
  tagged by their hash.

sfn_flows is copied at build time rather than mounted at run time: the image is complete
(it also runs against a Docker daemon on another machine, which cannot see this one's files),
its modules are compiled once in the image instead of at every start (a read-only mount
cannot hold compiled files, and compiling the engine costs more than its 300 ms start
budget), and a changed package is a new tag, never a stale image. A change to sfn_flows
rebuilds only the top layer: a few seconds, no download.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from sfn_flows.local.images import (
    BuiltImage,
    ImageRecipe,
    build_image,
    digest,
    docker_build,
    image_exists,
)

DEPENDENCIES_REPOSITORY = "sfn-flows/engine-deps"
ENGINE_REPOSITORY = "sfn-flows/engine"
RECIPE_PACKAGE = "sfn_flows.local.engine_image"
PACKAGE_DOCKERFILE = "sfn_flows.Dockerfile"
# The port `sfn-flows engine serve` listens on in the container (the image's CMD).
ENGINE_PORT = 8083
# Engine images older than this are removed when a new one is built (remove_old_engine_images).
STALE_SECONDS = 3600.0
# The installed sfn_flows package: this module is sfn_flows/local/engine_images.py.
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def engine_recipe() -> ImageRecipe:
    """The dependencies' layer: sfn_flows/local/engine_image/Dockerfile and requirements.txt."""
    return ImageRecipe.packaged(RECIPE_PACKAGE, DEPENDENCIES_REPOSITORY)


def package_files(root: Path = PACKAGE_ROOT) -> Iterator[Path]:
    """The files of the package at `root` that go into the image, in a stable order:
    everything but compiled files."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and "__pycache__" not in relative.parts and path.suffix != ".pyc":
            yield path


def package_digest(root: Path = PACKAGE_ROOT) -> str:
    """The hash of the package's files (their paths and contents)."""
    hasher = hashlib.sha256()
    for path in package_files(root):
        hasher.update(path.relative_to(root).as_posix().encode() + b"\0")
        hasher.update(hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()[:16]


def engine_image_tag(dependencies: str, root: Path = PACKAGE_ROOT) -> str:
    """The engine image's tag on the dependencies' image `dependencies`."""
    dockerfile = _package_dockerfile()
    return f"{ENGINE_REPOSITORY}:{digest(dependencies, dockerfile, package_digest(root))}"


def build_engine_image(*, deadline: float = 900.0, root: Path = PACKAGE_ROOT) -> BuiltImage:
    """The engine image for the sfn_flows package at `root`, built unless its tag exists
    (the dependencies' layer and the base too). Raises ImageBuildError naming the step that
    failed and the fix. BuiltImage.base is the dependencies' image."""
    started = time.monotonic()
    limit = started + deadline  # one deadline for every layer
    dependencies = build_image(engine_recipe(), deadline=deadline).tag
    tag = engine_image_tag(dependencies, root)
    if image_exists(tag):
        return BuiltImage(tag, dependencies, True, time.monotonic() - started)
    with tempfile.TemporaryDirectory(prefix="sfn-flows-engine-image-") as folder:
        context = Path(folder)
        (context / "Dockerfile").write_text(_package_dockerfile())
        for path in package_files(root):
            target = context / "sfn_flows" / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        docker_build(tag, context, limit, {"DEPENDENCIES": dependencies})
    remove_old_engine_images(keep=tag)
    return BuiltImage(tag, dependencies, False, time.monotonic() - started)


def remove_old_engine_images(
    keep: str, older_than: float = STALE_SECONDS, repository: str = ENGINE_REPOSITORY
) -> list[str]:
    """Remove the engine images (other than `keep`) built more than `older_than` seconds ago:
    each change to sfn_flows makes a new one. An image a container uses stays (Docker refuses);
    one another session built just now is younger. Returns the tags removed; never raises."""
    try:
        listed = subprocess.run(
            ["docker", "images", repository, "--format", "{{.Tag}} {{.CreatedAt}}"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    removed = []
    now = time.time()
    for line in listed.splitlines():
        tag, _, created = line.partition(" ")
        name = f"{repository}:{tag}"
        moment = _docker_time(created)
        if name == keep or moment is None or now - moment < older_than:
            continue
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(["docker", "image", "rm", name], capture_output=True, timeout=60)
            if done.returncode == 0:
                removed.append(name)
    return removed


def _docker_time(text: str) -> float | None:
    """`docker images`' CreatedAt ("2026-11-30 15:40:12 +0000 UTC") as epoch seconds."""
    try:
        day, clock, offset = text.split()[:3]
        return datetime.datetime.strptime(
            f"{day} {clock} {offset}", "%Y-%m-%d %H:%M:%S %z"
        ).timestamp()
    except ValueError:
        return None


def _package_dockerfile() -> str:
    return (resources.files(RECIPE_PACKAGE) / PACKAGE_DOCKERFILE).read_text()
