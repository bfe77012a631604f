"""Measures the engine against executions recorded on real AWS (the shared conformance corpus).

    python -m sfn_flows.engine.conformance --cases PATH [--comparator PATH] [--only TEXT]
        [--failures N] [--json OUT] [--case-deadline SECONDS] [--check]

Each case of the corpus (JSON lines: definition, input, the result AWS recorded) runs through
`sfn_flows.engine.simulate`; the corpus's own comparator (`compare.py` beside the cases file,
loaded from its path, never copied) decides whether the result matches. Cases that need no
other service run as they are; `lambda` cases run with in-process handlers made from each
function's recorded `behaviour`; cases that need any other service are reported as not run.

Where the recorder normalised a run-specific value, the runner compares loosely, as the
corpus's README asks ("Comparing results"): `compare.py` does so for its placeholders, and
one rule here covers what it cannot. LocalStack's snapshot replaced the run-specific headers
of a Lambda Invoke response with the header's own name, list and all (`"x-amzn-RequestId":
"x-amzn-RequestId"`, `"X-Amzn-Trace-Id": "X-Amzn-Trace-Id"`, `SdkResponseMetadata.RequestId`
-> "RequestId") and the `Date` header with "date". So, inside every Invoke response envelope
of an actual output (an object with `SdkHttpMetadata` and `SdkResponseMetadata`), each of
those fields is replaced the same way before compare.py is called, wherever the recorded
value at that place is the recorder's replacement for it (the recorder sometimes used its
`<uuid:N>` rule for the request id instead, which compare.py already treats as a wildcard).
The rule is about those fields, applied to every case alike; the report says how many
results it touched.

The corpus is `--cases PATH`, or the path in $SFN_FLOWS_CONFORMANCE (the variable the test
suite reads): the `.jsonl` file or the folder that holds `localstack_cases.jsonl`.

Prints the pass rates the issue sets targets for (every no-service case, those that are not
choice-operator cases, the Lambda cases), JSONPath against JSONata, per feature tag, per
source group, and the failures grouped by what differs. `--check` exits 1 when a target is
missed. Nothing here knows a case by its id: a case is selected by its `needs`, and run with
the options its `meta` asks for.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import math
import os
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from sfn_flows.errors import SfnFlowsError

CASES_ENV = "SFN_FLOWS_CONFORMANCE"
CASES_FILE = "localstack_cases.jsonl"
CHOICE_OPERATORS_GROUP = "choice_operators"
JSONATA_FEATURE = "JSONata"
DEFAULT_CASE_DEADLINE = 15.0

Outcome = Literal["passed", "failed", "error", "not_run"]
Compare = Callable[[Mapping[str, Any], Mapping[str, Any]], tuple[bool, str]]
# The in-process Lambda functions of one case: function name -> what the engine calls.
LambdaFactory = Callable[[Mapping[str, Mapping[str, Any]]], Mapping[str, Any]]


# The engine's simulate(definition, input, **options) -> a result with status, output,
# error and cause; a parameter so the runner can be tested (or aimed) without this engine.
Simulate = Callable[..., Any]


class ConformanceInputError(SfnFlowsError):
    """The cases file or the comparator cannot be used (missing, unreadable, malformed)."""


@dataclass(frozen=True)
class CaseResult:
    id: str
    group: str
    needs: tuple[str, ...]
    features: tuple[str, ...]
    outcome: Outcome
    reason: str = ""
    category: str = ""
    seconds: float = 0.0
    normalised: bool = False  # run-specific Lambda response headers replaced before compare

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "group": self.group,
            "outcome": self.outcome,
            "reason": self.reason,
            "category": self.category,
            "seconds": round(self.seconds, 6),
            "normalised": self.normalised,
        }


@dataclass(frozen=True)
class Population:
    """A set of cases a pass rate is reported for, with the issue's target when it has one."""

    key: str
    label: str
    member: Callable[[CaseResult], bool]
    target: float | None = None


