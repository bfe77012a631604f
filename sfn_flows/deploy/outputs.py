"""Find what a deployed stack holds: its outputs, a workflow's state machine ARN."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sfn_flows.aws import Target
from sfn_flows.deploy.naming import (
    API_URL_OUTPUT,
    PUSH_API_ID_OUTPUT,
    PUSH_URL_OUTPUT,
    state_machine_output,
)
from sfn_flows.errors import SfnFlowsError

# Id of the stack's HTTP API (besides naming.API_URL_OUTPUT, its URL).
API_ID_OUTPUT = "ApiId"
# The stage the template deploys; a local stack serves it under a path of its own endpoint.
API_STAGE = "$default"


class DeploymentNotFound(SfnFlowsError):
    """The stack (or a workflow in it) is not deployed on this target."""


def stack_outputs(target: Target, stack: str) -> dict[str, str]:
    client: Any = target.client("cloudformation")
    try:
        stacks = client.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            raise DeploymentNotFound(
                f"stack {stack!r} is not deployed on the {target.describe()}; "
                "run `sfn-flows deploy` first (or pass --stack)."
            ) from None
        raise SfnFlowsError(f"cannot read stack {stack!r}: {exc}") from None
    except BotoCoreError as exc:
        raise SfnFlowsError(f"cannot reach the {target.describe()}: {exc}") from None
    outputs = stacks[0].get("Outputs", [])
    return {o["OutputKey"]: o["OutputValue"] for o in outputs}


def state_machine_arn(target: Target, stack: str, workflow: str) -> str:
    """The ARN of `workflow` (a name, or already an ARN) in `stack`."""
    if workflow.startswith("arn:"):
        return workflow
    outputs = stack_outputs(target, stack)
    key = state_machine_output(workflow)
    if key not in outputs:
        known = deployed_workflows(stack, outputs)
        raise DeploymentNotFound(
            f"workflow {workflow!r} is not in stack {stack!r} "
            f"(its workflows: {', '.join(known) or 'none'}); "
            "check the name, or build and deploy again."
        )
    return outputs[key]


def deployed_workflows(stack: str, outputs: dict[str, str]) -> list[str]:
    """The workflow names users type, read from the names of the stack's state machines."""
    from sfn_flows.deploy.template import state_machine_name  # here: template imports us

    prefix = state_machine_name(stack, "")
    arns = (value for key, value in outputs.items() if key.endswith("StateMachineArn"))
    # arn:<partition>:states:<region>:<account>:stateMachine:<stack>-<workflow>
    return sorted(arn.rsplit(":", 1)[-1].removeprefix(prefix) for arn in arns)


def reachable_api_url(target: Target, outputs: dict[str, str]) -> str | None:
    """The base URL to call the stack's API at, without a trailing slash.

    On AWS that is the ApiUrl output. A local stack reports `<id>.execute-api.localhost`
    hosts, which many resolvers do not know; its own endpoint serves the same API under
    `/_aws/execute-api/<id>/<stage>`.
    """
    if target.endpoint_url and API_ID_OUTPUT in outputs:
        return f"{target.endpoint_url}/_aws/execute-api/{outputs[API_ID_OUTPUT]}/{API_STAGE}"
    return outputs.get(API_URL_OUTPUT)


def reachable_push_url(target: Target, outputs: dict[str, str]) -> str | None:
    """The WebSocket URL of the stack's push socket (None: no workflow pushes).

    On AWS the PushUrl output (wss://<id>.execute-api.<region>.amazonaws.com/push); a local
    stack serves the socket under its own endpoint, as it does the HTTP API.
    """
    url = outputs.get(PUSH_URL_OUTPUT)
    if url and target.endpoint_url and PUSH_API_ID_OUTPUT in outputs:
        stage = url.rstrip("/").rsplit("/", 1)[-1]
        local = target.endpoint_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        return f"{local}/_aws/execute-api/{outputs[PUSH_API_ID_OUTPUT]}/{stage}"
    return url
