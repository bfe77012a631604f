"""WebSocket push in the template: present exactly when a workflow has push=True, valid
(cfn-lint), least privilege, and the Lambda package carries its handlers."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.deploy.naming import (
    PUSH_API_ID_OUTPUT,
    PUSH_URL_OUTPUT,
    STATE_MACHINES_ENV,
    state_machine_logical_id,
)
from sfn_flows.deploy.package import build_package

from .conftest import assert_cfn_lint_clean, build, built_copy, copy_project, load_json

# A workflow with push=True beside the example project's own, which do not push.
PUSHED_JOB = """
from sfn_flows import Pass, Workflow

pushed_job = Workflow(name="pushed-job", start=Pass("Echo"), timeout_seconds=60, push=True)
"""
EXECUTIONS = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:"
CONNECTIONS = (
    "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${PushApi}"
    "/push/POST/@connections/*"
)
PUSH_RESOURCES = {
    "PushApi",
    "PushSocketIntegration",
    "PushConnectRoute",
    "PushDisconnectRoute",
    "PushSubscribeRoute",
    "PushDefaultRoute",
    "PushStage",
    "PushSocketPermission",
    "PushSubscriptionsTable",
    "PushStatusRule",
    "PushNotifierPermission",
    "PushNotifierErrorsAlarm",
}


@pytest.fixture(scope="module")
def push_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_copy(tmp_path_factory, "push-project", {"workflows/pushed_job.py": PUSHED_JOB})


@pytest.fixture(scope="module")
def template(push_project: Path) -> dict[str, Any]:
    document: dict[str, Any] = load_json(push_project / "build" / "template.json")
    return document


def statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = template["Resources"][role]["Properties"]["Policies"]
    return [s for policy in policies for s in policy["PolicyDocument"]["Statement"]]


def test_cfn_lint_passes(push_project: Path) -> None:
    assert_cfn_lint_clean(push_project)


def test_no_push_resources_without_a_push_workflow(built_project: Path) -> None:
    plain = load_json(built_project / "build" / "template.json")
    assert not [name for name in plain["Resources"] if name.startswith("Push")]
    assert PUSH_URL_OUTPUT not in plain["Outputs"]


def test_the_websocket_api_and_its_routes(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    assert set(resources) >= PUSH_RESOURCES
    api = resources["PushApi"]["Properties"]
    assert (api["ProtocolType"], api["RouteSelectionExpression"]) == (
        "WEBSOCKET",
        "$request.body.action",
    )
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]["Target"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGatewayV2::Route"
        and r["Properties"]["ApiId"] == {"Ref": "PushApi"}
    }
    target = {"Fn::Sub": "integrations/${PushSocketIntegration}"}
    assert routes == dict.fromkeys(("$connect", "$disconnect", "subscribe", "$default"), target)
    integration = resources["PushSocketIntegration"]["Properties"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert "${PushSocketFunction.Arn}" in integration["IntegrationUri"]["Fn::Sub"]
    stage = resources["PushStage"]
    assert stage["Properties"]["StageName"] == "push" and stage["Properties"]["AutoDeploy"]
    # The first deployment of the stage holds the routes.
    assert set(stage["DependsOn"]) == {
        "PushConnectRoute",
        "PushDisconnectRoute",
        "PushSubscribeRoute",
        "PushDefaultRoute",
    }
    permission = resources["PushSocketPermission"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}"
        ":${PushApi}/push/*"
    }


def test_the_table_expires_its_subscriptions(template: dict[str, Any]) -> None:
    table = template["Resources"]["PushSubscriptionsTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert table["KeySchema"] == [
        {"AttributeName": "executionArn", "KeyType": "HASH"},
        {"AttributeName": "connectionId", "KeyType": "RANGE"},
    ]
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "ByConnection"
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert table["BillingMode"] == "PAY_PER_REQUEST"


def test_the_rule_matches_the_push_workflows_ended_executions_only(
    template: dict[str, Any],
) -> None:
    rule = template["Resources"]["PushStatusRule"]["Properties"]
    assert rule["EventPattern"] == {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {
            "stateMachineArn": [{"Ref": state_machine_logical_id("pushed-job")}],
            "status": ["ABORTED", "FAILED", "SUCCEEDED", "TIMED_OUT"],
        },
    }
    assert rule["Targets"] == [
        {"Id": "PushNotifier", "Arn": {"Fn::GetAtt": ["PushNotifierFunction", "Arn"]}}
    ]
    permission = template["Resources"]["PushNotifierPermission"]["Properties"]
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["PushStatusRule", "Arn"]}


def grants(template: dict[str, Any], function: str) -> dict[str, tuple[Any, Any]]:
    """Sid -> (actions, resources) of a function's role, besides writing its own logs."""
    found = {
        s["Sid"]: (s["Action"], s["Resource"]) for s in statements(template, f"{function}Role")
    }
    assert found.pop("WriteOwnLogs") == (
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        {"Fn::GetAtt": [f"{function}LogGroup", "Arn"]},
    )
    return found


