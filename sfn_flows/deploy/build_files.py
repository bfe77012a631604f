"""Read what `sfn-flows build` wrote: the manifest and each workflow's ASL, checked together."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn_flows.errors import SfnFlowsError

MANIFEST = "manifest.json"
TEMPLATE = "template.json"
SUPPORTED_FORMAT = 1
BUILD_AGAIN = "run `sfn-flows build` again"


class BuildMissing(SfnFlowsError):
    """There is no build to deploy, or it is stale or damaged."""


@dataclass(frozen=True)
class BuildFiles:
    manifest: dict[str, Any]
    # Workflow name -> the exact text of build/<name>.asl.json.
    definitions: dict[str, str]


def read_build(build_dir: Path) -> BuildFiles:
    path = build_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BuildMissing(f"{path}: no build to deploy; run `sfn-flows build` first.") from None
    except (OSError, ValueError) as exc:
        raise BuildMissing(f"{path}: cannot be read ({exc}); {BUILD_AGAIN}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != SUPPORTED_FORMAT:
        raise BuildMissing(f"{path}: not a manifest this sfn-flows reads; {BUILD_AGAIN}.")
    entries = manifest.get("workflows")
    if (
        not entries
        or not isinstance(entries, list)
        or not isinstance(manifest.get("functions"), dict)
        or not all(isinstance(e, dict) and {"name", "definition"} <= e.keys() for e in entries)
    ):
        raise BuildMissing(f"{path}: holds no complete workflow entries; {BUILD_AGAIN}.")
    definitions: dict[str, str] = {}
    for entry in entries:
        asl = build_dir / entry["definition"]
        try:
            text = asl.read_text(encoding="utf-8")
        except OSError:
            raise BuildMissing(f"{asl}: missing from the build; {BUILD_AGAIN}.") from None
        # A hand-edited or half-written build would deploy something no build produced.
        if hashlib.sha256(text.encode()).hexdigest() != entry.get("sha256"):
            raise BuildMissing(f"{asl}: does not match {path}; {BUILD_AGAIN}.")
        definitions[entry["name"]] = text
    return BuildFiles(manifest, definitions)
