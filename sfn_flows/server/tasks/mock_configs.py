"""SFN_MOCK_CONFIG: Step Functions Local's mock configuration, read and checked once at start.

Its "StateMachines" are keyed by state machine *name*; StartExecution on
`<stateMachineArn>#<TestCase>` runs that test case of the machine the ARN names, its mocked
states answered by their responses (engine/tasks/mock_config.py), every other Task as without
mocks. A test case the file does not have for the machine fails the execution's first Task with
States.Runtime naming the test cases it has: the execution starts as the caller asked, and the
mistake shows in it (no state is answered by a mock the test did not mean).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.tasks import MockedTasks, TaskAnswer, TaskCall
from sfn_flows.server.config import ConfigError


class MockConfigs:
    """The mock config's test cases, by state machine name and test case name."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._cases: dict[tuple[str, str], MockedTasks] = {}
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        where = f"SFN_MOCK_CONFIG ({path})"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ConfigError(f"{where} cannot be read as JSON: {error}") from None
        machines = document.get("StateMachines") if isinstance(document, Mapping) else None
        if not isinstance(machines, Mapping):
            raise ConfigError(
                f'{where} must be an object with "StateMachines" and "MockedResponses", as '
                "Step Functions Local reads it."
            )
        for machine, spec in machines.items():
            cases = spec.get("TestCases") if isinstance(spec, Mapping) else None
            if not isinstance(cases, Mapping):
                raise ConfigError(
                    f'{where}: state machine {machine!r} needs "TestCases": '
                    '{"<case>": {"<state>": "<response>"}}.'
                )
            for case in cases:
                try:
                    mocked = MockedTasks.from_document(
                        document, test_case=str(case), state_machine=str(machine)
                    )
                except EngineUsageError as error:
                    raise ConfigError(f"{where}: {error}") from None
                self._cases[(str(machine), str(case))] = mocked

    def test_case(self, state_machine_name: str, test_case: str) -> MockedTasks | None:
        return self._cases.get((state_machine_name, test_case))

    def missing(self, state_machine_name: str, test_case: str) -> MissingTestCase:
        known = sorted(case for machine, case in self._cases if machine == state_machine_name)
        if self.path is None:
            problem = "the engine server has no mock config (set SFN_MOCK_CONFIG to one)"
        elif known:
            problem = (
                f"the mock config {self.path} has no test case {test_case!r} for state machine "
                f"{state_machine_name!r} (it has: {', '.join(known)})"
            )
        else:
            problem = (
                f"the mock config {self.path} has no state machine {state_machine_name!r} "
                "(its StateMachines are keyed by state machine name)"
            )
        return MissingTestCase(
            f"the execution was started for test case {test_case!r}, but {problem}."
        )


class MissingTestCase:
    """The fallback of an execution started for a test case that does not exist."""

    def __init__(self, cause: str) -> None:
        self.cause = cause

    def __call__(self, call: TaskCall) -> TaskAnswer:
        raise StatesError("States.Runtime", self.cause)


def state_machine_name(state_machine_arn: str) -> str:
    """The name in `arn:aws:states:<region>:<account>:stateMachine:<name>[:<version|alias>]`."""
    parts = state_machine_arn.split(":")
    return parts[6] if len(parts) > 6 else state_machine_arn
