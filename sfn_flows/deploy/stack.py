"""Deploy a build: upload the Lambda package, then create or update the stack through a
change set, wait for it, and read its outputs.

One code path for AWS and the local stack: only the Target (endpoint, profile, region)
differs. Deploying an unchanged build changes nothing: the package is named by its hash (not
uploaded again), the template depends on the build only, and CloudFormation's empty change
set is reported as "no changes" and deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)

from sfn_flows.aws import Target
from sfn_flows.aws.errors import aws_access_message
from sfn_flows.deploy import alarms
from sfn_flows.deploy.build_files import read_build
from sfn_flows.deploy.outputs import stack_outputs
from sfn_flows.deploy.package import build_package
from sfn_flows.deploy.template import STATE_MACHINE_NAME_LIMIT, render_template, state_machine_name
from sfn_flows.errors import SfnFlowsError

ARTIFACT_BUCKET_PREFIX = "sfn-flows-artifacts"
TEMPLATE_PREFIX = "templates/"
# CreateChangeSet takes at most 51,200 bytes inline; a larger template goes through S3.
TEMPLATE_BODY_LIMIT = 51_200
DEFAULT_DEADLINE_SECONDS = 1800.0
CHANGE_SET_DEADLINE_SECONDS = 300.0
CAPABILITIES = ["CAPABILITY_IAM"]
# How CloudFormation words an empty change set (the first is what it says today).
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
UPDATABLE = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)
SUCCEEDED = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE"})

Outcome = Literal["created", "updated", "unchanged", "dry-run"]


class DeployError(SfnFlowsError):
    """A deploy could not start or did not finish."""


class TemplateRejected(DeployError):
    """CloudFormation refused the template or the change set."""


class StackStateError(DeployError):
    """The stack is in a state CloudFormation cannot update."""


class DeployFailed(DeployError):
    """The stack operation failed and CloudFormation rolled it back."""


class TargetUnreachable(DeployError):
    """The endpoint does not answer, or AWS credentials or region are missing."""


_TARGET_UNREACHABLE = (
    EndpointConnectionError,
    ConnectTimeoutError,
    NoCredentialsError,
    ProfileNotFound,
    NoRegionError,
)


@dataclass(frozen=True)
class Change:
    action: str
    logical_id: str
    resource_type: str
    replacement: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "logical_id": self.logical_id,
            "resource_type": self.resource_type,
            "replacement": self.replacement,
        }


@dataclass(frozen=True)
class StackEvent:
    event_id: str
    logical_id: str
    resource_type: str
    status: str
    reason: str


@dataclass
class DeployResult:
    stack: str
    target: str
    outcome: Outcome
    status: str | None
    bucket: str
    key: str
    uploaded: bool
    changes: list[Change] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "target": self.target,
            "outcome": self.outcome,
            "status": self.status,
            "artifact": {"bucket": self.bucket, "key": self.key, "uploaded": self.uploaded},
            "changes": [change.as_dict() for change in self.changes],
            "outputs": self.outputs,
            "seconds": round(self.seconds, 3),
        }


EventSink = Callable[[StackEvent], None]


def deploy_project(
    target: Target,
    *,
    stack: str,
    build_dir: Path,
    lambdas_dir: Path,
    dry_run: bool = False,
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
    on_event: EventSink | None = None,
    alarm_topic: str | None = None,
    alarm_email: str | None = None,
) -> DeployResult:
    """Deploy `build_dir` (with the handlers of `lambdas_dir`) as `stack` on `target`.

    `alarm_topic` (an SNS topic's ARN) and `alarm_email` choose where the alarms go
    (deploy/alarms.py); None keeps what the stack has, "" switches the setting off.
    """
    started = time.monotonic()
    alarms.check_alarm_options(alarm_topic, alarm_email)
    build = read_build(build_dir)
    check_state_machine_names(stack, [entry["name"] for entry in build.manifest["workflows"]])
    template = render_template(build.manifest, build.definitions)
    package = build_package(lambdas_dir, build.manifest)
    with _aws_errors(target):
        cfn = target.client("cloudformation")
        s3 = target.client("s3")
        region = cfn.meta.region_name
        # The first call: few retries, so an endpoint that is down is reported at once.
        sts = target.client("sts", retries={"total_max_attempts": 2, "mode": "standard"})
        account = sts.get_caller_identity()["Account"]
        bucket = artifact_bucket(account, region)
        uploaded = False
        if not dry_run:
            ensure_bucket(s3, bucket, region)
            uploaded = upload_once(s3, bucket, package.key, package.data)
        source = _template_source(target, s3, bucket, region, template, dry_run)
        result = DeployResult(
            stack, target.describe(), "unchanged", None, bucket, package.key, uploaded
        )
        _deploy_stack(
            cfn,
            target,
            result,
            source,
            [
                {"ParameterKey": "ArtifactBucket", "ParameterValue": bucket},
                {"ParameterKey": "ArtifactKey", "ParameterValue": package.key},
                *alarms.stack_parameters(alarm_topic, alarm_email, _parameters(cfn, stack)),
            ],
            dry_run=dry_run,
            deadline=started + deadline_seconds,
            on_event=on_event,
        )
        if result.outcome in ("created", "updated", "unchanged"):
            result.outputs = stack_outputs(target, stack)
    result.seconds = time.monotonic() - started
    return result


def check_state_machine_names(stack: str, workflows: Iterable[str]) -> None:
    """Refuse a stack whose "<stack>-<workflow>" names would exceed Step Functions' limit."""
    for workflow in workflows:
        name = state_machine_name(stack, workflow)
        if len(name) > STATE_MACHINE_NAME_LIMIT:
            raise DeployError(
                f"the state machine of workflow {workflow!r} in stack {stack!r} would be named "
                f"{name!r} ({len(name)} characters; Step Functions allows "
                f"{STATE_MACHINE_NAME_LIMIT}); choose a shorter --stack (at most "
                f"{STATE_MACHINE_NAME_LIMIT - 1 - len(workflow)} characters) or a shorter "
                "workflow name."
            )


def artifact_bucket(account: str, region: str) -> str:
    """One bucket per account and region for every sfn-flows stack there."""
    return f"{ARTIFACT_BUCKET_PREFIX}-{account}-{region}"


def ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
        return
    except ClientError as exc:
        code = _code(exc)
        if code in ("403", "AccessDenied", "Forbidden"):
            raise DeployError(
                f"the artifact bucket {bucket} exists but this account cannot use it; "
                "delete it or deploy with credentials of the account that owns it."
            ) from None
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise
    options: dict[str, Any] = {}
    if region != "us-east-1":  # S3 refuses an explicit us-east-1 location constraint
        options["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(Bucket=bucket, **options)
    except ClientError as exc:
        if _code(exc) != "BucketAlreadyOwnedByYou":  # a concurrent deploy made it: fine
            raise


def upload_once(s3: Any, bucket: str, key: str, data: bytes) -> bool:
    """Put `data` at `key` unless it is there already; keys name their content."""
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return False
    except ClientError as exc:
        if _code(exc) not in ("404", "NoSuchKey", "NotFound"):
            raise
    s3.put_object(Bucket=bucket, Key=key, Body=data)
    return True


def _template_source(
    target: Target, s3: Any, bucket: str, region: str, template: str, dry_run: bool
) -> dict[str, str]:
    """TemplateBody, or TemplateURL for a template over CloudFormation's inline limit."""
    body = json.dumps(json.loads(template), separators=(",", ":"), ensure_ascii=False)
    if len(body.encode()) <= TEMPLATE_BODY_LIMIT:
        return {"TemplateBody": body}
    if dry_run:
        ensure_bucket(s3, bucket, region)
    key = f"{TEMPLATE_PREFIX}{hashlib.sha256(body.encode()).hexdigest()}.json"
    upload_once(s3, bucket, key, body.encode())
    if target.endpoint_url:
        return {"TemplateURL": f"{target.endpoint_url}/{bucket}/{key}"}
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return {"TemplateURL": f"https://{bucket}.s3.{region}.{domain}/{key}"}


def _deploy_stack(
    cfn: Any,
    target: Target,
    result: DeployResult,
    source: dict[str, str],
    parameters: list[dict[str, str]],
    *,
    dry_run: bool,
    deadline: float,
    on_event: EventSink | None,
) -> None:
    stack = result.stack
    status = _stack_status(cfn, stack)
    kind = change_set_type(stack, status, target)
    try:
        cfn.validate_template(**source)
    except ClientError as exc:
        raise TemplateRejected(
            f"CloudFormation on the {target.describe()} rejected the template: {_message(exc)}"
        ) from None
    name = f"sfn-flows-{time.strftime('%Y%m%d%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}"
    try:
        created = cfn.create_change_set(
            StackName=stack,
            ChangeSetName=name,
            ChangeSetType=kind,
            Capabilities=CAPABILITIES,
            Parameters=parameters,
            Description="sfn-flows deploy",
            **source,
        )
    except ClientError as exc:
        raise TemplateRejected(
            f"CloudFormation refused a change set for stack {stack}: {_message(exc)}"
        ) from None
    change_set = created["Id"]
    # A CREATE change set makes a placeholder stack (REVIEW_IN_PROGRESS) that must not
    # outlive a change set that is never executed.
    placeholder = kind == "CREATE" and status is None

    def discard() -> None:
        cfn.delete_change_set(ChangeSetName=change_set)
        if placeholder:
            cfn.delete_stack(StackName=stack)

    try:
        described, changes = _wait_for_change_set(cfn, change_set, deadline)
    except DeployError:
        discard()
        raise
    result.changes = changes
    if described["Status"] == "FAILED":
        reason = described.get("StatusReason", "")
        discard()
        if any(text in reason for text in NO_CHANGES):
            result.outcome, result.status = "unchanged", status
            return
        raise TemplateRejected(f"CloudFormation could not plan the deploy of {stack}: {reason}")
    if dry_run:
        discard()
        result.outcome, result.status = "dry-run", status
        return
    marker = _latest_event_id(cfn, stack)
    cfn.execute_change_set(ChangeSetName=change_set)
    final, events = _wait_for_stack(cfn, stack, marker, deadline, on_event)
    result.status = final
    if final not in SUCCEEDED:
        raise DeployFailed(_failure_message(stack, final, events, target))
    result.outcome = "created" if kind == "CREATE" else "updated"


def _parameters(cfn: Any, stack: str) -> dict[str, str]:
    """The parameters the deployed stack has ({} when there is no stack yet)."""
    if _stack_status(cfn, stack) is None:
        return {}
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters", [])}


def _stack_status(cfn: Any, stack: str) -> str | None:
    try:
        stacks = cfn.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        if "does not exist" in _message(exc):
            return None
        raise
    status = stacks[0]["StackStatus"] if stacks else None
    return None if status == "DELETE_COMPLETE" else status


def change_set_type(stack: str, status: str | None, target: Target) -> str:
    """CREATE or UPDATE for a stack in `status` (None: no such stack), or why neither works."""
    if status is None or status == "REVIEW_IN_PROGRESS":
        return "CREATE"
    if status in UPDATABLE:
        return "UPDATE"
    delete = f"aws cloudformation delete-stack --stack-name {stack}{_cli_target(target)}"
    if status.endswith("_IN_PROGRESS"):
        raise StackStateError(
            f"stack {stack} is busy ({status}) on the {target.describe()}; wait until that "
            "operation ends, then deploy again."
        )
    if status == "ROLLBACK_COMPLETE":
        raise StackStateError(
            f"stack {stack} is in ROLLBACK_COMPLETE on the {target.describe()}: its first "
            "deploy failed and was rolled back, and CloudFormation cannot update such a stack. "
            f"Delete it ({delete}) and deploy again."
        )
    if status == "UPDATE_ROLLBACK_FAILED":
        raise StackStateError(
            f"stack {stack} is in UPDATE_ROLLBACK_FAILED on the {target.describe()}: an update "
            "failed and so did its rollback. Continue the rollback (aws cloudformation "
            f"continue-update-rollback --stack-name {stack}{_cli_target(target)}) or delete "
            f"the stack ({delete}), then deploy again."
        )
    raise StackStateError(
        f"stack {stack} is in {status} on the {target.describe()} and cannot be updated. "
        f"Delete it ({delete}) and deploy again."
    )


def _wait_for_change_set(
    cfn: Any, change_set: str, deadline: float
) -> tuple[dict[str, Any], list[Change]]:
    limit = min(deadline, time.monotonic() + CHANGE_SET_DEADLINE_SECONDS)
    for _ in _polls(limit):
        described = cfn.describe_change_set(ChangeSetName=change_set)
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            changes = _changes(described)
            token = described.get("NextToken")
            while token:
                page = cfn.describe_change_set(ChangeSetName=change_set, NextToken=token)
                changes.extend(_changes(page))
                token = page.get("NextToken")
            return described, changes
    raise DeployError(
        f"CloudFormation did not finish planning change set {change_set} in time; "
        "try again, or raise --timeout."
    )


def _changes(described: dict[str, Any]) -> list[Change]:
    found = []
    for item in described.get("Changes", []):
        change = item.get("ResourceChange", {})
        found.append(
            Change(
                change.get("Action", ""),
                change.get("LogicalResourceId", ""),
                change.get("ResourceType", ""),
                change.get("Replacement"),
            )
        )
    return found


def _latest_event_id(cfn: Any, stack: str) -> str | None:
    events = cfn.describe_stack_events(StackName=stack).get("StackEvents", [])
    return events[0]["EventId"] if events else None


def _wait_for_stack(
    cfn: Any, stack: str, marker: str | None, deadline: float, on_event: EventSink | None
) -> tuple[str, list[StackEvent]]:
    """Poll until the stack leaves *_IN_PROGRESS; return its status and this deploy's events."""
    seen: list[StackEvent] = []
    for _ in _polls(deadline):
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        fresh = _events_since(cfn, stack, marker)
        for event in fresh[len(seen) :]:
            if on_event:
                on_event(event)
        seen = fresh
        if not status.endswith("_IN_PROGRESS"):
            return status, seen
    raise DeployError(
        f"stack {stack} was still {status} when the deadline passed; CloudFormation carries "
        "on without us: follow it with `aws cloudformation describe-stack-events "
        f"--stack-name {stack}`, or deploy with a longer --timeout."
    )


def _events_since(cfn: Any, stack: str, marker: str | None) -> list[StackEvent]:
    """The stack's events after `marker`, oldest first (the API lists newest first)."""
    events: list[StackEvent] = []
    paginator = cfn.get_paginator("describe_stack_events")
    for page in paginator.paginate(StackName=stack):
        for raw in page.get("StackEvents", []):
            if raw["EventId"] == marker:
                return events[::-1]
            events.append(
                StackEvent(
                    raw["EventId"],
                    raw.get("LogicalResourceId", ""),
                    raw.get("ResourceType", ""),
                    raw.get("ResourceStatus", ""),
                    raw.get("ResourceStatusReason", "") or "",
                )
            )
    return events[::-1]


def _failure_message(stack: str, status: str, events: list[StackEvent], target: Target) -> str:
    failures = [
        e
        for e in events
        if e.status.endswith("_FAILED")
        and e.logical_id != stack
        and e.reason
        and "cancelled" not in e.reason.lower()
    ]
    if status in ("ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"):
        head = (
            f"the deploy of stack {stack} failed and CloudFormation rolled it back "
            f"({status}): "
            + (
                "nothing of it stays deployed."
                if status == "ROLLBACK_COMPLETE"
                else "the stack is back at its previous deploy."
            )
        )
    else:
        head = (
            f"the deploy of stack {stack} failed and ended in {status}: resources may be left "
            "half-deployed; check the stack's events before deploying again."
        )
    lines = [head]
    lines.extend(f"  {e.logical_id} ({e.resource_type}): {e.reason}" for e in failures[:5])
    if not failures:
        lines.append("  CloudFormation gave no reason for the failing resource.")
    if status == "ROLLBACK_COMPLETE":
        lines.append(
            "  Fix the cause, delete the stack (aws cloudformation delete-stack --stack-name "
            f"{stack}{_cli_target(target)}) and deploy again."
        )
    return "\n".join(lines)


def _polls(deadline: float) -> Iterator[int]:
    """Yield until `deadline`, sleeping a little longer each time (0.1 s up to 3 s)."""
    delay = 0.1
    attempt = 0
    while True:
        yield attempt
        attempt += 1
        if time.monotonic() + delay > deadline:
            return
        time.sleep(delay)
        delay = min(delay * 1.5, 3.0)


def _cli_target(target: Target) -> str:
    """The AWS CLI options that reach the same target, for the fixes the messages suggest."""
    options = f" --endpoint-url {target.endpoint_url}" if target.endpoint_url else ""
    options += f" --profile {target.profile}" if target.profile else ""
    return options + (f" --region {target.region}" if target.region else "")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")) or str(exc)


@contextlib.contextmanager
def _aws_errors(target: Target) -> Iterator[None]:
    """Turn botocore's errors into messages that name the target and the fix (the wording
    run and status use: aws.errors)."""
    try:
        yield
    except ClientError as exc:
        operation = getattr(exc, "operation_name", "a call")
        raise DeployError(
            f"{operation} failed on the {target.describe()}: {_message(exc)}"
        ) from None
    except BotoCoreError as exc:
        message = aws_access_message(exc, target.describe(), local=target.is_local)
        unreachable = isinstance(exc, _TARGET_UNREACHABLE)
        raise (TargetUnreachable if unreachable else DeployError)(message) from None
