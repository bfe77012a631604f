"""The corpus's cases and its comparator, read from where the corpus lives (never copied)."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sfn_flows.errors import SfnFlowsError

CASES_ENV = "SFN_FLOWS_CONFORMANCE"
CASES_FILE = "localstack_cases.jsonl"

Compare = Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[bool, str]]


class ConformanceInputError(SfnFlowsError):
    """The cases file or the comparator cannot be used (missing, unreadable, malformed)."""


def cases_file(path: Path) -> Path:
    """The cases file `path` names: itself, or the corpus file in the folder it names."""
    return path / CASES_FILE if path.is_dir() else path


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The corpus's cases, one JSON object per line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConformanceInputError(
            f"cannot read the conformance cases {path}: {exc.strerror or exc}. Give the "
            f"corpus's localstack_cases.jsonl with --cases PATH or {CASES_ENV}=PATH."
        ) from None
    cases: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConformanceInputError(
                f"{path}:{number}: not a JSON object ({exc.msg}); the cases file holds one "
                "JSON object per line."
            ) from None
        missing = [
            k
            for k in ("id", "definition", "expected")
            if not isinstance(case, dict) or k not in case
        ]
        if missing:
            raise ConformanceInputError(
                f"{path}:{number}: a case needs the fields id, definition and expected "
                f"(missing: {', '.join(missing)})."
            )
        cases.append(case)
    return cases


def load_comparator(path: Path) -> Compare:
    """`compare_result` of the comparator at `path`, imported from there (never copied)."""
    if not path.is_file():
        raise ConformanceInputError(
            f"no comparator at {path}: the corpus ships compare.py beside its cases; give "
            "another with --comparator PATH."
        )
    spec = importlib.util.spec_from_file_location("sfn_flows_conformance_compare", path)
    if spec is None or spec.loader is None:
        raise ConformanceInputError(f"{path}: not a Python module the comparator can load from.")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the comparator is foreign code: say which file failed
        raise ConformanceInputError(
            f"{path}: the comparator failed to load: {type(exc).__name__}: {exc}"
        ) from exc
    compare = getattr(module, "compare_result", None)
    if not callable(compare):
        raise ConformanceInputError(
            f"{path}: no compare_result(case, actual) function; the comparator must define it."
        )
    return compare  # type: ignore[no-any-return]


def case_group(case_id: str) -> str:
    """The LocalStack test folder (or module) a case comes from: 'choice_operators', ..."""
    module = case_id.split("::", 1)[0]
    head, slash, _ = module.partition("/")
    return head if slash else module.removesuffix(".py")
