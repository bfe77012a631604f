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

import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn_flows.local.images import image_exists
from sfn_flows.testing.engines import (
    DOCKER_FIX,
    READY_DEADLINE,
    STEPFUNCTIONS_LOCAL,
    EngineError,
    check_not_abandoned,
    check_not_exited,
    container_logs,
    container_state,
    last_log_lines,
)
from sfn_flows.testing.paired_engine import (
    LOCAL_STACK_URL,
    PairedEngine,
    RunnerStart,
    create_workflows,
    deployed_function_arns,
    start_pair,
    start_runner_container,
)

IMAGE = "amazon/aws-stepfunctions-local:2.0.0"
PORT = 8083
READY_LINE = "Starting server on port 8083"
MOCK_CONFIG_PATH = "/home/mock.json"
NO_JSONATA = (
    ". It has no JSONata and no Variables: run such workflows on the sfn-flows-local engine"
)


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
class StepFunctionsLocalEngine(PairedEngine):
    def publish(self, build_dir: Path, stack: str, outputs: dict[str, str]) -> dict[str, str]:
        arns = deployed_function_arns(self.local_stack.target(), stack)
        client = self.target().client("stepfunctions")
        return create_workflows(
            client, build_dir, stack, outputs, arns, "Step Functions Local", NO_JSONATA
        )


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

    def start_runner(start: RunnerStart) -> tuple[Any, str]:
        return _start_stepfunctions_local(start, mock_config)

    pair = start_pair(
        STEPFUNCTIONS_LOCAL, stack_image, start_runner, host_port=host_port, deadline=deadline
    )
    return StepFunctionsLocalEngine(
        STEPFUNCTIONS_LOCAL,
        IMAGE,
        pair.local_stack,
        pair.url,
        pair.container,
        pair.network,
        pair.seconds,
    )


def _start_stepfunctions_local(start: RunnerStart, mock_config: Path | None) -> tuple[Any, str]:
    from testcontainers.core.container import DockerContainer

    container = (
        DockerContainer(IMAGE)
        .with_exposed_ports(PORT)
        .with_network(start.network)
        .with_kwargs(labels=start.labels)
        .with_env("AWS_DEFAULT_REGION", "us-east-1")
        .with_env("AWS_ACCOUNT_ID", "000000000000")
        .with_env("LAMBDA_ENDPOINT", LOCAL_STACK_URL)
        # It signs its calls to the Lambda endpoint: any credentials do for the local stack.
        .with_env("AWS_ACCESS_KEY_ID", "test")
        .with_env("AWS_SECRET_ACCESS_KEY", "test")
    )
    if mock_config is not None:
        # Mounted before start: Step Functions Local reads it once, at boot.
        container = container.with_volume_mapping(str(mock_config), MOCK_CONFIG_PATH, "ro")
        container = container.with_env("SFN_MOCK_CONFIG", MOCK_CONFIG_PATH)
    what = f"the {STEPFUNCTIONS_LOCAL} container"
    return start_runner_container(
        container,
        PORT,
        what,
        start,
        lambda started, url: _wait_ready(started, what, url, start),
    )


def _wait_ready(container: Any, what: str, endpoint: str, start: RunnerStart) -> None:
    limit, deadline = start.limit, start.deadline
    # First the log line (on either stream), then a request that answers: the line comes
    # before the socket.
    while READY_LINE not in container_logs(container):
        check_not_exited(container, what, container_state(container))
        check_not_abandoned(start.abandoned, what)
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
            check_not_abandoned(start.abandoned, what)
            if time.monotonic() > limit:
                raise EngineError(
                    f"Step Functions Local did not answer within {deadline:g} s; "
                    f"{DOCKER_FIX}\nendpoint: {endpoint}"
                ) from None
            time.sleep(0.1)
