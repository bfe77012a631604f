"""AWS's own emulator, Step Functions Local, as an engine for flow tests.

It runs the state machines; the Lambdas (and the API) stay in the local stack, which it
reaches over a Docker network (`LAMBDA_ENDPOINT`). It cannot be pulled on machines without
a registry: `available()` says so, and the tests skip with that reason.

Where a registry is reachable: `docker pull amazon/aws-stepfunctions-local:2.0.0`, then run
tests/containers/test_stepfunctions_local.py. (Not yet an `--sfn-engine` choice of the plugin.)
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn_flows.testing.engines import EngineError

IMAGE = "amazon/aws-stepfunctions-local:2.0.0"
PORT = 8083
READY_LINE = "Starting server on port 8083"
LOCAL_STACK_ALIAS = "local-stack"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")


def available(image: str = IMAGE) -> str | None:
    """None when the image is present; otherwise why not, and how to get it."""
    try:
        done = subprocess.run(
            ["docker", "image", "inspect", image], capture_output=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker is not usable here ({exc})"
    if done.returncode != 0:
        return (
            f"the image {image} is not on this machine and no registry is reachable here; "
            f"where one is: `docker pull {image}`, then run the tests again"
        )
    return None


@dataclass
class StepFunctionsLocal:
    endpoint_url: str
    container: Any

    def stop(self) -> None:
        self.container.stop()


def start(
    network: Any,
    *,
    mock_config: Path | None = None,
    wait_time_scale: float | None = None,
    deadline: float = 90.0,
) -> StepFunctionsLocal:
    from testcontainers.core.container import DockerContainer

    container = (
        DockerContainer(IMAGE)
        .with_exposed_ports(PORT)
        .with_network(network)
        .with_env("AWS_DEFAULT_REGION", "us-east-1")
        .with_env("AWS_ACCOUNT_ID", "000000000000")
        .with_env("LAMBDA_ENDPOINT", f"http://{LOCAL_STACK_ALIAS}:4566")
    )
    if mock_config is not None:
        # Mounted before start: Step Functions Local reads it once, at boot.
        container = container.with_volume_mapping(str(mock_config), "/home/mock.json", "ro")
        container = container.with_env("SFN_MOCK_CONFIG", "/home/mock.json")
    if wait_time_scale is not None:
        container = container.with_env("WAIT_TIME_SCALE", str(wait_time_scale))
    container.start()
    try:
        endpoint = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(PORT)}"
        _wait_ready(container, endpoint, time.monotonic() + deadline)
    except BaseException:
        container.stop()
        raise
    return StepFunctionsLocal(endpoint, container)


def _wait_ready(container: Any, endpoint: str, limit: float) -> None:
    # First the log line, then a request that answers: the line comes before the socket.
    while READY_LINE not in container.get_logs()[0].decode(errors="replace"):
        if time.monotonic() > limit:
            raise EngineError(f"Step Functions Local never logged {READY_LINE!r}")
        time.sleep(0.1)
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except (urllib.error.URLError, OSError):
            if time.monotonic() > limit:
                raise EngineError(f"Step Functions Local at {endpoint} did not answer") from None
            time.sleep(0.1)


def create_state_machines(
    sfn_local: Any, definitions: dict[str, str], function_arns: dict[str, str]
) -> dict[str, str]:
    """Create each workflow in Step Functions Local with the local stack's Lambda ARNs
    substituted (what CloudFormation's DefinitionSubstitutions does on AWS)."""
    created: dict[str, str] = {}
    for workflow, text in definitions.items():
        definition = _substitute(workflow, text, function_arns)
        json.loads(definition)  # substitution must keep it JSON
        answer = sfn_local.create_state_machine(
            name=workflow, definition=definition, roleArn="arn:aws:iam::000000000000:role/sfn-local"
        )
        created[workflow] = answer["stateMachineArn"]
    return created


def _substitute(workflow: str, text: str, function_arns: dict[str, str]) -> str:
    missing = sorted(set(_PLACEHOLDER.findall(text)) - set(function_arns))
    if missing:
        raise EngineError(f"workflow {workflow!r} refers to {missing}, which were not deployed")
    return _PLACEHOLDER.sub(lambda match: function_arns[match.group(1)], text)


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
