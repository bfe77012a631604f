"""What the end-to-end tests share: a project folder built and deployed into the local stack,
and HTTP calls to its API that return the status, the parsed JSON body and the headers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sfn_flows.aws import Target
from sfn_flows.deploy.outputs import reachable_api_url
from sfn_flows.deploy.stack import deploy_project
from sfn_flows.project.build import compile_project, write_build


def build_and_deploy(project: Path, target: Target, stack: str) -> tuple[str, dict[str, str]]:
    """Build `project` (workflows/, lambdas/) and deploy it as `stack`: its API's reachable
    URL and the stack's outputs."""
    result = compile_project(project / "workflows")
    assert result.ok, [p.render() for _, f in result.failures for p in f.problems]
    write_build(result, project / "build", project)
    outputs = deploy_project(
        target, stack=stack, build_dir=project / "build", lambdas_dir=project / "lambdas"
    ).outputs
    url = reachable_api_url(target, outputs)
    assert url
    return url, outputs


def call(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), dict(exc.headers)
