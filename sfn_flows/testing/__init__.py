"""Test your flows for real: a pytest plugin (entry point `pytest11`) that runs an engine in
a container, deploys the project into it and runs flows.

Fixtures: `sfn_engine` (session: the running engine, `--sfn-engine local-stack` or
`stepfunctions-local`), `sfn_deployed` (session: the project built and deployed into it),
`run_flow` (start a workflow and wait for its result), `sfn_mocked` (an engine started with a
`MockConfig`), `sfn_time_scale` (Wait seconds and retry intervals multiplied at deploy).
`simulate` runs a workflow in the test's process instead, on the engine's virtual clock.
"""

from sfn_flows.testing.engines import ContainerEngine, Engine, EngineError
from sfn_flows.testing.flows import FlowResult
from sfn_flows.testing.mocks import MockConfig, MockConfigError, Return, Throw
from sfn_flows.testing.simulation import simulate

__all__ = [
    "ContainerEngine",
    "Engine",
    "EngineError",
    "FlowResult",
    "MockConfig",
    "MockConfigError",
    "Return",
    "Throw",
    "simulate",
]
