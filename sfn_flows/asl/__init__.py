"""The one place that knows the shape of Amazon States Language.

`parse_definition` turns a definition the validator accepted into typed, frozen objects; the
modules beside it hold the shared rules (pointers, field tables, error names, retry delays,
callback resources, the tolerant walker over raw scopes). Standard library only.
"""

from __future__ import annotations

from sfn_flows.asl.definition import (
    ABSENT,
    Absent,
    AssigningState,
    Catcher,
    ChoiceRule,
    ChoiceState,
    DefinitionShapeError,
    FailState,
    FilteredState,
    Machine,
    MapState,
    ParallelState,
    PassState,
    QueryLanguage,
    RecoveringState,
    Retrier,
    State,
    SucceedState,
    TaskState,
    WaitState,
    parse_definition,
)

__all__ = [
    "ABSENT",
    "Absent",
    "AssigningState",
    "Catcher",
    "ChoiceRule",
    "ChoiceState",
    "DefinitionShapeError",
    "FailState",
    "FilteredState",
    "Machine",
    "MapState",
    "ParallelState",
    "PassState",
    "QueryLanguage",
    "RecoveringState",
    "Retrier",
    "State",
    "SucceedState",
    "TaskState",
    "WaitState",
    "parse_definition",
]
