"""`sfn-flows demo`: the async pattern end to end on the embedded local stack.

Start the local stack, build and deploy this project, POST a job through the local HTTP API
(answered 202 with an execution ARN at once), poll the status route until the job ends,
and print the result with the timings of each step.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from sfn_flows.cli.render import out, print_json
from sfn_flows.deploy.naming import DEFAULT_STACK
from sfn_flows.errors import SfnFlowsError

DEMO_WORKFLOW = "long-running-job"
DEMO_INPUT = {"job_id": "demo-1", "items": ["alpha", "beta", "gamma"], "notify": "ops@example.com"}


class DemoError(SfnFlowsError):
    """A step of the demo failed; the message says which and why."""


def demo(
    workflow: Annotated[
        str, typer.Option(help="Workflow to start through the API.")
    ] = DEMO_WORKFLOW,
    payload: Annotated[
        str | None, typer.Option("--input", help="Request body (JSON); a sample job by default.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the job to end.")] = 120.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run the async API pattern locally: 202 with an execution ARN, then poll to the result."""
    # Here, not at the top: boto3, the compiler and the deploy code would slow every
    # other command's start.
    from sfn_flows.aws import Target
    from sfn_flows.deploy.outputs import reachable_api_url
    from sfn_flows.deploy.stack import deploy_project
    from sfn_flows.local import start_local_stack
    from sfn_flows.project.build import compile_project, write_build

    project = Path.cwd()
    body = _body(payload)
    timings: dict[str, float] = {}
    say: Callable[[str], None] = _quiet if as_json else out.print

    started = time.perf_counter()
    stack = start_local_stack(project)
    timings["local_stack_s"] = time.perf_counter() - started
    say(f"1. local stack at {stack.endpoint_url} ({timings['local_stack_s']:.2f} s)")

    step = time.perf_counter()
    result = compile_project(project / "workflows")
    if not result.ok:
        problems = [
            f"{item.workflow.name}: {p.render()}" for item, f in result.failures for p in f.problems
        ]
        raise DemoError("the build failed:\n" + "\n".join(problems))
    write_build(result, project / "build", project)
    timings["build_s"] = time.perf_counter() - step
    say(f"2. built {len(result.compiled)} workflow(s) into build/ ({timings['build_s']:.2f} s)")

    step = time.perf_counter()
    target = Target(endpoint_url=stack.endpoint_url)
    deployed = deploy_project(
        target, stack=DEFAULT_STACK, build_dir=project / "build", lambdas_dir=project / "lambdas"
    )
    timings["deploy_s"] = time.perf_counter() - step
    api = reachable_api_url(target, deployed.outputs)
    if not api:
        raise DemoError(f"the stack {DEFAULT_STACK!r} has no API URL output; deploy it again")
    say(
        f"3. deployed stack {DEFAULT_STACK} ({deployed.outcome}, {timings['deploy_s']:.2f} s); "
        f"API {api}"
    )

    step = time.perf_counter()
    status, accepted, _ = _request("POST", f"{api}/{workflow}/executions", body)
    timings["accepted_ms"] = (time.perf_counter() - step) * 1000
    if status != 202:
        raise DemoError(f"POST /{workflow}/executions answered {status}: {json.dumps(accepted)}")
    say(f"4. POST /{workflow}/executions -> 202 in {timings['accepted_ms']:.0f} ms")
    say(f"   executionArn {accepted['executionArn']}")

    step = time.perf_counter()
    final, polls = _poll(api, accepted["executionId"], deadline=step + timeout)
    timings["execution_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - started
    say(f"5. {final['status']} after {timings['execution_s']:.2f} s and {polls} status request(s)")
    if as_json:
        print_json({"accepted": accepted, "result": final, "polls": polls, "timings": timings})
    else:
        shown = final.get("output") if final["status"] == "SUCCEEDED" else final
        out.print_json(json.dumps(shown))
        out.print(
            f"total {timings['total_s']:.2f} s; the local stack keeps running "
            "(`sfn-flows local down` stops it)"
        )
    if final["status"] != "SUCCEEDED":
        raise typer.Exit(1)


def _quiet(text: str) -> None:
    return None


def _body(payload: str | None) -> Any:
    if payload is None:
        return DEMO_INPUT
    try:
        return json.loads(payload)
    except json.JSONDecodeError as exc:
        raise DemoError(
            f"--input is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


def _poll(api: str, execution_id: str, *, deadline: float) -> tuple[dict[str, Any], int]:
    polls = 0
    while True:
        status, document, headers = _request("GET", f"{api}/executions/{execution_id}", None)
        polls += 1
        if status == 200:
            return document, polls
        if status != 202:
            raise DemoError(
                f"GET /executions/{execution_id} answered {status}: {json.dumps(document)}"
            )
        if time.perf_counter() > deadline:
            raise DemoError(
                f"the execution {execution_id} was still {document.get('status')} at the deadline"
            )
        # The status route says when to ask again; a demo asks a little sooner, never later.
        try:
            retry_after = float(headers.get("Retry-After", 1))
        except ValueError:
            retry_after = 1.0
        time.sleep(min(retry_after, 0.5))


def _request(method: str, url: str, body: Any) -> tuple[int, Any, Any]:
    import urllib.error  # here: urllib.request loads http.client and ssl, for the demo only
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as exc:
        text = exc.read()
        try:
            return exc.code, json.loads(text or b"null"), exc.headers
        except ValueError:
            return exc.code, {"body": text.decode(errors="replace")[:500]}, exc.headers
    except (urllib.error.URLError, OSError) as exc:
        raise DemoError(f"{method} {url} failed: {exc}") from None
