"""Render the CloudFormation template of a build with jinja2.

The resource skeleton lives in `templates/stack.json.j2` (shipped inside the package); this
module turns the manifest into the data it needs: logical ids, handlers, IAM statements. The
output depends on the build only (the Lambda package comes in through parameters), so the
same build gives a byte-identical template.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jinja2

from sfn_flows.deploy import alarms
from sfn_flows.deploy.intake import CONSUMER_NAME, IntakePlan, intake_plan
from sfn_flows.deploy.naming import (
    ALARM_TOPIC_OUTPUT,
    API_URL_OUTPUT,
    ARTIFACT_BUCKET_OUTPUT,
    PUSH_API_ID_OUTPUT,
    PUSH_URL_OUTPUT,
    STATE_MACHINES_ENV,
    logical_id,
    state_machine_logical_id,
    state_machine_output,
)
from sfn_flows.deploy.outputs import API_ID_OUTPUT, API_STAGE
from sfn_flows.deploy.package import STARTER_HANDLER, STATUS_HANDLER
from sfn_flows.deploy.push import push_plan
from sfn_flows.errors import SfnFlowsError
from sfn_flows.runtime.wait_window import starts_synchronously

TEMPLATE_FILE = "stack.json.j2"
# python3.11 would match the project's floor, but AWS blocks creating functions on it since
# 2026-07-31 (cfn-lint E2533); the runtime code needs the standard library and boto3 only.
RUNTIME = "python3.13"
LOG_RETENTION_DAYS = 30
ALARM_PERIOD_SECONDS = 300
# The API Lambdas hold a request for at most the wait window (runtime/wait_window.py: 20 s),
# plus the start of the execution and the margin kept to answer (runtime/deadline.py). 25 s
# holds both and still ends 5 s before API Gateway's 30 s integration timeout, so a stuck call
# is answered by the Lambda (503 with Retry-After), never by API Gateway's own 503.
API_FUNCTION_TIMEOUT_SECONDS = 25
API_FUNCTION_MEMORY_MB = 256
STARTER_ROUTE = "POST /{workflow}/executions"
STATUS_ROUTE = "GET /executions/{id}"
EXECUTION_ARN = (
    "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${%s.Name}:*"
)
EXECUTE_API_ARN = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}"
# Step Functions delivers logs through CloudWatch Logs' vended-log API, whose actions take no
# resource-level permissions: AWS documents them with "*" for the state machine's role.
LOG_DELIVERY_ACTIONS = [
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
]
STATE_MACHINE_ALARMS = (
    ("FailedAlarm", "ExecutionsFailed", "failed"),
    ("TimedOutAlarm", "ExecutionsTimedOut", "timed out"),
    ("ThrottledAlarm", "ExecutionThrottled", "was throttled"),
)
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "integrationError": "$context.integrationErrorMessage",
    },
    separators=(",", ":"),
)


class TemplateError(SfnFlowsError):
    """The build cannot be turned into a CloudFormation template."""


# Step Functions names a state machine with at most 80 characters; the template names each
# one "<stack>-<workflow>" so tests (mock configs) and people can know it before a deploy.
STATE_MACHINE_NAME_LIMIT = 80


def state_machine_name(stack: str, workflow: str) -> str:
    """The name the template gives the state machine of `workflow` in `stack`."""
    return f"{stack}-{workflow}"


def render_template(manifest: Mapping[str, Any], definitions: Mapping[str, str]) -> str:
    """The template as indented JSON text, ending with a newline."""
    text = (
        _environment().get_template(TEMPLATE_FILE).render(template_context(manifest, definitions))
    )
    document = json.loads(text, object_pairs_hook=_refuse_duplicates)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def template_context(manifest: Mapping[str, Any], definitions: Mapping[str, str]) -> dict[str, Any]:
    functions = manifest["functions"]
    workflows = [_workflow(entry, functions, definitions) for entry in manifest["workflows"]]
    state_machines = [wf["logical_id"] for wf in workflows]
    executions = [{"Fn::Sub": EXECUTION_ARN % sm} for sm in state_machines]
    # intake="sqs" workflows: queues and a consumer start them, not the starter (intake.py).
    intake = intake_plan(manifest["workflows"], dict(zip(state_machines, executions, strict=True)))
    # push=True workflows: a WebSocket API and a notifier tell clients of their end (push.py).
    push = push_plan(manifest["workflows"], dict(zip(state_machines, executions, strict=True)))
    describe = {
        "Sid": "DescribeOwnExecutions",
        "Effect": "Allow",
        "Action": "states:DescribeExecution",
        "Resource": executions,
    }
    start = {
        "Sid": "StartOwnStateMachines",
        "Effect": "Allow",
        "Action": "states:StartExecution",
        "Resource": [
            {"Ref": wf["logical_id"]} for wf in workflows if not intake.is_intake(wf["name"])
        ],
    }
    # The starter describes only what it starts (a replayed Idempotency-Key, the wait window):
    # the intake workflows' executions are the consumer's and the status reader's to read.
    starter_describe = {
        **describe,
        "Resource": [
            execution
            for wf, execution in zip(workflows, executions, strict=True)
            if not intake.is_intake(wf["name"])
        ],
    }
    # StartSyncExecution on the EXPRESS machines whose budget fits the wait window only.
    synchronous = [
        wf["logical_id"]
        for wf, entry in zip(workflows, manifest["workflows"], strict=True)
        if starts_synchronously(entry["type"], entry.get("budget"))
    ]
    start_sync = {
        "Sid": "StartSyncOwnExpressMachines",
        "Effect": "Allow",
        "Action": "states:StartSyncExecution",
        "Resource": [{"Ref": sm} for sm in synchronous],
    }
    environment = {
        STATE_MACHINES_ENV: {
            "Fn::Sub": json.dumps(
                {wf["name"]: "${" + wf["logical_id"] + "}" for wf in workflows},
                separators=(",", ":"),
            )
        }
    }
    starter = _function(
        "ApiStarter",
        handler=STARTER_HANDLER,
        timeout_seconds=API_FUNCTION_TIMEOUT_SECONDS,
        memory_mb=API_FUNCTION_MEMORY_MB,
        description="sfn-flows API: starts an execution and answers 202",
        statements=[
            *([start, starter_describe] if start["Resource"] else []),
            *([start_sync] if synchronous else []),
            *intake.starter_statements,
        ],
        environment={**environment, **intake.starter_environment},
    )
    status = _function(
        "ApiStatus",
        handler=STATUS_HANDLER,
        timeout_seconds=API_FUNCTION_TIMEOUT_SECONDS,
        memory_mb=API_FUNCTION_MEMORY_MB,
        description="sfn-flows API: reports an execution's status and output",
        statements=[describe],
        environment=environment,
    )
    workers = [
        _function(
            name,
            handler=spec["handler"],
            timeout_seconds=spec["timeout_seconds"],
            memory_mb=spec["memory_mb"],
            description=f"sfn-flows worker {name}",
        )
        for name, spec in functions.items()
    ]
    return {
        # Not the workflow names: a Description holds at most 1,024 characters.
        "description": f"sfn-flows: {len(workflows)} workflow(s) behind an async HTTP API",
        "runtime": RUNTIME,
        "log_retention_days": LOG_RETENTION_DAYS,
        "alarm_period_seconds": ALARM_PERIOD_SECONDS,
        "functions": [
            *workers,
            starter,
            status,
            *_consumer(intake),
            *(_function(**spec) for spec in push.functions),
        ],
        "workflows": workflows,
        "api": {
            "stage": API_STAGE,
            "log_group_id": "HttpApiAccessLogGroup",
            "log_group_name": "/sfn-flows/${AWS::StackName}/api-access",
            "access_log_format": ACCESS_LOG_FORMAT,
            "routes": [
                _route("StartExecution", STARTER_ROUTE, starter, "/*/POST/*/executions"),
                _route("DescribeExecution", STATUS_ROUTE, status, "/*/GET/executions/*"),
            ],
        },
        "intake": intake.queues,
        "push": push.resources,
        "alarms": {
            "topic": alarms.ALARM_TOPIC,
            "topic_id": alarms.TOPIC_ID,
            "create_topic": alarms.CREATE_TOPIC,
            "subscribe_email": alarms.SUBSCRIBE_EMAIL,
            "email_parameter": alarms.EMAIL_PARAMETER,
            "parameters": alarms.template_parameters(),
            "conditions": alarms.template_conditions(),
            "latency_threshold_ms": alarms.INTEGRATION_LATENCY_MS,
            "latency_description": (
                "The 99th percentile of the API's integration latency is over "
                f"{alarms.INTEGRATION_LATENCY_MS // 1000} s, near API Gateway's 30 s limit"
            ),
        },
        "alarm_topic_output_name": ALARM_TOPIC_OUTPUT,
        "push_url_output": PUSH_URL_OUTPUT,
        "push_api_id_output": PUSH_API_ID_OUTPUT,
        "consumer_id": function_logical_id(CONSUMER_NAME),
        "api_url_output": API_URL_OUTPUT,
        "api_id_output": API_ID_OUTPUT,
        "artifact_bucket_output": ARTIFACT_BUCKET_OUTPUT,
    }


def _consumer(intake: IntakePlan) -> list[dict[str, Any]]:
    return [_function(**intake.consumer)] if intake.consumer else []


def function_logical_id(name: str) -> str:
    """'ProcessData' -> 'ProcessDataFunction' (its role and log group add suffixes)."""
    return f"{logical_id(name)}Function"


def _function(
    name: str,
    *,
    handler: str,
    timeout_seconds: int,
    memory_mb: int,
    description: str,
    statements: list[dict[str, Any]] | None = None,
    environment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    function_id = function_logical_id(name)
    return {
        "name": name,
        "logical_id": function_id,
        "role_id": f"{function_id}Role",
        "log_group_id": f"{function_id}LogGroup",
        "log_group_name": f"/sfn-flows/${{AWS::StackName}}/lambda/{name}",
        "handler": handler,
        "timeout_seconds": timeout_seconds,
        "memory_mb": memory_mb,
        "description": description,
        "statements": statements or [],
        "environment": environment or {},
    }


def _workflow(
    entry: Mapping[str, Any],
    functions: Mapping[str, Mapping[str, Any]],
    definitions: Mapping[str, str],
) -> dict[str, Any]:
    name = entry["name"]
    machine = state_machine_logical_id(name)
    own = {fn: function_logical_id(fn) for fn in entry["functions"]}
    statements: list[dict[str, Any]] = []
    if own:
        statements.append(
            {
                "Sid": "InvokeOwnFunctions",
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": [{"Fn::GetAtt": [fn, "Arn"]} for fn in own.values()],
            }
        )
    statements.append(
        {"Sid": "DeliverLogs", "Effect": "Allow", "Action": LOG_DELIVERY_ACTIONS, "Resource": "*"}
    )
    return {
        "name": name,
        "type": entry["type"],
        "logical_id": machine,
        "role_id": f"{machine}Role",
        "log_group_id": f"{machine}LogGroup",
        # The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy (5,120
        # characters per account) from filling up with one entry per state machine.
        "log_group_name": f"/aws/vendedlogs/states/${{AWS::StackName}}/{logical_id(name)}",
        "output": state_machine_output(name),
        "definition": definitions[name],
        "substitutions": {
            functions[fn]["substitution"]: {"Fn::GetAtt": [function_id, "Arn"]}
            for fn, function_id in own.items()
        },
        "statements": statements,
        "alarms": [
            {
                "id": f"{machine}{suffix}",
                "metric": metric,
                "description": f"An execution of workflow {name} {what}",
            }
            for suffix, metric, what in STATE_MACHINE_ALARMS
        ],
    }


def _route(name: str, key: str, function: Mapping[str, Any], path: str) -> dict[str, Any]:
    return {
        "route_key": key,
        "route_id": f"{name}Route",
        "integration_id": f"{name}Integration",
        "permission_id": f"{name}Permission",
        "function_id": function["logical_id"],
        # The API may invoke the function for this route only (any stage).
        "source_arn": EXECUTE_API_ARN + path,
    }


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("sfn_flows.deploy", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    # Jinja's own tojson escapes <, > and & for HTML; this one writes plain JSON.
    environment.filters["tojson"] = lambda value: json.dumps(value, ensure_ascii=False)
    return environment


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise TemplateError(
                f"two parts of the project map to the CloudFormation logical id {key!r}; "
                "rename one of the workflows or Lambda functions (ids keep letters and digits "
                "only, so 'my-job' and 'my_job' collide; 'ApiStarter' and 'ApiStatus' are "
                "taken by the API, 'IntakeConsumer' by the SQS intake, 'PushSocket' and "
                "'PushNotifier' by WebSocket push)."
            )
        document[key] = value
    return document
