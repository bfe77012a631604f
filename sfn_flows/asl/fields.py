"""Which fields each state type allows, per query language (the ASL spec plus AWS's
JSONata additions), and the limits of the fields that hold numbers. One table, so "unknown
field" and "wrong query language" messages come from the same source."""

from __future__ import annotations

from typing import NamedTuple

STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
QUERY_LANGUAGES = ("JSONPath", "JSONata")
# The largest number of seconds any field takes (Wait, TimeoutSeconds, retry intervals).
MAX_SECONDS = 99_999_999


class Allowed(NamedTuple):
    both: frozenset[str]
    jsonpath: frozenset[str]
    jsonata: frozenset[str]


def _allowed(both: str, jsonpath: str = "", jsonata: str = "") -> Allowed:
    common = "Type Comment QueryLanguage "
    return Allowed(
        frozenset((common + both).split()),
        frozenset(jsonpath.split()),
        frozenset(jsonata.split()),
    )


_TRANSITION = "Next End "
_JSONPATH_IO = "InputPath OutputPath "

ALLOWED: dict[str, Allowed] = {
    "Task": _allowed(
        _TRANSITION + "Resource Credentials Assign Retry Catch TimeoutSeconds HeartbeatSeconds",
        _JSONPATH_IO
        + "Parameters ResultSelector ResultPath TimeoutSecondsPath HeartbeatSecondsPath",
        "Arguments Output",
    ),
    "Pass": _allowed(
        _TRANSITION + "Assign", _JSONPATH_IO + "Parameters Result ResultPath", "Output"
    ),
    "Choice": _allowed("Choices Default Assign", _JSONPATH_IO, "Output"),
    "Wait": _allowed(
        _TRANSITION + "Seconds Timestamp Assign",
        _JSONPATH_IO + "SecondsPath TimestampPath",
        "Output",
    ),
    "Succeed": _allowed("", _JSONPATH_IO, "Output"),
    "Fail": _allowed("Error Cause", "ErrorPath CausePath"),
    "Parallel": _allowed(
        _TRANSITION + "Branches Retry Catch Assign",
        _JSONPATH_IO + "Parameters ResultSelector ResultPath",
        "Arguments Output",
    ),
    "Map": _allowed(
        _TRANSITION
        + "ItemProcessor Iterator ItemReader ItemSelector ItemBatcher ResultWriter "
        + "MaxConcurrency ToleratedFailurePercentage ToleratedFailureCount Label "
        + "Retry Catch Assign",
        _JSONPATH_IO
        + "ItemsPath Parameters ResultSelector ResultPath MaxConcurrencyPath "
        + "ToleratedFailurePercentagePath ToleratedFailureCountPath",
        "Items Output",
    ),
}

# What to use instead of a JSONPath-only field in a JSONata state.
JSONATA_REPLACEMENT = {
    "InputPath": "read the input with $states.input in Arguments or Output",
    "OutputPath": "use Output",
    "Parameters": "use Arguments",
    "ResultSelector": "use Output with $states.result",
    "ResultPath": "use Output (or Assign) with $states.result",
    "Result": "use Output",
    "ItemsPath": "use Items",
    "SecondsPath": "use Seconds with a JSONata expression",
    "TimestampPath": "use Timestamp with a JSONata expression",
    "TimeoutSecondsPath": "use TimeoutSeconds with a JSONata expression",
    "HeartbeatSecondsPath": "use HeartbeatSeconds with a JSONata expression",
    "ErrorPath": "use Error with a JSONata expression",
    "CausePath": "use Cause with a JSONata expression",
    "MaxConcurrencyPath": "use MaxConcurrency with a JSONata expression",
    "ToleratedFailurePercentagePath": "use ToleratedFailurePercentage with an expression",
    "ToleratedFailureCountPath": "use ToleratedFailureCount with a JSONata expression",
}

TOP_LEVEL_FIELDS = frozenset(
    {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
)
BRANCH_FIELDS = frozenset({"Comment", "StartAt", "States", "QueryLanguage"})
PROCESSOR_FIELDS = BRANCH_FIELDS | {"ProcessorConfig"}
RETRY_FIELDS = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
CATCH_FIELDS = frozenset({"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"})
