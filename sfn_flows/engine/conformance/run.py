"""Running the corpus's cases on an engine's simulate() and judging each with the comparator.

A case is selected by its `needs` and run with the options its `meta` asks for; nothing here
knows a case by its id. An engine crash or a hang past the real-time deadline is a reported
failure of that case, never the end of the run.
"""

from __future__ import annotations

import inspect
import json
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sfn_flows.engine.conformance.cases import Compare, case_group
from sfn_flows.engine.conformance.normalise import normalise_run_specific
from sfn_flows.engine.conformance.report import CaseResult, Report, failure_category, shorten

DEFAULT_CASE_DEADLINE = 15.0

# The in-process Lambda functions of one case: function name -> what the engine calls.
LambdaFactory = Callable[[Mapping[str, Mapping[str, Any]]], Mapping[str, Any]]


# The engine's simulate(definition, input, **options) -> a result with status, output,
# error and cause; a parameter so the runner can be tested (or aimed) without this engine.
Simulate = Callable[..., Any]


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
                reason=f"{type(exc).__name__}: {exc} (result {shorten(actual)})",
                category="comparator raised",
                seconds=seconds,
            )
        if ok:
            return replace(base, outcome="passed", seconds=seconds)
        reason = why or "the comparator rejected the result"
        if actual["status"] == "FAILED":
            reason += f" [actual error {actual['error']!r}, cause {shorten(actual['cause'])!r}]"
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


def run_corpus(
    cases: Sequence[Mapping[str, Any]], runner: Runner, *, only: str | None = None
) -> Report:
    selected = [c for c in cases if only is None or only in str(c["id"])]
    started = time.perf_counter()
    results = runner.run(selected)
    return Report(results, filtered=only is not None, seconds=time.perf_counter() - started)
