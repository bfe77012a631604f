"""The status URL of an execution, as the client that called the starter can reach it.

Absolute when the event names the domain (requestContext.domainName), else a path. On the
execute-api domain the stage is the first path segment (none for an HTTP API's `$default`
stage). On a custom domain the prefix is what precedes the route in the request's path:
right for REST APIs and payload 1.0, whose `path` carries the base path mapping; payload 2.0's
`rawPath` does not carry an API mapping key, so behind one the URL lacks it. Called through a
local stack's path-style gateway, the URL is of that form too, so `Location` can be followed.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from sfn_flows.runtime.events import HttpRequest

_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?")


def status_url(request: HttpRequest, route_prefix: str, execution_id: str) -> str:
    """`route_prefix`: what precedes "/<workflow>/executions" in the request's path."""
    route = f"/executions/{quote(execution_id, safe='~')}"
    domain = request.domain_name
    if domain is None:
        return _api_base(request, route_prefix) + route
    host = domain
    header_host = request.header("host")
    if header_host is not None and not _HOST.fullmatch(header_host):
        header_host = None  # not a plain host[:port]: never copied into a URL
    if header_host and header_host.rsplit(":", 1)[0].lower() == domain.lower():
        host = header_host  # a Host header naming the same domain keeps its port
    elif header_host and ".execute-api." in domain and _on_local_stack():
        # A local stack's path-style gateway, <host>/_aws/execute-api/<api id>/<stage>/...:
        # the one way to reach it where `*.localhost` does not resolve. Only there: on AWS a
        # client-chosen Host (private APIs, load balancers) must not shape the URL.
        api_id = quote(domain.split(".", 1)[0], safe="")
        stage = quote(request.stage or "$default", safe="$")
        base = f"{_scheme(request, header_host)}://{header_host}/_aws/execute-api"
        return f"{base}/{api_id}/{stage}{route}"
    return f"{_scheme(request, host)}://{host}{_api_base(request, route_prefix)}{route}"


def _on_local_stack() -> bool:
    # The local stack points the SDK of its Lambdas at itself; AWS's Lambda runtime never
    # sets this variable.
    return bool(os.environ.get("AWS_ENDPOINT_URL"))


def _scheme(request: HttpRequest, host: str) -> str:
    forwarded = request.header("x-forwarded-proto")  # API Gateway sets it on AWS
    if forwarded:
        return forwarded.split(",")[0].strip().lower()
    return "http" if ":" in host else "https"


def _api_base(request: HttpRequest, route_prefix: str) -> str:
    domain = request.domain_name
    if domain is None or ".execute-api." in domain:
        stage = request.stage
        return "" if stage is None or stage == "$default" else "/" + quote(stage, safe="")
    return route_prefix.rstrip("/")
