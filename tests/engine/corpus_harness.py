"""What the corpus tests that run one part of the engine (choice rules, Pass chains through
the path, payload and JSONata evaluators) share: the corpus's own comparator, the results it
judges, and the loop that lists the cases that differ from AWS."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from conftest import corpus_path

from sfn_flows.engine.conformance import Compare, load_comparator
from sfn_flows.engine.errors import StatesError

# ExecutionStarted is event 1, so the first state is entered at event 2.
FIRST_STATE_EVENT_ID = 2

Case = dict[str, Any]
Result = dict[str, Any]


def succeeded(output: Any) -> Result:
    return {"status": "SUCCEEDED", "output": output, "error": None, "cause": None}


def failed(error: str | None, cause: str | None = None) -> Result:
    return {"status": "FAILED", "output": None, "error": error, "cause": cause}


def failed_with(failure: StatesError) -> Result:
    return failed(failure.error, failure.cause)


@cache
def _comparator() -> Compare:
    # Loaded from the corpus (never copied), once for every test that compares.
    return load_comparator(corpus_path().parent / "compare.py")


def differences(cases: Iterable[Case], run: Callable[[Case], Result]) -> dict[str, str]:
    """Case id -> the comparator's reason, for each case whose result (`run(case)`) is not
    the one AWS recorded."""
    compare = _comparator()
    failures: dict[str, str] = {}
    for case in cases:
        ok, why = compare(case, run(case))
        if not ok:
            failures[case["id"]] = why
    return failures
