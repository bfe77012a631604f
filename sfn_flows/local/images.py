"""Build the local-stack container image locally: no registry is reachable here.

Two layers, each cached by the hash of its inputs (skipped when the tag exists):
- the base: a minimal Debian made by mmdebstrap (python3, venv) and `docker import`ed;
- the stack: MiniStack and boto3 installed from wheels downloaded on the host, so the
  build needs no network inside the container (whose TLS CA would be missing).

`build_image` builds any recipe of that shape on the same base (the engine's image,
sfn_flows.local.engine_images, is one).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sfn_flows.errors import SfnFlowsError

BASE_REPOSITORY = "sfn-flows/base"
STACK_REPOSITORY = "sfn-flows/local-stack"
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
BASE_PACKAGES = "python3,python3-venv,dash,coreutils,libstdc++6,ca-certificates"
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64")


class ImageBuildError(SfnFlowsError):
    """The local-stack image could not be built; the message says which step failed."""


@dataclass(frozen=True)
class ImageRecipe:
    """What goes into a layer on top of the Debian base, and the repository of its tag."""

    dockerfile: str
    requirements: str
    repository: str = STACK_REPOSITORY

    @classmethod
    def default(cls) -> ImageRecipe:
        """The local stack's recipe shipped in the package (sfn_flows/local/image/)."""
        return cls.packaged("sfn_flows.local.image", STACK_REPOSITORY)

    @classmethod
    def packaged(cls, package: str, repository: str) -> ImageRecipe:
        """The Dockerfile and requirements.txt shipped in `package` (a folder of sfn_flows)."""
        folder = resources.files(package)
        return cls(
            (folder / "Dockerfile").read_text(),
            (folder / "requirements.txt").read_text(),
            repository,
        )


@dataclass(frozen=True)
class BuiltImage:
    tag: str
    base: str
    cached: bool
    seconds: float


def image_tags(recipe: ImageRecipe | None = None) -> tuple[str, str]:
    """(base tag, recipe's tag): each names the hash of everything that goes into it."""
    recipe = recipe or ImageRecipe.default()
    base_recipe = f"{SUITE} {MIRROR} {BASE_PACKAGES} extract"
    base = f"{BASE_REPOSITORY}:{digest(base_recipe)}"
    stack = f"{recipe.repository}:" + digest(
        base, recipe.dockerfile, recipe.requirements, " ".join(PLATFORMS)
    )
    return base, stack


def image_exists(tag: str, *, timeout: float = 60.0) -> bool:
    done = subprocess.run(["docker", "image", "inspect", tag], capture_output=True, timeout=timeout)
    return done.returncode == 0


def build_local_stack_image(
    *, deadline: float = 900.0, recipe: ImageRecipe | None = None
) -> BuiltImage:
    """The local-stack image, built unless its tag (the hash of its inputs) exists. Raises
    ImageBuildError naming the step that failed, its last output lines and the fix."""
    return build_image(recipe or ImageRecipe.default(), deadline=deadline)


def build_image(recipe: ImageRecipe, *, deadline: float = 900.0) -> BuiltImage:
    """`recipe`'s image on the Debian base, built unless its tag exists (the base too)."""
    started = time.monotonic()
    base, stack = image_tags(recipe)
    if image_exists(stack):
        return BuiltImage(stack, base, True, time.monotonic() - started)
    limit = started + deadline  # one deadline for all the steps
    if not image_exists(base):
        _build_base(base, limit)
    with tempfile.TemporaryDirectory(prefix="sfn-flows-image-") as folder:
        context = Path(folder)
        (context / "Dockerfile").write_text(recipe.dockerfile)
        (context / "requirements.txt").write_text(recipe.requirements)
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--only-binary=:all:",
                "--python-version",
                "3.11",
                "--implementation",
                "cp",
                *[arg for platform in PLATFORMS for arg in ("--platform", platform)],
                "-r",
                str(context / "requirements.txt"),
                "-d",
                str(context / "wheels"),
            ],
            "download the wheels",
            limit,
            "check the pins in the image's requirements.txt and that the package index "
            "(PyPI or PIP_INDEX_URL) is reachable from this machine",
        )
        docker_build(stack, context, limit, {"BASE": base})
    return BuiltImage(stack, base, False, time.monotonic() - started)


def docker_build(tag: str, context: Path, limit: float, build_args: dict[str, str]) -> None:
    """`docker build` of the folder `context` as `tag`, without BuildKit and without a
    registry; ImageBuildError (with the fix) when a step fails or `limit` passes."""
    arguments = [
        arg for name, value in build_args.items() for arg in ("--build-arg", f"{name}={value}")
    ]
    _run(
        [
            "docker",
            "build",
            "--quiet",
            "--force-rm",  # a failed step leaves no intermediate container behind
            *arguments,
            "-t",
            tag,
            str(context),
        ],
        "build the image",
        limit,
        "a step of the image's Dockerfile failed; fix it, then rebuild with "
        "`sfn-flows local image`",
        env_extra={"DOCKER_BUILDKIT": "0"},  # BuildKit would try to reach a registry
    )


def pulled_image(tag: str, *, deadline: float = 300.0) -> BuiltImage:
    """A published local-stack image (e.g. `ministackorg/ministack:1.5.33`), used as it is
    when present, else pulled: for machines where a registry is reachable."""
    started = time.monotonic()
    if image_exists(tag):
        return BuiltImage(tag, "", True, time.monotonic() - started)
    _run(
        ["docker", "pull", "--quiet", tag],
        f"pull {tag}",
        started + deadline,
        "check the name and that a registry is reachable from this machine, or leave the "
        "image unset to build the local stack's image here (`sfn-flows local image`)",
    )
    return BuiltImage(tag, "", False, time.monotonic() - started)


def _build_base(tag: str, limit: float) -> None:
    if shutil.which("mmdebstrap") is None:
        from sfn_flows.local.docker_engine import apt_install

        apt_install(["mmdebstrap"], max(1.0, limit - time.monotonic()))
    command = (
        f"mmdebstrap --quiet --variant=extract --include={BASE_PACKAGES} {SUITE} - {MIRROR}"
        f" | docker import - {tag}"
    )
    _run(
        ["bash", "-o", "pipefail", "-c", command],
        "build the Debian base image",
        limit,
        f"check that the Debian mirror {MIRROR} is reachable and Docker is running",
    )


def _run(
    command: list[str],
    what: str,
    limit: float,
    fix: str,
    env_extra: dict[str, str] | None = None,
) -> None:
    env = {**os.environ, **(env_extra or {})}
    remaining = max(1.0, limit - time.monotonic())
    # Its own process group: at the deadline the whole pipeline (bash, mmdebstrap, docker
    # import) is killed, not only its first process.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=remaining)
    except BaseException as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        if isinstance(exc, subprocess.TimeoutExpired):
            raise ImageBuildError(
                f"could not {what}: not done within the image build's deadline; {fix}"
            ) from None
        raise
    if process.returncode != 0:
        tail = " / ".join((stderr or stdout).strip().splitlines()[-4:])
        raise ImageBuildError(f"could not {what}: {tail}. Fix: {fix}")


def digest(*parts: str) -> str:
    """A short hex digest of `parts` (in order): the version part of a content-named tag."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
