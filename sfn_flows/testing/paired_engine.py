"""Engines in two containers on one Docker network: the local stack (Lambdas, API,
CloudFormation: where the project is deployed) and a container that runs the state machines
(`sfn-flows-local`: the sfn-flows engine server; `stepfunctions-local`: AWS's Step Functions
Local).

The project is deployed into the local stack as with every engine; `create_workflows` then
creates each workflow in the state machines' container under the same name
(`<stack>-<workflow>`, so mock configs work on every engine) with the local stack's Lambda
ARNs substituted, as CloudFormation's DefinitionSubstitutions would.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn_flows.aws import Target
from sfn_flows.testing.engines import (
    CONTAINER_PORT,
    ContainerEngine,
    EngineError,
    engine_labels,
    published_endpoint,
    remove_container,
    start_container,
    start_local_stack,
    wait_until_ready,
)

# The local stack's name on the pair's network.
LOCAL_STACK_ALIAS = "local-stack"
LOCAL_STACK_URL = f"http://{LOCAL_STACK_ALIAS}:{CONTAINER_PORT}"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")


@dataclass(frozen=True)
class RunnerStart:
    """How the state machines' container is to be started: on `network` with `labels`, ready
    by `limit` (monotonic; `deadline` seconds, for messages); `abandoned()` turns true when the
    pair's start failed elsewhere, and the wait for it ends then."""

    network: Any
    labels: dict[str, str]
    limit: float
    deadline: float
    abandoned: Callable[[], bool]


# -> (the started container, its URL)
StartRunner = Callable[[RunnerStart], tuple[Any, str]]


@dataclass
class PairedEngine:
    """The local stack and the container that runs the state machines, on `network`."""

    name: str
    image: str  # the image of the container that runs the state machines
    local_stack: ContainerEngine
    stepfunctions_url: str
    container: Any
    network: Any
    ready_seconds: float

    @property
    def stack_image(self) -> str:
        return self.local_stack.image

    @property
    def endpoint_url(self) -> str:
        return self.local_stack.endpoint_url

    def target(self) -> Target:
        return self._target

    @functools.cached_property
    def _target(self) -> Target:
        return Target(
            endpoint_url=self.local_stack.endpoint_url,
            stepfunctions_endpoint_url=self.stepfunctions_url,
        )

    def stop(self) -> None:
        with ThreadPoolExecutor(1, thread_name_prefix=f"stop-{self.name}") as pool:
            pool.submit(remove_container, self.container)  # never raises
            self.local_stack.stop()
        # already gone: nothing left to clean
        with contextlib.suppress(Exception):
            self.network.remove()


@dataclass(frozen=True)
class StartedPair:
    local_stack: ContainerEngine
    container: Any
    url: str
    network: Any
    seconds: float


def start_pair(
    kind: str,
    stack_image: str,
    start_runner: StartRunner,
    *,
    host_port: int | None,
    deadline: float,
    stack_env: dict[str, str] | None = None,
    stack_volumes: dict[str, str] | None = None,
    stack_command: str | None = None,
) -> StartedPair:
    """A Docker network, the local stack on it (alias LOCAL_STACK_ALIAS), then the state
    machines' container (`start_runner`), all within one `deadline`; whatever was started is
    removed again when a step fails."""
    from testcontainers.core.network import Network

    started = time.monotonic()
    limit = started + deadline
    labels = engine_labels(kind)
    try:
        network = Network(docker_network_kw={"labels": labels}).create()
    except Exception as exc:  # docker's own error, e.g. no free address pool
        raise EngineError(f"could not create a Docker network for {kind}: {exc}") from None
    try:
        # The state machines' container starts while the local stack boots: neither needs the
        # other before a flow runs. The pool's exit waits for the runner (bounded by `limit`).
        abandoned = threading.Event()
        with ThreadPoolExecutor(1, thread_name_prefix=f"start-{kind}") as pool:
            start = RunnerStart(network, labels, limit, deadline, abandoned.is_set)
            runner = pool.submit(start_runner, start)
            try:
                stack = start_local_stack(
                    stack_image,
                    env=stack_env,
                    volumes=stack_volumes,
                    command=stack_command,
                    host_port=host_port,
                    network=network,
                    alias=LOCAL_STACK_ALIAS,
                    deadline=deadline,
                )
            except BaseException:
                abandoned.set()
                _discard(runner)
                raise
            try:
                container, url = runner.result()
            except BaseException:
                abandoned.set()
                _discard(runner)  # interrupted while waiting: it may still have started
                stack.stop()
                raise
    except BaseException:
        # the error that matters is the one being raised; a network left over is removed
        # by the next session's clean-up
        with contextlib.suppress(Exception):
            network.remove()
        raise
    return StartedPair(stack, container, url, network, time.monotonic() - started)


