"""What a build's manifest (build/manifest.json, beside each <name>.asl.json) says of a
definition that the definition itself does not: the workflow's name and type, and each
Lambda function's handler, timeout and memory. With it, a definition `sfn-flows build`
wrote imports into a module that builds the same project again, not only the same ASL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from sfn_flows.codegen.plan import FunctionSpec
from sfn_flows.model import LambdaFunction

_DEFAULT_TIMEOUT: Final = LambdaFunction.model_fields["timeout_seconds"].default
_DEFAULT_MEMORY: Final = LambdaFunction.model_fields["memory_mb"].default


@dataclass(frozen=True)
class BuildHints:
    workflow_name: str
    workflow_type: str = "STANDARD"
    functions: Mapping[str, FunctionSpec] = field(default_factory=dict)


def hints_from_manifest(manifest: Any, definition_file: str) -> BuildHints | None:
    """The hints for the definition file named `definition_file` (its name in the build
    folder), or None when the manifest does not list it or is not one sfn-flows wrote."""
    if not isinstance(manifest, Mapping) or not isinstance(manifest.get("workflows"), list):
        return None
    entry = next(
        (
            item
            for item in manifest["workflows"]
            if isinstance(item, Mapping) and item.get("definition") == definition_file
        ),
        None,
    )
    if entry is None or not isinstance(entry.get("name"), str):
        return None
    known = manifest.get("functions")
    known = known if isinstance(known, Mapping) else {}
    functions: dict[str, FunctionSpec] = {}
    for name in entry.get("functions") or ():
        spec = known.get(name)
        if isinstance(name, str) and isinstance(spec, Mapping):
            handler = spec.get("handler")
            if isinstance(handler, str):
                functions[name] = FunctionSpec(
                    handler,
                    _whole(spec.get("timeout_seconds"), default=_DEFAULT_TIMEOUT),
                    _whole(spec.get("memory_mb"), default=_DEFAULT_MEMORY),
                )
    kind = entry.get("type")
    return BuildHints(
        workflow_name=entry["name"],
        workflow_type=kind if kind in ("STANDARD", "EXPRESS") else "STANDARD",
        functions=functions,
    )


def _whole(value: Any, *, default: int) -> int | None:
    """The value when it is not LambdaFunction's default (nothing to write then)."""
    if type(value) is not int or value == default:
        return None
    return value
