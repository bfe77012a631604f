"""API Gateway proxy events -> one request shape, whatever the payload format.

Accepted: REST APIs and HTTP APIs with payload format 1.0 (`httpMethod`, `path`, `headers`
with the client's capitalisation, `multiValueHeaders`) and HTTP APIs with payload format 2.0
(`version: "2.0"`, `requestContext.http.method`, `rawPath`, lower-case `headers` with repeated
headers joined by commas).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import unquote

from sfn_flows.runtime.names import fresh_execution_name


class NotAnHttpEvent(ValueError):
    """The Lambda was invoked with something that is not an API Gateway proxy event."""


class HttpRequest(NamedTuple):
    method: str
    # The path as API Gateway reports it: REST/payload 1.0 `path` (without the stage on the
    # execute-api domain), payload 2.0 `rawPath` (with a named stage as its first segment).
    path: str
    headers: Mapping[str, str]  # names in lower case
    body: str | None
    is_base64: bool
    path_parameters: Mapping[str, str]
    stage: str | None
    domain_name: str | None
    request_id: str | None
    payload_version: str  # "1.0" or "2.0"

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def path_parameter(self, name: str) -> str | None:
        """A path parameter, percent-decoded once.

        API Gateway hands some path parameters over still percent-encoded (REST APIs) and
        others decoded (HTTP APIs); the values this API uses never contain '%' themselves
        (Step Functions forbids it in names), so decoding whatever arrives is safe.
        """
        value = self.path_parameters.get(name)
        if value is None or value == "":
            return None
        return unquote(value) if "%" in value else value


def parse_event(event: object) -> HttpRequest:
    if not isinstance(event, dict):
        raise NotAnHttpEvent("the event is not a JSON object")
    context = event.get("requestContext")
    context = context if isinstance(context, dict) else {}
    if event.get("version") == "2.0" and isinstance(context.get("http"), dict):
        method = context["http"].get("method")
        path = event.get("rawPath") or context["http"].get("path")
        headers = _lower_headers(event.get("headers"), None)
        version = "2.0"
    elif "httpMethod" in event:
        method = event.get("httpMethod")
        path = event.get("path")
        headers = _lower_headers(event.get("headers"), event.get("multiValueHeaders"))
        version = "1.0"
    else:
        raise NotAnHttpEvent("the event has neither httpMethod (payload 1.0) nor version 2.0")
    if not isinstance(method, str) or not isinstance(path, str):
        raise NotAnHttpEvent("the event lacks its HTTP method or path")
    body = event.get("body")
    return HttpRequest(
        method=method.upper(),
        path=path,
        headers=headers,
        body=body if isinstance(body, str) else None,
        is_base64=event.get("isBase64Encoded") is True,
        path_parameters=_strings(event.get("pathParameters")),
        stage=_string(context.get("stage")),
        domain_name=_string(context.get("domainName")),
        request_id=_string(context.get("requestId")),
        payload_version=version,
    )


def _lower_headers(single: object, multi: object) -> dict[str, str]:
    headers: dict[str, str] = {}
    if isinstance(single, dict):
        for name, value in single.items():
            if isinstance(name, str) and isinstance(value, str):
                headers[name.lower()] = value
    # Payload 1.0 puts only the last value of a repeated header in `headers`; join them all
    # like payload 2.0 does, so both formats read the same.
    if isinstance(multi, dict):
        for name, values in multi.items():
            if not (isinstance(name, str) and isinstance(values, list) and values):
                continue
            if all(isinstance(value, str) for value in values):
                headers[name.lower()] = ",".join(values)
    return headers


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def request_id_of(event: object, context: object) -> str:
    """API Gateway's request id, else Lambda's, else a fresh one: what a 5xx quotes."""
    if isinstance(event, dict):
        request_context = event.get("requestContext")
        if isinstance(request_context, dict) and isinstance(request_context.get("requestId"), str):
            return str(request_context["requestId"])
    aws_request_id = getattr(context, "aws_request_id", None)
    return aws_request_id if isinstance(aws_request_id, str) else fresh_execution_name()
