"""Test your flows for real: a pytest plugin (entry point `pytest11`) that runs an engine in
a container, deploys the project into it and runs flows.

Fixtures: `sfn_engine` (session: the running engine, `--sfn-engine local-stack` or
`stepfunctions-local`), `sfn_deployed` (session: the project built and deployed into it),
`run_flow` (start a workflow and wait for its result), `sfn_mocked` (an engine started with a
`MockConfig`), `sfn_time_scale` (Wait seconds and retry intervals multiplied at deploy).
`simulate` runs a workflow in the test's process instead, on the engine's virtual clock, and
the `simulate_flow` fixture runs the project's own workflows there (`ProjectFlows`).

The names below load on first use (PEP 562): the plugin is imported in every pytest session,
and this package with it, so importing it must not load the AWS client or Docker code.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ContainerEngine": "sfn_flows.testing.engines",
    "Engine": "sfn_flows.testing.engines",
    "EngineError": "sfn_flows.testing.engines",
    # The in-process engine's class, which the container fixtures return too.
    "FlowResult": "sfn_flows.engine.result",
    "MockConfig": "sfn_flows.testing.mocks",
    "MockConfigError": "sfn_flows.testing.mocks",
    "ProjectFlows": "sfn_flows.testing.project_flows",
    "ProjectFlowsError": "sfn_flows.testing.project_flows",
    "Return": "sfn_flows.testing.mocks",
    "Throw": "sfn_flows.testing.mocks",
    "load_project": "sfn_flows.testing.project_flows",
    "simulate": "sfn_flows.testing.simulation",
}

__all__ = [
    "ContainerEngine",
    "Engine",
    "EngineError",
    "FlowResult",
    "MockConfig",
    "MockConfigError",
    "ProjectFlows",
    "ProjectFlowsError",
    "Return",
    "Throw",
    "load_project",
    "simulate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sfn_flows.testing' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from sfn_flows.engine.result import FlowResult
    from sfn_flows.testing.engines import ContainerEngine, Engine, EngineError
    from sfn_flows.testing.mocks import MockConfig, MockConfigError, Return, Throw
    from sfn_flows.testing.project_flows import ProjectFlows, ProjectFlowsError, load_project
    from sfn_flows.testing.simulation import simulate
