"""`sfn-flows deploy`."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from sfn_flows.cli.render import out, print_json
from sfn_flows.deploy.naming import DEFAULT_STACK

if TYPE_CHECKING:
    from sfn_flows.deploy.stack import Change, DeployResult, StackEvent


def deploy(
    stack: Annotated[str, typer.Option("--stack", help="CloudFormation stack name.")] = (
        DEFAULT_STACK
    ),
    endpoint_url: Annotated[
        str | None,
        typer.Option("--endpoint-url", help="Deploy to the local stack at this URL."),
    ] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile (deploys to AWS).")] = None,
    region: Annotated[str | None, typer.Option(help="AWS region (deploys to AWS).")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the change set and change nothing.")
    ] = False,
    build_dir: Annotated[Path, typer.Option("--build", help="Output of `sfn-flows build`.")] = Path(
        "build"
    ),
    lambdas: Annotated[Path, typer.Option("--lambdas", help="Folder of Lambda handlers.")] = Path(
        "lambdas"
    ),
    timeout: Annotated[
        float | None,
        typer.Option(help="Seconds to wait for CloudFormation (default: 30 min).", min=1),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    alarm_topic: Annotated[
        str | None,
        typer.Option(
            "--alarm-topic",
            metavar="ARN",
            help="SNS topic the alarms notify, instead of a topic the stack creates "
            "('' goes back to the stack's own; default: what the stack has).",
        ),
    ] = None,
    alarm_email: Annotated[
        str | None,
        typer.Option(
            "--alarm-email",
            metavar="ADDRESS",
            help="E-mail address to subscribe to the stack's own alarm topic (SNS mails a "
            "confirmation link; '' drops it; default: what the stack has).",
        ),
    ] = None,
) -> None:
    """Package lambdas/, render the template and create or update the stack.

    Without --endpoint-url, --profile or --region it deploys to the local stack started
    here (`sfn-flows local up`), and fails if that is not running; SFN_FLOWS_TARGET=aws
    deploys to AWS with the default credentials and region.
    """
    # Here, not at the top: boto3, jinja2 and the packager would slow every command's start.
    from sfn_flows.deploy.alarms import check_alarm_options
    from sfn_flows.deploy.outputs import reachable_api_url, reachable_push_url
    from sfn_flows.deploy.stack import DEFAULT_DEADLINE_SECONDS, deploy_project
    from sfn_flows.deploy.targeting import resolve_target

    check_alarm_options(alarm_topic, alarm_email)  # before looking for any target
    target = resolve_target(endpoint_url, profile, region)
    show_progress = out.is_terminal and not as_json
    if show_progress:
        out.print(f"deploying stack {escape(stack)} to the {escape(target.describe())}")
    with out.status("waiting for CloudFormation...") if show_progress else nullcontext():
        result = deploy_project(
            target,
            stack=stack,
            build_dir=build_dir,
            lambdas_dir=lambdas,
            dry_run=dry_run,
            deadline_seconds=DEFAULT_DEADLINE_SECONDS if timeout is None else timeout,
            on_event=_print_event if show_progress else None,
            alarm_topic=alarm_topic,
            alarm_email=alarm_email,
        )
    api_url = reachable_api_url(target, result.outputs) if result.outputs else None
    push_url = reachable_push_url(target, result.outputs) if result.outputs else None
    if as_json:
        print_json({**result.as_dict(), "api_url": api_url, "push_url": push_url})
        return
    _render(result, api_url, push_url)


def _render(result: DeployResult, api_url: str | None, push_url: str | None) -> None:
    stack, target = escape(result.stack), escape(result.target)
    if result.outcome == "dry-run":
        out.print(
            f"dry run: {len(result.changes)} change(s) to stack {stack} on the {target}; "
            "nothing was changed."
        )
        _render_changes(result.changes)
        return
    package = f"s3://{escape(result.bucket)}/{escape(result.key)}"
    package += " (uploaded)" if result.uploaded else " (already there)"
    if result.outcome == "unchanged":
        out.print(f"no changes: stack {stack} on the {target} is up to date ({result.status})")
    elif result.outcome == "created":
        out.print(
            f"stack {stack} created on the {target}: {result.status} in "
            f"{result.seconds:.1f} s, {len(result.changes)} resources"
        )
    else:
        out.print(
            f"stack {stack} updated on the {target}: {result.status} in "
            f"{result.seconds:.1f} s, {len(result.changes)} change(s)"
        )
        _render_changes(result.changes)
    out.print(f"package: {package}")
    for key, value in sorted(result.outputs.items()):
        out.print(f"{escape(key)}: {escape(value)}")
    if api_url:
        out.print(
            f"API: POST {escape(api_url)}/<workflow>/executions, "
            f"GET {escape(api_url)}/executions/<id>"
        )
    if push_url:
        out.print(f"push: {escape(push_url)} (subscribe to an execution's end over WebSocket)")


def _render_changes(changes: list[Change]) -> None:
    for change in changes:
        replacement = f" (replacement: {change.replacement})" if change.replacement else ""
        out.print(
            f"  {change.action:<7} {escape(change.logical_id)} "
            f"[dim]{escape(change.resource_type)}{escape(replacement)}[/dim]"
        )


def _print_event(event: StackEvent) -> None:
    style = (
        "red"
        if "FAILED" in event.status
        else "green"
        if event.status.endswith("COMPLETE")
        else "dim"
    )
    reason = (
        f" [dim]{escape(event.reason)}[/dim]" if event.reason and "FAILED" in event.status else ""
    )
    out.print(
        f"  [{style}]{event.status:<20}[/{style}] {escape(event.logical_id)} "
        f"[dim]{escape(event.resource_type)}[/dim]{reason}"
    )
