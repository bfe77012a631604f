"""`sfn-flows demo`: the async API end to end on the embedded local stack.

Start the local stack, build and deploy this project, then through the local HTTP API:
POST a job with `Prefer: wait=N` (the wait window: quick work is answered 200 with its result
in that one request), POST it again with `Prefer: respond-async` (202 with an execution ARN
at once) and long-poll the status route until the job ends; print the result and the timings
of each step.
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
from sfn_flows.runtime.wait_window import MAX_WAIT_SECONDS

DEMO_WORKFLOW = "long-running-job"
DEMO_WAIT_SECONDS = 10
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
    wait: Annotated[
        int,
        typer.Option(
            min=0, max=MAX_WAIT_SECONDS, help="The wait window of the first POST (Prefer: wait=N)."
        ),
    ] = DEMO_WAIT_SECONDS,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run the async API locally: the wait window (200 with the result in one request), then
    202 with an execution ARN and long polls to the result."""
    # Here, not at the top: boto3, the compiler and the deploy code would slow every
    # other command's start.
    from sfn_flows.aws import Target
    from sfn_flows.client import ApiClient, WaitTimeout
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

    client = ApiClient(api)
    window = wait

    # The wait window: quick work answered with its result in the request that started it.
    step = time.perf_counter()
    quick = client.start(workflow, body, wait=window)
    timings["wait_window_ms"] = (time.perf_counter() - step) * 1000
    quick_requests = sum(client.requests.values())
    say(
        f"4. POST /{workflow}/executions (Prefer: wait={window}) -> {quick.http_status} in "
        f"{timings['wait_window_ms']:.0f} ms, {quick_requests} request"
        + (f": {quick.body['status']}, no poll" if quick.http_status == 200 else "")
    )
    if quick.http_status == 202:
        say("   the job outlasted the window: the answer is the usual 202")

    # The async pattern: 202 at once, then long polls of the status route.
    step = time.perf_counter()
    accepted = client.start(workflow, body, respond_async=True)
    timings["accepted_ms"] = (time.perf_counter() - step) * 1000
    say(
        f"5. POST /{workflow}/executions (Prefer: respond-async) -> "
        f"{accepted.http_status} in {timings['accepted_ms']:.0f} ms"
    )
    say(f"   executionArn {accepted.body['executionArn']}")

    step = time.perf_counter()
    try:
        final = client.wait(accepted.execution_id, timeout=timeout)
    except WaitTimeout as exc:
        raise DemoError(f"the execution {exc.arn} was still {exc.status} at the deadline") from None
    polls = client.requests["GET"]  # the long polls (the POSTs are counted apart)
    timings["execution_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - started
    say(
        f"6. GET /executions/{{id}} (Prefer: wait={MAX_WAIT_SECONDS}) -> {final.body['status']} "
        f"after {timings['execution_s']:.2f} s and {polls} long poll(s)"
    )
    if as_json:
        print_json(
            {
                "wait_window": {
                    "status": quick.http_status,
                    "result": quick.body,
                    "requests": quick_requests,
                },
                "accepted": accepted.body,
                "result": final.body,
                "polls": polls,
                "timings": timings,
            }
        )
    else:
        shown = final.body.get("output") if final.body["status"] == "SUCCEEDED" else final.body
        out.print_json(json.dumps(shown))
        out.print(
            f"total {timings['total_s']:.2f} s; the local stack keeps running "
            "(`sfn-flows local down` stops it)"
        )
    if final.body["status"] != "SUCCEEDED":
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
