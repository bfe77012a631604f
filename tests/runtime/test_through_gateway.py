"""End to end: the Lambda package deployed into MiniStack behind a real HTTP API (payload 2.0)
and a real REST API, called over HTTP. Here MiniStack builds the events, not the tests."""

from __future__ import annotations

import io
import json
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from sfn_flows.aws import Target
from sfn_flows.local import LocalStack
from sfn_flows.runtime.config import API_CONFIG_FILE, STATE_MACHINES_ENV

from .conftest import ROLE_ARN, JobRequest, Machines
from .test_lambda_package import build_package


@dataclass(frozen=True)
class Gateways:
    http_api: str  # base URL of the HTTP API ($default stage)
    rest_api: str  # base URL of the REST API's "prod" stage


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


@pytest.fixture(scope="module")
def gateways(
    tmp_path_factory: pytest.TempPathFactory,
    local_stack: LocalStack,
    local_target: Target,
    machines: Machines,
) -> Gateways:
    folder = build_package(tmp_path_factory.mktemp("package"))
    schemas = {"jobs": JobRequest.model_json_schema(), "slow": None}
    document = {"workflows": {name: {"input_schema": s} for name, s in schemas.items()}}
    (folder / API_CONFIG_FILE).write_text(json.dumps(document))
    code = zipped(folder)
    variables = {STATE_MACHINES_ENV: json.dumps({"jobs": machines.jobs, "slow": machines.slow})}
    suffix = uuid.uuid4().hex[:8]
    lambda_client: Any = local_target.client("lambda")
    functions = {
        handler: lambda_client.create_function(
            FunctionName=f"runtime-{handler}-{suffix}",
            Runtime="python3.11",
            Role=ROLE_ARN,
            Handler=f"{handler}.handler",
            Code={"ZipFile": code},
            Environment={"Variables": variables},
            Timeout=30,
        )["FunctionArn"]
        for handler in ("starter", "status")
    }
    routes = {"starter": "POST /{workflow}/executions", "status": "GET /executions/{id}"}

    http: Any = local_target.client("apigatewayv2")
    api_id = http.create_api(Name=f"runtime-{suffix}", ProtocolType="HTTP")["ApiId"]
    for handler, route_key in routes.items():
        integration = http.create_integration(
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationUri=functions[handler],
            PayloadFormatVersion="2.0",
        )["IntegrationId"]
        http.create_route(ApiId=api_id, RouteKey=route_key, Target=f"integrations/{integration}")
    http.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)

    rest: Any = local_target.client("apigateway")
    rest_id = rest.create_rest_api(name=f"runtime-{suffix}")["id"]
    root = next(r["id"] for r in rest.get_resources(restApiId=rest_id)["items"] if r["path"] == "/")

    def resource(parent: str, part: str) -> str:
        created: str = rest.create_resource(restApiId=rest_id, parentId=parent, pathPart=part)["id"]
        return created

    start_resource = resource(resource(root, "{workflow}"), "executions")
    status_resource = resource(resource(root, "executions"), "{id}")
    for handler, method, resource_id in (
        ("starter", "POST", start_resource),
        ("status", "GET", status_resource),
    ):
        rest.put_method(
            restApiId=rest_id, resourceId=resource_id, httpMethod=method, authorizationType="NONE"
        )
        rest.put_integration(
            restApiId=rest_id,
            resourceId=resource_id,
            httpMethod=method,
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            f"{functions[handler]}/invocations",
        )
    rest.create_deployment(restApiId=rest_id, stageName="prod")

    base = f"{local_stack.endpoint_url}/_aws/execute-api"
    return Gateways(http_api=f"{base}/{api_id}", rest_api=f"{base}/{rest_id}/prod")


