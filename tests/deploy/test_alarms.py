"""Alarms that reach someone: every alarm of the template notifies an SNS topic (the stack's own,
or an existing one given with --alarm-topic), and the API's integration latency has an alarm
next to its 5XX one. The last tests deploy into the real MiniStack of the session and fire an
alarm: its notification arrives in an SQS queue subscribed to the topic."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.aws import Target
from sfn_flows.deploy import alarms
from sfn_flows.deploy.alarms import AlarmOptionError, check_alarm_options, stack_parameters
from sfn_flows.deploy.naming import ALARM_TOPIC_OUTPUT
from sfn_flows.deploy.stack import deploy_project
from sfn_flows.local import LocalStack

from .conftest import built_copy, load_json, run_cli

TOPIC = "arn:aws:sns:eu-west-1:123456789012:on-call"


@pytest.fixture(scope="module")
def alarm_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built copy of the example project, for these tests' deploys."""
    return built_copy(tmp_path_factory, "alarm-project")


@pytest.fixture(scope="module")
def template(built_project: Path) -> dict[str, Any]:
    document: dict[str, Any] = load_json(built_project / "build" / "template.json")
    return document


def alarms_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }


def test_every_alarm_notifies_the_topic_when_it_fires_and_when_it_clears(
    template: dict[str, Any],
) -> None:
    found = alarms_of(template)
    assert len(found) >= 8
    for name, props in found.items():
        assert props["AlarmActions"] == [alarms.ALARM_TOPIC], name
        assert props["OKActions"] == [alarms.ALARM_TOPIC], name
    assert alarms.ALARM_TOPIC == {
        "Fn::If": ["CreateAlarmTopic", {"Ref": "AlarmTopic"}, {"Ref": "AlarmTopicArn"}]
    }
    assert template["Outputs"][ALARM_TOPIC_OUTPUT]["Value"] == alarms.ALARM_TOPIC


def test_the_topic_is_the_stacks_own_unless_an_arn_is_given(template: dict[str, Any]) -> None:
    parameters = template["Parameters"]
    assert parameters["AlarmTopicArn"]["Default"] == parameters["AlarmEmail"]["Default"] == ""
    assert template["Conditions"] == {
        "CreateAlarmTopic": {"Fn::Equals": [{"Ref": "AlarmTopicArn"}, ""]},
        "SubscribeAlarmEmail": {
            "Fn::And": [
                {"Condition": "CreateAlarmTopic"},
                {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]},
            ]
        },
    }
    resources = template["Resources"]
    assert resources["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    assert resources["AlarmTopic"]["Condition"] == "CreateAlarmTopic"
    subscription = resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "SubscribeAlarmEmail"
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlarmTopic"},
        "Protocol": "email",
        "Endpoint": {"Ref": "AlarmEmail"},
    }


@pytest.mark.parametrize(
    ("parameter", "value", "accepted"),
    [
        ("AlarmTopicArn", "", True),
        ("AlarmTopicArn", TOPIC, True),
        ("AlarmTopicArn", "arn:aws-cn:sns:cn-north-1:123456789012:alarms_1", True),
        ("AlarmTopicArn", "arn:aws:sns:eu-west-1:123456789012:on-call.fifo", False),
        ("AlarmTopicArn", "arn:aws:sqs:eu-west-1:123456789012:queue", False),
        ("AlarmTopicArn", "on-call", False),
        ("AlarmEmail", "", True),
        ("AlarmEmail", "ops@example.com", True),
        ("AlarmEmail", "ops at example.com", False),
        ("AlarmEmail", "ops@localhost", False),
    ],
)
def test_the_parameters_refuse_what_cloudformation_would(
    template: dict[str, Any], parameter: str, value: str, accepted: bool
) -> None:
    pattern = template["Parameters"][parameter]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, value)) is accepted
    # The command refuses the same values before any call.
    topic, email = (value, None) if parameter == "AlarmTopicArn" else (None, value)
    if accepted:
        check_alarm_options(topic, email)
    else:
        with pytest.raises(AlarmOptionError, match=f"--alarm-{'topic' if topic else 'email'}"):
            check_alarm_options(topic, email)


def test_a_bad_address_is_refused_with_the_fix() -> None:
    with pytest.raises(AlarmOptionError, match=re.escape("--alarm-email ops@example.com, or ''")):
        check_alarm_options(None, "ops at example.com")


