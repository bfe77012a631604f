"""Workflow -> ASL: each state writes itself; the compiler assembles scopes, fills in
timeouts, validates the result strictly and proves the timeout budget."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sfn_flows.budget import Budget, compute_budget
from sfn_flows.compile.limits import check_budget
from sfn_flows.compile.scopes import collect_scope
from sfn_flows.compile.timeouts import resolve_task_timeouts
from sfn_flows.errors import WorkflowError
from sfn_flows.model.base import CompileContext, QueryLanguage, State
from sfn_flows.model.function import LambdaFunction
from sfn_flows.model.map import Map
from sfn_flows.model.task import Task
from sfn_flows.model.workflow import Workflow
from sfn_flows.validate import validate_definition
from sfn_flows.validate.problems import Problem, escape_pointer_token


@dataclass(frozen=True)
class CompiledWorkflow:
    workflow: Workflow
    definition: dict[str, Any]
    budget: Budget
    functions: tuple[LambdaFunction, ...]
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.workflow.name

    def definition_json(self) -> str:
        """Deterministic text: the same workflow always gives the same bytes."""
        return json.dumps(self.definition, indent=2, ensure_ascii=False) + "\n"

    def state_counts(self) -> tuple[int, int]:
        """(states, Task states), nested branches and processors included."""
        states = tasks = 0
        stack = [self.definition]
        while stack:
            scope = stack.pop()
            for body in scope["States"].values():
                states += 1
                tasks += body["Type"] == "Task"
                stack.extend(body.get("Branches", ()))
                if "ItemProcessor" in body:
                    stack.append(body["ItemProcessor"])
        return states, tasks


class _Assembler:
    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self.language: QueryLanguage = workflow.query_language or "JSONPath"
        self.problems: list[Problem] = []
        self.functions: dict[str, LambdaFunction] = {}
        self.map_max_items: dict[str, int] = {}
        self.placed: dict[str, tuple[State, str]] = {}

    def scope(self, start: State, where: str) -> dict[str, Any]:
        states: dict[str, Any] = {}
        for state in collect_scope(start):
            at = f"{where}/States/{escape_pointer_token(state.name)}"
            if not self._place(state, at):
                continue
            states[state.name] = self.state(state, at)
        return {"StartAt": start.name, "States": states}

    def _place(self, state: State, at: str) -> bool:
        earlier = self.placed.get(state.name)
        if earlier is None:
            self.placed[state.name] = (state, at)
            return True
        other, other_at = earlier
        if other is state:
            message = (
                f"state {state.name!r} is used in two scopes ({other_at} and {at}); a state "
                "belongs to one branch or processor."
            )
            fix = "create a separate state object for each branch."
        else:
            message = f"two different states are named {state.name!r} (also at {other_at})."
            fix = "give each state a unique name: names are unique in the whole workflow."
        self.problems.append(Problem(at, message, fix, code="duplicate-name"))
        return False

    def state(self, state: State, at: str) -> dict[str, Any]:
        ctx = CompileContext(state.query_language or self.language)
        body = state.to_asl(ctx)
        for tokens, child in state.child_scopes():
            child_at = at + "".join(f"/{escape_pointer_token(t)}" for t in tokens)
            sub = self.scope(child, child_at)
            if tokens[0] == "Branches":
                body["Branches"][int(tokens[1])] = sub
            else:
                body["ItemProcessor"].update(sub)
        for function in state.lambda_functions():
            self._function(function, at)
        if isinstance(state, Map) and state.max_items is not None:
            self.map_max_items[state.name] = state.max_items
        if isinstance(state, Task):
            body, problems = resolve_task_timeouts(state, body, at, self.workflow)
            self.problems.extend(problems)
        return body

    def _function(self, function: LambdaFunction, at: str) -> None:
        known = self.functions.setdefault(function.name, function)
        if known != function:
            self.problems.append(
                Problem(
                    at,
                    f"two different Lambda functions are named {function.name!r} "
                    f"({known.handler} and {function.handler}).",
                    "declare each LambdaFunction once and reuse the object.",
                    code="duplicate-function",
                )
            )


def compile_workflow(workflow: Workflow) -> CompiledWorkflow:
    """Compile, validate strictly and check the budget; raise WorkflowError listing every
    problem, or return the compiled workflow with its warnings."""
    assembler = _Assembler(workflow)
    machine: dict[str, Any] = {}
    if workflow.comment:
        machine["Comment"] = workflow.comment
    if workflow.query_language:
        machine["QueryLanguage"] = workflow.query_language
    machine.update(assembler.scope(workflow.start_state, ""))
    machine["TimeoutSeconds"] = workflow.timeout_seconds
    # StartAt, then the machine's TimeoutSeconds, then the states: the limits read first.
    definition: dict[str, Any] = {
        k: machine[k]
        for k in ("Comment", "QueryLanguage", "StartAt", "TimeoutSeconds", "States")
        if k in machine
    }

    problems = list(assembler.problems)
    reported = {(p.pointer, p.code) for p in problems}
    for problem in validate_definition(definition, strict=True):
        # The compiler's own message (with the Python-side fix) wins over the ASL one.
        if (problem.pointer + "/TimeoutSeconds", problem.code) in reported:
            continue
        if (problem.pointer + "/HeartbeatSeconds", problem.code) in reported:
            continue
        problems.append(problem)
    budget = compute_budget(definition, map_max_items=assembler.map_max_items)
    if not any(p.severity == "error" for p in problems):
        problems.extend(check_budget(workflow, budget))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise WorkflowError(errors, workflow=workflow.name)
    return CompiledWorkflow(
        workflow=workflow,
        definition=definition,
        budget=budget,
        functions=tuple(sorted(assembler.functions.values(), key=lambda f: f.name)),
        warnings=tuple(problems),
    )
