"""Measures the engine against executions recorded on real AWS (the shared conformance corpus).

    python -m sfn_flows.engine.conformance --cases PATH [--comparator PATH] [--only TEXT]
        [--failures N] [--json OUT] [--case-deadline SECONDS] [--check]

Each case of the corpus (JSON lines: definition, input, the result AWS recorded) runs through
`sfn_flows.engine.simulate`; the corpus's own comparator (`compare.py` beside the cases file,
loaded from its path, never copied) decides whether the result matches. Cases that need no
other service run as they are; `lambda` cases run with in-process handlers made from each
function's recorded `behaviour`; cases that need any other service are reported as not run.
Where the recorder normalised a run-specific value that compare.py cannot see through, one
documented rule compares loosely (`normalise.py`).

The corpus is `--cases PATH`, or the path in $SFN_FLOWS_CONFORMANCE (the variable the test
suite reads): the `.jsonl` file or the folder that holds `localstack_cases.jsonl`.

Prints the pass rates the issue sets targets for (every no-service case, those that are not
choice-operator cases, the Lambda cases), JSONPath against JSONata, per feature tag, per
source group, and the failures grouped by what differs. `--check` exits 1 when a target is
missed. Nothing here knows a case by its id: a case is selected by its `needs`, and run with
the options its `meta` asks for.

Modules: `cases` (the cases file and the comparator), `run` (a case on simulate()),
`normalise` (the Lambda-header rule), `report` (outcomes, rates, targets, failure
categories), `render` (the printed report), `cli` (the command).
"""

from sfn_flows.engine.conformance.cases import (
    CASES_ENV,
    CASES_FILE,
    Compare,
    ConformanceInputError,
    case_group,
    cases_file,
    load_cases,
    load_comparator,
)
from sfn_flows.engine.conformance.cli import engine_parts, main, parse_args
from sfn_flows.engine.conformance.normalise import (
    NORMALISED_NOTE,
    RECORDED_HEADERS,
    RECORDED_METADATA,
    normalise_run_specific,
)
from sfn_flows.engine.conformance.render import render
from sfn_flows.engine.conformance.report import (
    CHOICE_OPERATORS_GROUP,
    JSONATA_FEATURE,
    POPULATIONS,
    CaseResult,
    Outcome,
    Population,
    Rate,
    Report,
    failure_category,
    no_service,
)
from sfn_flows.engine.conformance.run import (
    DEFAULT_CASE_DEADLINE,
    LambdaFactory,
    Runner,
    Simulate,
    actual_of,
    run_corpus,
)

__all__ = [
    "CASES_ENV",
    "CASES_FILE",
    "CHOICE_OPERATORS_GROUP",
    "DEFAULT_CASE_DEADLINE",
    "JSONATA_FEATURE",
    "NORMALISED_NOTE",
    "POPULATIONS",
    "RECORDED_HEADERS",
    "RECORDED_METADATA",
    "CaseResult",
    "Compare",
    "ConformanceInputError",
    "LambdaFactory",
    "Outcome",
    "Population",
    "Rate",
    "Report",
    "Runner",
    "Simulate",
    "actual_of",
    "case_group",
    "cases_file",
    "engine_parts",
    "failure_category",
    "load_cases",
    "load_comparator",
    "main",
    "no_service",
    "normalise_run_specific",
    "parse_args",
    "render",
    "run_corpus",
]
