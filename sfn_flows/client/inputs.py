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
