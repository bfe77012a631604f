"""Retry and Catch lists on Task, Parallel and Map."""

from __future__ import annotations

import difflib
from typing import Any

from sfn_flows.asl.describe import describe
from sfn_flows.asl.error_names import PREDEFINED_ERRORS, STATES_ALL, is_reserved
from sfn_flows.asl.fields import CATCH_FIELDS, MAX_SECONDS, RETRY_FIELDS
from sfn_flows.asl.pointers import escape_pointer_token
from sfn_flows.asl.retry import (
    DEFAULT_JITTER_STRATEGY,
    INTEGER_MINIMUMS,
    JITTER_STRATEGIES,
    MIN_BACKOFF_RATE,
    backoff_rate,
    retrier_integer,
)
from sfn_flows.validate.payload import check_assign, check_template
from sfn_flows.validate.report import Report
from sfn_flows.validate.targets import check_target
from sfn_flows.validate.values import check_path, number_placeholder


def check_retry(report: Report, where: str, value: Any) -> None:
    if not isinstance(value, list):
        report.error(
            where, f"Retry must be a list of retriers, not {describe(value)}.", "", "retry"
        )
        return
    for index, retrier in enumerate(value):
        at = f"{where}/{index}"
        if not isinstance(retrier, dict):
            report.error(at, f"a retrier must be an object, not {describe(retrier)}.", "", "retry")
            continue
        _unknown(report, at, retrier, RETRY_FIELDS, "retrier")
        _check_error_equals(report, at, retrier, last=index == len(value) - 1, what="retrier")
        for key in INTEGER_MINIMUMS:
            _int_field(report, at, retrier, key)
        rate = retrier.get("BackoffRate", MIN_BACKOFF_RATE)
        placeholder = number_placeholder(report, f"{at}/BackoffRate", rate)
        if not (placeholder or backoff_rate(rate) is not None):
            report.error(
                f"{at}/BackoffRate",
                f"BackoffRate must be a number >= {MIN_BACKOFF_RATE}, not {describe(rate)}.",
                "e.g. 2.0.",
                "retry",
            )
        jitter = retrier.get("JitterStrategy", DEFAULT_JITTER_STRATEGY)
        if jitter not in JITTER_STRATEGIES:
            report.error(
                f"{at}/JitterStrategy",
                f"JitterStrategy is {' or '.join(JITTER_STRATEGIES)}, not {describe(jitter)}.",
                "",
                "retry",
            )


def check_catch(report: Report, where: str, value: Any, *, jsonata: bool, names: set[str]) -> None:
    if not isinstance(value, list):
        report.error(
            where, f"Catch must be a list of catchers, not {describe(value)}.", "", "catch"
        )
        return
    for index, catcher in enumerate(value):
        at = f"{where}/{index}"
        if not isinstance(catcher, dict):
            report.error(at, f"a catcher must be an object, not {describe(catcher)}.", "", "catch")
            continue
        _unknown(report, at, catcher, CATCH_FIELDS, "catcher")
        _check_error_equals(report, at, catcher, last=index == len(value) - 1, what="catcher")
        target = catcher.get("Next")
        if target is None:
            report.error(at, "a catcher needs a Next.", 'add "Next": "<state name>".', "catch")
        else:
            check_target(report, f"{at}/Next", "Next", target, names)
        if "ResultPath" in catcher:
            if jsonata:
                report.error(
                    f"{at}/ResultPath",
                    "ResultPath is JSONPath; this state uses JSONata.",
                    "use Output with $states.errorOutput.",
                    "query-language",
                )
            else:
                check_path(
                    report, f"{at}/ResultPath", catcher["ResultPath"], reference=True, nullable=True
                )
        if "Output" in catcher:
            if not jsonata:
                report.error(
                    f"{at}/Output",
                    "Output is JSONata; this state uses JSONPath.",
                    "use ResultPath, or set QueryLanguage to JSONata.",
                    "query-language",
                )
            else:
                check_template(report, f"{at}/Output", catcher["Output"], jsonata=True)
        if "Assign" in catcher:
            check_assign(report, f"{at}/Assign", catcher["Assign"], jsonata=jsonata)


def _check_error_equals(
    report: Report, at: str, policy: dict[str, Any], *, last: bool, what: str
) -> None:
    errors = policy.get("ErrorEquals")
    if (
        not isinstance(errors, list)
        or not errors
        or not all(isinstance(e, str) and e for e in errors)
    ):
        report.error(
            f"{at}/ErrorEquals",
            "ErrorEquals must be a non-empty list of error names.",
            'e.g. ["States.TaskFailed"].',
            what,
        )
        return
    for index, name in enumerate(errors):
        if is_reserved(name) and name not in PREDEFINED_ERRORS:
            close = difflib.get_close_matches(name, sorted(PREDEFINED_ERRORS), n=1)
            report.warn(
                f"{at}/ErrorEquals/{index}",
                f"{name!r} is not a Step Functions error: names starting with 'States.' are "
                "reserved for the predefined ones, so this never matches.",
                f"did you mean {close[0]!r}?" if close else "use a predefined name or your own.",
                "unknown-error-name",
            )
    if STATES_ALL in errors:
        if len(errors) > 1:
            report.error(
                f"{at}/ErrorEquals",
                "States.ALL must be alone in its ErrorEquals.",
                "move the other error names to an earlier " + what + ".",
                what,
            )
        if not last:
            report.error(
                f"{at}/ErrorEquals",
                f"a {what} with States.ALL must be the last one.",
                "move it to the end of the list.",
                what,
            )


def _int_field(report: Report, at: str, policy: dict[str, Any], key: str) -> None:
    if key not in policy:
        return
    value = policy[key]
    minimum = INTEGER_MINIMUMS[key]
    placeholder = number_placeholder(report, f"{at}/{key}", value)
    if not (placeholder or retrier_integer(key, value) is not None):
        report.error(
            f"{at}/{key}",
            f"{key} must be an integer from {minimum} to {MAX_SECONDS}, not {describe(value)}.",
            "",
            "retry",
        )


def _unknown(
    report: Report, at: str, policy: dict[str, Any], allowed: frozenset[str], what: str
) -> None:
    for key in policy:
        if key not in allowed:
            report.error(
                f"{at}/{escape_pointer_token(key)}",
                f"unknown field {key!r} in a {what}.",
                f"allowed: {', '.join(sorted(allowed))}.",
                what,
            )
