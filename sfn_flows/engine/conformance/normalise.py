"""The one loose comparison the runner adds to the corpus's comparator.

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
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

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
