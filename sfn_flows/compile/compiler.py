"""Workflow -> ASL: each state writes itself; the compiler assembles scopes, fills in
timeouts, validates the result strictly and proves the timeout budget."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfn_flows.asl.pointers import escape_pointer_token, pointer
from sfn_flows.asl.scopes import iter_states
from sfn_flows.budget import Budget, compute_budget
from sfn_flows.compile.express import ExpressCheck
from sfn_flows.compile.limits import check_budget
from sfn_flows.compile.python_terms import in_python_terms
from sfn_flows.compile.scopes import Reached, reach_scope
from sfn_flows.compile.timeouts import resolve_task_timeouts
from sfn_flows.compile.until_done import loop_problems, worker_problems
from sfn_flows.errors import WorkflowError
from sfn_flows.model.base import CompileContext, QueryLanguage, State
from sfn_flows.model.choice import Choice
from sfn_flows.model.conditions import Jsonata, Raw
from sfn_flows.model.function import LambdaFunction
from sfn_flows.model.map import Map
from sfn_flows.model.task import Task
from sfn_flows.model.until_done import ContinueUntilDone
from sfn_flows.model.workflow import Workflow
from sfn_flows.validate import validate_definition
from sfn_flows.validate.problems import Problem
from sfn_flows.validate.size import NotJsonError, written_json_size

# What the validator reports about the graph once a duplicate name has been dropped from the
# output: the graph it sees is not the one declared, so only the duplicate is reported.
_GRAPH_CODES = frozenset({"no-terminal", "unreachable", "start", "scope"})
# Parts of a Choice rule that are not its condition.
_RULE_EXTRAS = frozenset({"Next", "Assign", "Output", "Comment"})


@dataclass(frozen=True)
class CompiledWorkflow:
    workflow: Workflow
    definition: dict[str, Any]
    budget: Budget
    functions: tuple[LambdaFunction, ...]
    warnings: tuple[Problem, ...] = field(default=())
    # What the budget was told, by state name: each Map's max_items and each loop's
    # max_iterations (a diagram budgets the branches on the longest path with them).
    map_max_items: Mapping[str, int] = field(default_factory=dict)
    loop_max_iterations: Mapping[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.workflow.name

    def definition_json(self) -> str:
        """Deterministic text: the same workflow always gives the same bytes."""
        return json.dumps(self.definition, indent=2, ensure_ascii=False) + "\n"

    def state_counts(self) -> tuple[int, int]:
        """(states, Task states), nested branches and processors included."""
        states = tasks = 0
        for state in iter_states(self.definition):
            states += 1
            tasks += state.value.get("Type") == "Task"
        return states, tasks


class _Assembler:
    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self.language: QueryLanguage = workflow.query_language or "JSONPath"
        self.problems: list[Problem] = []
        self.functions: dict[str, LambdaFunction] = {}
        self.map_max_items: dict[str, int] = {}
        self.loop_max_iterations: dict[str, int] = {}
        # The ContinueUntilDone loops by the id of their worker Task, which they write.
        self.workers: dict[int, ContinueUntilDone] = {}
        # Where a loop reported its worker's Next or Catch: the validator's problems there
        # (a target outside the loop's branch) follow from it.
        self.loop_problem_at: list[str] = []
        self.placed: dict[str, tuple[Reached, str]] = {}
        # Each emitted state by its JSON pointer, to say problems in Python terms.
        self.at: dict[str, State] = {}
        self.duplicates = False
        # Choice rules whose condition is in the other query language (reported here).
        self.foreign_rules: list[str] = []

    def scope(self, start: State, where: str) -> dict[str, Any]:
        states: dict[str, Any] = {}
        for reached in reach_scope(start):
            state = reached.state
            at = f"{where}/States/{escape_pointer_token(state.name)}"
            if not self._place(reached, at):
                continue
            self.at[at] = state
            states[state.name] = self.state(state, at)
        return {"StartAt": start.name, "States": states}

    def _place(self, reached: Reached, at: str) -> bool:
        state = reached.state
        earlier = self.placed.get(state.name)
        if earlier is None:
            self.placed[state.name] = (reached, at)
            return True
        self.duplicates = True
        first, first_at = earlier
        if first.state is state:
            message = (
                f"state {state.name!r} is used in two scopes ({first_at} and {at}); a state "
                "belongs to one branch or processor."
            )
            fix = "create a separate state object for each branch."
        else:
            both = f"{_placement(first, first_at)} and {_placement(reached, at)}"
            message = f"two different states are named {state.name!r}: {both}."
            fix = "give each state a unique name: names are unique in the whole workflow."
        self.problems.append(Problem(at, message, fix, code="duplicate-name"))
        return False

    def state(self, state: State, at: str) -> dict[str, Any]:
        ctx = CompileContext(state.query_language or self.language)
        body = state.to_asl(ctx)
        if isinstance(state, ContinueUntilDone):
            self.workers[id(state.task)] = state  # before its branch, where the worker is
        for tokens, child in state.child_scopes():
            child_at = at + pointer(*tokens)
            sub = self.scope(child, child_at)
            if tokens[0] == "Branches":
                body["Branches"][int(tokens[1])] = sub
            else:  # a Map's ItemProcessor (or legacy Iterator)
                body[str(tokens[0])].update(sub)
        for function in state.lambda_functions():
            self._function(function, at)
        if isinstance(state, Map) and state.max_items is not None:
            self.map_max_items[state.name] = state.max_items
        if isinstance(state, ContinueUntilDone):
            # Its count bounds the loop inside it, which goes round through its check.
            self.loop_max_iterations[state.check.name] = state.max_iterations
            self.problems.extend(loop_problems(state, at, ctx))
        elif state.max_iterations is not None:
            self.loop_max_iterations[state.name] = state.max_iterations
        if isinstance(state, Choice):
            self._rule_languages(state, at, ctx)
        if isinstance(state, Task):
            body, problems = resolve_task_timeouts(state, body, at, self.workflow)
            self.problems.extend(problems)
            loop = self.workers.get(id(state))
            if loop is not None:
                body = loop.worker_asl(body, ctx)
                problems = worker_problems(loop, at)
                self.problems.extend(problems)
                self.loop_problem_at.extend(
                    p.pointer for p in problems if p.pointer.endswith(("/Next", "/Catch"))
                )
        return body

    def _rule_languages(self, choice: Choice, at: str, ctx: CompileContext) -> None:
        for index, rule in enumerate(choice.rules):
            condition = rule.condition
            # A raw test says its own language; the validator checks it in the output.
            if isinstance(condition, Raw) or isinstance(condition, Jsonata) == ctx.jsonata:
                continue
            rule_at = f"{at}/Choices/{index}"
            self.foreign_rules.append(rule_at)
            written = condition.python()
            if ctx.jsonata:
                message = (
                    f"{written} is a JSONPath comparison, but Choice {choice.name!r} uses JSONata."
                )
                fix = (
                    'write the test in JSONata: .when("<expression>", ...) or '
                    'c.jsonata("<expression>"), or set query_language="JSONPath" on the Choice.'
                )
            else:
                message = (
                    f"{written} is a JSONata condition, but Choice {choice.name!r} uses JSONPath."
                )
                fix = (
                    'set query_language="JSONata" on the Choice (or the Workflow), or test '
                    "with the comparisons (c.string_equals(...), c.is_present(...), ...)."
                )
            self.problems.append(Problem(rule_at, message, fix, code="query-language"))

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

    def unused_loop_bounds(self, budget: Budget) -> list[Problem]:
        """Warnings for max_iterations on states the budget found in no loop: they bound
        nothing, and the loop meant may still be unbounded."""
        in_loops = frozenset(budget.loop_bounds)
        problems: list[Problem] = []
        for name, count in self.loop_max_iterations.items():
            # Not placed: a ContinueUntilDone's check cut off from its worker, said already.
            if name in in_loops or name not in self.placed:
                continue
            reached, at = self.placed[name]
            problems.append(
                Problem(
                    at,
                    f"{reached.state!r} declares max_iterations={count} but is in no loop, so "
                    "it bounds nothing.",
                    "put it on a state of the loop (a state that a Choice or Next goes back "
                    "to), or remove it.",
                    severity="warning",
                    code="max-iterations-outside-loop",
                )
            )
        return problems

    def superseded(self, problem: Problem) -> bool:
        """True for a validator problem the compiler reports better (or that only follows
        from one it reports)."""
        if self.duplicates and problem.code in _GRAPH_CODES:
            return True
        if problem.code == "missing-heartbeat":
            return True  # the compiler's own, which knows the opt-out and the default
        if any(_within(problem.pointer, at) for at in self.loop_problem_at):
            return True  # a worker's Next or Catch leaving its loop: said in loop terms
        for rule_at in self.foreign_rules:
            if problem.pointer == rule_at:
                return True
            rest = problem.pointer.removeprefix(rule_at + "/")
            if rest != problem.pointer and rest.split("/")[0] not in _RULE_EXTRAS:
                return True
        return False


def _within(pointer: str, at: str) -> bool:
    return pointer == at or pointer.startswith(at + "/")


def _placement(reached: Reached, at: str) -> str:
    if reached.source is None:
        return f"{reached.state!r} at {at} (the start)"
    # An escaped name holds no "/", so the last "/States/" is the scope's own.
    scope = at.rsplit("/States/", 1)[0]
    via = scope + pointer("States", reached.source.name, *reached.edge)
    return f"{reached.state!r} at {at} (reached through {via})"


def _assemble(workflow: Workflow) -> tuple[_Assembler, dict[str, Any]]:
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
    return assembler, definition


def assemble_definition(workflow: Workflow) -> dict[str, Any]:
    """The ASL `compile_workflow` writes for `workflow`, before it is validated and its budget
    checked: what `sfn-flows import` compares with the definition it imported, also when the
    build would refuse it."""
    return _assemble(workflow)[1]


def compile_workflow(workflow: Workflow) -> CompiledWorkflow:
    """Compile, validate strictly and check the budget; raise WorkflowError listing every
    problem, or return the compiled workflow with its warnings."""
    assembler, definition = _assemble(workflow)

    problems = list(assembler.problems)
    reported = {(p.pointer, p.code) for p in problems}
    try:
        # Measured here at C speed: the validator's own measure guards against YAML aliases,
        # which a compiled definition cannot hold, at the cost of a walk in Python.
        size: int | None = written_json_size(definition)
    except (NotJsonError, RecursionError):
        size = None  # the validator says where
    for problem in validate_definition(definition, strict=True, size=size):
        # The compiler's own message (with the Python-side fix) wins over the ASL one.
        if (problem.pointer + "/TimeoutSeconds", problem.code) in reported:
            continue
        if assembler.superseded(problem):
            continue
        problems.append(in_python_terms(problem, assembler.at))
    express = ExpressCheck(assembler.map_max_items, assembler.loop_max_iterations, assembler.at)
    express.check(definition, workflow.type == "EXPRESS")
    problems.extend(express.integrations)
    budget = compute_budget(
        definition,
        map_max_items=assembler.map_max_items,
        loop_max_iterations=assembler.loop_max_iterations,
    )
    problems.extend(assembler.unused_loop_bounds(budget))
    if not any(p.severity == "error" for p in problems):
        problems.extend(check_budget(workflow, budget, assembler.at))
        problems.extend(express.durations)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise WorkflowError(errors, workflow=workflow.name)
    return CompiledWorkflow(
        workflow=workflow,
        definition=definition,
        budget=budget,
        functions=tuple(sorted(assembler.functions.values(), key=lambda f: f.name)),
        warnings=tuple(problems),
        map_max_items=assembler.map_max_items,
        loop_max_iterations=assembler.loop_max_iterations,
    )
