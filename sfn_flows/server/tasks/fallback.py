"""What answers the Tasks no mock and no project function answers: the real services.

- a Lambda function (`lambda:invoke` or a function ARN) through LAMBDA_ENDPOINT's Invoke;
- `aws-sdk:<service>:<action>` and the optimised integrations (optimised.py) on the local
  stack, SFN_FLOWS_AWS_ENDPOINT;
- `states:startExecution` (and `.sync`, `.sync:2`) through `nested_execution`, when the server
  gives one (nested.py).

A call waits at most the Task's TimeoutSeconds (then the Task times out, States.Timeout) and
CONNECT_SECONDS to connect; an endpoint that does not answer fails the Task as the AWS SDK
reports it (`Lambda.SdkClientException`...), and the server goes on. A resource the server
cannot call fails the Task with States.TaskFailed, saying what to set or mock.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Final

from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.tasks import Pending, TaskAnswer, TaskCall
from sfn_flows.engine.tasks.lambda_runtime import MAX_FUNCTION_SECONDS
from sfn_flows.engine.tasks.lambda_service import LambdaTarget, lambda_target, not_found
from sfn_flows.server.config import ServerConfig
from sfn_flows.server.tasks import aws_sdk
from sfn_flows.server.tasks.clients import Clients
from sfn_flows.server.tasks.lambda_endpoint import invoke_parameters, invoke_result
from sfn_flows.server.tasks.optimised import ACTIONS
from sfn_flows.server.tasks.service_errors import (
    OPTIMISED,
    ServiceNaming,
    call_failure,
    sdk_v2_naming,
)
from sfn_flows.server.tasks.task_time import timed_out

_log = logging.getLogger("sfn_flows.server")
# arn:<partition>:states:::<service>:<action>[.waitForTaskToken | .sync | .sync:2]
_INTEGRATION: Final = re.compile(
    r"arn:[^:]+:states:::(?P<path>.+?)(?P<pattern>\.waitForTaskToken|\.sync(?::2)?)?"
)
NestedExecution = Callable[[TaskCall, str], TaskAnswer | Pending]


class ServiceFallback:
    """The engine's `fallback` in the server (one for all executions)."""

    def __init__(
        self,
        config: ServerConfig,
        clients: Clients,
        nested_execution: NestedExecution | None = None,
    ) -> None:
        self._config = config
        self._clients = clients
        self.nested_execution = nested_execution

    def __call__(self, call: TaskCall) -> TaskAnswer | Pending:
        try:
            return self._answer(call)
        except (StatesError, EngineUsageError):
            raise
        except Exception as error:  # the server's own bug: the Task fails, the server stays
            _log.exception(
                "Task state %r (%s) failed in the server", call.state_name, call.resource
            )
            raise StatesError(
                "States.TaskFailed",
                f"the engine server failed calling {call.resource}: "
                f"{type(error).__name__}: {error}",
            ) from None

    def _answer(self, call: TaskCall) -> TaskAnswer | Pending:
        config = self._config
        target = lambda_target(call.resource, call.payload, config.region, config.account)
        if target is not None:
            return self._invoke(call, target)
        match = _INTEGRATION.fullmatch(call.resource)
        path, pattern = (match["path"], match["pattern"] or "") if match else ("", "")
        service, _, action = path.partition(":")
        if service == "aws-sdk" and ":" in action and pattern != ".sync":
            return self._aws_sdk(call, *action.split(":", 1))
        if (service, action) == ("states", "startExecution") and self.nested_execution:
            return self.nested_execution(call, pattern)
        optimised = ACTIONS.get((service, action))
        if optimised is None or pattern.startswith(".sync"):
            raise StatesError(
                "States.TaskFailed",
                f"the engine server does not call {call.resource} (Task state "
                f"{call.state_name!r}); mock the state in SFN_MOCK_CONFIG and start the "
                "execution with '<stateMachineArn>#<TestCase>'.",
            )
        naming = OPTIMISED[service]
        parameters = optimised.prepare(_parameters(call, naming))
        response = self._call(
            call,
            naming,
            self._aws_endpoint(call),
            optimised.boto3_service,
            optimised.operation,
            parameters,
            None,
        )
        return TaskAnswer(optimised.result(response))

    def _invoke(self, call: TaskCall, target: LambdaTarget) -> TaskAnswer:
        endpoint = self._config.lambda_endpoint
        if endpoint is None:
            # What AWS answers for a function that does not exist; the fix goes to the log,
            # where the one running the server reads it.
            _log.warning(
                "Lambda function %r (Task state %r) is not one the engine server runs itself "
                "and LAMBDA_ENDPOINT is not set: register it with its handler "
                "(SfnFlows.RegisterFunctions or SFN_FLOWS_FUNCTIONS) or set LAMBDA_ENDPOINT",
                target.name,
                call.state_name,
            )
            raise not_found(target)
        parameters = invoke_parameters(target)
        bound = call.timeout_seconds or MAX_FUNCTION_SECONDS + CONNECT_MARGIN
        response = self._call(
            call, OPTIMISED["lambda"], endpoint, "lambda", "invoke", parameters, bound
        )
        return invoke_result(call, target, response)

    def _aws_sdk(self, call: TaskCall, service: str, action: str) -> TaskAnswer:
        endpoint = self._aws_endpoint(call)
        name = aws_sdk.boto3_service(service)
        if name is None:
            raise StatesError(
                "States.Runtime",
                f"the aws-sdk integration has no service {service!r} (Task state "
                f"{call.state_name!r}); services are named as the AWS SDK names them, such as "
                "dynamodb, sqs or sfn.",
            )
        client = self._clients.client(name, endpoint, call.timeout_seconds)
        model = client.meta.service_model
        naming = sdk_v2_naming(model.service_id)
        operation = model.operation_model(aws_sdk.operation_name(client, action))
        parameters = aws_sdk.request(_parameters(call, naming), operation.input_shape)
        from botocore import xform_name

        response = self._call(
            call, naming, endpoint, name, xform_name(operation.name), parameters, None
        )
        return TaskAnswer(aws_sdk.response(response, operation.output_shape))

    def _call(
        self,
        call: TaskCall,
        naming: ServiceNaming,
        endpoint: str,
        service: str,
        method: str,
        parameters: dict[str, Any],
        read_seconds: float | None,
    ) -> Any:
        bound = call.timeout_seconds if read_seconds is None else read_seconds
        client = self._clients.client(service, endpoint, bound)
        try:
            return getattr(client, method)(**parameters)
        except Exception as error:
            if call.timeout_seconds is not None and type(error).__name__ == "ReadTimeoutError":
                raise timed_out(call, self._config.virtual_time) from None
            raise call_failure(error, naming, endpoint) from None

    def _aws_endpoint(self, call: TaskCall) -> str:
        endpoint = self._config.aws_endpoint
        if endpoint is None:
            raise StatesError(
                "States.TaskFailed",
                f"Task state {call.state_name!r} calls {call.resource}, and the engine server "
                "has no endpoint for AWS services: set SFN_FLOWS_AWS_ENDPOINT to the local "
                "stack's URL (or mock the state in SFN_MOCK_CONFIG).",
            )
        return endpoint


# Beyond the function's own longest run: time for Lambda to answer.
CONNECT_MARGIN: Final = 5.0


def _parameters(call: TaskCall, naming: ServiceNaming) -> dict[str, Any]:
    if call.payload is None:
        return {}
    if not isinstance(call.payload, dict):
        raise StatesError(
            f"{naming.prefix}.{naming.generic}",
            f"the parameters of Task state {call.state_name!r} must be a JSON object, not "
            f"{type(call.payload).__name__}.",
        )
    return dict(call.payload)
