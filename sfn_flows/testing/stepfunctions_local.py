"""AWS's own emulator, Step Functions Local, as the `stepfunctions-local` engine.

It runs the state machines; the Lambdas (and the API) stay in a local-stack container, which
it reaches over a Docker network (`LAMBDA_ENDPOINT`). The project is deployed into the local
stack as usual, then each workflow is created in Step Functions Local under the same name
(`<stack>-<workflow>`, so mock configs work on both engines) with the local stack's Lambda
ARNs substituted, as CloudFormation's DefinitionSubstitutions would.

The image cannot be pulled on machines without a registry: `available()` says so, and the
engine refuses to start with that reason and the fix. Where a registry is reachable:
`docker pull amazon/aws-stepfunctions-local:2.0.0`, then `pytest --sfn-engine
stepfunctions-local`. Step Functions Local has no JSONata and no Variables.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn_flows.aws import Target
from sfn_flows.local.images import image_exists
from sfn_flows.testing.engines import (
    DOCKER_FIX,
    READY_DEADLINE,
    STEPFUNCTIONS_LOCAL,
    ContainerEngine,
    EngineError,
    check_not_exited,
    container_logs,
    container_state,
    engine_labels,
    last_log_lines,
    published_endpoint,
    remove_container,
    start_container,
    start_local_stack,
)

IMAGE = "amazon/aws-stepfunctions-local:2.0.0"
PORT = 8083
READY_LINE = "Starting server on port 8083"
LOCAL_STACK_ALIAS = "local-stack"
MOCK_CONFIG_PATH = "/home/mock.json"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")


def available(image: str = IMAGE) -> str | None:
    """None when the image is present; otherwise why not, and how to get it."""
    try:
        present = image_exists(image, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker is not usable here ({exc})"
    if not present:
        return (
            f"the image {image} is not on this machine (no registry is reachable on machines "
            f"like this one); where one is: `docker pull {image}`, then run the tests again"
        )
    return None


@dataclass
class StepFunctionsLocalEngine:
    local_stack: ContainerEngine
    stepfunctions_url: str
    container: Any
    network: Any
    ready_seconds: float
    name: str = STEPFUNCTIONS_LOCAL
    image: str = IMAGE

    @property
    def stack_image(self) -> str:
        return self.local_stack.image

    @property
    def endpoint_url(self) -> str:
        return self.local_stack.endpoint_url

    def target(self) -> Target:
        return Target(
            endpoint_url=self.local_stack.endpoint_url,
            stepfunctions_endpoint_url=self.stepfunctions_url,
        )

    def publish(self, build_dir: Path, stack: str, outputs: dict[str, str]) -> dict[str, str]:
        from sfn_flows.deploy.naming import state_machine_output
        from sfn_flows.deploy.template import state_machine_name

        manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
        arns = deployed_function_arns(self.local_stack.target(), stack)
        client = self.target().client("stepfunctions")
        published = dict(outputs)
        for entry in manifest.get("workflows", []):
            workflow = entry["name"]
            text = (build_dir / entry["definition"]).read_text(encoding="utf-8")
            published[state_machine_output(workflow)] = create_state_machine(
                client,
                state_machine_name(stack, workflow),
                substitute(workflow, text, arns),
                entry.get("type", "STANDARD"),
            )
        return published

    def stop(self) -> None:
        remove_container(self.container)
        self.local_stack.stop()
        # already gone: nothing left to clean
        with contextlib.suppress(Exception):
            self.network.remove()


def start_engine(
    stack_image: str,
    *,
    mock_config: Path | None = None,
    host_port: int | None = None,
    deadline: float = READY_DEADLINE,
) -> StepFunctionsLocalEngine:
    reason = available()
    if reason:
        raise EngineError(f"the {STEPFUNCTIONS_LOCAL} engine cannot start: {reason}")
    from testcontainers.core.network import Network

    started = time.monotonic()
    limit = started + deadline  # one deadline for both containers
    labels = engine_labels(STEPFUNCTIONS_LOCAL)
    try:
        network = Network(docker_network_kw={"labels": labels}).create()
    except Exception as exc:  # docker's own error, e.g. no free address pool
        raise EngineError(
            f"could not create a Docker network for {STEPFUNCTIONS_LOCAL}: {exc}"
        ) from None
    try:
        stack = start_local_stack(
            stack_image,
            host_port=host_port,
            network=network,
            alias=LOCAL_STACK_ALIAS,
            deadline=deadline,
        )
        try:
            container, url = _start_stepfunctions_local(
                network, labels, mock_config, limit, deadline
            )
        except BaseException:
            stack.stop()
            raise
    except BaseException:
        # the error that matters is the one being raised; a network left over is removed
        # by the next session's clean-up
        with contextlib.suppress(Exception):
            network.remove()
        raise
    return StepFunctionsLocalEngine(stack, url, container, network, time.monotonic() - started)


def _start_stepfunctions_local(
    network: Any, labels: dict[str, str], mock_config: Path | None, limit: float, deadline: float
) -> tuple[Any, str]:
    from testcontainers.core.container import DockerContainer

    container = (
        DockerContainer(IMAGE)
        .with_exposed_ports(PORT)
        .with_network(network)
        .with_kwargs(labels=labels)
        .with_env("AWS_DEFAULT_REGION", "us-east-1")
        .with_env("AWS_ACCOUNT_ID", "000000000000")
        .with_env("LAMBDA_ENDPOINT", f"http://{LOCAL_STACK_ALIAS}:4566")
        # It signs its calls to the Lambda endpoint: any credentials do for the local stack.
        .with_env("AWS_ACCESS_KEY_ID", "test")
        .with_env("AWS_SECRET_ACCESS_KEY", "test")
    )
    if mock_config is not None:
        # Mounted before start: Step Functions Local reads it once, at boot.
        container = container.with_volume_mapping(str(mock_config), MOCK_CONFIG_PATH, "ro")
        container = container.with_env("SFN_MOCK_CONFIG", MOCK_CONFIG_PATH)
    what = f"the {STEPFUNCTIONS_LOCAL} container"
    start_container(container, what, None)
    try:
        url = published_endpoint(container, PORT, what, limit)
        _wait_ready(container, what, url, limit, deadline)
    except BaseException:
        remove_container(container)
        raise
    return container, url


def _wait_ready(container: Any, what: str, endpoint: str, limit: float, deadline: float) -> None:
    # First the log line (on either stream), then a request that answers: the line comes
    # before the socket.
    while READY_LINE not in container_logs(container):
        check_not_exited(container, what, container_state(container))
        if time.monotonic() > limit:
            raise EngineError(
                f"Step Functions Local never logged {READY_LINE!r} within {deadline:g} s; "
                f"{DOCKER_FIX}\nlast log lines: {last_log_lines(container)}"
            )
        time.sleep(0.1)
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except (urllib.error.URLError, OSError):
            if time.monotonic() > limit:
                raise EngineError(
                    f"Step Functions Local did not answer within {deadline:g} s; "
                    f"{DOCKER_FIX}\nendpoint: {endpoint}"
                ) from None
            time.sleep(0.1)


def create_state_machine(
    client: Any, name: str, definition: str, workflow_type: str = "STANDARD"
) -> str:
    from botocore.exceptions import ClientError

    try:
        answer = client.create_state_machine(
            name=name,
            definition=definition,
            roleArn="arn:aws:iam::000000000000:role/sfn-local",
            type=workflow_type,
        )
    except ClientError as exc:
        raise EngineError(
            f"Step Functions Local refused state machine {name!r}: {exc}. It has no JSONata "
            "and no Variables: run such workflows on the local-stack engine"
        ) from None
    return str(answer["stateMachineArn"])


def substitute(workflow: str, text: str, function_arns: dict[str, str]) -> str:
    """`${<Name>FunctionArn}` placeholders -> the deployed ARNs; the result stays JSON."""
    missing = sorted(set(_PLACEHOLDER.findall(text)) - set(function_arns))
    if missing:
        raise EngineError(f"workflow {workflow!r} refers to {missing}, which were not deployed")
    result = _PLACEHOLDER.sub(lambda match: function_arns[match.group(1)], text)
    json.loads(result)
    return result


def deployed_function_arns(target: Any, stack: str) -> dict[str, str]:
    """`<Name>FunctionArn` -> the ARN of the Lambda deployed for it in `stack`."""
    cfn = target.client("cloudformation")
    lam = target.client("lambda")
    arns: dict[str, str] = {}
    for resource in cfn.describe_stack_resources(StackName=stack)["StackResources"]:
        if resource["ResourceType"] == "AWS::Lambda::Function":
            function = lam.get_function(FunctionName=resource["PhysicalResourceId"])
            arns[f"{resource['LogicalResourceId']}Arn"] = function["Configuration"]["FunctionArn"]
    return arns