def _discard(runner: Future[tuple[Any, str]]) -> None:
    """Wait for the runner's start to end; remove its container if it started (one that
    failed removed its own)."""
    try:
        container, _ = runner.result()
    except BaseException:
        return
    remove_container(container)


def health_answers(
    start: RunnerStart, kind: str, path: str = "/", poll: float = 0.02
) -> Callable[[Any, str], None]:
    """The wait of start_runner_container for a container whose `path` answers 200 when it
    is ready (engines.wait_until_ready within the start's limit, ended by its abandonment)."""

    def wait(container: Any, url: str) -> None:
        wait_until_ready(
            url,
            container,
            start.limit,
            start.deadline,
            kind=kind,
            health_path=path,
            poll=poll,
            abandoned=start.abandoned,
        )

    return wait


def start_runner_container(
    container: Any,
    port: int,
    what: str,
    start: RunnerStart,
    wait_ready: Callable[[Any, str], None],
) -> tuple[Any, str]:
    """Start the configured testcontainers `container`, find where Docker publishes `port`,
    then `wait_ready(container, url)`; the container is removed again when any step fails."""
    start_container(container, what, None)
    try:
        url = published_endpoint(container, port, what, start.limit)
        wait_ready(container, url)
    except BaseException:
        remove_container(container)
        raise
    return container, url


def create_workflows(
    client: Any,
    build_dir: Path,
    stack: str,
    outputs: dict[str, str],
    function_arns: Mapping[str, str],
    engine: str,
    hint: str = "",
) -> dict[str, str]:
    """Create each workflow of the build through `client` (a Step Functions client) ->
    `outputs` with each `<Workflow>StateMachineArn` naming the state machine created.
    A definition the engine refuses is an EngineError: `engine` refused it, its answer, then
    `hint`."""
    from sfn_flows.deploy.naming import state_machine_output
    from sfn_flows.deploy.template import state_machine_name

    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    published = dict(outputs)
    for entry in manifest.get("workflows", []):
        workflow = entry["name"]
        text = (build_dir / entry["definition"]).read_text(encoding="utf-8")
        published[state_machine_output(workflow)] = create_state_machine(
            client,
            state_machine_name(stack, workflow),
            substitute(workflow, text, function_arns),
            entry.get("type", "STANDARD"),
            f"{engine} refused state machine",
            hint,
        )
    return published


def create_state_machine(
    client: Any, name: str, definition: str, workflow_type: str, refused: str, hint: str = ""
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
        raise EngineError(f"{refused} {name!r}: {exc}{hint}") from None
    return str(answer["stateMachineArn"])


def substitute(workflow: str, text: str, function_arns: Mapping[str, str]) -> str:
    """`${<Name>FunctionArn}` placeholders -> the deployed ARNs; the result stays JSON."""
    missing = sorted(set(_PLACEHOLDER.findall(text)) - set(function_arns))
    if missing:
        raise EngineError(f"workflow {workflow!r} refers to {missing}, which were not deployed")
    result = _PLACEHOLDER.sub(lambda match: function_arns[match.group(1)], text)
    json.loads(result)
    return result


def deployed_functions(target: Target, stack: str) -> dict[str, dict[str, Any]]:
    """`<Name>FunctionArn` -> the configuration (GetFunction's) of the Lambda deployed for it
    in `stack`."""
    cfn = target.client("cloudformation")
    lam = target.client("lambda")
    functions: dict[str, dict[str, Any]] = {}
    for resource in cfn.describe_stack_resources(StackName=stack)["StackResources"]:
        if resource["ResourceType"] == "AWS::Lambda::Function":
            function = lam.get_function(FunctionName=resource["PhysicalResourceId"])
            functions[f"{resource['LogicalResourceId']}Arn"] = function["Configuration"]
    return functions


def deployed_function_arns(target: Target, stack: str) -> dict[str, str]:
    """`<Name>FunctionArn` -> the ARN of the Lambda deployed for it in `stack`."""
    return {
        key: str(configuration["FunctionArn"])
        for key, configuration in deployed_functions(target, stack).items()
    }
