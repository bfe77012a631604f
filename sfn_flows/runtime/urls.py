"""The status URL of an execution, as the client that called the starter can reach it.

Absolute when the event names the domain (requestContext.domainName), else a path. On the
execute-api domain the stage is the first path segment (none for an HTTP API's `$default`
stage). On a custom domain the prefix is what precedes the route in the request's path:
right for REST APIs and payload 1.0, whose `path` carries the base path mapping; payload 2.0's
`rawPath` does not carry an API mapping key, so behind one the URL lacks it.
"""

from __future__ import annotations

from urllib.parse import quote

from sfn_flows.runtime.events import HttpRequest


def status_url(request: HttpRequest, route_prefix: str, execution_id: str) -> str:
    """`route_prefix`: what precedes "/<workflow>/executions" in the request's path."""
    path = f"{_api_base(request, route_prefix)}/executions/{quote(execution_id, safe='~')}"
    domain = request.domain_name
    if domain is None:
        return path
    host = domain
    # A Host header naming the same domain keeps its port (a local stack's gateway).
    header_host = request.header("host")
    if header_host and header_host.rsplit(":", 1)[0].lower() == domain.lower():
        host = header_host
    forwarded = request.header("x-forwarded-proto")  # API Gateway sets it on AWS
    if forwarded:
        scheme = forwarded.split(",")[0].strip().lower()
    else:
        scheme = "http" if ":" in host else "https"
    return f"{scheme}://{host}{path}"


def _api_base(request: HttpRequest, route_prefix: str) -> str:
    domain = request.domain_name
    if domain is None or ".execute-api." in domain:
        stage = request.stage
        return "" if stage is None or stage == "$default" else "/" + quote(stage, safe="")
    return route_prefix.rstrip("/")