def no_service(result: CaseResult) -> bool:
    return not result.needs


POPULATIONS = (
    Population("no_service", "no-service cases", no_service, 0.995),
    Population(
        "no_service_without_choice_operators",
        "no-service cases, without the choice-operator cases",
        lambda r: no_service(r) and r.group != CHOICE_OPERATORS_GROUP,
        0.98,
    ),
    Population("lambda", "Lambda cases", lambda r: r.needs == ("lambda",), 0.95),
    Population(
        "jsonpath",
        "no-service JSONPath cases",
        lambda r: no_service(r) and JSONATA_FEATURE not in r.features,
    ),
    Population(
        "jsonata",
        "no-service JSONata cases",
        lambda r: no_service(r) and JSONATA_FEATURE in r.features,
    ),
)


@dataclass(frozen=True)
class Rate:
    label: str
    passed: int
    total: int
    target: float | None

    @property
    def required(self) -> int | None:
        """The fewest passes that meet the target (a count, so rounding cannot flatter)."""
        if self.target is None:
            return None
        return math.ceil(self.target * self.total - 1e-9)

    @property
    def met(self) -> bool | None:
        required = self.required
        return None if required is None else self.passed >= required

    def percent(self) -> float:
        return 100.0 * self.passed / self.total if self.total else 0.0


@dataclass
class Report:
    results: list[CaseResult]
    filtered: bool = False
    seconds: float = 0.0
    rates: dict[str, Rate] = field(init=False)

    def __post_init__(self) -> None:
        self.rates = {}
        for population in POPULATIONS:
            members = [r for r in self.results if population.member(r)]
            passed = sum(r.passed for r in members)
            self.rates[population.key] = Rate(
                population.label, passed, len(members), population.target
            )

    @property
    def ran(self) -> list[CaseResult]:
        return [r for r in self.results if r.outcome != "not_run"]

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if r.outcome in ("failed", "error")]

    def targets_met(self) -> bool:
        return all(rate.met is not False for rate in self.rates.values())

    def by_feature(self) -> list[tuple[str, int, int]]:
        """(feature, passed, run) for every feature tag of the cases that ran."""
        return _tally((f, r) for r in self.ran for f in r.features)

    def by_group(self) -> list[tuple[str, int, int]]:
        return _tally((r.group, r) for r in self.ran)

    def by_category(self) -> dict[str, list[CaseResult]]:
        groups: dict[str, list[CaseResult]] = defaultdict(list)
        for result in self.failures:
            groups[result.category].append(result)
        return dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))

    def not_run(self) -> Counter[str]:
        return Counter(r.reason for r in self.results if r.outcome == "not_run")

    def as_json(self) -> dict[str, Any]:
        return {
            "filtered": self.filtered,
            "seconds": round(self.seconds, 3),
            "rates": {
                key: {
                    "label": rate.label,
                    "passed": rate.passed,
                    "total": rate.total,
                    "target": rate.target,
                    "required": rate.required,
                    "met": rate.met,
                }
                for key, rate in self.rates.items()
            },
            "targets_met": self.targets_met(),
            "categories": {
                name: [r.id for r in members] for name, members in self.by_category().items()
            },
            "not_run": dict(self.not_run()),
            "normalised": [r.id for r in self.results if r.normalised],
            "cases": [r.as_json() for r in self.results],
        }