def request(
    url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    method = "POST" if body is not None else "GET"
    call = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(call, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("api", ["http_api", "rest_api"])
def test_start_then_read_the_status(gateways: Gateways, api: str) -> None:
    base = getattr(gateways, api)
    job = {"job_id": "through-gateway", "items": ["a"]}

    status, headers, started = request(f"{base}/jobs/executions", json.dumps(job).encode(), JSON)
    assert status == 202, started
    assert headers["Location"] == started["statusUrl"]

    by_id = f"{base}/executions/{started['executionId']}"
    by_arn = f"{base}/executions/{quote(started['executionArn'], safe='')}"
    if api == "http_api":
        # Location is followed as a client would: the stack's path-style API address.
        assert headers["Location"].startswith(f"{gateways.http_api}/")
        urls = [headers["Location"], by_id, by_arn]
    else:
        # MiniStack's REST (payload 1.0) events carry no requestContext.domainName, which
        # AWS always sends: the URL can only be the path under the stage.
        assert headers["Location"] == f"/prod/executions/{started['executionId']}"
        urls = [by_id, by_arn]
    for url in urls:
        for _ in range(200):  # the Pass machine finishes in well under a second
            code, _, body = request(url)
            if code == 200:
                break
            time.sleep(0.05)
        assert (code, body["status"], body["output"]) == (200, "SUCCEEDED", job)


def test_http_api_idempotency_and_conflict(gateways: Gateways) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4()), **JSON}
    url = f"{gateways.http_api}/slow/executions"

    first = request(url, b'{"n": 1}', key)
    second = request(url, b'{"n": 1}', key)
    third = request(url, b'{"n": 2}', key)

    assert first[0] == second[0] == 202
    assert first[2]["executionArn"] == second[2]["executionArn"]
    assert second[1]["Idempotent-Replayed"] == "true"
    assert third[0] == 409 and third[2]["error"] == "IdempotencyKeyReused"


def test_http_api_validation_error_and_foreign_id(gateways: Gateways) -> None:
    status, _, body = request(f"{gateways.http_api}/jobs/executions", b'{"items": []}', JSON)
    assert status == 400
    assert body["errors"] == [
        {"field": "job_id", "message": "is required"},
        {"field": "items", "message": "must not be empty"},
    ]

    status, _, body = request(f"{gateways.http_api}/executions/nosuch~x")
    assert (status, body["error"]) == (404, "ExecutionNotFound")


def test_json_subtype_arrives_base64_encoded_and_is_decoded(gateways: Gateways) -> None:
    # MiniStack, like AWS, base64-encodes an HTTP API body whose type is not plain text/JSON.
    headers = {"Content-Type": "application/vnd.api+json"}
    status, _, body = request(f"{gateways.http_api}/slow/executions", b'{"v": 1}', headers)

    assert status == 202, body


@pytest.mark.parametrize("api", ["http_api", "rest_api"])
def test_invalid_utf8_json_body_is_400_and_starts_nothing(
    gateways: Gateways, api: str, sfn: Any, machines: Machines
) -> None:
    def executions() -> int:
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=machines.slow)
        return sum(len(page["executions"]) for page in pages)

    before = executions()
    status, _, body = request(f"{getattr(gateways, api)}/slow/executions", b'{"x": "\xff"}', JSON)

    assert status == 400, body
    assert body["error"] == "InvalidBody"
    assert body["message"].startswith("the body is not valid UTF-8")
    assert executions() == before


@pytest.mark.parametrize(
    "hostile",
    [
        {"Host": "evil.example"},
        {"Host": "evil.example:443", "X-Forwarded-Proto": "https"},
        {"X-Forwarded-Proto": "ftp"},
    ],
)
def test_hostile_host_or_scheme_never_shapes_location(
    gateways: Gateways, hostile: dict[str, str]
) -> None:
    status, headers, started = request(
        f"{gateways.http_api}/slow/executions", b"{}", {**JSON, **hostile}
    )

    assert status == 202, started
    assert headers["Location"] == started["statusUrl"]
    # The stack's own address, which the client can follow.
    assert started["statusUrl"].startswith(f"{gateways.http_api}/"), started["statusUrl"]
