"""The sfn-flows engine behind the Step Functions API in a container: the `sfn-flows-local`
engine, the plugin's default. A drop-in for AWS's Step Functions Local (the same API, the same
LAMBDA_ENDPOINT, SFN_MOCK_CONFIG with `<arn>#<TestCase>`, AWS_ACCOUNT_ID and AWS_DEFAULT_REGION)
with JSONata and Variables, built here (sfn_flows.local.engine_images) since no registry is.

The project is deployed into the local stack as with every engine (Lambdas, API,
CloudFormation); the state machines run in the engine's container on the same Docker network
(alias ENGINE_ALIAS). `publish()` then:
- gives every deployed function AWS_ENDPOINT_URL_SFN pointing at the engine, so the API's
  starter and status Lambdas (and any handler calling Step Functions) reach it, as on AWS
  every Lambda reaches the one Step Functions (the local stack points its Lambdas' SDK at
  itself with AWS_ENDPOINT_URL, which the service's own variable overrides);
- registers every deployed function with the engine (SfnFlows.RegisterFunctions: handler,
  timeout, memory, environment), which runs its handler from the project's lambdas/ (mounted
  read-only) itself and reports the error type Lambda reports, where the local stack names
  every handler error Runtime.HandlerError;
- creates each workflow in the engine under the state machine's name with the local stack's
  function ARNs substituted. The engine has the local stack's account and region, so the ARNs
  are the same in both: the starter's, CloudFormation's outputs and the engine's.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn_flows.aws.target import LOCAL_CREDENTIALS, LOCAL_REGION
from sfn_flows.local.engine_images import ENGINE_PORT, build_engine_image
from sfn_flows.local.image import ministack_status_events
from sfn_flows.testing.engines import (
    MOCK_CONFIG_PATH,
    READY_DEADLINE,
    SFN_FLOWS_LOCAL,
    EngineError,
)
from sfn_flows.testing.paired_engine import (
    LOCAL_STACK_URL,
    PairedEngine,
    RunnerStart,
    create_workflows,
    deployed_functions,
    health_answers,
    start_pair,
    start_runner_container,
)

ENGINE_ALIAS = "sfn-engine"
ENGINE_URL = f"http://{ENGINE_ALIAS}:{ENGINE_PORT}"  # the engine, seen from the network
# The local stack's account (MiniStack's default, set on its container too) and region.
ACCOUNT = "000000000000"
REGION = LOCAL_REGION
LAMBDAS_PATH = "/project/lambdas"
# What the local stack gives its Lambdas, and where Step Functions is for them.
FUNCTION_ENVIRONMENT = {
    "AWS_ENDPOINT_URL": LOCAL_STACK_URL,
    "AWS_ENDPOINT_URL_SFN": ENGINE_URL,
    "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIALS["aws_access_key_id"],
    "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIALS["aws_secret_access_key"],
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}
REGISTER_TARGET = "SfnFlows.RegisterFunctions"
STACK_EVENTS_SCRIPT = Path(ministack_status_events.__file__)
STACK_EVENTS_PATH = "/opt/sfn-flows/ministack_status_events.py"
REQUEST_TIMEOUT = 60.0


@dataclass
class FlowsLocalEngine(PairedEngine):
    def publish(self, build_dir: Path, stack: str, outputs: dict[str, str]) -> dict[str, str]:
        functions = deployed_functions(self.local_stack.target(), stack)
        self.point_functions_at_engine(functions.values())
        self.register_functions(functions.values())
        arns = {key: str(config["FunctionArn"]) for key, config in functions.items()}
        client = self.target().client("stepfunctions")
        published = create_workflows(client, build_dir, stack, outputs, arns, "the engine")
        for key, arn in published.items():
            if outputs.get(key, arn) != arn:
                raise EngineError(
                    f"the engine named {key} {arn}, the local stack {outputs[key]}: their "
                    "accounts or regions differ, so the API's starter would start state "
                    "machines the engine does not have; this is a bug of sfn-flows' "
                    f"{SFN_FLOWS_LOCAL} engine, please report it"
                )
        return published

    def point_functions_at_engine(self, functions: Iterable[Mapping[str, Any]]) -> None:
        """Every deployed function's Step Functions calls go to the engine."""
        lam = self.local_stack.target().client("lambda")
        for config in functions:
            variables = {**variables_of(config), "AWS_ENDPOINT_URL_SFN": ENGINE_URL}
            lam.update_function_configuration(
                FunctionName=config["FunctionName"], Environment={"Variables": variables}
            )

    def register_functions(self, functions: Iterable[Mapping[str, Any]]) -> None:
        """The engine runs each deployed function's handler itself (SfnFlows.RegisterFunctions)."""
        document = {
            "functions": {
                config["FunctionName"]: {
                    "handler": config["Handler"],
                    "timeoutSeconds": config["Timeout"],
                    "memoryMb": config["MemorySize"],
                    "environment": {**variables_of(config), **FUNCTION_ENVIRONMENT},
                }
                for config in functions
            }
        }
        call_extension(self.stepfunctions_url, REGISTER_TARGET, document)


