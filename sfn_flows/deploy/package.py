"""The Lambda deployment package: one deterministic zip for every function of the project.

The zip holds `lambdas/` at its root, the slice of sfn_flows the runtime imports, and the API
configuration (input schemas) the starter validates requests with. The same sources give the
same bytes, so its SHA-256 names it in the artifact bucket: an unchanged package is neither
uploaded again nor seen as a change by CloudFormation.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import sfn_flows
from sfn_flows.deploy.naming import API_CONFIG_FILE
from sfn_flows.errors import SfnFlowsError
from sfn_flows.runtime.wait_window import starts_synchronously

ARTIFACT_PREFIX = "artifacts/"
# The zip format cannot store an earlier date; a fixed one keeps the bytes independent of
# when the files were checked out or touched.
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
# The slice of the framework in the Lambda package (contract: stdlib + boto3 only). The runtime
# imports nothing else of sfn_flows (an import-linter contract); aws/ and errors.py, standard
# library only at import, are there for handlers in lambdas/ that import them.
RUNTIME_PARTS = ("__init__.py", "errors.py", "runtime", "aws")
SKIPPED_DIRS = frozenset({"__pycache__"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")
# The handlers of the API, besides the workers of the manifest.
STARTER_HANDLER = "starter.handler"
STATUS_HANDLER = "status.handler"
# The SQS intake's consumer (a project with an intake="sqs" workflow).
CONSUMER_HANDLER = "intake_consumer.handler"
CONSUMER_MODULE = (
    "from sfn_flows.runtime.consumer import make_consumer_handler\n\n"
    "handler = make_consumer_handler()\n"
)
# WebSocket push (a project with a push=True workflow): the socket's routes, the notifier.
SOCKET_HANDLER = "push_socket.handler"
NOTIFIER_HANDLER = "push_notifier.handler"
PUSH_MODULES = {
    "push_socket.py": (
        "from sfn_flows.runtime.push_socket import make_push_socket_handler\n\n"
        "handler = make_push_socket_handler()\n"
    ),
    "push_notifier.py": (
        "from sfn_flows.runtime.push_notifier import make_push_notifier_handler\n\n"
        "handler = make_push_notifier_handler()\n"
    ),
}
# A project need not write them: these go into the package unless lambdas/ has its own.
DEFAULT_API_MODULES = {
    "starter.py": (
        "from sfn_flows.runtime.starter import make_starter_handler\n\n"
        "handler = make_starter_handler()\n"
    ),
    "status.py": (
        "from sfn_flows.runtime.status import make_status_handler\n\n"
        "handler = make_status_handler()\n"
    ),
}


class PackageError(SfnFlowsError):
    """The Lambda package cannot be built from the project."""


@dataclass(frozen=True)
class Package:
    data: bytes
    sha256: str
    files: tuple[str, ...]

    @property
    def key(self) -> str:
        """Where the package lives in the artifact bucket: named by its content."""
        return f"{ARTIFACT_PREFIX}{self.sha256}.zip"


def build_package(lambdas_dir: Path, manifest: Mapping[str, Any]) -> Package:
    """Zip `lambdas_dir`, the runtime slice of sfn_flows and the API configuration."""
    if not lambdas_dir.is_dir():
        raise PackageError(
            f"{lambdas_dir}: no such folder; the Lambda handlers live in lambdas/ of the "
            "project (run in the project root or pass --lambdas DIR)."
        )
    entries = {arcname: path.read_bytes() for arcname, path in _files_under(lambdas_dir)}
    shadowing = sorted(
        name for name in entries if name == API_CONFIG_FILE or name.startswith("sfn_flows/")
    )
    if shadowing:
        raise PackageError(
            f"{lambdas_dir}: {', '.join(shadowing)} would shadow what sfn-flows puts into the "
            "package; rename or remove it."
        )
    for module, text in DEFAULT_API_MODULES.items():
        entries.setdefault(module, text.encode())
    if has_intake(manifest):
        entries.setdefault("intake_consumer.py", CONSUMER_MODULE.encode())
    if has_push(manifest):
        for module, text in PUSH_MODULES.items():
            entries.setdefault(module, text.encode())
    _check_handlers(lambdas_dir, entries, manifest)
    framework = Path(sfn_flows.__file__).resolve().parent
    for part in RUNTIME_PARTS:
        source = framework / part
        if source.is_dir():
            for relative, path in _files_under(source):
                entries[f"sfn_flows/{part}/{relative}"] = path.read_bytes()
        elif source.is_file():
            entries[f"sfn_flows/{part}"] = source.read_bytes()
    entries[API_CONFIG_FILE] = api_config(manifest).encode()
    data = _zip(entries)
    return Package(data, hashlib.sha256(data).hexdigest(), tuple(sorted(entries)))


def api_config(manifest: Mapping[str, Any]) -> str:
    """`{"workflows": {name: {"input_schema": ...}}}`: what the starter validates against,
    with `"intake": "sqs"` for the workflows whose requests are queued."""
    workflows: dict[str, dict[str, Any]] = {}
    for entry in manifest.get("workflows", []):
        workflows[entry["name"]] = {"input_schema": entry.get("input_schema")}
        if entry.get("intake", "direct") != "direct":
            workflows[entry["name"]]["intake"] = entry["intake"]
        # The wait window (runtime/wait_window.py), when the workflow has one.
        if entry.get("wait_seconds") is not None:
            workflows[entry["name"]]["wait_seconds"] = entry["wait_seconds"]
        if starts_synchronously(entry.get("type", "STANDARD"), entry.get("budget")):
            workflows[entry["name"]]["sync"] = True
    return json.dumps({"workflows": workflows}, sort_keys=True, separators=(",", ":")) + "\n"


def has_intake(manifest: Mapping[str, Any]) -> bool:
    """Whether a workflow of the build takes its requests through SQS (intake="sqs")."""
    return any(entry.get("intake") == "sqs" for entry in manifest.get("workflows", []))


def has_push(manifest: Mapping[str, Any]) -> bool:
    """Whether a workflow of the build pushes its executions' end (push=True)."""
    return any(entry.get("push") for entry in manifest.get("workflows", []))


