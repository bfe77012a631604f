"""What answers the Tasks of each execution the server starts: `TaskSetups.setup(...)` gives the
keyword arguments of `sfn_flows.engine.Engine` for it.

In the engine's order: the mocked states of the test case (SFN_MOCK_CONFIG, for
`<stateMachineArn>#<TestCase>`), then the project's functions the server runs itself
(SFN_FLOWS_LAMBDAS_DIR with RegisterFunctions or SFN_FLOWS_FUNCTIONS), then the real services
(fallback.py: LAMBDA_ENDPOINT, the local stack at SFN_FLOWS_AWS_ENDPOINT).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sfn_flows.engine.tasks import Fallback, LambdaFunctions, MockedTasks
from sfn_flows.server.config import ServerConfig
from sfn_flows.server.tasks.clients import Clients
from sfn_flows.server.tasks.fallback import ServiceFallback
from sfn_flows.server.tasks.functions import ProjectFunctions
from sfn_flows.server.tasks.mock_configs import MockConfigs, state_machine_name

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState


@dataclass(frozen=True)
class TaskSetup:
    """Keyword arguments for Engine: `Engine(definition, **setup.engine_arguments())`."""

    tasks: Mapping[str, Any] | None
    mocks: MockedTasks | None
    lambdas: LambdaFunctions | None
    lambdas_dir: Path | None
    fallback: Fallback

    def engine_arguments(self) -> dict[str, Any]:
        return asdict_shallow(self)


def asdict_shallow(setup: TaskSetup) -> dict[str, Any]:
    """The fields as they are (dataclasses.asdict would copy the objects they hold)."""
    return {name: getattr(setup, name) for name in TaskSetup.__dataclass_fields__}


class TaskSetups:
    """The server's Task answers: the mock config (read at start), the registered functions
    and the services' clients, shared by every execution."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.mock_configs = MockConfigs(config.mock_config)  # ConfigError when it is wrong
        self.functions = ProjectFunctions(
            config.lambdas_dir,
            region=config.region,
            account=config.account,
            aws_endpoint=config.aws_endpoint,
        )
        self.fallback = ServiceFallback(config, Clients(config.region))

    def attach_server(self, state: ServerState) -> None:
        """states:startExecution Tasks start their child executions in this server."""
        from sfn_flows.server.tasks.nested import NestedExecutions

        self.fallback.nested_execution = NestedExecutions(state, self.config.virtual_time)

    def setup(self, state_machine_arn: str, test_case: str | None) -> TaskSetup:
        """What answers the Tasks of an execution of `state_machine_arn`, started for
        `test_case` (the `#<TestCase>` of StartExecution's ARN) or without one."""
        mocks = None
        fallback: Fallback = self.fallback
        if test_case is not None:
            name = state_machine_name(state_machine_arn)
            mocks = self.mock_configs.test_case(name, test_case)
            if mocks is None:
                fallback = self.mock_configs.missing(name, test_case)
        return TaskSetup(
            tasks=None,
            mocks=mocks,
            lambdas=self.functions.lambdas() if fallback is self.fallback else None,
            lambdas_dir=self.config.lambdas_dir,
            fallback=fallback,
        )

    def register_functions(self, functions: Any) -> dict[str, Any]:
        """SfnFlows.RegisterFunctions (and SFN_FLOWS_FUNCTIONS at start): the project's
        functions the server runs itself. Raises FunctionSpecError naming what is wrong."""
        return {"registered": self.functions.register(functions)}
