"""What the starter and status Lambdas are configured with, read once per container.

- SFN_FLOWS_STATE_MACHINES (STATE_MACHINES_ENV): JSON object workflow -> state machine
  ARN. The only workflows the API starts or reports on.
- sfn_flows_api.json (API_CONFIG_FILE) at the root of the Lambda package:
  {"workflows": {"<workflow>": {"input_schema": <JSON Schema or null>}}}, plus
  "intake": "sqs" for a workflow whose requests go through its SQS queue (intake.py), and the
  wait window (prefer.py): "wait_seconds" (the workflow's default wait, null for none) and
  "sync" (true: an EXPRESS workflow whose budget fits the wait cap, started with
  StartSyncExecution). Tests (or anyone) may point SFN_FLOWS_API_CONFIG at another file.

The parsed configuration is cached under the environment value and the file path, so a
warm container reads nothing, while a test that changes either gets a fresh read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from sfn_flows.runtime.names import StateMachineArn, parse_state_machine_arn
from sfn_flows.runtime.wait_window import MAX_WAIT_SECONDS

# The two names are the runtime's side of its contract with deploy, which writes what the
# runtime reads: they live here, so the Lambda package needs nothing of deploy
# (sfn_flows.deploy.naming re-exports them).
STATE_MACHINES_ENV = "SFN_FLOWS_STATE_MACHINES"
API_CONFIG_FILE = "sfn_flows_api.json"
API_CONFIG_ENV = "SFN_FLOWS_API_CONFIG"
# In the Lambda package the file sits at the root, beside the sfn_flows/ folder. (os.path, not
# pathlib: one import less at cold start.)
DEFAULT_API_CONFIG = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), API_CONFIG_FILE
)


class ConfigError(Exception):
    """The starter/status Lambda was deployed with a missing or malformed configuration.

    Not an SfnFlowsError: sfn_flows/errors.py is not part of the Lambda package, and this
    error is answered as a 500 by the handlers, never shown by the CLI.
    """


class WorkflowTarget(NamedTuple):
    name: str
    state_machine: StateMachineArn
    input_schema: Mapping[str, Any] | bool | None
    intake: str = "direct"  # or "sqs": POST queues the request (intake.py)
    wait_seconds: int | None = None  # the default wait window when a request names none
    synchronous: bool = False  # started with StartSyncExecution, answered 200 (starter.py)


class ApiConfig(NamedTuple):
    workflows: Mapping[str, WorkflowTarget]

    def by_state_machine(self, partition: str, region: str, account: str, name: str) -> str | None:
        """The workflow whose state machine has this partition, region, account and name."""
        for workflow in self.workflows.values():
            arn = workflow.state_machine
            if (arn.partition, arn.region, arn.account, arn.name) == (
                partition,
                region,
                account,
                name,
            ):
                return workflow.name
        return None


ConfigLoader = Callable[[], ApiConfig]
_cache: dict[tuple[str | None, str], ApiConfig] = {}


def api_config_path() -> str:
    return os.environ.get(API_CONFIG_ENV) or DEFAULT_API_CONFIG


def load_api_config() -> ApiConfig:
    env_value = os.environ.get(STATE_MACHINES_ENV)
    path = api_config_path()
    key = (env_value, path)
    config = _cache.get(key)
    if config is None:
        config = _cache[key] = _read(env_value, path)
    return config


def clear_config_cache() -> None:
    _cache.clear()


def _read(env_value: str | None, path: str) -> ApiConfig:
    machines = _state_machines(env_value)
    schemas, intakes, waits = _schemas(path)
    missing = sorted(set(machines) - set(schemas))
    if missing:
        raise ConfigError(
            f"{path} has no entry for workflow(s) {', '.join(missing)} named in "
            f"{STATE_MACHINES_ENV}; package the Lambda from the same build as the stack."
        )
    return ApiConfig(
        {
            name: WorkflowTarget(
                name, arn, schemas[name], intakes.get(name, "direct"), *waits[name]
            )
            for name, arn in machines.items()
        }
    )


def _state_machines(env_value: str | None) -> dict[str, StateMachineArn]:
    if not env_value:
        raise ConfigError(
            f"{STATE_MACHINES_ENV} is not set; set it to a JSON object of workflow name -> "
            "state machine ARN (the stack's template does)."
        )
    try:
        raw = json.loads(env_value)
    except ValueError as exc:
        raise ConfigError(f"{STATE_MACHINES_ENV} is not JSON ({exc}).") from None
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(
            f"{STATE_MACHINES_ENV} must be a non-empty JSON object of workflow name -> ARN."
        )
    machines: dict[str, StateMachineArn] = {}
    for name, value in raw.items():
        arn = parse_state_machine_arn(value) if isinstance(value, str) else None
        if arn is None:
            raise ConfigError(
                f"{STATE_MACHINES_ENV}: workflow {name!r} maps to {value!r}, which is not a "
                "state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)."
            )
        machines[name] = arn
    return machines


def _schemas(
    path: str,
) -> tuple[
    dict[str, Mapping[str, Any] | bool | None], dict[str, str], dict[str, tuple[int | None, bool]]
]:
    """Each workflow's input schema, the intake of those that declare one, and each one's
    wait window (default wait, whether it is started synchronously)."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"{path} is missing; the Lambda package needs {API_CONFIG_FILE} at its root "
            f"(or set {API_CONFIG_ENV})."
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    workflows = document.get("workflows") if isinstance(document, dict) else None
    if not isinstance(workflows, dict):
        raise ConfigError(f'{path} must be {{"workflows": {{"<name>": {{"input_schema": ...}}}}}}')
    schemas: dict[str, Mapping[str, Any] | bool | None] = {}
    intakes: dict[str, str] = {}
    waits: dict[str, tuple[int | None, bool]] = {}
    for name, entry in workflows.items():
        schema = entry.get("input_schema") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not (schema is None or isinstance(schema, dict | bool)):
            raise ConfigError(
                f'{path}: workflow {name!r} needs {{"input_schema": <JSON Schema or null>}}.'
            )
        schemas[name] = schema
        intake = entry.get("intake", "direct")
        if intake not in ("direct", "sqs"):
            raise ConfigError(
                f'{path}: workflow {name!r} has intake {intake!r}, which is neither "direct" '
                'nor "sqs"; package the Lambda from the same build as the stack.'
            )
        intakes[name] = intake
        waits[name] = _wait_window(path, name, entry)
    return schemas, intakes, waits


def _wait_window(path: str, name: str, entry: Mapping[str, Any]) -> tuple[int | None, bool]:
    """(wait_seconds, sync) of a workflow's entry; both absent in packages built before them."""
    wait = entry.get("wait_seconds")
    sync = entry.get("sync", False)
    wait_ok = wait is None or (
        isinstance(wait, int) and not isinstance(wait, bool) and 0 <= wait <= MAX_WAIT_SECONDS
    )
    if not wait_ok or not isinstance(sync, bool):
        raise ConfigError(
            f'{path}: workflow {name!r} needs "wait_seconds" null or 0 to {MAX_WAIT_SECONDS} '
            f'and "sync" true or false (has {wait!r} and {sync!r}); package the Lambda from '
            "the same build as the stack."
        )
    return wait, sync