def variables_of(config: Mapping[str, Any]) -> dict[str, str]:
    """The environment variables of a function's configuration (GetFunction's)."""
    return dict((config.get("Environment") or {}).get("Variables") or {})


def call_extension(url: str, target: str, document: dict[str, Any]) -> dict[str, Any]:
    """One of the engine's own actions (not AWS's, so no boto3 client knows it) -> its answer;
    an EngineError with the engine's message when it refuses."""
    request = urllib.request.Request(
        url + "/",
        data=json.dumps(document).encode(),
        method="POST",
        headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"},
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as answer:
            return dict(json.loads(answer.read() or b"{}"))
    except urllib.error.HTTPError as exc:
        text = exc.read().decode(errors="replace")
        try:
            error = json.loads(text)
            reason = f"{error.get('__type')}: {error.get('message')}"
        except ValueError:
            reason = text[:500]
        raise EngineError(f"the engine refused {target} ({exc.code} {reason})") from None
    except (urllib.error.URLError, OSError) as exc:
        raise EngineError(
            f"the engine did not answer {target} at {url}: {exc}; check that Docker has free "
            "memory and CPU, then run the tests again"
        ) from None


def start_engine(
    stack_image: str,
    *,
    mock_config: Path | None = None,
    host_port: int | None = None,
    deadline: float = READY_DEADLINE,
    lambdas_dir: Path | None = None,
    status_events: bool = False,
) -> FlowsLocalEngine:
    """The local stack and the engine on one network, both ready; the engine's image is built
    first when its tag (the hash of its inputs, sfn_flows included) is missing."""
    image = build_engine_image().tag
    env = engine_environment(
        mock_config=mock_config is not None,
        lambdas=lambdas_dir is not None and lambdas_dir.is_dir(),
        status_events=status_events,
    )
    volumes = {}
    if mock_config is not None:
        volumes[str(mock_config)] = MOCK_CONFIG_PATH  # read once, at boot: mounted before
    if "SFN_FLOWS_LAMBDAS_DIR" in env:
        assert lambdas_dir is not None
        volumes[str(lambdas_dir.resolve())] = LAMBDAS_PATH

    def start_runner(start: RunnerStart) -> tuple[Any, str]:
        from testcontainers.core.container import DockerContainer

        container = (
            DockerContainer(image)
            .with_exposed_ports(ENGINE_PORT)
            .with_network(start.network)
            .with_network_aliases(ENGINE_ALIAS)
            # init: SIGTERM ends the server at once (a Python PID 1 would ignore it)
            .with_kwargs(labels=start.labels, init=True)
        )
        for key, value in env.items():
            container = container.with_env(key, value)
        for host_path, container_path in volumes.items():
            container = container.with_volume_mapping(host_path, container_path, "ro")
        return start_runner_container(
            container,
            ENGINE_PORT,
            f"the {SFN_FLOWS_LOCAL} container",
            start,
            health_answers(start, SFN_FLOWS_LOCAL),
        )

    stack_volumes, stack_command = {}, None
    if status_events:
        # The local stack lets the engine's events from source aws.states in, as AWS lets
        # its Step Functions' (sfn_flows/local/image/ministack_status_events.py).
        stack_volumes[str(STACK_EVENTS_SCRIPT)] = STACK_EVENTS_PATH
        stack_command = f"python {STACK_EVENTS_PATH}"
    pair = start_pair(
        SFN_FLOWS_LOCAL,
        stack_image,
        start_runner,
        host_port=host_port,
        deadline=deadline,
        stack_env={"MINISTACK_ACCOUNT_ID": ACCOUNT, "MINISTACK_REGION": REGION},
        stack_volumes=stack_volumes,
        stack_command=stack_command,
    )
    return FlowsLocalEngine(
        SFN_FLOWS_LOCAL,
        image,
        pair.local_stack,
        pair.url,
        pair.container,
        pair.network,
        pair.seconds,
    )


def engine_environment(*, mock_config: bool, lambdas: bool, status_events: bool) -> dict[str, str]:
    """The engine container's environment: Step Functions Local's variables and ours.

    Waits and retry intervals run in real time (no WAIT_TIME_SCALE, no virtual time): the
    plugin's time scale has already scaled them in the definitions it builds, for every
    engine alike.
    """
    env = {
        "AWS_ACCOUNT_ID": ACCOUNT,
        "AWS_DEFAULT_REGION": REGION,
        # Functions it cannot run itself, and the aws-sdk / optimised integrations and status
        # events, go to the local stack; any credentials do there.
        "LAMBDA_ENDPOINT": LOCAL_STACK_URL,
        "SFN_FLOWS_AWS_ENDPOINT": LOCAL_STACK_URL,
        "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIALS["aws_secret_access_key"],
    }
    if mock_config:
        env["SFN_MOCK_CONFIG"] = MOCK_CONFIG_PATH
    if lambdas:
        env["SFN_FLOWS_LAMBDAS_DIR"] = LAMBDAS_PATH
    if status_events:
        env["SFN_FLOWS_STATUS_EVENTS"] = "1"
    return env
