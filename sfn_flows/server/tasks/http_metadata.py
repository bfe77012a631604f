"""The result of an optimised integration: the service's response, with the HTTP metadata the
Java SDK v1 adds (recorded on AWS: dynamodb:putItem answers `{"SdkHttpMetadata": {...},
"SdkResponseMetadata": {"RequestId": ...}}`, getItem the same beside its `Item`).

The headers are those of the local stack's answer that AWS sends too (the local stack adds
CORS and S3-style ones), with AWS's spelling (botocore lower-cases names); `AllHttpHeaders`
holds each as a one-value list.
"""

from __future__ import annotations

from typing import Any, Final

_SPELLING: Final = {
    "connection": "Connection",
    "content-length": "Content-Length",
    "content-type": "Content-Type",
    "date": "Date",
    "server": "Server",
    "x-amz-crc32": "x-amz-crc32",
    "x-amzn-requestid": "x-amzn-RequestId",
}


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    """boto3's response without its ResponseMetadata."""
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def with_sdk_metadata(response: dict[str, Any]) -> dict[str, Any]:
    """The response's members, then SdkHttpMetadata and SdkResponseMetadata."""
    metadata = response.get("ResponseMetadata") or {}
    raw = metadata.get("HTTPHeaders") or {}
    headers = {
        _SPELLING[name.lower()]: str(value)
        for name, value in raw.items()
        if name.lower() in _SPELLING
    }
    request_id = str(metadata.get("RequestId") or headers.get("x-amzn-RequestId") or "")
    if request_id:
        headers.setdefault("x-amzn-RequestId", request_id)
    ordered = dict(sorted(headers.items(), key=lambda item: item[0].lower()))
    return {
        **without_metadata(response),
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in ordered.items()},
            "HttpHeaders": ordered,
            "HttpStatusCode": int(metadata.get("HTTPStatusCode") or 200),
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }
