"""The service limits an execution runs into, as AWS enforces them."""

from __future__ import annotations

import json
from typing import Any, Final

from sfn_flows.engine.errors import StatesError

# A state's input or output, and an execution's input, in UTF-8 bytes.
MAX_PAYLOAD_BYTES: Final = 262_144
# Events in one Standard execution's history; the execution fails when it reaches it.
MAX_HISTORY_EVENTS: Final = 25_000
# Nesting of Parallel branches and Map iterations inside each other, far above any real
# definition: it keeps Python's own recursion limit out of reach.
MAX_NESTING: Final = 200
# Items one Map state iterates over (a Distributed Map with an inline array is bounded by
# the payload limit long before this).
MAX_MAP_ITEMS: Final = 100_000


def over_payload_limit(value: Any) -> bool:
    """Is `value`, as compact JSON in UTF-8 bytes (what AWS counts), over the payload limit?"""
    if value is None or isinstance(value, bool | int | float):
        return False
    if isinstance(value, str) and len(value) < 1_000:
        return False
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # A character is 1 to 4 bytes in UTF-8: most payloads are decided without encoding.
    if len(text) * 4 <= MAX_PAYLOAD_BYTES:
        return False
    if len(text) > MAX_PAYLOAD_BYTES:
        return True
    return len(text.encode("utf-8", "surrogatepass")) > MAX_PAYLOAD_BYTES


def check_state_output(state_name: str, value: Any) -> None:
    """Raise States.DataLimitExceeded when a state's result is over the payload limit."""
    if over_payload_limit(value):
        raise StatesError(
            "States.DataLimitExceeded",
            f"The state/task '{state_name}' returned a result with a size exceeding the "
            "maximum number of bytes service limit.",
        )
