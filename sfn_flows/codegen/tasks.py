"""Which class writes a Task state: `LambdaInvoke` for the optimized Lambda integration,
`Task(resource=fn)` for a project function called directly, `AwsSdkCall` and `ServiceTask`
for the other integrations, `Task(resource=...)` for the rest; and which of a LambdaInvoke's
defaults give the definition's own fields, so that only the others are written out."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from sfn_flows.asl.definition import TaskState
from sfn_flows.codegen.python_source import Expr, Lit, Ref
from sfn_flows.model.integrations import Pattern, integration_arn
from sfn_flows.model.retry import Retry

_STATES: Final = "arn:aws:states:::"
_FUNCTION_PLACEHOLDER: Final = re.compile(r"\$\{([A-Z][A-Za-z0-9]{0,63})FunctionArn\}")
_PATTERNS: Final[tuple[tuple[str, Pattern], ...]] = (
    (".waitForTaskToken", "waitForTaskToken"),
    (".sync:2", "sync:2"),
    (".sync", "sync"),
)
_LAMBDA_INVOKE: Final = integration_arn("lambda", "invoke")
_LAMBDA_CALLBACK: Final = integration_arn("lambda", "invoke", "waitForTaskToken")

# The payload a LambdaInvoke sends when it is given none (sfn_flows.model.integrations).
_DEFAULT_PAYLOAD: Final[Mapping[tuple[bool, bool], Mapping[str, Any]]] = {
    # (JSONata, waits for the task token)
    (False, False): {"Payload.$": "$"},
    (False, True): {"Payload": {"input.$": "$", "taskToken.$": "$$.Task.Token"}},
    (True, False): {"Payload": "{% $states.input %}"},
    (True, True): {
        "Payload": {
            "input": "{% $states.input %}",
            "taskToken": "{% $states.context.Task.Token %}",
        }
    },
}
_UNWRAP_JSONATA: Final = "{% $states.result.Payload %}"


def function_name(text: Any) -> str | None:
    """`ProcessData` for `${ProcessDataFunctionArn}`, the substitution a LambdaFunction's ARN
    is written as; None for any other value."""
    if not isinstance(text, str):
        return None
    match = _FUNCTION_PLACEHOLDER.fullmatch(text)
    return match.group(1) if match else None


def same_json(left: Any, right: Any) -> bool:
    """Equal as written JSON, whatever the key order: 2 and 2.0, 1 and true differ."""
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


FunctionRef = Callable[[str], Expr]
"""The expression for a function name or ARN: a LambdaFunction's variable for a project's
function (`${<Name>FunctionArn}`), otherwise the text itself."""


@dataclass
class TaskShape:
    """A Task class and the keywords it takes for what it writes itself (`handled`)."""

    cls: str
    kwargs: list[tuple[str, Expr]] = field(default_factory=list)
    handled: set[str] = field(default_factory=lambda: {"Resource"})
    # The retriers the class writes before any add_retry (a LambdaInvoke's standard one).
    own_retriers: int = 0


def resource_shape(resource: Any, function: FunctionRef) -> TaskShape:
    """The class that writes this Resource without a LambdaInvoke's defaults."""
    if not isinstance(resource, str):
        # A CloudFormation intrinsic ({"Fn::GetAtt": ...}): written as it is (raw_fields).
        return TaskShape("Task", [("resource", Lit("raw"))], handled=set())
    if function_name(resource) is not None:
        return TaskShape("Task", [("resource", function(resource))])
    if resource.startswith(_STATES + "aws-sdk:"):
        service, _, action = resource.removeprefix(_STATES + "aws-sdk:").partition(":")
        if service and action and "." not in action and ":" not in action:
            return TaskShape("AwsSdkCall", [("service", Lit(service)), ("action", Lit(action))])
    elif resource.startswith(_STATES):
        service, _, api = resource.removeprefix(_STATES).partition(":")
        pattern: Pattern = "request-response"
        for suffix, name in _PATTERNS:
            if api.endswith(suffix):
                api, pattern = api.removesuffix(suffix), name
                break
        if service and api and integration_arn(service, api, pattern) == resource:
            kwargs: list[tuple[str, Expr]] = [("service", Lit(service)), ("api", Lit(api))]
            if pattern != "request-response":
                kwargs.append(("pattern", Lit(pattern)))
            return TaskShape("ServiceTask", kwargs)
    return TaskShape("Task", [("resource", Lit(resource))])


def lambda_invoke_shape(state: TaskState, function: FunctionRef) -> TaskShape | None:
    """A LambdaInvoke that writes this state's Resource, payload and result shaping, or None
    when the state is not one (no literal FunctionName to name the function by)."""
    if state.resource not in (_LAMBDA_INVOKE, _LAMBDA_CALLBACK):
        return None
    wait = state.resource == _LAMBDA_CALLBACK
    jsonata = state.is_jsonata
    key = "Arguments" if jsonata else "Parameters"
    given = state.raw.get(key)
    if not isinstance(given, Mapping) or not isinstance(given.get("FunctionName"), str):
        return None
    shape = TaskShape("LambdaInvoke", [("function", function(given["FunctionName"]))])
    shape.handled |= {key}
    if wait:
        shape.kwargs.append(("wait_for_task_token", Lit(True)))
    rest = {k: v for k, v in given.items() if k != "FunctionName"}
    if not same_json(rest, _DEFAULT_PAYLOAD[jsonata, wait]):
        if set(rest) == {"Payload"} and rest["Payload"] is not None:
            shape.kwargs.append(("payload", Lit(rest["Payload"])))
        else:
            shape.kwargs.append(("arguments" if jsonata else "parameters", Lit(dict(given))))
    _result_shaping(state, shape, wait=wait, jsonata=jsonata)
    standard = Retry.lambda_service_errors().to_asl()
    retriers = state.raw.get("Retry")
    if isinstance(retriers, list) and retriers and same_json(retriers[0], standard):
        shape.own_retriers = 1
    else:
        shape.kwargs.append(("retry_on_service_errors", Lit(False)))
    return shape


def _result_shaping(state: TaskState, shape: TaskShape, *, wait: bool, jsonata: bool) -> None:
    """Leave out the result shaping a LambdaInvoke writes by default (the function's return
    value as the result), or ask it not to when the state keeps Lambda's whole response."""
    if wait:
        return  # a callback's result is what SendTaskSuccess sent: nothing is unwrapped
    raw = state.raw
    if jsonata:
        if raw.get("Output") == _UNWRAP_JSONATA:
            shape.handled.add("Output")
        elif "Output" not in raw:
            shape.kwargs.append(("payload_response_only", Lit(False)))
        return
    shaped = {"ResultSelector", "ResultPath", "OutputPath"} & raw.keys()
    if shaped == {"OutputPath"} and raw["OutputPath"] == "$.Payload":
        shape.handled.add("OutputPath")
    elif not shaped:
        shape.kwargs.append(("payload_response_only", Lit(False)))


def function_ref(variables: Mapping[str, str], used: set[str]) -> FunctionRef:
    """A FunctionRef that refers to the LambdaFunction variables in `variables` (by function
    name) and records in `used` which were referred to."""

    def refer(text: str) -> Expr:
        name = function_name(text)
        if name is None or name not in variables:
            return Lit(text)
        used.add(name)
        return Ref(variables[name])

    return refer
