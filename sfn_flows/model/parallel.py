"""The Parallel state: run branches at once, continue with the list of their outputs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import Field

from sfn_flows.model.base import CompileContext, Flow, State, entry
from sfn_flows.model.recovery import Recoverable


class Parallel(Recoverable):
    type_name: ClassVar[str] = "Parallel"
    special_fields = frozenset({"retry", "catch", "branches"})
    asl_keywords: ClassVar[dict[str, str]] = {"Branches": "branches"}

    branches: list[Flow] = Field(min_length=1)
    input_path: str | None = None
    parameters: dict[str, Any] | None = None
    arguments: dict[str, Any] | str | None = None
    result_selector: dict[str, Any] | None = None
    result_path: str | None = None
    output_path: str | None = None
    output: Any = None

    def child_scopes(self) -> Iterator[tuple[tuple[str | int, ...], State]]:
        for index, branch in enumerate(self.branches):
            yield ("Branches", index), entry(branch)

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        # The compiler replaces the placeholders with each branch's sub-machine.
        return {"Branches": [None for _ in self.branches], **super().extra_asl(ctx)}
