"""Mocked Task answers in AWS Step Functions Local's mock-config format.

    {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": ...},
                                        "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}

A response answers the state's invocations in order: "0" is the first, a range "1-2" covers
the second and third. As in Step Functions Local, every invocation counts: a retry is the
next invocation, and so is entering the state again (a loop, another Map iteration). A
Return is the integration's whole result (for `lambda:invoke`, the object holding
`Payload`); a Throw fails the attempt with its Error and Cause, which Retry and Catch see.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.tasks.calls import TaskAnswer

_INVOCATIONS: Final = re.compile(r"(0|[1-9][0-9]*)(?:-(0|[1-9][0-9]*))?")


@dataclass(frozen=True, slots=True)
class _Span:
    first: int
    last: int
    answer: Mapping[str, Any]  # {"Return": value} or {"Throw": {"Error", "Cause"}}


@dataclass(frozen=True, slots=True)
class _Response:
    name: str
    spans: tuple[_Span, ...]


class MockedTasks:
    """The mocked states of one test case: state name -> the response that answers it."""

    def __init__(self, responses: Mapping[str, _Response], *, test_case: str) -> None:
        self._responses = dict(responses)
        self.test_case = test_case

    @classmethod
    def from_document(
        cls, document: Any, *, test_case: str, state_machine: str | None = None
    ) -> MockedTasks:
        """The test case `test_case` of `state_machine` (which may be left out when one state
        machine of the document has that test case)."""
        if not isinstance(document, Mapping):
            raise EngineUsageError(
                "the mock config must be a JSON object with StateMachines and MockedResponses "
                f"(Step Functions Local's format), not {type(document).__name__}."
            )
        machines = document.get("StateMachines")
        responses = document.get("MockedResponses")
        if not isinstance(machines, Mapping) or not isinstance(responses, Mapping):
            raise EngineUsageError(
                "the mock config needs the objects StateMachines and MockedResponses: "
                '{"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<state>": '
                '"<response>"}}}}, "MockedResponses": {"<response>": {"0": {"Return": ...}}}}.'
            )
        cases = _test_case(machines, test_case, state_machine)
        parsed: dict[str, _Response] = {}
        for state, response in cases.items():
            if not isinstance(response, str) or response not in responses:
                known = ", ".join(sorted(map(str, responses))) or "none"
                raise EngineUsageError(
                    f"mock test case {test_case!r}: state {state!r} uses response "
                    f"{response!r}, which MockedResponses does not define (defined: {known})."
                )
            parsed[state] = _response(response, responses[response])
        return cls(parsed, test_case=test_case)

    def mocks(self, state_name: str) -> bool:
        return state_name in self._responses

    def answer(self, state_name: str, invocation: int) -> TaskAnswer:
        """The answer to the state's invocation number `invocation` (0 = first)."""
        response = self._responses[state_name]
        span = next((s for s in response.spans if s.first <= invocation <= s.last), None)
        if span is None:
            covered = ", ".join(
                str(s.first) if s.first == s.last else f"{s.first}-{s.last}" for s in response.spans
            )
            raise EngineUsageError(
                f"state {state_name!r} was invoked {invocation + 1} times, and mocked response "
                f"{response.name!r} of test case {self.test_case!r} answers invocations "
                f'{covered} only: add "{invocation}" (or a range) to it. Every invocation '
                "counts, retries and re-entries included."
            )
        if "Return" in span.answer:
            return TaskAnswer(span.answer["Return"])
        throw = span.answer["Throw"]
        raise StatesError(throw["Error"], throw.get("Cause"))


