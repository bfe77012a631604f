"""The order of keys in emitted ASL: the order a reader scans a state in."""

from __future__ import annotations

from typing import Any

KEY_ORDER = (
    "Type",
    "Comment",
    "QueryLanguage",
    "Resource",
    "Credentials",
    "InputPath",
    "Items",
    "ItemsPath",
    "ItemReader",
    "ItemSelector",
    "ItemBatcher",
    "ItemProcessor",
    "Iterator",
    "Parameters",
    "Arguments",
    "Result",
    "Seconds",
    "Timestamp",
    "SecondsPath",
    "TimestampPath",
    "Branches",
    "Choices",
    "Default",
    "Error",
    "Cause",
    "ErrorPath",
    "CausePath",
    "MaxConcurrency",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "Label",
    "ResultWriter",
    "ResultSelector",
    "ResultPath",
    "OutputPath",
    "Output",
    "Assign",
    "TimeoutSeconds",
    "TimeoutSecondsPath",
    "HeartbeatSeconds",
    "HeartbeatSecondsPath",
    "Retry",
    "Catch",
    "Next",
    "End",
)
_RANK = {key: index for index, key in enumerate(KEY_ORDER)}


def ordered(body: dict[str, Any]) -> dict[str, Any]:
    """The same mapping with its keys in KEY_ORDER (unknown keys last, in their order)."""
    return dict(sorted(body.items(), key=lambda item: _RANK.get(item[0], len(_RANK))))
