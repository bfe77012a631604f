"""Build the local-stack container image locally: no registry is reachable here.

Two layers, each cached by the hash of its inputs (skipped when the tag exists):
- the base: a minimal Debian made by mmdebstrap (python3, venv) and `docker import`ed;
- the stack: MiniStack and boto3 installed from wheels downloaded on the host, so the
  build needs no network inside the container (whose TLS CA would be missing).
"""

from __future__ import annotations

import hashlib
import os
import shutil
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
class BuiltImage:
    tag: str
    base: str
    cached: bool
    seconds: float


def _inputs() -> tuple[str, str]:
    folder = resources.files("sfn_flows.local.image")
    return (folder / "Dockerfile").read_text(), (folder / "requirements.txt").read_text()


def image_tags() -> tuple[str, str]:
    """(base tag, stack tag): each names the hash of everything that goes into it."""
    dockerfile, requirements = _inputs()
    base_recipe = f"{SUITE} {MIRROR} {BASE_PACKAGES} extract"
    base = f"{BASE_REPOSITORY}:{_digest(base_recipe)}"
    stack = f"{STACK_REPOSITORY}:{_digest(base, dockerfile, requirements, ' '.join(PLATFORMS))}"
    return base, stack


def image_exists(tag: str) -> bool:
    done = subprocess.run(["docker", "image", "inspect", tag], capture_output=True, timeout=60)
    return done.returncode == 0


def build_local_stack_image(*, deadline: float = 900.0) -> BuiltImage:
    started = time.monotonic()
    base, stack = image_tags()
    if image_exists(stack):
        return BuiltImage(stack, base, True, time.monotonic() - started)
    if not image_exists(base):
        _build_base(base, deadline)
    dockerfile, requirements = _inputs()
    with tempfile.TemporaryDirectory(prefix="sfn-flows-image-") as folder:
        context = Path(folder)
        (context / "Dockerfile").write_text(dockerfile)
        (context / "requirements.txt").write_text(requirements)
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
            deadline,
        )
        _run(
            [
                "docker",
                "build",
                "--quiet",
                "--build-arg",
                f"BASE={base}",
                "-t",
                stack,
                str(context),
            ],
            "build the image",
            deadline,
            env_extra={"DOCKER_BUILDKIT": "0"},  # BuildKit would try to reach a registry
        )
    return BuiltImage(stack, base, False, time.monotonic() - started)


def _build_base(tag: str, deadline: float) -> None:
    if shutil.which("mmdebstrap") is None:
        from sfn_flows.local.docker_engine import apt_install

        apt_install(["mmdebstrap"], deadline)
    command = (
        f"mmdebstrap --quiet --variant=extract --include={BASE_PACKAGES} {SUITE} - {MIRROR}"
        f" | docker import - {tag}"
    )
    _run(["bash", "-o", "pipefail", "-c", command], "build the Debian base image", deadline)


def _run(
    command: list[str], what: str, deadline: float, env_extra: dict[str, str] | None = None
) -> None:
    env = {**os.environ, **(env_extra or {})}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=deadline, env=env)
    except subprocess.TimeoutExpired:
        raise ImageBuildError(f"could not {what} within {deadline:.0f} s") from None
    if done.returncode != 0:
        tail = " / ".join((done.stderr or done.stdout).strip().splitlines()[-4:])
        raise ImageBuildError(f"could not {what}: {tail}")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
