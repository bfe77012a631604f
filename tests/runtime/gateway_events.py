"""API Gateway proxy events as API Gateway builds them, for calling the real handlers.

The shapes follow AWS's published examples: REST API / payload 1.0 ("Input format of a
Lambda function for proxy integration", API Gateway developer guide; the same fields as
aws-powertools' tests/events/apiGatewayProxyEvent.json) and HTTP API payload 2.0
("Create AWS Lambda proxy integrations for HTTP APIs"; powertools'
apiGatewayProxyV2Event.json). REST headers keep the client's capitalisation and come twice
(headers, multiValueHeaders); HTTP API headers are lower case, repeated ones joined by commas,
and rawPath starts with the stage unless it is `$default`.
"""

from __future__ import annotations

import base64
from typing import Any

ACCOUNT = "123456789012"
API_ID = "a1b2c3d4e5"
DOMAIN = f"{API_ID}.execute-api.us-east-1.amazonaws.com"


def rest_event(
    method: str,
    path: str,
    *,
    resource: str,
    path_parameters: dict[str, str] | None,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    base64_body: bool = False,
    stage: str = "prod",
    domain: str | None = DOMAIN,
    request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
) -> dict[str, Any]:
    """A REST API (payload 1.0) event. `path` is the resource path, without the stage."""
    all_headers = {
        "Accept": "*/*",
        "Host": domain or "localhost",
        "User-Agent": "curl/8.5.0",
        "X-Amzn-Trace-Id": "Root=1-5e7fe714-fee6909429159440eb352c40",
        "X-Forwarded-For": "192.0.2.10",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **(headers or {}),
    }
    context: dict[str, Any] = {
        "accountId": ACCOUNT,
        "apiId": API_ID,
        "resourceId": "roq9wj",
        "resourcePath": resource,
        "httpMethod": method,
        "extendedRequestId": "BQGojGkYoAMFQ9g=",
        "requestTime": "09/Apr/2015:12:34:56 +0000",
        "requestTimeEpoch": 1428582896000,
        "path": f"/{stage}{path}",
        "protocol": "HTTP/1.1",
        "stage": stage,
        "requestId": request_id,
        "identity": {"sourceIp": "192.0.2.10", "userAgent": "curl/8.5.0", "accountId": None},
    }
    if domain is not None:
        context["domainName"] = domain
        context["domainPrefix"] = domain.split(".")[0]
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": context,
        "body": _body(body, base64_body),
        "isBase64Encoded": base64_body,
    }


def http_api_event(
    method: str,
    path: str,
    *,
    route_key: str,
    path_parameters: dict[str, str] | None,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    base64_body: bool = False,
    stage: str = "$default",
    domain: str = DOMAIN,
    request_id: str = "JKJaXmPLvHcESHA=",
) -> dict[str, Any]:
    """An HTTP API payload 2.0 event. `path` is without the stage; rawPath gets it added."""
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    all_headers = {
        "accept": "*/*",
        "content-length": str(len(body or "")),
        "host": domain,
        "user-agent": "curl/8.5.0",
        "x-amzn-trace-id": "Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e",
        "x-forwarded-for": "192.0.2.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        **{name.lower(): value for name, value in (headers or {}).items()},
    }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": all_headers,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API_ID,
            "domainName": domain,
            "domainPrefix": domain.split(".")[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.10",
                "userAgent": "curl/8.5.0",
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": stage,
            "time": "10/Mar/2020:05:16:23 +0000",
            "timeEpoch": 1583817383220,
        },
        "isBase64Encoded": base64_body,
    }
    if path_parameters is not None:
        event["pathParameters"] = path_parameters
    # An HTTP API leaves `body` out of a request without one.
    if body is not None:
        event["body"] = _body(body, base64_body)
    return event


def start_rest(
    workflow: str,
    body: str | bytes | None,
    *,
    content_type: str | None = "application/json",
    headers: dict[str, str] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """POST /{workflow}/executions through a REST API."""
    return rest_event(
        options.pop("method", "POST"),
        f"/{workflow}/executions",
        resource="/{workflow}/executions",
        path_parameters={"workflow": workflow},
        body=body,
        headers=_with_content_type(content_type, headers, "Content-Type"),
        **options,
    )


def start_http(
    workflow: str,
    body: str | bytes | None,
    *,
    content_type: str | None = "application/json",
    headers: dict[str, str] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """POST /{workflow}/executions through an HTTP API (payload 2.0)."""
    return http_api_event(
        options.pop("method", "POST"),
        f"/{workflow}/executions",
        route_key="POST /{workflow}/executions",
        path_parameters={"workflow": workflow},
        body=body,
        headers=_with_content_type(content_type, headers, "content-type"),
        **options,
    )


def status_http(execution_id: str, **options: Any) -> dict[str, Any]:
    return http_api_event(
        options.pop("method", "GET"),
        f"/executions/{execution_id}",
        route_key="GET /executions/{id}",
        path_parameters={"id": execution_id},
        **options,
    )


def status_rest(execution_id: str, **options: Any) -> dict[str, Any]:
    return rest_event(
        options.pop("method", "GET"),
        f"/executions/{execution_id}",
        resource="/executions/{id}",
        path_parameters={"id": execution_id},
        **options,
    )


def _body(body: str | bytes | None, encode: bool) -> str | None:
    if body is None:
        return None
    data = body.encode("utf-8") if isinstance(body, str) else body
    if encode:
        return base64.b64encode(data).decode("ascii")
    return data.decode("utf-8")


def _with_content_type(
    content_type: str | None, headers: dict[str, str] | None, name: str
) -> dict[str, str]:
    base = {name: content_type} if content_type is not None else {}
    return {**base, **(headers or {})}
