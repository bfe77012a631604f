"""The state machine as a whole: top-level fields, scopes (the machine, each Parallel branch,
each Map processor), state names, reachability and termination."""

from __future__ import annotations

from collections import deque
from typing import Any

from sfn_flows.asl.describe import describe
from sfn_flows.asl.fields import BRANCH_FIELDS, MAX_SECONDS, QUERY_LANGUAGES, TOP_LEVEL_FIELDS
from sfn_flows.asl.pointers import escape_pointer_token
from sfn_flows.asl.scopes import transitions
from sfn_flows.validate.report import Report
from sfn_flows.validate.states import StateContext, check_state
from sfn_flows.validate.targets import not_a_name, quote_fix, yaml_hint
from sfn_flows.validate.values import is_int, number_placeholder

MAX_STATE_NAME = 80


class MachineWalker:
    def __init__(self, report: Report, top_language: str) -> None:
        self.report = report
        self.top_language = top_language
        self.seen_names: dict[str, str] = {}

    def walk_scope(
        self, where: str, scope: Any, allowed: frozenset[str] = BRANCH_FIELDS, *, top: bool = False
    ) -> None:
        report = self.report
        if not isinstance(scope, dict):
            report.error(
                where,
                f"expected a state machine object with StartAt and States, not {describe(scope)}.",
                "",
                "scope",
            )
            return
        if not top:
            for key in scope:
                if key not in allowed:
                    report.error(
                        f"{where}/{escape_pointer_token(key)}",
                        f"unknown field {key!r} in a branch or processor.",
                        "allowed: StartAt, States, Comment (and ProcessorConfig in a Map).",
                        "field",
                    )
        states = scope.get("States")
        if not isinstance(states, dict) or not states:
            report.error(
                f"{where}/States",
                "States must be a non-empty object of named states.",
                "add at least one state.",
                "scope",
            )
            return
        for name in [n for n in states if not isinstance(n, str)]:  # YAML reads `1:` as a number
            report.error(
                f"{where}/States/{escape_pointer_token(name)}",
                f"state name {name!r} is not a string{yaml_hint(report, name)}.",
                quote_fix(report, name, '"Yes":') or "quote the name.",
                "name",
            )
        # A state whose name is not a string is left out: what led to it cannot be known.
        unnamed = len(states)
        states = {n: s for n, s in states.items() if isinstance(n, str)}
        unnamed -= len(states)
        names = set(states)
        start = scope.get("StartAt")
        if "StartAt" not in scope:
            report.error(where, "StartAt is missing.", 'add "StartAt": "<first state>".', "start")
        elif not isinstance(start, str):
            not_a_name(report, f"{where}/StartAt", "StartAt", start, names, "start")
        elif start not in names:
            report.error(
                f"{where}/StartAt",
                f"StartAt names {start!r}, which is not a state here.",
                f"use one of: {', '.join(sorted(names)[:12])}.",
                "start",
            )
        self._check_names(where, states)
        for name, state in states.items():
            at = f"{where}/States/{escape_pointer_token(name)}"
            language = self.top_language
            if isinstance(state, dict) and "QueryLanguage" in state:
                language = self._state_language(at, state["QueryLanguage"])
            ctx = StateContext(report, names, language == "JSONata", self.walk_scope)
            check_state(ctx, at, name, state)
        if isinstance(start, str) and start in names:
            self._check_graph(where, start, states, names_known=not unnamed)

    def _state_language(self, at: str, value: Any) -> str:
        if value not in QUERY_LANGUAGES:
            self.report.error(
                f"{at}/QueryLanguage",
                f"QueryLanguage is JSONPath or JSONata, not {describe(value)}.",
                "",
                "query-language",
            )
            return self.top_language
        if self.top_language == "JSONata" and value == "JSONPath":
            self.report.error(
                f"{at}/QueryLanguage",
                "a state cannot use JSONPath when the state machine's QueryLanguage is JSONata.",
                "set the machine to JSONPath and opt single states into JSONata instead.",
                "query-language",
            )
        return str(value)

    def _check_names(self, where: str, states: dict[str, Any]) -> None:
        for name in states:
            at = f"{where}/States/{escape_pointer_token(name)}"
            if len(name) > MAX_STATE_NAME or not name:
                self.report.error(
                    at,
                    f"state names have 1 to {MAX_STATE_NAME} characters; "
                    f"{name[:20]!r}... has {len(name)}.",
                    "shorten the name.",
                    "name",
                )
            if name in self.seen_names:
                self.report.error(
                    at,
                    f"state name {name!r} is also used at {self.seen_names[name]}; "
                    "names must be unique in the whole state machine.",
                    "rename one of them.",
                    "duplicate-name",
                )
            else:
                self.seen_names[name] = at

    def _check_graph(
        self, where: str, start: str, states: dict[str, Any], *, names_known: bool
    ) -> None:
        reached = {start}
        queue = deque([start])
        terminal = False
        dangling = False
        # A target that is not a string (YAML's `Next: Yes`) or a state that is left out
        # might be the way to any state: none is called unreachable then.
        paths_known = names_known
        while queue:
            state = states[queue.popleft()]
            if not isinstance(state, dict):
                continue
            if state.get("End") is True or state.get("Type") in ("Succeed", "Fail"):
                terminal = True
            for transition in transitions(state)[0]:
                target = transition.target
                # A target that is not a string was reported already; it leads nowhere known.
                if not isinstance(target, str) or target not in states:
                    dangling = True
                    paths_known = paths_known and isinstance(target, str)
                elif target not in reached:
                    reached.add(target)
                    queue.append(target)
        for name in states if paths_known else ():
            if name not in reached:
                self.report.error(
                    f"{where}/States/{escape_pointer_token(name)}",
                    f"state {name!r} cannot be reached from StartAt.",
                    "point a Next, Choice rule, Default or Catch at it, or remove it.",
                    "unreachable",
                )
        # A transition to a missing state was reported already; where it leads is unknown.
        if not terminal and not dangling:
            self.report.error(
                where,
                "no reachable state ends the execution.",
                'add "End": true, a Succeed or a Fail state.',
                "no-terminal",
            )


