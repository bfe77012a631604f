"""Test your flows for real: a pytest plugin (entry point `pytest11`) that runs the local
stack in a container, deploys the project into it and runs flows.

Fixtures: `sfn_engine` (session: the running engine), `sfn_deployed` (session: the project
built and deployed into it), `run_flow` (start a workflow and wait for its result).
"""

from sfn_flows.testing.engines import ContainerEngine, EngineError
from sfn_flows.testing.flows import FlowResult

__all__ = ["ContainerEngine", "EngineError", "FlowResult"]
