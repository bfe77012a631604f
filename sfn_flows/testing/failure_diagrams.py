"""The path each execution of a failed flow test took, as Mermaid, for the test's report.

The executions are the FlowResults the test held when it failed: the locals of every frame of
its traceback (a result kept in a variable, in a list or dict, or only in pytest's rewritten
assertion), and its fixtures' values. Loaded by the plugin only when such a test failed.
"""

from __future__ import annotations

from typing import Any, Final

from sfn_flows.engine.result import FlowResult

# More would bury the failure itself.
MAX_DIAGRAMS: Final = 3
# Items of a list, tuple or dict looked at for results, per collection.
_SCANNED_ITEMS: Final = 100


def diagram_sections(
    frames_locals: list[dict[str, Any]], fixtures: dict[str, Any]
) -> list[tuple[str, str]]:
    """(title, Mermaid) for each execution found, at most MAX_DIAGRAMS."""
    found: dict[int, FlowResult] = {}
    for scope in (*frames_locals, fixtures):
        for value in scope.values():
            _collect(value, found, nested=False)
    sections = []
    for result in list(found.values())[:MAX_DIAGRAMS]:
        sections.append((_title(result), _body(result)))
    return sections


def _collect(value: Any, found: dict[int, FlowResult], *, nested: bool) -> None:
    if isinstance(value, FlowResult):
        found.setdefault(id(value), value)
    elif not nested and isinstance(value, list | tuple):
        for item in value[:_SCANNED_ITEMS]:
            _collect(item, found, nested=True)
    elif not nested and isinstance(value, dict):
        for item in list(value.values())[:_SCANNED_ITEMS]:
            _collect(item, found, nested=True)


def _title(result: FlowResult) -> str:
    name = result.execution_arn.rsplit(":", 1)[-1] or "execution"
    return f"sfn-flows execution {name} ({result.status})"


def _body(result: FlowResult) -> str:
    said = f"{result.status}"
    if result.error:
        said += f" with {result.error}"
    head = (
        f"The path {result.execution_arn or 'the execution'} took ({said}), as Mermaid: paste it "
        "into a ```mermaid block of a Markdown file to see it.\n"
    )
    try:
        return head + result.diagram()
    except Exception as exc:  # a report must never fail because its picture could not be drawn
        return f"{head}(not drawn: {type(exc).__name__}: {exc})\n"
