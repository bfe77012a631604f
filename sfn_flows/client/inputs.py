"""Encode an execution's input the way Step Functions takes it, checking its size limit first."""

from __future__ import annotations

import json
from typing import Any

from sfn_flows.client.errors import ExecutionInputError

# Step Functions' quota on an execution's input: 256 KiB as a UTF-8 string.
MAX_INPUT_BYTES = 256 * 1024


def encode_input(value: Any) -> str:
    """Compact JSON text of `value` (any JSON value: object, array, string, number, ...)."""
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ExecutionInputError(f"the execution input is not JSON: {exc}.") from None
    size = len(text.encode("utf-8"))
    if size > MAX_INPUT_BYTES:
        raise ExecutionInputError(
            f"the execution input is {size:,} bytes as compact JSON; Step Functions accepts at "
            f"most {MAX_INPUT_BYTES:,} bytes (256 KiB). Pass a reference to the data (an S3 "
            "object key, say) instead of the data."
        )
    return text


def check_input(value: Any, schema: Any, model: str) -> None:
    """Refuse `value` unless it matches the JSON Schema `schema`, as the API starter would.

    `model` names where the schema comes from, e.g. "workflow 'x' (build/manifest.json)".
    """
    from sfn_flows.runtime.schema import SchemaError, validate

    try:
        errors = validate(value, schema)
    except SchemaError as exc:
        raise ExecutionInputError(
            f"the input model of {model} cannot be used ({exc}); run `sfn-flows build` again."
        ) from None
    if errors:
        lines = [
            f"the input does not match the input model of {model}; fix the input, or build "
            "again if the model changed:",
            *(f"  {error.field}: {error.message}" for error in errors),
        ]
        raise ExecutionInputError("\n".join(lines))
