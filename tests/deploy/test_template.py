"""The CloudFormation template `sfn-flows build` writes: valid (cfn-lint), complete, least
privilege, deterministic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sfn_flows.deploy.build_files import read_build
from sfn_flows.deploy.naming import (
    API_URL_OUTPUT,
    STATE_MACHINES_ENV,
    state_machine_logical_id,
    state_machine_output,
)
from sfn_flows.deploy.template import (
    LOG_DELIVERY_ACTIONS,
    RUNTIME,
    TemplateError,
    render_template,
)

from .conftest import assert_cfn_lint_clean, build, copy_project, load_json

EXECUTIONS = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:"


@pytest.fixture(scope="module")
def template(built_project: Path) -> dict[str, Any]:
    document: dict[str, Any] = load_json(built_project / "build" / "template.json")
    return document


@pytest.fixture(scope="module")
def manifest(built_project: Path) -> dict[str, Any]:
    document: dict[str, Any] = load_json(built_project / "build" / "manifest.json")
    return document


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = template["Resources"][role]["Properties"]["Policies"]
    return [s for policy in policies for s in policy["PolicyDocument"]["Statement"]]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_cfn_lint_passes(built_project: Path) -> None:
    assert_cfn_lint_clean(built_project)


def test_build_writes_the_template_deploy_renders(built_project: Path) -> None:
    files = read_build(built_project / "build")
    rendered = render_template(files.manifest, files.definitions)
    assert (built_project / "build" / "template.json").read_text() == rendered


def test_same_build_gives_byte_identical_template(tmp_path: Path, built_project: Path) -> None:
    other = copy_project(tmp_path)
    build(other)
    again = (other / "build" / "template.json").read_bytes()
    assert again == (built_project / "build" / "template.json").read_bytes()


def test_one_function_per_manifest_function(
    template: dict[str, Any], manifest: dict[str, Any]
) -> None:
    functions = resources_of(template, "AWS::Lambda::Function")
    for name, spec in manifest["functions"].items():
        props = functions[f"{name}Function"]["Properties"]
        assert props["Handler"] == spec["handler"]
        assert props["Timeout"] == spec["timeout_seconds"]
        assert props["MemorySize"] == spec["memory_mb"]
        assert props["Runtime"] == RUNTIME
        assert props["Code"] == {
            "S3Bucket": {"Ref": "ArtifactBucket"},
            "S3Key": {"Ref": "ArtifactKey"},
        }
        assert props["LoggingConfig"]["LogGroup"] == {"Ref": f"{name}FunctionLogGroup"}
    api = {
        functions[f"Api{kind}Function"]["Properties"]["Handler"] for kind in ("Starter", "Status")
    }
    assert api == {"starter.handler", "status.handler"}
    assert set(functions) == {f"{n}Function" for n in manifest["functions"]} | {
        "ApiStarterFunction",
        "ApiStatusFunction",
    }


def test_state_machines_substitute_their_functions(
    built_project: Path, template: dict[str, Any], manifest: dict[str, Any]
) -> None:
    for entry in manifest["workflows"]:
        machine = template["Resources"][state_machine_logical_id(entry["name"])]
        props = machine["Properties"]
        assert machine["Type"] == "AWS::StepFunctions::StateMachine"
        assert props["StateMachineType"] == entry["type"]
        asl = (built_project / "build" / entry["definition"]).read_text()
        assert props["DefinitionString"] == asl
        assert props["DefinitionSubstitutions"] == {
            manifest["functions"][fn]["substitution"]: {"Fn::GetAtt": [f"{fn}Function", "Arn"]}
            for fn in entry["functions"]
        }
        # Every placeholder in the ASL has a substitution.
        for key in props["DefinitionSubstitutions"]:
            assert "${" + key + "}" in asl
        logging = props["LoggingConfiguration"]
        destination = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]
        assert destination == {
            "Fn::GetAtt": [f"{state_machine_logical_id(entry['name'])}LogGroup", "Arn"]
        }


def test_each_state_machine_invokes_only_its_own_functions(
    template: dict[str, Any], manifest: dict[str, Any]
) -> None:
    for entry in manifest["workflows"]:
        role = f"{state_machine_logical_id(entry['name'])}Role"
        trust = template["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
        granted = statements(template, role)
        invoke = [s for s in granted if "lambda:InvokeFunction" in as_list(s["Action"])]
        assert len(invoke) == 1
        assert as_list(invoke[0]["Action"]) == ["lambda:InvokeFunction"]
        assert invoke[0]["Resource"] == [
            {"Fn::GetAtt": [f"{fn}Function", "Arn"]} for fn in entry["functions"]
        ]
        # Besides invoking, only the vended-log delivery actions AWS requires on "*".
        others = [s for s in granted if s is not invoke[0]]
        assert [sorted(as_list(s["Action"])) for s in others] == [sorted(LOG_DELIVERY_ACTIONS)]
        assert all(s["Effect"] == "Allow" for s in granted)


def test_starter_may_start_only_its_state_machines(
    template: dict[str, Any], manifest: dict[str, Any]
) -> None:
    machines = [state_machine_logical_id(e["name"]) for e in manifest["workflows"]]
    granted = {
        action: s["Resource"]
        for s in statements(template, "ApiStarterFunctionRole")
        for action in as_list(s["Action"])
    }
    assert granted == {
        "logs:CreateLogStream": {"Fn::GetAtt": ["ApiStarterFunctionLogGroup", "Arn"]},
        "logs:PutLogEvents": {"Fn::GetAtt": ["ApiStarterFunctionLogGroup", "Arn"]},
        "states:StartExecution": [{"Ref": m} for m in machines],
        "states:DescribeExecution": [
            {"Fn::Sub": EXECUTIONS + "${" + m + ".Name}:*"} for m in machines
        ],
    }


def test_status_may_only_describe_its_executions(
    template: dict[str, Any], manifest: dict[str, Any]
) -> None:
    machines = [state_machine_logical_id(e["name"]) for e in manifest["workflows"]]
    granted = {
        action: s["Resource"]
        for s in statements(template, "ApiStatusFunctionRole")
        for action in as_list(s["Action"])
    }
    assert granted == {
        "logs:CreateLogStream": {"Fn::GetAtt": ["ApiStatusFunctionLogGroup", "Arn"]},
        "logs:PutLogEvents": {"Fn::GetAtt": ["ApiStatusFunctionLogGroup", "Arn"]},
        "states:DescribeExecution": [
            {"Fn::Sub": EXECUTIONS + "${" + m + ".Name}:*"} for m in machines
        ],
    }


def test_workers_may_only_write_their_own_logs(
    template: dict[str, Any], manifest: dict[str, Any]
) -> None:
    for name in manifest["functions"]:
        role = f"{name}FunctionRole"
        trust = template["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
        assert statements(template, role) == [
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": {"Fn::GetAtt": [f"{name}FunctionLogGroup", "Arn"]},
            }
        ]
        function = template["Resources"][f"{name}Function"]["Properties"]
        assert function["Role"] == {"Fn::GetAtt": [role, "Arn"]}


def test_no_wildcard_actions_and_resources_only_for_log_delivery(template: dict[str, Any]) -> None:
    for role in resources_of(template, "AWS::IAM::Role"):
        for statement in statements(template, role):
            assert not any("*" in action for action in as_list(statement["Action"]))
            if statement["Resource"] == "*":
                assert statement["Action"] == LOG_DELIVERY_ACTIONS


def test_http_api_routes_and_permissions(template: dict[str, Any]) -> None:
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]["Target"]
        for r in resources_of(template, "AWS::ApiGatewayV2::Route").values()
    }
    assert routes == {
        "POST /{workflow}/executions": {"Fn::Sub": "integrations/${StartExecutionIntegration}"},
        "GET /executions/{id}": {"Fn::Sub": "integrations/${DescribeExecutionIntegration}"},
    }
    integrations = resources_of(template, "AWS::ApiGatewayV2::Integration")
    assert integrations["StartExecutionIntegration"]["Properties"]["IntegrationUri"] == {
        "Fn::GetAtt": ["ApiStarterFunction", "Arn"]
    }
    for integration in integrations.values():
        assert integration["Properties"]["IntegrationType"] == "AWS_PROXY"
        assert integration["Properties"]["PayloadFormatVersion"] == "2.0"
    assert template["Resources"]["HttpApi"]["Properties"]["ProtocolType"] == "HTTP"
    stage = template["Resources"]["HttpApiDefaultStage"]["Properties"]
    assert (stage["StageName"], stage["AutoDeploy"]) == ("$default", True)
    permissions = {
        p["Properties"]["FunctionName"]["Fn::GetAtt"][0]: p["Properties"]
        for p in resources_of(template, "AWS::Lambda::Permission").values()
    }
    api = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}"
    assert permissions["ApiStarterFunction"]["SourceArn"] == {
        "Fn::Sub": api + "/*/POST/*/executions"
    }
    assert permissions["ApiStatusFunction"]["SourceArn"] == {"Fn::Sub": api + "/*/GET/executions/*"}
    assert {p["Principal"] for p in permissions.values()} == {"apigateway.amazonaws.com"}


def test_api_functions_know_the_state_machines(
    template: dict[str, Any], manifest: dict[str, Any]
) -> None:
    expected = (
        "{"
        + ",".join(
            f'"{e["name"]}":"${{{state_machine_logical_id(e["name"])}}}"'
            for e in manifest["workflows"]
        )
        + "}"
    )
    for function in ("ApiStarterFunction", "ApiStatusFunction"):
        variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
        assert variables == {STATE_MACHINES_ENV: {"Fn::Sub": expected}}


def test_alarms_and_log_groups(template: dict[str, Any], manifest: dict[str, Any]) -> None:
    alarms = resources_of(template, "AWS::CloudWatch::Alarm")
    for entry in manifest["workflows"]:
        machine = state_machine_logical_id(entry["name"])
        metrics = {
            alarms[f"{machine}{suffix}"]["Properties"]["MetricName"]
            for suffix in ("FailedAlarm", "TimedOutAlarm", "ThrottledAlarm")
        }
        assert metrics == {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionThrottled"}
        for suffix in ("FailedAlarm", "TimedOutAlarm", "ThrottledAlarm"):
            props = alarms[f"{machine}{suffix}"]["Properties"]
            assert props["Namespace"] == "AWS/States"
            assert props["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": machine}}]
    api_alarm = alarms["HttpApi5xxAlarm"]["Properties"]
    assert (api_alarm["Namespace"], api_alarm["MetricName"]) == ("AWS/ApiGateway", "5xx")
    assert api_alarm["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]
    # Three per state machine, the API's 5XX and its integration latency (test_alarms.py).
    assert len(alarms) == 3 * len(manifest["workflows"]) + 2
    groups = resources_of(template, "AWS::Logs::LogGroup")
    # One per function (workers and the two API functions), per state machine, and the API's.
    assert len(groups) == len(manifest["functions"]) + 2 + len(manifest["workflows"]) + 1
    assert all(g["Properties"]["RetentionInDays"] == 30 for g in groups.values())


def test_outputs(template: dict[str, Any], manifest: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs[API_URL_OUTPUT]["Value"] == {"Fn::GetAtt": ["HttpApi", "ApiEndpoint"]}
    for entry in manifest["workflows"]:
        assert outputs[state_machine_output(entry["name"])]["Value"] == {
            "Ref": state_machine_logical_id(entry["name"])
        }


def test_colliding_logical_ids_are_a_clear_error(built_project: Path) -> None:
    files = read_build(built_project / "build")
    manifest = dict(files.manifest)
    first = manifest["workflows"][0]
    twin = {**first, "name": first["name"].replace("-", "_")}
    manifest["workflows"] = [first, twin]
    definitions = {first["name"]: files.definitions[first["name"]], twin["name"]: "{}"}
    with pytest.raises(TemplateError, match=r"LongRunningJobStateMachine.*rename one"):
        render_template(manifest, definitions)
