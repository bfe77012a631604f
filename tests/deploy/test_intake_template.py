"""`intake="sqs"` from the workflow to the template and the Lambda package: the option is
checked, the manifest and the API config carry it, and the template holds the queues, the
consumer and least-privilege roles, and passes cfn-lint."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from sfn_flows import Pass, Workflow
from sfn_flows.deploy.intake import MAX_RECEIVE_COUNT
from sfn_flows.deploy.naming import API_CONFIG_FILE, STATE_MACHINES_ENV
from sfn_flows.deploy.package import CONSUMER_HANDLER, build_package
from sfn_flows.runtime.intake import (
    INTAKE_QUEUES_ENV,
    INTAKE_SOURCES_ENV,
    QUEUE_RETENTION_SECONDS,
)

from .conftest import assert_cfn_lint_clean, built_copy, copy_project, load_json, run_cli
from .test_template import as_list, resources_of, statements

INTAKE_WORKFLOW = """
from pydantic import BaseModel, Field

from sfn_flows import Pass, Workflow


class Order(BaseModel):
    order_id: str = Field(min_length=1, max_length=64)


burst_intake = Workflow(
    name="burst-intake", start=Pass("Accept"), timeout_seconds=60, input_model=Order,
    intake="sqs",
)
"""
QUEUE, DEAD = "BurstIntakeIntakeQueue", "BurstIntakeIntakeDeadLetterQueue"
MACHINE = "BurstIntakeStateMachine"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_copy(
        tmp_path_factory, "intake-project", {"workflows/burst_intake.py": INTAKE_WORKFLOW}
    )


@pytest.fixture(scope="module")
def template(project: Path) -> dict[str, Any]:
    document: dict[str, Any] = load_json(project / "build" / "template.json")
    return document


@pytest.fixture(scope="module")
def manifest(project: Path) -> dict[str, Any]:
    document: dict[str, Any] = load_json(project / "build" / "manifest.json")
    return document


def properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    resource: dict[str, Any] = template["Resources"][logical_id]["Properties"]
    return resource


def environment(template: dict[str, Any], function: str) -> dict[str, Any]:
    variables: dict[str, Any] = properties(template, function)["Environment"]["Variables"]
    return variables


# -- the option ----------------------------------------------------------------------------


def test_the_option_is_checked_with_a_clear_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Workflow(name="w", start=Pass("P"), timeout_seconds=60, intake="kafka")  # type: ignore[arg-type]
    assert "intake='kafka' is not an intake; use 'direct'" in str(caught.value)
    with pytest.raises(ValidationError, match="intake='sqs' needs type='STANDARD'"):
        Workflow(name="w", start=Pass("P"), timeout_seconds=60, type="EXPRESS", intake="sqs")
    with pytest.raises(ValidationError, match="wait_seconds=5 has no effect with intake='sqs'"):
        Workflow(name="w", start=Pass("P"), timeout_seconds=60, intake="sqs", wait_seconds=5)
    assert Workflow(name="w", start=Pass("P"), timeout_seconds=60).intake == "direct"
    # 0 is the default's own value (answer at once): nothing is lost, so it is accepted.
    assert (
        Workflow(
            name="w", start=Pass("P"), timeout_seconds=60, intake="sqs", wait_seconds=0
        ).wait_seconds
        == 0
    )


def test_a_misspelt_intake_fails_the_build_naming_the_file(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    (root / "workflows" / "bad.py").write_text(
        INTAKE_WORKFLOW.replace('intake="sqs"', 'intake="SQS"')
    )
    result = run_cli(root, "build")
    assert result.returncode == 1
    assert "workflows/bad.py" in result.stderr and "intake='SQS' is not an intake" in result.stderr


def test_the_manifest_and_the_api_config_carry_it(project: Path, manifest: dict[str, Any]) -> None:
    intakes = {entry["name"]: entry["intake"] for entry in manifest["workflows"]}
    assert intakes == {
        "burst-intake": "sqs",
        "long-running-job": "direct",
        "order-fulfilment": "direct",
    }
    package = build_package(project / "lambdas", manifest)
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        config = json.loads(archive.read(API_CONFIG_FILE))
        consumer = archive.read(CONSUMER_HANDLER.split(".")[0] + ".py").decode()
    assert config["workflows"]["burst-intake"]["intake"] == "sqs"
    assert "intake" not in config["workflows"]["long-running-job"]  # direct: as before
    assert "make_consumer_handler()" in consumer


# -- the template --------------------------------------------------------------------------


def test_cfn_lint_passes(project: Path) -> None:
    assert_cfn_lint_clean(project)


def test_one_queue_and_dead_letter_queue_per_intake_workflow(template: dict[str, Any]) -> None:
    queues = resources_of(template, "AWS::SQS::Queue")
    assert set(queues) == {QUEUE, DEAD}
    queue, dead = properties(template, QUEUE), properties(template, DEAD)
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [DEAD, "Arn"]},
        "maxReceiveCount": MAX_RECEIVE_COUNT,
    }
    assert queue["MessageRetentionPeriod"] == QUEUE_RETENTION_SECONDS  # the status route's bound
    assert dead["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]
    # A 256 KiB input with the request's attributes fits.
    assert queue["MaximumMessageSize"] == dead["MaximumMessageSize"] == 1_048_576
    assert queue["SqsManagedSseEnabled"] is dead["SqsManagedSseEnabled"] is True


def test_visibility_timeout_is_six_times_the_consumers_timeout(template: dict[str, Any]) -> None:
    consumer = properties(template, "IntakeConsumerFunction")
    assert properties(template, QUEUE)["VisibilityTimeout"] >= 6 * consumer["Timeout"]


def test_the_mapping_reports_partial_batch_failures(template: dict[str, Any]) -> None:
    (mapping,) = resources_of(template, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"] == {
        "EventSourceArn": {"Fn::GetAtt": [QUEUE, "Arn"]},
        "FunctionName": {"Fn::GetAtt": ["IntakeConsumerFunction", "Arn"]},
        "BatchSize": 10,
        "MaximumBatchingWindowInSeconds": 0,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "ScalingConfig": {"MaximumConcurrency": 5},
        "Enabled": True,
    }
    assert properties(template, "IntakeConsumerFunction")["Handler"] == CONSUMER_HANDLER


def test_the_starter_may_only_send_to_the_intake_queue(template: dict[str, Any]) -> None:
    found = {s["Sid"]: s for s in statements(template, "ApiStarterFunctionRole")}
    assert found["QueueIntakeRequests"]["Action"] == "sqs:SendMessage"
    assert found["QueueIntakeRequests"]["Resource"] == [{"Fn::GetAtt": [QUEUE, "Arn"]}]
    # It no longer starts the intake workflow itself: the consumer does.
    assert {"Ref": MACHINE} not in as_list(found["StartOwnStateMachines"]["Resource"])
    assert {"Ref": "LongRunningJobStateMachine"} in found["StartOwnStateMachines"]["Resource"]
    # Nor does it read the intake workflow's executions: only those it starts.
    described = json.dumps(found["DescribeOwnExecutions"]["Resource"])
    assert MACHINE not in described and "LongRunningJobStateMachine" in described
    sqs_actions = [
        s for s in statements(template, "ApiStatusFunctionRole") if "sqs" in json.dumps(s)
    ]
    assert sqs_actions == []


def test_the_consumer_may_only_touch_its_queues_and_the_intake_workflows(
    template: dict[str, Any],
) -> None:
    found = {
        s["Sid"]: (s["Action"], s["Resource"])
        for s in statements(template, "IntakeConsumerFunctionRole")
    }
    assert found == {
        "WriteOwnLogs": (
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            {"Fn::GetAtt": ["IntakeConsumerFunctionLogGroup", "Arn"]},
        ),
        "ReceiveIntakeRequests": (
            ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            [{"Fn::GetAtt": [QUEUE, "Arn"]}],
        ),
        "DeadLetterPoison": ("sqs:SendMessage", [{"Fn::GetAtt": [DEAD, "Arn"]}]),
        "StartIntakeStateMachines": ("states:StartExecution", [{"Ref": MACHINE}]),
        "DescribeIntakeExecutions": (
            "states:DescribeExecution",
            [
                {
                    "Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}"
                    f":execution:${{{MACHINE}.Name}}:*"
                }
            ],
        ),
    }


def test_the_functions_know_their_queues(template: dict[str, Any]) -> None:
    starter = environment(template, "ApiStarterFunction")
    assert json.loads(starter[INTAKE_QUEUES_ENV]["Fn::Sub"]) == {"burst-intake": f"${{{QUEUE}}}"}
    assert INTAKE_QUEUES_ENV not in environment(template, "ApiStatusFunction")
    consumer = environment(template, "IntakeConsumerFunction")
    machines = json.loads(consumer[STATE_MACHINES_ENV]["Fn::Sub"])
    assert machines == {"burst-intake": f"${{{MACHINE}}}"}  # the intake workflows only
    assert json.loads(consumer[INTAKE_SOURCES_ENV]["Fn::Sub"]) == {
        "burst-intake": {"queue": f"${{{QUEUE}.Arn}}", "dlq": f"${{{DEAD}}}"}
    }


def test_an_alarm_on_the_dead_letter_queue_and_outputs(template: dict[str, Any]) -> None:
    alarm = properties(template, "BurstIntakeIntakeDeadLetterAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [DEAD, "QueueName"]}}
    ]
    assert template["Outputs"]["BurstIntakeIntakeQueueUrl"]["Value"] == {"Ref": QUEUE}
    assert template["Outputs"]["BurstIntakeIntakeDeadLetterQueueUrl"]["Value"] == {"Ref": DEAD}


def test_a_project_without_intake_workflows_has_no_queue(built_project: Path) -> None:
    template = load_json(built_project / "build" / "template.json")
    assert resources_of(template, "AWS::SQS::Queue") == {}
    assert "IntakeConsumerFunction" not in template["Resources"]
    assert INTAKE_QUEUES_ENV not in environment(template, "ApiStarterFunction")
