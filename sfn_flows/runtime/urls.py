"""The status URL of an execution, as the client that called the starter can reach it.

Absolute when the event names the domain (requestContext.domainName), else a path. On the
execute-api domain the stage is the first path segment (none for an HTTP API's `$default`
stage). On a custom domain the prefix is what precedes the route in the request's path:
right for REST APIs and payload 1.0, whose `path` carries the base path mapping; payload 2.0's
`rawPath` does not carry an API mapping key, so behind one the URL lacks it. Called through a
local stack's path-style gateway, the URL is of that form too, so `Location` can be followed.

Headers are the client's to choose: only http or https is taken from X-Forwarded-Proto, and a
Host header only when it names the API's own domain (or, on a local stack, the stack itself);
anything else falls back to the API's or the stack's own address.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from sfn_flows.runtime.events import HttpRequest

_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?")
_LOOPBACK_V4 = re.compile(r"127(\.[0-9]{1,3}){3}")
_SCHEMES = frozenset({"http", "https"})


def status_url(request: HttpRequest, route_prefix: str, execution_id: str) -> str:
    """`route_prefix`: what precedes "/<workflow>/executions" in the request's path."""
    route = f"/executions/{quote(execution_id, safe='~')}"
    domain = request.domain_name
    if domain is None:
        return _api_base(request, route_prefix) + route
    header_host = request.header("host")
    if header_host is not None and not _HOST.fullmatch(header_host):
        header_host = None  # not a plain host[:port]: never copied into a URL
    base = _api_base(request, route_prefix)
    if header_host and header_host.rsplit(":", 1)[0].lower() == domain.lower():
        # A Host header naming the same domain keeps its port.
        return f"{_scheme(request, header_host)}://{header_host}{base}{route}"
    stack = _local_stack()
    if stack is not None and ".execute-api." in domain:
        # A local stack's path-style gateway, <host>/_aws/execute-api/<api id>/<stage>/...:
        # the one way to reach it where `*.localhost` does not resolve. The client's Host
        # header is kept only when it names the stack itself (it may say 127.0.0.1 where the
        # stack calls itself localhost); any other host falls back to the stack's address.
        scheme, stack_host = stack
        host = header_host if header_host and _same_stack(header_host, stack) else stack_host
        api_id = quote(domain.split(".", 1)[0], safe="")
        stage = quote(request.stage or "$default", safe="$")
        return f"{scheme}://{host}/_aws/execute-api/{api_id}/{stage}{route}"
    return f"{_scheme(request, domain)}://{domain}{base}{route}"


def _local_stack() -> tuple[str, str] | None:
    """The local stack's scheme and host[:port], or None when not running on one.

    A local stack points the SDK of its Lambdas at itself with AWS_ENDPOINT_URL; AWS's
    Lambda runtime never sets it.
    """
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return None
    scheme, _, rest = endpoint.partition("://")
    host = rest.split("/", 1)[0]
    if scheme.lower() not in _SCHEMES or not _HOST.fullmatch(host):
        return None
    return scheme.lower(), host


def _same_stack(header_host: str, stack: tuple[str, str]) -> bool:
    scheme, stack_host = stack
    name, port = _split_host(header_host, scheme)
    stack_name, stack_port = _split_host(stack_host, scheme)
    if _is_loopback(name) and _is_loopback(stack_name):
        # Any port: Docker publishes a stack's 4566 on another host port, which the stack
        # cannot know; a loopback URL only ever leads back to the client's own machine.
        return True
    return name == stack_name and port == stack_port


def _split_host(host: str, scheme: str) -> tuple[str, str]:
    name, _, port = host.partition(":")
    return name.lower().rstrip("."), port or ("443" if scheme == "https" else "80")


def _is_loopback(name: str) -> bool:
    return (
        name == "localhost"
        or name.endswith(".localhost")
        or _LOOPBACK_V4.fullmatch(name) is not None
    )


def _scheme(request: HttpRequest, host: str) -> str:
    # API Gateway sets X-Forwarded-Proto on AWS; only a web scheme is ever taken from it.
    forwarded = (request.header("x-forwarded-proto") or "").split(",")[0].strip().lower()
    if forwarded in _SCHEMES:
        return forwarded
    return "http" if ":" in host else "https"


def _api_base(request: HttpRequest, route_prefix: str) -> str:
    domain = request.domain_name
    if domain is None or ".execute-api." in domain:
        stage = request.stage
        return "" if stage is None or stage == "$default" else "/" + quote(stage, safe="")
    return route_prefix.rstrip("/")