TABLE = [{"Fn::GetAtt": ["PushSubscriptionsTable", "Arn"]}]
POST = ("execute-api:ManageConnections", [{"Fn::Sub": CONNECTIONS}])


def test_the_socket_may_do_only_its_own_work(template: dict[str, Any]) -> None:
    machine = state_machine_logical_id("pushed-job")
    assert grants(template, "PushSocketFunction") == {
        "KeepSubscriptions": (["dynamodb:PutItem", "dynamodb:DeleteItem"], TABLE),
        "FindConnectionSubscriptions": (
            "dynamodb:Query",
            [{"Fn::Sub": "${PushSubscriptionsTable.Arn}/index/ByConnection"}],
        ),
        # The push workflows' executions only: not long-running-job's nor order-fulfilment's.
        "DescribeOwnPushExecutions": (
            "states:DescribeExecution",
            [{"Fn::Sub": EXECUTIONS + "${" + machine + ".Name}:*"}],
        ),
        "PostToOwnConnections": POST,
    }


def test_the_notifier_may_do_only_its_own_work(template: dict[str, Any]) -> None:
    assert grants(template, "PushNotifierFunction") == {
        "ServeSubscriptions": (["dynamodb:Query", "dynamodb:DeleteItem"], TABLE),
        "PostToOwnConnections": POST,
    }


def test_the_push_functions_know_the_push_workflows_only(template: dict[str, Any]) -> None:
    for function, handler in (
        ("PushSocketFunction", "push_socket.handler"),
        ("PushNotifierFunction", "push_notifier.handler"),
    ):
        props = template["Resources"][function]["Properties"]
        assert props["Handler"] == handler
        variables = props["Environment"]["Variables"]
        assert variables[STATE_MACHINES_ENV] == {
            "Fn::Sub": '{"pushed-job":"${PushedJobStateMachine}"}'
        }
        assert variables["SFN_FLOWS_PUSH_TABLE"] == {"Ref": "PushSubscriptionsTable"}
        assert variables["SFN_FLOWS_PUSH_ENDPOINT"] == {
            "Fn::Sub": "https://${PushApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/push"
        }


def test_outputs_and_the_notifier_alarm(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs[PUSH_API_ID_OUTPUT]["Value"] == {"Ref": "PushApi"}
    assert outputs[PUSH_URL_OUTPUT]["Value"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": ["PushApi", "ApiEndpoint"]}, "/push"]]
    }
    alarm = template["Resources"]["PushNotifierErrorsAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "Errors")
    assert alarm["Dimensions"] == [
        {"Name": "FunctionName", "Value": {"Ref": "PushNotifierFunction"}}
    ]


def test_the_package_carries_the_push_handlers(push_project: Path, built_project: Path) -> None:
    manifest = load_json(push_project / "build" / "manifest.json")
    assert [w["name"] for w in manifest["workflows"] if w["push"]] == ["pushed-job"]
    package = build_package(push_project / "lambdas", manifest)
    assert {"push_socket.py", "push_notifier.py"} <= set(package.files)
    with zipfile.ZipFile(BytesIO(package.data)) as archive:
        assert b"make_push_notifier_handler()" in archive.read("push_notifier.py")
    plain = build_package(
        built_project / "lambdas", load_json(built_project / "build" / "manifest.json")
    )
    assert "push_socket.py" not in plain.files


def test_same_build_gives_byte_identical_template(tmp_path: Path, push_project: Path) -> None:
    other = copy_project(tmp_path)
    (other / "workflows" / "pushed_job.py").write_text(PUSHED_JOB)
    build(other)
    again = (other / "build" / "template.json").read_bytes()
    assert again == (push_project / "build" / "template.json").read_bytes()