def _test_case(
    machines: Mapping[str, Any], test_case: str, state_machine: str | None
) -> Mapping[str, Any]:
    def cases_of(name: str) -> Mapping[str, Any]:
        machine = machines[name]
        cases = machine.get("TestCases") if isinstance(machine, Mapping) else None
        if not isinstance(cases, Mapping):
            raise EngineUsageError(
                f"mock config: state machine {name!r} needs a TestCases object "
                '({"TestCases": {"<case>": {"<state>": "<response>"}}}).'
            )
        return cases

    if state_machine is not None:
        if state_machine not in machines:
            known = ", ".join(sorted(map(str, machines))) or "none"
            raise EngineUsageError(
                f"the mock config has no state machine {state_machine!r} (it has: {known})."
            )
        candidates = [state_machine]
    else:
        candidates = [name for name in machines if test_case in cases_of(name)]
        if len(candidates) > 1:
            raise EngineUsageError(
                f"mock test case {test_case!r} exists for several state machines "
                f"({', '.join(sorted(candidates))}); name the one to use."
            )
    cases = cases_of(candidates[0]) if candidates else {}
    if test_case not in cases:
        where = f"state machine {candidates[0]!r}" if candidates else "any state machine"
        raise EngineUsageError(
            f"the mock config has no test case {test_case!r} for {where}; "
            f"its test cases: {', '.join(sorted(map(str, cases))) or 'none'}."
        )
    mapping = cases[test_case]
    if not isinstance(mapping, Mapping):
        raise EngineUsageError(
            f"mock test case {test_case!r} must map state names to response names."
        )
    return mapping


def _response(name: str, attempts: Any) -> _Response:
    if not isinstance(attempts, Mapping) or not attempts:
        raise EngineUsageError(
            f"mocked response {name!r} must map invocation numbers to answers, e.g. "
            '{"0": {"Return": {...}}, "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}.'
        )
    spans: list[_Span] = []
    for key, answer in attempts.items():
        span = invocation_span(key)
        if span is None:
            raise EngineUsageError(
                f"mocked response {name!r}: {key!r} is not an invocation number or range; "
                'write "0", "1" or "1-3" (invocations count from 0).'
            )
        first, last = span
        if last < first:
            raise EngineUsageError(
                f"mocked response {name!r}: the range {key!r} ends before it starts; "
                f'write "{last}-{first}".'
            )
        spans.append(_Span(first, last, _answer(name, key, answer)))
    spans.sort(key=lambda span: span.first)
    clash = first_overlap([(span.first, span.last) for span in spans])
    if clash is not None:
        raise EngineUsageError(
            f"mocked response {name!r}: invocation {spans[clash].first} has two answers; make "
            "the numbers and ranges disjoint."
        )
    return _Response(name, tuple(spans))


def invocation_span(key: object) -> tuple[int, int] | None:
    """The first and last invocation a key of a mocked response answers: "2" is (2, 2),
    "1-3" is (1, 3), and "3-1" is (3, 1), for the caller to refuse; None for any other key.
    (The SFN_MOCK_CONFIG builder in `sfn_flows.testing.mocks` checks its keys with this too.)"""
    match = _INVOCATIONS.fullmatch(key) if isinstance(key, str) else None
    if match is None:
        return None
    first = int(match.group(1))
    return first, int(match.group(2)) if match.group(2) is not None else first


def first_overlap(spans: Sequence[tuple[int, int]]) -> int | None:
    """The index of the first (first, last) span that shares an invocation with the span
    before it, in spans sorted by their first invocation; None when they are disjoint."""
    for index, (before, after) in enumerate(itertools.pairwise(spans), start=1):
        if after[0] <= before[1]:
            return index
    return None


def _answer(name: str, key: str, answer: Any) -> Mapping[str, Any]:
    where = f"mocked response {name!r}, invocation {key!r}"
    if (
        not isinstance(answer, Mapping)
        or len(answer) != 1
        or not ("Return" in answer or "Throw" in answer)
    ):
        raise EngineUsageError(
            f'{where}: give exactly one of {{"Return": <result>}} or '
            '{"Throw": {"Error": "...", "Cause": "..."}}.'
        )
    throw = answer.get("Throw")
    if "Throw" in answer and not (
        isinstance(throw, Mapping)
        and isinstance(throw.get("Error"), str)
        and isinstance(throw.get("Cause", ""), str)
    ):
        raise EngineUsageError(
            f'{where}: a Throw needs an "Error" string and may have a "Cause" string.'
        )
    return answer