def check_machine(report: Report, definition: Any) -> None:
    if not isinstance(definition, dict):
        report.error(
            "",
            f"a state machine definition is a JSON object, not {describe(definition)}.",
            'start from {"StartAt": ..., "States": {...}}.',
            "machine",
        )
        return
    for key in definition:
        if key not in TOP_LEVEL_FIELDS:
            report.error(
                f"/{escape_pointer_token(key)}",
                f"unknown top-level field {key!r}.",
                f"allowed: {', '.join(sorted(TOP_LEVEL_FIELDS))}.",
                "field",
            )
    language = definition.get("QueryLanguage", "JSONPath")
    if language not in QUERY_LANGUAGES:
        report.error(
            "/QueryLanguage",
            f"QueryLanguage is JSONPath or JSONata, not {describe(language)}.",
            "",
            "query-language",
        )
        language = "JSONPath"
    if "Version" in definition and not isinstance(definition["Version"], str):
        report.error("/Version", 'Version must be a string such as "1.0".', "", "field")
    if "Comment" in definition and not isinstance(definition["Comment"], str):
        report.error("/Comment", "Comment must be a string.", "", "field")
    if "TimeoutSeconds" in definition:
        value = definition["TimeoutSeconds"]
        placeholder = number_placeholder(report, "/TimeoutSeconds", value)
        if not (placeholder or (is_int(value) and 1 <= value <= MAX_SECONDS)):
            report.error(
                "/TimeoutSeconds",
                f"TimeoutSeconds must be an integer from 1 to {MAX_SECONDS}, "
                f"not {describe(value)}.",
                "",
                "timeout",
            )
    else:
        report.warn(
            "",
            "the state machine has no TimeoutSeconds: a stuck execution runs for up to a year.",
            'add a top-level "TimeoutSeconds" that covers the longest path.',
            "missing-machine-timeout",
        )
    MachineWalker(report, str(language)).walk_scope("", definition, top=True)
