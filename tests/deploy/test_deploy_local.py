"""`sfn-flows deploy` of the example project into the real MiniStack of the session.

The command runs as a subprocess (`python -m sfn_flows deploy`), the way users run it; the
stack, the API and the executions are then read back through boto3.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfn_flows.aws import Target
from sfn_flows.deploy import stack as stack_module
from sfn_flows.deploy.alarms import SUBSCRIBE_EMAIL
from sfn_flows.deploy.naming import API_URL_OUTPUT, state_machine_output
from sfn_flows.deploy.outputs import API_ID_OUTPUT
from sfn_flows.deploy.stack import (
    StackEvent,
    StackStateError,
    artifact_bucket,
    change_set_type,
    deploy_project,
)
from sfn_flows.local import LocalStack
from sfn_flows.local.stack import free_port, state_path

from .conftest import build, copy_project, load_json, run_cli

ACCOUNT = "000000000000"
WORKFLOWS = ("long-running-job", "order-fulfilment")


@dataclass(frozen=True)
class Deployed:
    project: Path
    stack: str
    result: dict[str, Any]
    # The artifact bucket's keys before the deploy: another test of the same session (on the
    # same local stack) may have deployed the same package already.
    artifacts_before: frozenset[str]


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, local_stack: LocalStack, local_target: Target
) -> Deployed:
    project = copy_project(tmp_path_factory.mktemp("deployed-project"))
    build(project)
    stack = f"deploy-tests-{uuid.uuid4().hex[:8]}"
    before = artifact_keys(local_target, artifact_bucket(ACCOUNT, "us-east-1"))
    result = run_cli(
        project, "deploy", "--endpoint-url", local_stack.endpoint_url, "--stack", stack, "--json"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Deployed(project, stack, json.loads(result.stdout), before)


def artifact_keys(target: Target, bucket: str) -> frozenset[str]:
    s3 = target.client("s3")
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return frozenset(item["Key"] for page in pages for item in page.get("Contents", []))
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchBucket":
            return frozenset()
        raise


def describe(target: Target, stack: str) -> dict[str, Any]:
    found: dict[str, Any] = target.client("cloudformation").describe_stacks(StackName=stack)[
        "Stacks"
    ][0]
    return found


def change_set_ids(target: Target, stack: str) -> list[str]:
    summaries = target.client("cloudformation").list_change_sets(StackName=stack)["Summaries"]
    return [summary["ChangeSetId"] for summary in summaries]


def object_exists(target: Target, bucket: str, key: str) -> bool:
    try:
        target.client("s3").head_object(Bucket=bucket, Key=key)
        return True
    except ClientError:
        return False


def post_json(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read()), dict(response.headers)


def get_json(url: str) -> tuple[int, dict[str, Any]]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, json.loads(response.read())


def test_first_deploy_creates_the_stack(deployed: Deployed, local_target: Target) -> None:
    result = deployed.result
    template = load_json(deployed.project / "build" / "template.json")
    assert result["outcome"] == "created"
    assert result["status"] == "CREATE_COMPLETE"
    # Uploaded exactly when the bucket did not hold this package yet.
    assert result["artifact"]["uploaded"] is (
        result["artifact"]["key"] not in deployed.artifacts_before
    )
    assert result["artifact"]["bucket"] == artifact_bucket(ACCOUNT, "us-east-1")
    assert object_exists(local_target, result["artifact"]["bucket"], result["artifact"]["key"])
    assert sorted(c["logical_id"] for c in result["changes"]) == sorted(template["Resources"])
    assert {c["action"] for c in result["changes"]} == {"Add"}

    stack = describe(local_target, deployed.stack)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert result["outputs"] == outputs
    assert {API_URL_OUTPUT, API_ID_OUTPUT} | {state_machine_output(w) for w in WORKFLOWS} <= set(
        outputs
    )
    api_id = outputs[API_ID_OUTPUT]
    assert api_id in outputs[API_URL_OUTPUT]
    assert result["api_url"] == f"{local_target.endpoint_url}/_aws/execute-api/{api_id}/$default"


def test_the_api_starts_an_execution_that_succeeds(
    deployed: Deployed, local_target: Target
) -> None:
    api = deployed.result["api_url"]
    machine = deployed.result["outputs"][state_machine_output("long-running-job")]
    status, body, headers = post_json(
        f"{api}/long-running-job/executions", {"job_id": "job-1", "items": ["a", "b", "c"]}
    )
    assert status == 202
    assert body["status"] == "RUNNING"
    assert body["executionArn"].startswith(machine.replace(":stateMachine:", ":execution:") + ":")
    assert headers["Location"] == body["statusUrl"]

    sfn = local_target.client("stepfunctions")
    deadline = time.monotonic() + 60
    execution = sfn.describe_execution(executionArn=body["executionArn"])
    while execution["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.1)
        execution = sfn.describe_execution(executionArn=body["executionArn"])
    assert execution["status"] == "SUCCEEDED", execution
    # The workers' real output: ProcessData counted the items, NotifyCompletion answered.
    assert json.loads(execution["output"]) == {"job_id": "job-1", "processed": 3, "notified": True}

    code, reported = get_json(f"{api}/executions/{body['executionId']}")
    assert code == 200
    assert reported["status"] == "SUCCEEDED"
    assert reported["output"] == {"job_id": "job-1", "processed": 3, "notified": True}


def test_second_deploy_changes_nothing(
    deployed: Deployed, local_target: Target, local_stack: LocalStack
) -> None:
    """Run without options in a project whose local stack is recorded: the same target."""
    before = describe(local_target, deployed.stack)
    change_sets = change_set_ids(local_target, deployed.stack)
    record = state_path(deployed.project)
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(asdict(local_stack)))
    endpoint = local_stack.endpoint_url
    try:
        result = run_cli(deployed.project, "deploy", "--stack", deployed.stack)
    finally:
        record.unlink()
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"no changes: stack {deployed.stack} on the local stack at {endpoint}" in result.stdout
    assert "(already there)" in result.stdout
    after = describe(local_target, deployed.stack)
    assert after["StackStatus"] == before["StackStatus"] == "CREATE_COMPLETE"
    assert after.get("LastUpdatedTime") == before.get("LastUpdatedTime")
    # The empty change set was deleted: only the executed one of the first deploy is listed.
    assert change_set_ids(local_target, deployed.stack) == change_sets

    again = run_cli(
        deployed.project, "deploy", "--endpoint-url", endpoint, "--stack", deployed.stack, "--json"
    )
    document = json.loads(again.stdout)
    assert (document["outcome"], document["changes"]) == ("unchanged", [])
    assert document["artifact"]["uploaded"] is False
    assert document["artifact"]["key"] == deployed.result["artifact"]["key"]


def test_dry_run_prints_the_change_set_and_changes_nothing(
    deployed: Deployed, local_target: Target
) -> None:
    notify = deployed.project / "lambdas" / "notify.py"
    original = notify.read_text()
    before = describe(local_target, deployed.stack)
    change_sets = change_set_ids(local_target, deployed.stack)
    lam = local_target.client("lambda")
    function = _function_of(local_target, deployed.stack, "NotifyCompletionFunction")
    code_before = lam.get_function(FunctionName=function)["Configuration"]["CodeSha256"]
    try:
        notify.write_text(original + "\n# a change to deploy\n")
        result = run_cli(
            deployed.project,
            "deploy",
            "--dry-run",
            "--endpoint-url",
            str(local_target.endpoint_url),
            "--stack",
            deployed.stack,
            "--json",
        )
        assert result.returncode == 0, result.stdout + result.stderr
        document = json.loads(result.stdout)
        human = run_cli(
            deployed.project,
            "deploy",
            "--dry-run",
            "--endpoint-url",
            str(local_target.endpoint_url),
            "--stack",
            deployed.stack,
        )
    finally:
        notify.write_text(original)
    assert document["outcome"] == "dry-run"
    modified = {c["logical_id"] for c in document["changes"] if c["action"] == "Modify"}
    assert {"NotifyCompletionFunction", "ProcessDataFunction"} <= modified
    assert (
        f"dry run: {len(document['changes'])} change(s) to stack {deployed.stack}" in human.stdout
    )
    assert "nothing was changed" in human.stdout
    assert "Modify  NotifyCompletionFunction" in human.stdout
    # Nothing moved: the stack, its change sets, the function's code, the bucket.
    after = describe(local_target, deployed.stack)
    assert after.get("LastUpdatedTime") == before.get("LastUpdatedTime")
    assert after["StackStatus"] == before["StackStatus"]
    assert change_set_ids(local_target, deployed.stack) == change_sets
    assert lam.get_function(FunctionName=function)["Configuration"]["CodeSha256"] == code_before
    assert not object_exists(
        local_target, document["artifact"]["bucket"], document["artifact"]["key"]
    )


def test_dry_run_of_a_new_stack_leaves_no_stack(deployed: Deployed, local_target: Target) -> None:
    stack = f"dry-run-{uuid.uuid4().hex[:8]}"
    result = run_cli(
        deployed.project,
        "deploy",
        "--dry-run",
        "--endpoint-url",
        str(local_target.endpoint_url),
        "--stack",
        stack,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    resources = load_json(deployed.project / "build" / "template.json")["Resources"]
    assert f"dry run: {len(resources)} change(s) to stack {stack}" in result.stdout
    with pytest.raises(ClientError, match="does not exist"):
        describe(local_target, stack)


def test_deploy_without_a_build(tmp_path: Path, local_stack: LocalStack) -> None:
    project = copy_project(tmp_path)
    result = run_cli(project, "deploy", "--endpoint-url", local_stack.endpoint_url)
    assert result.returncode == 1
    assert "build/manifest.json: no build to deploy; run `sfn-flows build` first." in result.stderr


def test_deploy_to_an_unreachable_endpoint(built_project: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    result = run_cli(built_project, "deploy", "--endpoint-url", endpoint)
    assert result.returncode == 1
    assert f"cannot reach the local stack at {endpoint}" in result.stderr
    assert "Start it with `sfn-flows local up`" in result.stderr


def test_a_deploy_failing_midway_rolls_back_and_the_failed_stack_is_named(
    deployed: Deployed, local_target: Target
) -> None:
    """Someone made the artifact bucket of us-west-2 in us-east-1: Lambda cannot read the
    package from another region, so the create fails halfway and CloudFormation rolls back."""
    region = "us-west-2"
    local_target.client("s3").create_bucket(Bucket=artifact_bucket(ACCOUNT, region))
    stack = f"midway-{uuid.uuid4().hex[:8]}"
    endpoint = str(local_target.endpoint_url)
    args = ("deploy", "--endpoint-url", endpoint, "--region", region, "--stack", stack)
    failed = run_cli(deployed.project, *args)
    assert failed.returncode == 1
    assert (
        f"the deploy of stack {stack} failed and CloudFormation rolled it back "
        "(ROLLBACK_COMPLETE): nothing of it stays deployed." in failed.stderr
    )
    assert "Function (AWS::Lambda::Function): Error occurred while GetObject" in failed.stderr
    remote = Target(endpoint_url=endpoint, region=region)
    assert describe(remote, stack)["StackStatus"] == "ROLLBACK_COMPLETE"

    again = run_cli(deployed.project, *args)
    assert again.returncode == 1
    assert (
        f"stack {stack} is in ROLLBACK_COMPLETE on the local stack at {endpoint}: its first "
        "deploy failed and was rolled back" in again.stderr
    )
    assert (
        f"Delete it (aws cloudformation delete-stack --stack-name {stack} --endpoint-url "
        f"{endpoint} --region {region}) and deploy again." in again.stderr
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("UPDATE_IN_PROGRESS", "is busy (UPDATE_IN_PROGRESS)"),
        ("UPDATE_ROLLBACK_FAILED", "continue-update-rollback --stack-name app"),
        (
            "DELETE_FAILED",
            "is in DELETE_FAILED on the AWS account (default profile, eu-west-1) and cannot",
        ),
    ],
)
def test_stacks_that_cannot_be_updated_say_how_to_fix(status: str, expected: str) -> None:
    with pytest.raises(StackStateError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        change_set_type("app", status, Target(region="eu-west-1"))


def test_large_templates_go_through_s3_and_progress_is_reported(
    deployed: Deployed, local_target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template over CloudFormation's inline limit is uploaded and passed by URL (the limit
    is lowered here: the example's template is small); every resource's events come by."""
    monkeypatch.setattr(stack_module, "TEMPLATE_BODY_LIMIT", 1000)
    events: list[StackEvent] = []
    stack = f"by-url-{uuid.uuid4().hex[:8]}"
    result = deploy_project(
        local_target,
        stack=stack,
        build_dir=deployed.project / "build",
        lambdas_dir=deployed.project / "lambdas",
        on_event=events.append,
    )
    assert (result.outcome, result.status) == ("created", "CREATE_COMPLETE")
    listed = local_target.client("s3").list_objects_v2(Bucket=result.bucket, Prefix="templates/")
    assert listed.get("KeyCount", 0) >= 1
    completed = {e.logical_id for e in events if e.status == "CREATE_COMPLETE"}
    resources = load_json(deployed.project / "build" / "template.json")["Resources"]
    # The alarm e-mail's subscription exists only with --alarm-email (its Condition).
    made = {name for name, r in resources.items() if r.get("Condition") != SUBSCRIBE_EMAIL}
    assert made | {stack} <= completed
    assert "AlarmEmailSubscription" not in completed


def _function_of(target: Target, stack: str, logical: str) -> str:
    resource = target.client("cloudformation").describe_stack_resource(
        StackName=stack, LogicalResourceId=logical
    )
    return str(resource["StackResourceDetail"]["PhysicalResourceId"])
