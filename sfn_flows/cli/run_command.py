"""`sfn-flows run <workflow> --input JSON|@file`: start an execution, follow it, show the result.

By default it calls Step Functions (StartExecution, then DescribeExecution on a backoff, with
the states entered as progress). With `--api` (or `--api-url URL`) it goes through the
stack's HTTP API as the API's clients do: `POST` with `Prefer: wait=N`, answered with the
result in that one request when the work is quick, then long polls of the status route.
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from sfn_flows.cli.render import err, out, print_json, seconds
from sfn_flows.deploy.naming import DEFAULT_STACK
from sfn_flows.errors import InputFileError, SfnFlowsError


class UsageError(SfnFlowsError):
    """Options of `sfn-flows run` that do not go together; the message says which to use."""


if TYPE_CHECKING:
    from rich.console import Console
    from rich.status import Status

    from sfn_flows.aws import Target
    from sfn_flows.client import ExecutionStatus, HistoryEvent

DEFAULT_TIMEOUT = 300.0
# States shown on the progress line: the latest ones, so the line fits a terminal.
PROGRESS_STATES = 6

StackOption = Annotated[
    str, typer.Option("--stack", help="CloudFormation stack the workflow was deployed in.")
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint-url",
        help="Step Functions endpoint (a local stack). Default: the local stack started "
        "from this folder (`sfn-flows local up`); AWS only with --profile/--region or "
        "SFN_FLOWS_TARGET=aws.",
    ),
]
ProfileOption = Annotated[str | None, typer.Option("--profile", help="AWS profile (uses AWS).")]
RegionOption = Annotated[str | None, typer.Option("--region", help="AWS region (uses AWS).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ApiOption = Annotated[
    bool,
    typer.Option(
        "--api",
        help="Go through the stack's HTTP API (POST with Prefer: wait, then long polls of "
        "GET /executions/{id}) instead of calling Step Functions.",
    ),
]
ApiUrlOption = Annotated[
    str | None,
    typer.Option(
        "--api-url",
        help="Base URL of the HTTP API to go through (implies --api). Default: the stack's.",
    ),
]
PushOption = Annotated[
    bool,
    typer.Option(
        "--push",
        help="Wait for the end on the stack's push socket (workflows with push=True) instead "
        "of polling Step Functions; polls when push cannot answer.",
    ),
]
IdempotencyKeyOption = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        help="With --api: the Idempotency-Key header, so that running the command again finds "
        "the same execution instead of starting another.",
    ),
]


def run(
    workflow: Annotated[
        str,
        typer.Argument(help="Workflow name (deployed in --stack) or state machine ARN."),
    ],
    input_text: Annotated[
        str,
        typer.Option(
            "--input", "-i", help="Execution input: JSON text, or @path to a file of JSON."
        ),
    ] = "{}",
    name: Annotated[
        str | None, typer.Option("--name", help="Execution name (default: a UUID).")
    ] = None,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Start the execution and return at once.")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=0,
            help="Seconds to wait for the result; the execution keeps running after that.",
        ),
    ] = DEFAULT_TIMEOUT,
    as_json: JsonOption = False,
    stack: StackOption = DEFAULT_STACK,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
    region: RegionOption = None,
    build_dir: Annotated[
        Path,
        typer.Option(
            "--build", help="Output of `sfn-flows build`: the input model to check --input with."
        ),
    ] = Path("build"),
    api: ApiOption = False,
    api_url: ApiUrlOption = None,
    idempotency_key: IdempotencyKeyOption = None,
    push: PushOption = False,
) -> None:
    """Start an execution and wait for it: live progress on a terminal, then its output JSON.

    The input is checked as the HTTP API would (the workflow's input model, from the build)
    and the execution name as Step Functions would, before any call.

    Exit codes: 0 succeeded, 1 failed/timed out/aborted, 2 still running at --timeout.
    """
    # Here, not at the top: boto3 and the deploy code would slow every other command's start.
    from sfn_flows.client import (
        ExecutionClient,
        ExecutionInputError,
        WaitTimeout,
        encode_input,
    )
    from sfn_flows.client.execution import iso
    from sfn_flows.client.ids import execution_id, is_arn, require_execution_name
    from sfn_flows.deploy.outputs import state_machine_arn
    from sfn_flows.deploy.targeting import resolve_target

    value = read_input(input_text)
    encode_input(value)  # the size limit, checked before any call to AWS
    through_api = api or api_url is not None
    check_api_options(workflow, name, idempotency_key, through_api=through_api)
    if push and through_api:
        raise UsageError(
            "--push waits on the stack's push socket for an execution started through Step "
            "Functions; leave out --api/--api-url, or --push (the API's long poll waits too)."
        )
    if name is not None:
        require_execution_name(name, f"--name {name!r}", ExecutionInputError)
    unchecked = None if is_arn(workflow) else check_input_model(value, workflow, build_dir)
    if through_api:
        if unchecked:
            note = f"the input was not checked against an input model: {unchecked}"
            err.print(f"[yellow]note[/yellow]: {escape(note)}")
        url = api_url or stack_api_url(stack, endpoint_url, profile, region)
        options = ApiRun(no_wait, timeout, as_json, idempotency_key)
        run_through_api(url, workflow, value, options)
        return
    target = resolve_target(endpoint_url, profile, region)
    machine = state_machine_arn(target, stack, workflow)
    if unchecked:
        note = f"the input was not checked against an input model: {unchecked}"
        err.print(f"[yellow]note[/yellow]: {escape(note)}")
    client = ExecutionClient(target, push_url=stack_push_url(target, stack) if push else None)
    execution = client.start(machine, value, name)
    ref = execution.arn if is_arn(workflow) else execution_id(workflow, execution.name)
    later = status_hint(ref, stack, endpoint_url, profile, region)
    if no_wait:
        if as_json:
            print_json(
                {
                    "executionArn": execution.arn,
                    "executionId": None if is_arn(workflow) else ref,
                    "status": "RUNNING",
                    "startDate": iso(execution.start_date),
                }
            )
        else:
            out.print(f"started {escape(execution.arn)}")
            out.print(f"follow it with: {escape(later)}")
        return
    if not as_json:
        # stderr, so that stdout carries only the output JSON (pipe it into jq).
        err.print(f"started {escape(ref)}")
    live = not as_json and err.is_terminal
    # Pushed, the end comes as one message: no history is read for progress.
    waiting = "waiting for the end (push)" if push else "waiting for the first state"
    try:
        with StateProgress(err, enabled=live, waiting=waiting) as progress:
            status = client.wait(
                execution.arn,
                timeout=timeout,
                on_event=progress.on_event if live and not push else None,
                push=push,
            )
        if client.push_fallback and not as_json:
            note = f"push could not tell ({client.push_fallback}); polled Step Functions instead"
            err.print(f"[yellow]note[/yellow]: {escape(note)}")
    except WaitTimeout as exc:
        if as_json:
            print_json({"executionArn": exc.arn, "status": exc.status, "waitTimedOut": True})
        err.print(f"[red]error[/red]: {escape(str(exc))}")
        err.print(f"follow it with: {escape(later)} (or run again with a larger --timeout)")
        raise typer.Exit(2) from None
    report(status, ref if not is_arn(workflow) else None, as_json=as_json)
    if not status.succeeded:
        raise typer.Exit(1)


def check_api_options(
    workflow: str, name: str | None, key: str | None, *, through_api: bool
) -> None:
    """The options that only one of the two ways takes."""
    if through_api and name is not None:
        raise UsageError(
            "--name names a Step Functions execution, which the API does not take; through "
            "the API send --idempotency-key KEY (the API derives the execution's name from it)."
        )
    if through_api and workflow.startswith("arn:"):
        raise UsageError(
            f"the API starts workflows by name, not by state machine ARN ({workflow}); pass "
            "the workflow's name, or leave out --api/--api-url."
        )
    if not through_api and key is not None:
        raise UsageError(
            "--idempotency-key is a header of the HTTP API; add --api (or --api-url URL), or "
            "use --name to name the execution when calling Step Functions."
        )


def stack_push_url(target: Target, stack: str) -> str | None:
    """The stack's push socket (None: no workflow of it pushes, or no such stack)."""
    from sfn_flows.deploy.outputs import DeploymentNotFound, reachable_push_url, stack_outputs

    try:
        return reachable_push_url(target, stack_outputs(target, stack))
    except DeploymentNotFound:
        return None


def stack_api_url(
    stack: str, endpoint_url: str | None, profile: str | None, region: str | None
) -> str:
    """The base URL of the stack's HTTP API on the target the options choose."""
    from sfn_flows.deploy.outputs import reachable_api_url, stack_outputs
    from sfn_flows.deploy.targeting import resolve_target

    target = resolve_target(endpoint_url, profile, region)
    url = reachable_api_url(target, stack_outputs(target, stack))
    if not url:
        raise UsageError(
            f"stack {stack!r} has no API URL output; deploy it again with `sfn-flows deploy`, "
            "or pass --api-url URL."
        )
    return url


@dataclass(frozen=True)
class ApiRun:
    no_wait: bool
    timeout: float
    as_json: bool
    idempotency_key: str | None


def run_through_api(url: str, workflow: str, value: Any, options: ApiRun) -> None:
    """POST with Prefer: wait (the result at once when the work is quick), then long polls."""
    from sfn_flows.client import ApiClient, WaitTimeout
    from sfn_flows.runtime.wait_window import MAX_WAIT_SECONDS

    client = ApiClient(url)
    live = not options.as_json and err.is_terminal
    window = int(min(MAX_WAIT_SECONDS, max(options.timeout, 0)))
    key = options.idempotency_key
    began = time.monotonic()
    with StateProgress(err, enabled=live, waiting="waiting for the result (through the API)"):
        if options.no_wait:
            answer = client.start(workflow, value, respond_async=True, idempotency_key=key)
        else:
            answer = client.start(workflow, value, wait=window, idempotency_key=key)
    ref = answer.execution_id
    # The API's own status route: what any client of the API would follow.
    url = str(answer.body.get("statusUrl") or f"{client.base_url}/executions/{ref}")
    later = shlex.join(["curl", "-H", f"Prefer: wait={MAX_WAIT_SECONDS}", url])
    # An SQS-intake workflow's request is queued: its consumer starts the execution later.
    done = "queued" if answer.body.get("status") == "QUEUED" else "started"
    if options.no_wait or answer.http_status != 200:
        if options.no_wait:
            if options.as_json:
                print_json(answer.body)
            else:
                out.print(f"{done} {escape(str(answer.body.get('executionArn')))}")
                out.print(f"follow it with: {escape(later)}")
            return
        if not options.as_json:
            err.print(f"{done} {escape(ref)}")
        try:
            with StateProgress(err, enabled=live, waiting="waiting for the result (long poll)"):
                answer = client.wait(ref, timeout=options.timeout - (time.monotonic() - began))
        except WaitTimeout as exc:
            if options.as_json:
                print_json({"executionId": ref, "status": exc.status, "waitTimedOut": True})
            err.print(f"[red]error[/red]: {escape(str(exc))}")
            err.print(f"follow it with: {escape(later)} (or run again with a larger --timeout)")
            raise typer.Exit(2) from None
    status = answer.execution_status()
    report(status, ref, as_json=options.as_json)
    if not status.succeeded:
        raise typer.Exit(1)


def check_input_model(value: Any, workflow: str, build_dir: Path) -> str | None:
    """Check `value` against the workflow's input model in the build, as the API would.

    Returns why it could not be checked (no build, or the workflow not in it), else None.
    """
    from sfn_flows.client import check_input
    from sfn_flows.deploy.build_files import MANIFEST

    path = build_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"no {path} here (run `sfn-flows build`, or pass --build DIR)"
    except (OSError, ValueError) as exc:
        return f"{path} cannot be read ({exc}); run `sfn-flows build` again"
    entries = manifest.get("workflows") if isinstance(manifest, dict) else None
    entry = next(
        (e for e in entries or [] if isinstance(e, dict) and e.get("name") == workflow), None
    )
    if entry is None:
        return f"{path} has no workflow {workflow!r} (build again, or pass --build DIR)"
    schema = entry.get("input_schema")
    if schema is not None:  # a workflow without an input_model takes any JSON, as in the API
        check_input(value, schema, f"workflow {workflow!r} ({path})")
    return None


def read_input(text: str) -> Any:
    """The JSON value of --input: inline JSON text, or @path of a file holding it."""
    from sfn_flows.client import ExecutionInputError

    where = "--input"
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputFileError(
                f"input file {path} does not exist; pass --input @<path of a JSON file>, "
                "or the JSON itself."
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"cannot read input file {path}: {exc}") from None
        where = f"input file {path}"
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        near = exc.doc[max(exc.pos - 15, 0) : exc.pos + 15]
        raise ExecutionInputError(
            f"{where} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} "
            f"(character {exc.pos}), near {near!r}. Quote the JSON for the shell, e.g. "
            """--input '{"key": "value"}'."""
        ) from None
    except ValueError as exc:
        raise ExecutionInputError(f"{where} is not valid JSON: {exc}.") from None


def _reject_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity; JSON (and Step Functions) has no such values.
    raise ValueError(f"{name} is not a JSON value")


def status_hint(
    ref: str, stack: str, endpoint_url: str | None, profile: str | None, region: str | None
) -> str:
    """The `sfn-flows status` command line that finds this execution again."""
    from sfn_flows.client.ids import is_arn

    words = ["sfn-flows", "status", ref]
    if stack != DEFAULT_STACK and not is_arn(ref):
        words += ["--stack", stack]
    for option, value in (
        ("--endpoint-url", endpoint_url),
        ("--profile", profile),
        ("--region", region),
    ):
        if value:
            words += [option, value]
    return shlex.join(words)


def report(status: ExecutionStatus, execution_ref: str | None, *, as_json: bool) -> None:
    """The result: output JSON on stdout, or the error and cause on stderr."""
    if as_json:
        print_json({"executionId": execution_ref, **status.as_dict()})
        return
    took = f" in {seconds(round(status.duration, 2))}" if status.duration is not None else ""
    if status.succeeded:
        err.print(f"[green]{status.status}[/green]{took}")
        print_json(status.output)
        return
    err.print(f"[red]{status.status}[/red]{took}")
    err.print(f"error: {escape(status.error or '(none)')}")
    err.print(f"cause: {escape(status.cause or '(none)')}")


class StateProgress:
    """A status line listing the states entered so far (terminal only)."""

    def __init__(
        self, console: Console, *, enabled: bool, waiting: str = "waiting for the first state"
    ) -> None:
        self.console = console
        self.enabled = enabled
        self.waiting = waiting
        self.entered: list[str] = []
        self._status: Status | None = None

    def __enter__(self) -> StateProgress:
        if self.enabled:
            self._status = self.console.status(self._text())
            self._status.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._status is not None:
            self._status.stop()
            if self.entered:
                self.console.print(f"states: {escape(' > '.join(self.entered))}")

    def on_event(self, event: HistoryEvent) -> None:
        if event.is_state_entered and event.state_name is not None:
            self.entered.append(event.state_name)
            if self._status is not None:
                self._status.update(self._text())

    def _text(self) -> str:
        shown = self.entered[-PROGRESS_STATES:]
        prefix = "… > " if len(self.entered) > len(shown) else ""
        states = prefix + " > ".join(shown) if shown else self.waiting
        # The "started <ref>" line above names the execution; this line keeps to the states.
        return f"running: {escape(states)}"
