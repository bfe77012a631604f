"""Checks of single values shared by the state rules: paths, numbers, timestamps, ARNs."""

from __future__ import annotations

import re
from typing import Any

from sfn_flows.asl.describe import describe
from sfn_flows.asl.fields import MAX_SECONDS
from sfn_flows.asl.intrinsics import intrinsic_error, is_intrinsic
from sfn_flows.asl.jsonata import is_jsonata
from sfn_flows.asl.jsonpath import path_error
from sfn_flows.validate.jsonata_syntax import expression_error
from sfn_flows.validate.report import Report

# RFC 3339 as Step Functions accepts it in Wait.Timestamp and Timestamp* comparisons.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_ARN = re.compile(r"^arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$")
_PLACEHOLDER = re.compile(r"\$\{[^}]+\}")
# The keys of CloudFormation's intrinsic function objects: {"Ref": ...}, {"Fn::GetAtt": ...}.
_CFN_INTRINSIC = re.compile(r"(Ref|Fn::[A-Za-z0-9]+)\Z")


def sentence(text: str) -> str:
    """End `text` with a period unless it already ends like a sentence ("did you mean ...?")."""
    return text if text.endswith((".", "?", "!")) else text + "."


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_timestamp(value: Any) -> bool:
    return isinstance(value, str) and bool(_TIMESTAMP.match(value))


def has_placeholder(value: str) -> bool:
    """`${Name}`: CloudFormation substitutes it (DefinitionSubstitutions) before AWS sees it."""
    return "${" in value and bool(_PLACEHOLDER.search(value))


class UnquotedPlaceholder(str):
    """A `${Name}` a JSON definition file holds without quotes where a value goes
    (`"Seconds": ${Wait}`). CloudFormation puts the substituted text there before AWS parses
    the file, so it can stand for a number; the JSON reader (project/files.py) gives such a
    placeholder this type, its text is the placeholder's."""

    __slots__ = ()


def is_placeholder(value: Any) -> bool:
    """Exactly one `${Name}`: CloudFormation replaces the text of a definition file before it
    parses it, so `Seconds: ${Wait}` reaches AWS as a number. Any field may hold one."""
    return isinstance(value, str) and _PLACEHOLDER.fullmatch(value) is not None


def number_placeholder(report: Report, where: str, value: Any) -> bool:
    """True when `value` is a placeholder where a number goes: nothing else to check. In a
    JSON file a quoted one is an error: CloudFormation substitutes the text, so AWS receives
    the string "300" and refuses it (SCHEMA_VALIDATION_FAILED: Expected value of type
    Integer; aws/serverless-application-model#1616)."""
    if not is_placeholder(value):
        return False
    if report.from_json_file and not isinstance(value, UnquotedPlaceholder):
        key = where.rpartition("/")[2]
        report.error(
            where,
            f"{value!r} is in quotes: CloudFormation substitutes the text, so AWS receives a "
            "string here, where it needs a number, and refuses the definition.",
            f'write it unquoted, `"{key}": {value}` — CloudFormation substitutes the text '
            "before AWS parses it.",
            "quoted-placeholder",
        )
    return True


def is_timestamp_or_placeholder(value: Any) -> bool:
    return is_timestamp(value) or is_placeholder(value)


def is_cfn_intrinsic(value: Any) -> bool:
    """A CloudFormation intrinsic object ({"Fn::GetAtt": [...]}, {"Ref": ...}): a template
    resolves it before AWS sees the definition, as it does inside Parameters."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and _CFN_INTRINSIC.match(key) is not None


def resource_text(value: Any) -> str | None:
    """The ARN text of a Resource, also when it is written as {"Fn::Sub": "arn:..."}."""
    if isinstance(value, dict) and is_cfn_intrinsic(value) and "Fn::Sub" in value:
        value = value["Fn::Sub"]
        if isinstance(value, list) and value:
            value = value[0]  # ["template", {variables}]
    return value if isinstance(value, str) else None


def check_path(
    report: Report, where: str, value: Any, *, reference: bool = False, nullable: bool = False
) -> None:
    if value is None and nullable:
        return
    if not isinstance(value, str):
        kind = "a reference path" if reference else "a JSONPath"
        report.error(
            where,
            f"must be {kind} string, not {describe(value)}.",
            "write a path such as '$.field'.",
            "path",
        )
        return
    problem = path_error(value, reference=reference)
    if not problem and value != value.strip(" "):
        report.warn(
            where,
            f"{value!r} has spaces around it: AWS ignores them (its JSONPath engine trims a "
            "path), other tools may not.",
            "remove the spaces.",
            "path-whitespace",
        )
    if problem:
        fix = (
            "use only '.name', ['name'] and [index] steps (no wildcards, filters or '..')"
            if reference
            else "write a JSONPath such as '$.items[0].id'"
        )
        report.error(
            where,
            f"{value!r} is not a valid {'reference path' if reference else 'path'}: "
            + sentence(problem),
            fix + ".",
            "path",
        )


def check_path_or_intrinsic(report: Report, where: str, value: Any) -> None:
    """The value of a `.$` key, ErrorPath or CausePath: a path, a context path or an intrinsic."""
    if isinstance(value, str) and is_intrinsic(value):
        problem = intrinsic_error(value)
        if problem:
            report.error(
                where,
                f"{value!r}: {sentence(problem)}",
                "see the intrinsic functions in the ASL reference.",
                "intrinsic",
            )
        return
    if isinstance(value, str) and not value.lstrip(" ").startswith("$"):
        report.error(
            where,
            f"{value!r} is neither a path nor an intrinsic function call.",
            "start with '$' (input), '$$' (context), '$name' (variable) or 'States.' (intrinsic); "
            "for a literal string drop the '.$' from the key.",
            "path",
        )
        return
    check_path(report, where, value)


def check_expression(report: Report, where: str, value: str) -> None:
    problem = expression_error(value)
    if problem:
        report.error(
            where, f"{sentence(problem)}", "fix the expression between '{%' and '%}'.", "jsonata"
        )


def check_seconds(
    report: Report,
    where: str,
    value: Any,
    *,
    jsonata: bool,
    minimum: int = 1,
    what: str = "seconds",
) -> bool:
    """A positive whole number of seconds (or a JSONata expression in a JSONata state)."""
    if jsonata and is_jsonata(value):
        check_expression(report, where, value)
        return True
    if number_placeholder(report, where, value):
        return True
    if not is_int(value) or not minimum <= value <= MAX_SECONDS:
        report.error(
            where,
            f"must be a whole number of {what} from {minimum} to {MAX_SECONDS}, "
            f"not {describe(value)}.",
            f"write an integer such as {max(minimum, 60)}.",
            "number",
        )
        return False
    return True


_RESOURCE_FIX = (
    "write an ARN such as 'arn:aws:states:::lambda:invoke', a ${Placeholder} that "
    'CloudFormation substitutes, or a CloudFormation intrinsic such as {"Fn::GetAtt": '
    '["MyFunction", "Arn"]}.'
)


def check_resource(report: Report, where: str, value: Any) -> None:
    if is_cfn_intrinsic(value):
        return
    if not isinstance(value, str) or not value:
        report.error(
            where,
            f"Resource must be a non-empty ARN string, not {describe(value)}.",
            _RESOURCE_FIX,
            "resource",
        )
        return
    if has_placeholder(value) or _ARN.match(value):
        return
    report.error(where, f"{value!r} is not an ARN.", _RESOURCE_FIX, "resource")