def _files_under(folder: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and not path.name.endswith(SKIPPED_SUFFIXES):
            yield relative.as_posix(), path


def _check_handlers(
    lambdas_dir: Path, entries: Mapping[str, bytes], manifest: Mapping[str, Any]
) -> None:
    """Every handler the template names must be a module in the package: Lambda would only
    say so at the first invocation, long after the deploy reported success."""
    handlers = {name: spec["handler"] for name, spec in manifest.get("functions", {}).items()}
    handlers["the API starter"] = STARTER_HANDLER
    handlers["the API status reader"] = STATUS_HANDLER
    if has_intake(manifest):
        handlers["the SQS intake's consumer"] = CONSUMER_HANDLER
    if has_push(manifest):
        handlers["the push socket"] = SOCKET_HANDLER
        handlers["the push notifier"] = NOTIFIER_HANDLER
    missing = []
    for owner, handler in sorted(handlers.items()):
        module = PurePosixPath(*handler.split(".")[:-1])
        candidates = (f"{module}.py", f"{module}/__init__.py")
        if not any(candidate in entries for candidate in candidates):
            missing.append(f"{owner} needs {handler!r}: add {lambdas_dir / candidates[0]}")
    if missing:
        raise PackageError(
            f"{lambdas_dir}: handler module(s) missing:\n" + "\n".join(f"  {m}" for m in missing)
        )


def _zip(entries: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.create_system = 3  # Unix, so the permission bits below are honoured
            info.external_attr = (0o100000 | FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name], compresslevel=9)
    return buffer.getvalue()
