"""`python -m sfn_flows.engine.conformance`: its flags, and the run they ask for."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sfn_flows.engine.conformance.cases import (
    CASES_ENV,
    CASES_FILE,
    ConformanceInputError,
    cases_file,
    load_cases,
    load_comparator,
)
from sfn_flows.engine.conformance.render import render
from sfn_flows.engine.conformance.run import (
    DEFAULT_CASE_DEADLINE,
    LambdaFactory,
    Runner,
    Simulate,
    run_corpus,
)


def engine_parts() -> tuple[Simulate, LambdaFactory]:
    """This package's engine and its handlers for the corpus's Lambda behaviours."""
    from sfn_flows.engine.conformance_lambdas import lambdas_for
    from sfn_flows.engine.simulate import simulate

    return simulate, lambdas_for


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sfn_flows.engine.conformance",
        description="Run the AWS-recorded conformance corpus on the in-process engine.",
        epilog=f"Environment: {CASES_ENV}=PATH names the corpus when --cases is not given "
        f"(the {CASES_FILE} file or its folder); the test suite reads the same variable. "
        "Before comparing, run-specific Lambda response headers are normalised as the "
        "recorder did: in each Lambda Invoke response of an output, the request id, trace "
        "id and Date headers (and SdkResponseMetadata.RequestId) take the recorder's "
        "replacement wherever the recorded value is that replacement.",
    )
    parser.add_argument(
        "--cases",
        type=Path,
        help=f"the corpus's {CASES_FILE}, or its folder (default: ${CASES_ENV}, the same "
        "variable the test suite reads, a path to the file or its folder)",
    )
    parser.add_argument(
        "--comparator", type=Path, help="compare.py to judge results (default: beside --cases)"
    )
    parser.add_argument("--only", help="run only the cases whose id contains this text")
    parser.add_argument(
        "--failures", type=int, default=20, help="how many failures to list (default 20)"
    )
    parser.add_argument("--json", type=Path, help="also write the full report here as JSON")
    parser.add_argument(
        "--case-deadline",
        type=float,
        default=DEFAULT_CASE_DEADLINE,
        help="real seconds a case may take before it is reported as hung (0: no deadline)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    *,
    simulate: Simulate | None = None,
    lambdas: LambdaFactory | None = None,
) -> int:
    """The command. `simulate` and `lambdas` replace the engine's (tests pass fakes)."""
    args = parse_args(argv)
    given = args.cases or (Path(os.environ[CASES_ENV]) if os.environ.get(CASES_ENV) else None)
    cases_path = cases_file(given) if given is not None else None
    if cases_path is None:
        print(
            f"error: no cases: give --cases PATH (the corpus's localstack_cases.jsonl) or set "
            f"{CASES_ENV}.",
            file=sys.stderr,
        )
        return 2
    try:
        cases = load_cases(cases_path)
        compare = load_comparator(args.comparator or cases_path.with_name("compare.py"))
    except ConformanceInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if simulate is None:
        simulate, lambdas = engine_parts()
    runner = Runner(simulate, compare, lambdas, args.case_deadline or None)
    report = run_corpus(cases, runner, only=args.only)
    if args.json:  # first: a reader that stops early (| head) must not cost the report
        args.json.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    print(render(report, failures=args.failures))
    if args.check and not report.targets_met():
        return 1
    return 0
