"""Mocked Task responses for flow tests, in Step Functions Local's mock-config format.

The engine reads the document (env `SFN_MOCK_CONFIG`, a JSON file path) when it starts; an
execution uses a test case when it is started on `<stateMachineArn>#<test case>`.

    mocks = (
        MockConfig()
        .response("Processed", {"0": Return({"Payload": {"job_id": "j1", "processed": 1}})})
        .response("Broken", {"0": Throw("Worker.Crashed", "disk full")})
        .test_case("long-running-job", "HappyPath", {"ProcessData": "Processed"})
    )
    mocks.validate(build_dir)          # or {workflow name: ASL definition}
    document = mocks.to_json("my-stack")

A Return replaces the result of the Task's integration (for a Lambda invoke, the whole
`{"Payload": ...}` object), before ResultSelector, ResultPath and OutputPath apply. The
attempt keys count the times the state is entered ("0", "1", a range "1-3").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn_flows.asl.scopes import iter_states
from sfn_flows.engine.tasks.mock_config import first_overlap, invocation_span
from sfn_flows.errors import SfnFlowsError


class MockConfigError(SfnFlowsError):
    """A mock config names something the built workflows do not have, or is malformed."""


@dataclass(frozen=True)
class Return:
    """The Task's integration answers `value`."""

    value: Any

    def as_dict(self) -> dict[str, Any]:
        return {"Return": self.value}


@dataclass(frozen=True)
class Throw:
    """The Task fails with `error` and `cause` (Retry and Catch see it as a real failure)."""

    error: str
    cause: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"Throw": {"Error": self.error, "Cause": self.cause}}


Answer = Return | Throw


class MockConfig:
    """Builder of an SFN_MOCK_CONFIG document; workflows are named as in the project."""

    def __init__(self) -> None:
        self._cases: dict[str, dict[str, dict[str, str]]] = {}
        self._responses: dict[str, dict[str, Answer]] = {}

    def test_case(self, workflow: str, name: str, states: Mapping[str, str]) -> MockConfig:
        """Test case `name` of `workflow`: each state mocked with the named response."""
        if not name or "#" in name:
            raise MockConfigError(
                f"test case name {name!r} of workflow {workflow!r} is empty or holds '#'; "
                "use a name like 'HappyPath' (it is appended to the ARN after '#')."
            )
        self._cases.setdefault(workflow, {})[name] = dict(states)
        return self

    def response(self, name: str, attempts: Mapping[str, Answer]) -> MockConfig:
        """Response `name`: attempt key ("0", "1-2") -> Return(...) or Throw(...)."""
        for key, answer in attempts.items():
            if not isinstance(answer, (Return, Throw)):
                raise MockConfigError(
                    f"response {name!r}, attempt {key!r}: {answer!r} is neither Return(...) "
                    "nor Throw(...); wrap the value, e.g. Return({'Payload': {...}})."
                )
        self._responses[name] = dict(attempts)
        return self

    def workflows(self) -> list[str]:
        return sorted(self._cases)

    def test_cases(self, workflow: str) -> list[str]:
        return sorted(self._cases.get(workflow, {}))

    def validate(self, built: Path | Mapping[str, Any]) -> None:
        """Check every name against the built workflows: a build folder (manifest.json and
        <workflow>.asl.json) or {workflow name: ASL definition (dict or JSON text)}."""
        definitions = _definitions(built)
        for key_name, attempts in self._responses.items():
            _check_attempt_keys(key_name, attempts)
        for workflow, cases in self._cases.items():
            if workflow not in definitions:
                raise MockConfigError(
                    f"mock test cases name workflow {workflow!r}, which the build does not "
                    f"have; use one of: {', '.join(sorted(definitions)) or '(none)'}."
                )
            # The engine looks mocks up by the state's own name wherever it sits (Parallel
            # branches, Map processors included).
            states = {s.name: s.value for s in iter_states(definitions[workflow])}
            for case, mapping in cases.items():
                for state, response in mapping.items():
                    where = f"workflow {workflow!r}, test case {case!r}"
                    if state not in states:
                        raise MockConfigError(
                            f"{where}: no state {state!r}; the workflow's states are "
                            f"{', '.join(sorted(states))}."
                        )
                    if states[state].get("Type") != "Task":
                        kind = states[state].get("Type")
                        tasks = sorted(n for n, d in states.items() if d.get("Type") == "Task")
                        raise MockConfigError(
                            f"{where}: state {state!r} is a {kind} state, and only Task "
                            f"states can be mocked; mock one of {', '.join(tasks)}."
                        )
                    if response not in self._responses:
                        raise MockConfigError(
                            f"{where}: state {state!r} uses response {response!r}, which is "
                            f"not defined; add .response({response!r}, {{'0': Return(...)}}) "
                            f"(defined: {', '.join(sorted(self._responses)) or 'none'})."
                        )

    def to_document(self, stack: str) -> dict[str, Any]:
        """The SFN_MOCK_CONFIG document for the state machines of `stack`."""
        from sfn_flows.deploy.template import state_machine_name

        for key_name, attempts in self._responses.items():
            _check_attempt_keys(key_name, attempts)
        return {
            "StateMachines": {
                state_machine_name(stack, workflow): {"TestCases": cases}
                for workflow, cases in sorted(self._cases.items())
            },
            "MockedResponses": {
                name: {key: answer.as_dict() for key, answer in attempts.items()}
                for name, attempts in sorted(self._responses.items())
            },
        }

    def to_json(self, stack: str) -> str:
        return json.dumps(self.to_document(stack), indent=2, sort_keys=True) + "\n"


def _check_attempt_keys(name: str, attempts: Mapping[str, Answer]) -> None:
    if not attempts:
        raise MockConfigError(
            f"response {name!r} has no attempts; give at least {{'0': Return(...)}}."
        )
    spans: list[tuple[int, int, str]] = []
    for key in attempts:
        span = invocation_span(key)
        if span is None:
            raise MockConfigError(
                f"response {name!r}: attempt key {key!r} is not a number or a range; "
                "use '0', '1' or '1-3' (attempts count from 0)."
            )
        lo, hi = span
        if lo > hi:
            raise MockConfigError(
                f"response {name!r}: range {key!r} ends before it starts; write '{hi}-{lo}'."
            )
        spans.append((lo, hi, key))
    spans.sort()
    clash = first_overlap([(lo, hi) for lo, hi, _ in spans])
    if clash is not None:
        raise MockConfigError(
            f"response {name!r}: attempt keys {spans[clash - 1][2]!r} and {spans[clash][2]!r} "
            "overlap; each attempt may have one answer, so make the ranges disjoint."
        )


def _definitions(built: Path | Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    if isinstance(built, Path):
        from sfn_flows.deploy.build_files import read_build

        build = read_build(built)
        raw: Mapping[str, Any] = build.definitions
    else:
        raw = built
    return {
        name: json.loads(value) if isinstance(value, str) else dict(value)
        for name, value in raw.items()
    }
