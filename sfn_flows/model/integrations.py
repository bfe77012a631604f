"""Task states for the common integrations, so users write intent rather than ARNs.

LambdaInvoke("ProcessData", function=process_data, timeout_seconds=120)
AwsSdkCall("GetObject", service="s3", action="getObject", parameters={...})
ServiceTask("RunJob", resource="arn:aws:states:::batch:submitJob", pattern="sync")
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from sfn_flows.model.base import CompileContext
from sfn_flows.model.function import LambdaFunction
from sfn_flows.model.retry import Retry
from sfn_flows.model.task import Task

Pattern = Literal["request-response", "sync", "sync:2", "waitForTaskToken"]
_SUFFIX: dict[str, str] = {
    "request-response": "",
    "sync": ".sync",
    "sync:2": ".sync:2",
    "waitForTaskToken": ".waitForTaskToken",
}


def integration_arn(service: str, api: str, pattern: Pattern = "request-response") -> str:
    return f"arn:aws:states:::{service}:{api}{_SUFFIX[pattern]}"


class LambdaInvoke(Task):
    """Invoke a Lambda through the optimized integration.

    By default the state's result is the function's return value (the integration's
    `Payload`), the standard retrier for Lambda's transient service errors is added, and
    the whole state input is the payload. With `wait_for_task_token=True` the payload also
    carries the task token, and the state waits for SendTaskSuccess/Failure.
    """

    special_fields = Task.special_fields | {
        "function",
        "payload",
        "wait_for_task_token",
        "payload_response_only",
        "retry_on_service_errors",
        "resource",
    }

    internal_keywords = frozenset({"resource"})

    resource: str = ""
    function: LambdaFunction | str
    payload: Any = None
    wait_for_task_token: bool = False
    payload_response_only: bool = True
    retry_on_service_errors: bool = True

    @model_validator(mode="after")
    def _fill_resource(self) -> LambdaInvoke:
        pattern: Pattern = "waitForTaskToken" if self.wait_for_task_token else "request-response"
        self.resource = integration_arn("lambda", "invoke", pattern)
        if self.retry_on_service_errors and self.retry is None:
            self.retry = [Retry.lambda_service_errors()]
        return self

    @property
    def function_name(self) -> str:
        fn = self.function
        return fn.arn_placeholder if isinstance(fn, LambdaFunction) else fn

    def lambda_functions(self) -> tuple[LambdaFunction, ...]:
        return (self.function,) if isinstance(self.function, LambdaFunction) else ()

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        body: dict[str, Any] = {"Resource": self.resource}
        if ctx.jsonata:
            if "arguments" not in self.model_fields_set:
                body["Arguments"] = {
                    "FunctionName": self.function_name,
                    "Payload": self._payload(ctx),
                }
            if self._unwraps_payload() and "output" not in self.model_fields_set:
                body["Output"] = "{% $states.result.Payload %}"
        else:
            if "parameters" not in self.model_fields_set:
                body["Parameters"] = {"FunctionName": self.function_name, **self._payload_param()}
            user_shapes = {"result_selector", "result_path", "output_path"} & self.model_fields_set
            if self._unwraps_payload() and not user_shapes:
                body["OutputPath"] = "$.Payload"
        body.update(super().extra_asl(ctx))
        return body

    def _unwraps_payload(self) -> bool:
        # A callback Task's result is what SendTaskSuccess sent, not Lambda's response
        # envelope: it has no Payload to unwrap, and "$.Payload" would fail the state.
        return self.payload_response_only and not self.wait_for_task_token

    def _payload(self, ctx: CompileContext) -> Any:
        if self.payload is not None:
            return self.payload
        if self.wait_for_task_token:
            return {
                "input": "{% $states.input %}",
                "taskToken": "{% $states.context.Task.Token %}",
            }
        return "{% $states.input %}"

    def _payload_param(self) -> dict[str, Any]:
        if self.payload is not None:
            return {"Payload": self.payload}
        if self.wait_for_task_token:
            return {"Payload": {"input.$": "$", "taskToken.$": "$$.Task.Token"}}
        return {"Payload.$": "$"}


class AwsSdkCall(Task):
    """Call any AWS API through `arn:aws:states:::aws-sdk:<service>:<action>`."""

    special_fields = Task.special_fields | {"service", "action", "resource"}

    internal_keywords = frozenset({"resource"})

    resource: str = ""
    service: str
    action: str

    @model_validator(mode="after")
    def _fill_resource(self) -> AwsSdkCall:
        self.resource = f"arn:aws:states:::aws-sdk:{self.service}:{self.action}"
        return self

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        return {"Resource": self.resource, **super().extra_asl(ctx)}


class ServiceTask(Task):
    """An optimized integration with a chosen pattern: run a job (`.sync`) or wait for a
    callback (`.waitForTaskToken`). These wait on others: give them a heartbeat when the
    worker can send one (see Task)."""

    special_fields = Task.special_fields | {"service", "api", "pattern", "resource"}

    internal_keywords = frozenset({"resource"})

    resource: str = ""
    service: str
    api: str
    pattern: Pattern = "request-response"

    @model_validator(mode="after")
    def _fill_resource(self) -> ServiceTask:
        self.resource = integration_arn(self.service, self.api, self.pattern)
        return self

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        return {"Resource": self.resource, **super().extra_asl(ctx)}
