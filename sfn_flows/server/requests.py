"""Read a request's fields as AWS validates them: required, typed, bounded, named.

Each reader takes the request body (or a nested object) and a field name, and raises ApiError:
SerializationException when the JSON type is wrong (as AWS's JSON protocol does),
ValidationException when a constraint fails (AWS's "1 validation error detected" form),
InvalidName / InvalidArn / InvalidDefinition... where AWS names the problem so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any, Final

from sfn_flows.runtime.names import (
    StateMachineArn,
    is_valid_execution_name,
    parse_state_machine_arn,
)
from sfn_flows.server.errors import ApiError, invalid_arn, serialization, validation

ARN_MAX: Final = 256
DEFINITION_MAX: Final = 1_048_576
PAYLOAD_MAX: Final = 262_144  # input, output, variables: AWS's SensitiveData
_JSON_TYPES: Final = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    dict: "an object",
    list: "an array",
}
# An ARN's shape: arn:<partition>:<service>:<region>:<account>:<resource> (region and account
# may be empty, as in IAM's).
_ARN: Final = re.compile(r"^arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$")
STATE_MACHINE_ARN_SHAPE: Final = (
    "arn:aws:states:<region>:<account>:stateMachine:<name>[:<version or alias>]"
)


def constraint(field: str, rule: str) -> ApiError:
    """AWS's message for a value that breaks a constraint of its API model."""
    return validation(
        f"1 validation error detected: Value at '{field}' failed to satisfy constraint: {rule}"
    )


def missing(field: str) -> ApiError:
    return validation(
        f"1 validation error detected: Value null at '{field}' failed to satisfy constraint: "
        "Member must not be null"
    )


def _typed(body: Mapping[str, Any], field: str, kind: type, label: str) -> Any:
    value = body.get(field)
    if value is None:
        return None
    is_kind = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
    if not is_kind:
        raise serialization_of(label or field, _JSON_TYPES[kind], value)
    return value


def serialization_of(label: str, expected: str, value: Any) -> ApiError:
    """AWS's answer to a member of the wrong JSON type."""
    return serialization(f"'{label}' must be {expected}; got {_json_type(value)}.")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    for kind, name in _JSON_TYPES.items():
        if isinstance(value, kind):
            return name
    return "null"


def optional_string(
    body: Mapping[str, Any], field: str, *, most: int, least: int = 0, label: str = ""
) -> str | None:
    value: str | None = _typed(body, field, str, label)
    if value is None:
        return None
    name = label or field
    if len(value) < least:
        raise constraint(name, f"Member must have length greater than or equal to {least}")
    if len(value) > most:
        raise constraint(
            name,
            f"Member must have length less than or equal to {most} (it has {len(value)})",
        )
    return value


def required_string(
    body: Mapping[str, Any], field: str, *, most: int, least: int = 1, label: str = ""
) -> str:
    value = optional_string(body, field, most=most, least=least, label=label)
    if value is None:
        raise missing(label or field)
    return value


def optional_bool(body: Mapping[str, Any], field: str, label: str = "") -> bool | None:
    value: bool | None = _typed(body, field, bool, label)
    return value


def optional_int(
    body: Mapping[str, Any], field: str, *, least: int, most: int | None, label: str = ""
) -> int | None:
    value: int | None = _typed(body, field, int, label)
    if value is None:
        return None
    name = label or field
    if value < least:
        raise constraint(name, f"Member must have value greater than or equal to {least}")
    if most is not None and value > most:
        raise constraint(name, f"Member must have value less than or equal to {most}")
    return value


def optional_enum(
    body: Mapping[str, Any], field: str, allowed: Collection[str], label: str = ""
) -> str | None:
    value: str | None = _typed(body, field, str, label)
    if value is not None and value not in allowed:
        raise validation(
            f"1 validation error detected: Value '{value[:100]}' at '{label or field}' failed "
            f"to satisfy constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
        )
    return value


def optional_object(body: Mapping[str, Any], field: str, label: str = "") -> dict[str, Any] | None:
    value: dict[str, Any] | None = _typed(body, field, dict, label)
    return value


def optional_list(body: Mapping[str, Any], field: str, label: str = "") -> list[Any] | None:
    value: list[Any] | None = _typed(body, field, list, label)
    return value


def name(body: Mapping[str, Any], field: str = "name") -> str:
    """A state machine or execution name: 1-80 characters, none AWS forbids."""
    value = required_string(body, field, most=80)
    if not is_valid_execution_name(value):
        raise ApiError(
            "InvalidName",
            f"Invalid Name: '{value}' ({field}): use letters, digits, '-' and '_'; a name has no "
            "whitespace, brackets, wildcards, control characters or any of "
            '" # % \\ ^ | ~ ` $ & , ; : /',
        )
    return value


def state_machine_arn(body: Mapping[str, Any], field: str = "stateMachineArn") -> StateMachineArn:
    """A state machine ARN, with or without a version or alias qualifier."""
    value = required_string(body, field, most=ARN_MAX)
    parsed = parse_state_machine_arn(value)
    if parsed is None or not is_valid_execution_name(parsed.name):
        raise invalid_arn(field, value, STATE_MACHINE_ARN_SHAPE)
    return parsed


def role_arn(body: Mapping[str, Any], field: str = "roleArn", *, required: bool) -> str | None:
    value = (required_string if required else optional_string)(body, field, most=ARN_MAX)
    if value is not None and not _ARN.match(value):
        raise invalid_arn(field, value, "an IAM role ARN, arn:aws:iam::<account>:role/<name>")
    return value


def json_text(
    body: Mapping[str, Any],
    field: str,
    *,
    code: str,
    most: int = PAYLOAD_MAX,
    required: bool = False,
) -> tuple[str, Any] | None:
    """A field holding JSON text: (the text, its value); `code` names AWS's error for bad JSON."""
    read = required_string if required else optional_string
    text = read(body, field, most=most, least=1 if required else 0)
    if text is None:
        return None
    try:
        return text, json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ApiError(code, f"Invalid JSON in {field}: {_reason(exc)}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)
