"""The local-stack and engine images: built locally, named by the hash of their inputs,
reused when built."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from sfn_flows.local import images


def test_tags_name_the_inputs() -> None:
    base, stack = images.image_tags()
    assert images.image_tags() == (base, stack)
    default = images.ImageRecipe.default()
    changed = images.ImageRecipe(default.dockerfile, default.requirements + "extra==1\n")
    changed_base, changed_stack = images.image_tags(changed)
    assert changed_base == base  # the Debian base does not depend on the wheels
    assert changed_stack != stack


def _image_command() -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "sfn_flows", "local", "image", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    built: dict[str, Any] = json.loads(result.stdout)
    return built


def test_cli_reuses_the_built_images(sfn_engine: Any) -> None:
    # sfn_engine built (or found) the local stack's image; the command must find it and not
    # rebuild.
    first = _image_command()
    assert first["cached"] is True
    assert first["image"] == sfn_engine.stack_image == images.image_tags()[1]
    # The engine's image too: built by the first command only if sfn_flows changed since.
    second = _image_command()
    assert second["engine"]["cached"] is True
    assert second["engine"]["image"] == first["engine"]["image"]
    assert second["engine"]["image"].startswith("sfn-flows/engine:")