def test_integration_latency_alarm_next_to_the_5xx_alarm(template: dict[str, Any]) -> None:
    found = alarms_of(template)
    latency = found["HttpApiIntegrationLatencyAlarm"]
    assert (latency["Namespace"], latency["MetricName"]) == ("AWS/ApiGateway", "IntegrationLatency")
    assert latency["Dimensions"] == found["HttpApi5xxAlarm"]["Dimensions"]
    assert latency["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]
    # p99 over 25 s (the metric is in milliseconds): a percentile is an ExtendedStatistic.
    assert latency["ExtendedStatistic"] == "p99" and "Statistic" not in latency
    assert (latency["Threshold"], latency["ComparisonOperator"]) == (
        25_000,
        "GreaterThanThreshold",
    )
    assert found["HttpApi5xxAlarm"]["Statistic"] == "Sum"


def test_a_deploy_without_options_keeps_what_the_stack_has() -> None:
    previous = {"AlarmTopicArn": "", "AlarmEmail": "ops@example.com"}
    assert stack_parameters(None, None, previous) == [
        {"ParameterKey": "AlarmTopicArn", "UsePreviousValue": True},
        {"ParameterKey": "AlarmEmail", "UsePreviousValue": True},
    ]
    # A new stack, or one deployed before the parameters existed: the defaults.
    for before in ({}, {"ArtifactKey": "artifacts/x.zip"}):
        assert stack_parameters(None, None, before) == [
            {"ParameterKey": "AlarmTopicArn", "ParameterValue": ""},
            {"ParameterKey": "AlarmEmail", "ParameterValue": ""},
        ]


def test_options_set_and_clear() -> None:
    previous = {"AlarmTopicArn": "", "AlarmEmail": "ops@example.com"}
    # Your topic replaces the stack's, and the address subscribed to the stack's goes with it.
    assert stack_parameters(TOPIC, None, previous) == [
        {"ParameterKey": "AlarmTopicArn", "ParameterValue": TOPIC},
        {"ParameterKey": "AlarmEmail", "ParameterValue": ""},
    ]
    assert stack_parameters(None, "", previous) == [
        {"ParameterKey": "AlarmTopicArn", "UsePreviousValue": True},
        {"ParameterKey": "AlarmEmail", "ParameterValue": ""},
    ]
    assert stack_parameters("", "dev@example.com", {"AlarmTopicArn": TOPIC}) == [
        {"ParameterKey": "AlarmTopicArn", "ParameterValue": ""},
        {"ParameterKey": "AlarmEmail", "ParameterValue": "dev@example.com"},
    ]


def test_an_address_with_an_existing_topic_is_refused_with_the_fix() -> None:
    with pytest.raises(AlarmOptionError, match="aws sns subscribe --topic-arn"):
        stack_parameters(TOPIC, "ops@example.com", {})
    with pytest.raises(AlarmOptionError, match=r"--alarm-topic ''"):
        stack_parameters(None, "ops@example.com", {"AlarmTopicArn": TOPIC, "AlarmEmail": ""})


def test_the_command_refuses_a_bad_topic_before_any_call(built_project: Path) -> None:
    # No local stack is given: the option is refused before the target is even looked for.
    result = run_cli(built_project, "deploy", "--alarm-topic", "my-topic")
    assert result.returncode == 1
    assert "--alarm-topic 'my-topic' is not the ARN of a standard SNS topic" in result.stderr


# -- on the local stack ---------------------------------------------------------------------


def _alarm_name(target: Target, stack: str, logical_id: str) -> str:
    found = target.client("cloudformation").describe_stack_resource(
        StackName=stack, LogicalResourceId=logical_id
    )
    return str(found["StackResourceDetail"]["PhysicalResourceId"])


def _queue_on(target: Target, topic: str) -> str:
    """An SQS queue subscribed to `topic` (raw delivery off: the SNS envelope arrives)."""
    sqs, sns = target.client("sqs"), target.client("sns")
    url = sqs.create_queue(QueueName=f"alarms-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return str(url)


def _notifications(target: Target, url: str, deadline: float = 15.0) -> list[dict[str, Any]]:
    sqs = target.client("sqs")
    limit = time.monotonic() + deadline
    while time.monotonic() < limit:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10)
        if messages.get("Messages"):
            return [json.loads(m["Body"]) for m in messages["Messages"]]
    return []


def test_a_firing_alarm_reaches_the_stacks_topic_and_its_subscribers(
    alarm_project: Path, local_stack: LocalStack, local_target: Target
) -> None:
    stack = f"alarms-{uuid.uuid4().hex[:8]}"
    deployed = deploy_project(
        local_target,
        stack=stack,
        build_dir=alarm_project / "build",
        lambdas_dir=alarm_project / "lambdas",
        alarm_email="ops@example.com",
    )
    topic = deployed.outputs[ALARM_TOPIC_OUTPUT]
    sns = local_target.client("sns")
    endpoints = {
        (s["Protocol"], s["Endpoint"])
        for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    }
    assert ("email", "ops@example.com") in endpoints
    queue = _queue_on(local_target, topic)
    name = _alarm_name(local_target, stack, "HttpApiIntegrationLatencyAlarm")
    local_target.client("cloudwatch").set_alarm_state(
        AlarmName=name, StateValue="ALARM", StateReason="test: p99 over 25 s"
    )
    received = _notifications(local_target, queue)
    assert received and name in received[0]["Message"]
    assert received[0]["TopicArn"] == topic

    # A deploy without the options keeps both the topic and the address.
    again = deploy_project(
        local_target,
        stack=stack,
        build_dir=alarm_project / "build",
        lambdas_dir=alarm_project / "lambdas",
    )
    assert again.outcome == "unchanged"
    assert again.outputs[ALARM_TOPIC_OUTPUT] == topic


def test_an_existing_topic_replaces_the_stacks_own(
    alarm_project: Path, local_stack: LocalStack, local_target: Target
) -> None:
    existing = local_target.client("sns").create_topic(Name=f"on-call-{uuid.uuid4().hex[:8]}")[
        "TopicArn"
    ]
    queue = _queue_on(local_target, existing)
    stack = f"alarms-{uuid.uuid4().hex[:8]}"
    result = run_cli(
        alarm_project,
        "deploy",
        "--endpoint-url",
        local_stack.endpoint_url,
        "--stack",
        stack,
        "--alarm-topic",
        existing,
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outputs"][ALARM_TOPIC_OUTPUT] == existing
    cloudformation = local_target.client("cloudformation")
    logical = {
        r["LogicalResourceId"]
        for r in cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    }
    assert "AlarmTopic" not in logical and "AlarmEmailSubscription" not in logical
    name = _alarm_name(local_target, stack, "HttpApi5xxAlarm")
    described = local_target.client("cloudwatch").describe_alarms(AlarmNames=[name])
    assert described["MetricAlarms"][0]["AlarmActions"] == [existing]
    local_target.client("cloudwatch").set_alarm_state(
        AlarmName=name, StateValue="ALARM", StateReason="test: the API answered 5xx"
    )
    received = _notifications(local_target, queue)
    assert received and received[0]["TopicArn"] == existing
