"""`arn:aws:states:::aws-sdk:<service>:<action>`: the service's API action, on the local stack.

The service is named as the AWS SDK v2 names it (`sfn`, `eventbridge`, `dynamodb`,
`secretsmanager`), the action in camelCase (`putItem`), the parameters in PascalCase even where
the API's members are camelCase (`StateMachineArn` for Step Functions' `stateMachineArn`), and
the result's members are PascalCase too (`{"ExecutionArn": ..., "StartDate": ...}`, recorded
on AWS). Map keys (a DynamoDB item's attribute names) are data and keep their case.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Final

from sfn_flows.engine.errors import StatesError
from sfn_flows.server.tasks.json_results import json_result

# SDK v2 service names boto3 spells otherwise (other names: boto3's without hyphens).
_BOTO3_NAMES: Final = {
    "sfn": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchlogs": "logs",
    "cloudwatchevents": "events",
    "elasticloadbalancing": "elb",
    "elasticloadbalancingv2": "elbv2",
    "cognitoidentityprovider": "cognito-idp",
    "databasemigration": "dms",
    "costexplorer": "ce",
    "firehose": "firehose",
    "lexruntimev2": "lexv2-runtime",
    "lexmodelsv2": "lexv2-models",
    "sfnlocal": "stepfunctions",
}
_available: dict[str, str] = {}
_available_lock = threading.Lock()


def boto3_service(service: str) -> str | None:
    """boto3's name for an aws-sdk service name, or None when boto3 has no such service."""
    with _available_lock:
        if not _available:
            import boto3

            names = boto3.session.Session().get_available_services()
            _available.update({name.replace("-", ""): name for name in names})
    return _BOTO3_NAMES.get(service) or _available.get(service)


def operation_name(client: Any, action: str) -> str:
    """The API operation of a camelCase action; StatesError when the service has none."""
    wanted = action[:1].upper() + action[1:]
    names = client.meta.service_model.operation_names
    if wanted in names:
        return str(wanted)
    raise StatesError(
        "States.Runtime",
        f"the aws-sdk integration has no action {action!r} for service "
        f"{client.meta.service_model.service_name!r}; actions are the API's, in camelCase "
        "(such as putItem).",
    )


def request(payload: Any, shape: Any) -> Any:
    """The Task's parameters as boto3 takes them: each member named as the model names it."""
    if shape is None:
        return payload
    kind = shape.type_name
    if kind == "structure" and isinstance(payload, dict):
        members = shape.members
        by_lower = {name.lower(): name for name in members}
        converted = {}
        for key, value in payload.items():
            name = key if key in members else by_lower.get(str(key).lower(), key)
            converted[name] = request(value, members.get(name))
        return converted
    if kind == "list" and isinstance(payload, list):
        return [request(item, shape.member) for item in payload]
    if kind == "map" and isinstance(payload, dict):
        return {key: request(value, shape.value) for key, value in payload.items()}
    if kind == "blob" and not isinstance(payload, str | bytes):
        return json.dumps(payload, separators=(",", ":"))  # a JSON value given for a body
    return payload


def response(value: Any, shape: Any) -> Any:
    """boto3's response as Step Functions returns it: members in PascalCase, JSON values."""
    if shape is None:
        return json_result(value, "iso")
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {
            key[:1].upper() + key[1:]: response(item, members.get(key))
            for key, item in value.items()
            if key != "ResponseMetadata"
        }
    if kind == "list" and isinstance(value, list):
        return [response(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: response(item, shape.value) for key, item in value.items()}
    return json_result(value, "iso")