def _tally(pairs: Iterable[tuple[str, CaseResult]]) -> list[tuple[str, int, int]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, result in pairs:
        counts[name][0] += result.passed
        counts[name][1] += 1
    rows = [(name, passed, run) for name, (passed, run) in counts.items()]
    # Worst pass rate first: what needs work leads the table.
    return sorted(rows, key=lambda row: (row[1] / row[2], -row[2], row[0]))


# ---------------------------------------------------------------------------------------------
# Loading


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


# ---------------------------------------------------------------------------------------------
# Running


class _Deadline(Exception):
    pass


def _call_with_deadline(call: Callable[[], Any], seconds: float | None) -> Any:
    """Runs `call` and returns its value; raises what it raised, or `_Deadline` when it has
    not returned after `seconds` of real time. A thread rather than a signal: the runner may
    itself run in a thread (pytest plugins do), and signals only reach the main one. A call
    past its deadline is left running in its daemon thread; the run goes on without it."""
    if seconds is None:
        return call()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # reported by the caller, whatever it is
            box["error"] = exc

    worker = threading.Thread(target=run, name="conformance-case", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _Deadline
    if "error" in box:
        raise box["error"]
    return box["value"]


@dataclass(frozen=True)
class Runner:
    """Runs cases on one engine. `simulate` and `lambdas` are parameters so the runner can be
    tested (and pointed at another engine) without the real ones."""

    simulate: Simulate
    compare: Compare
    lambdas: LambdaFactory | None = None
    case_deadline: float | None = DEFAULT_CASE_DEADLINE
    lambdas_option: str = "lambdas"

    def options_for(self, case: Mapping[str, Any]) -> dict[str, Any] | str:
        """simulate()'s keyword options for `case`, or why the case cannot run."""
        needs = tuple(case.get("needs") or ())
        options: dict[str, Any] = {}
        if needs == ("lambda",):
            if self.lambdas is None:
                return "needs lambda: no in-process Lambda handlers for the corpus behaviours"
            options[self.lambdas_option] = self.lambdas(case.get("lambda_functions") or {})
        elif needs:
            return "needs " + ", ".join(needs)
        meta = case.get("meta") or {}
        machine_type = meta.get("state_machine_type", "STANDARD")
        if machine_type != "STANDARD":
            options["state_machine_type"] = machine_type
        if meta.get("execution_name"):
            options["execution_name"] = meta["execution_name"]
        unsupported = [name for name in options if not _accepts(self.simulate, name)]
        if unsupported:
            return f"the engine's simulate() takes no {', '.join(unsupported)} option"
        return options

    def run_case(self, case: Mapping[str, Any]) -> CaseResult:
        base = CaseResult(
            id=str(case["id"]),
            group=case_group(str(case["id"])),
            needs=tuple(case.get("needs") or ()),
            features=tuple(case.get("features") or ()),
            outcome="not_run",
        )
        try:
            options = self.options_for(case)
        except Exception as exc:  # the handler factory is not the engine: say so
            return replace(
                base,
                outcome="error",
                reason=f"{type(exc).__name__}: {exc}{_where(exc)}",
                category="Lambda handlers could not be made",
            )
        if isinstance(options, str):
            return replace(base, outcome="not_run", reason=options)
        started = time.perf_counter()
        try:
            result = _call_with_deadline(
                lambda: self.simulate(case["definition"], case.get("input", {}), **options),
                self.case_deadline,
            )
            actual = actual_of(result)
        except _Deadline:
            return replace(
                base,
                outcome="error",
                reason=f"no result after {self.case_deadline:g} s of real time",
                category="engine: past the runner's deadline",
                seconds=time.perf_counter() - started,
            )
        except Exception as exc:
            kind = type(exc).__name__
            return replace(
                base,
                outcome="error",
                reason=f"{kind}: {exc}{_where(exc)}",
                category=f"engine raised {kind}",
                seconds=time.perf_counter() - started,
            )
        seconds = time.perf_counter() - started
        actual, normalised = normalise_run_specific(actual, case["expected"])
        base = replace(base, normalised=normalised)
        try:
            ok, why = self.compare(case, actual)
        except Exception as exc:  # foreign code: one case's oddity must not end the run
            return replace(
                base,
                outcome="error",
                reason=f"{type(exc).__name__}: {exc} (result {_short(actual)})",
                category="comparator raised",
                seconds=seconds,
            )
        if ok:
            return replace(base, outcome="passed", seconds=seconds)
        reason = why or "the comparator rejected the result"
        if actual["status"] == "FAILED":
            reason += f" [actual error {actual['error']!r}, cause {_short(actual['cause'])!r}]"
        return replace(
            base,
            outcome="failed",
            reason=reason,
            category=failure_category(case["expected"], actual, why),
            seconds=seconds,
        )

    def run(self, cases: Sequence[Mapping[str, Any]]) -> list[CaseResult]:
        return [self.run_case(case) for case in cases]


def _where(exc: BaseException) -> str:
    """' (at file:line)' of the innermost frame that raised `exc`, for engine crashes."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"


def _accepts(function: Callable[..., Any], name: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True  # cannot tell: let the call say
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def actual_of(result: Any) -> dict[str, Any]:
    """The comparator's view of an engine result. The output goes as JSON text, so a string
    output that looks like JSON is not mistaken for the value it spells."""
    missing = [n for n in ("status", "output", "error", "cause") if not hasattr(result, n)]
    if missing:
        raise TypeError(f"simulate() returned {type(result).__name__} without {missing}")
    output = result.output
    try:
        text = None if output is None and result.status != "SUCCEEDED" else json.dumps(output)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"the output is not JSON: {exc}") from None
    return {"status": result.status, "output": text, "error": result.error, "cause": result.cause}


# What the recorder wrote in place of a run-specific value of a Lambda Invoke response.
RECORDED_HEADERS = {
    "x-amzn-RequestId": "x-amzn-RequestId",
    "X-Amzn-Trace-Id": "X-Amzn-Trace-Id",
    "Date": "date",
}
RECORDED_METADATA = {"RequestId": "RequestId"}
NORMALISED_NOTE = "run-specific Lambda response headers, as the recorder did"


def normalise_run_specific(
    actual: Mapping[str, Any], expected: Mapping[str, Any]
) -> tuple[dict[str, Any], bool]:
    """`actual` with the run-specific values of its Lambda Invoke responses replaced as the
    recorder replaced them in `expected` (see the module's docstring), and whether any was."""
    text = actual.get("output")
    if actual.get("status") != "SUCCEEDED" or not isinstance(text, str):
        return dict(actual), False
    if "SdkResponseMetadata" not in text:  # no envelope: nothing to parse
        return dict(actual), False
    output = json.loads(text)
    if not _normalise(output, expected.get("output")):
        return dict(actual), False
    return {**actual, "output": json.dumps(output)}, True


def _normalise(actual: Any, recorded: Any) -> bool:
    changed = False
    if isinstance(actual, dict) and isinstance(recorded, dict):
        if isinstance(actual.get("SdkHttpMetadata"), dict) and isinstance(
            actual.get("SdkResponseMetadata"), dict
        ):
            http, recorded_http = actual["SdkHttpMetadata"], recorded.get("SdkHttpMetadata")
            for group in ("AllHttpHeaders", "HttpHeaders"):
                changed |= _replace(http.get(group), _child(recorded_http, group), RECORDED_HEADERS)
            changed |= _replace(
                actual["SdkResponseMetadata"],
                recorded.get("SdkResponseMetadata"),
                RECORDED_METADATA,
            )
        for key, value in actual.items():
            if key in recorded:
                changed |= _normalise(value, recorded[key])
    elif isinstance(actual, list) and isinstance(recorded, list):
        for item, recorded_item in zip(actual, recorded, strict=False):
            changed |= _normalise(item, recorded_item)
    return changed


def _child(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _replace(actual: Any, recorded: Any, table: Mapping[str, str]) -> bool:
    if not isinstance(actual, dict) or not isinstance(recorded, dict):
        return False
    changed = False
    for field_name, placeholder in table.items():
        recorded_here = field_name in actual and recorded.get(field_name) == placeholder
        if recorded_here and actual[field_name] != placeholder:
            actual[field_name] = placeholder
            changed = True
    return changed


def failure_category(expected: Mapping[str, Any], actual: Mapping[str, Any], why: str) -> str:
    """What differs, coarse enough that causes of one kind group together."""
    if actual["status"] != expected.get("status"):
        got = str(actual["status"])
        if actual["status"] == "FAILED":
            got += f" ({actual['error']})"
        return f"status {got}, expected {expected.get('status')}"
    error = expected.get("error")
    if why.startswith("$error"):
        return f"error name: {actual['error']}, expected {error}"
    if why.startswith("$cause"):
        return f"cause text of {error}"
    if why.startswith("$output"):
        return "output"
    return "other"


def _short(text: Any, limit: int = 160) -> str:
    value = "" if text is None else str(text)
    return value if len(value) <= limit else value[: limit - 3] + "..."


def run_corpus(
    cases: Sequence[Mapping[str, Any]], runner: Runner, *, only: str | None = None
) -> Report:
    selected = [c for c in cases if only is None or only in str(c["id"])]
    started = time.perf_counter()
    results = runner.run(selected)
    return Report(results, filtered=only is not None, seconds=time.perf_counter() - started)


# ---------------------------------------------------------------------------------------------
# Printing


def render(report: Report, *, failures: int = 20) -> str:
    lines: list[str] = []
    ran, not_run = len(report.ran), len(report.results) - len(report.ran)
    lines.append(
        f"{len(report.results)} cases: {ran} run, {not_run} not run, "
        f"{len(report.failures)} failed ({report.seconds:.2f} s)"
    )
    if report.filtered:
        lines.append("(filtered with --only: the rates cover the selected cases only)")
    normalised = sum(r.normalised for r in report.results)
    lines.append(f"normalised: {NORMALISED_NOTE} ({normalised} results)")
    lines.append("")
    lines.append("Pass rates:")
    for rate in report.rates.values():
        line = f"  {rate.label:<55} {rate.passed:>4}/{rate.total:<4} {rate.percent():6.2f}%"
        if rate.target is not None:
            verdict = "met" if rate.met else "NOT MET"
            line += f"  target >= {rate.target * 100:g}% ({rate.required} cases): {verdict}"
        lines.append(line)
    lines.append("")
    categories = report.by_category()
    _section(lines, "By failure category:", ((len(m), name) for name, m in categories.items()))
    reasons = report.not_run()
    _section(lines, "Not run:", ((count, reason) for reason, count in reasons.most_common()))
    lines.append("By source group (passed/run):")
    lines.extend(f"  {p:>4}/{n:<4} {name}" for name, p, n in report.by_group())
    lines.append("")
    lines.append("By feature (passed/run, worst first):")
    lines.extend(f"  {p:>4}/{n:<4} {name}" for name, p, n in report.by_feature())
    slowest = sorted(report.ran, key=lambda r: r.seconds, reverse=True)[:5]
    if slowest:
        lines.append("")
        lines.append("Slowest cases (real time):")
        lines.extend(f"  {r.seconds * 1000:9.1f} ms  {r.id}" for r in slowest)
    shown = report.failures[:failures]
    if shown:
        lines.append("")
        lines.append(f"First {len(shown)} of {len(report.failures)} failures:")
        for result in shown:
            lines.append(f"  {result.id}")
            lines.append(f"      [{result.category}] {_short(result.reason, 400)}")
    lines.append("")
    lines.append("Targets: " + ("all met" if report.targets_met() else "NOT all met"))
    return "\n".join(lines)


def _section(lines: list[str], title: str, rows: Iterable[tuple[int, str]]) -> None:
    lines.append(title)
    rendered = [f"  {count:>4}  {text}" for count, text in rows]
    lines.extend(rendered or ["  (none)"])
    lines.append("")


# ---------------------------------------------------------------------------------------------
# Command line


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


if __name__ == "__main__":
    sys.exit(main())
