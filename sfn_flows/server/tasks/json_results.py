"""boto3's Python values as the JSON a Task's result holds.

A timestamp is ISO 8601 text in an `aws-sdk:*` result and epoch milliseconds in an optimised
integration's (as the Java SDK v2 and v1 write them); a blob or a streamed body is its text.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any, Literal

DateForm = Literal["iso", "millis"]


def json_result(value: Any, dates: DateForm) -> Any:
    """`value` with every datetime, bytes, stream and Decimal made JSON."""
    if isinstance(value, dict):
        return {str(key): json_result(item, dates) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_result(item, dates) for item in value]
    if isinstance(value, datetime.datetime):
        return timestamp(value, dates)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "read") and callable(value.read):  # botocore's StreamingBody
        return bytes(value.read()).decode("utf-8", "replace")
    return value


def timestamp(moment: datetime.datetime, dates: DateForm) -> Any:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    if dates == "millis":
        return int(moment.timestamp() * 1000)
    text = moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
