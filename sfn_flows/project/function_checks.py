"""The project's Lambda functions across all its workflows: one definition per name (the
template deploys one function per name, so a second definition would silently replace the
first), and a handler that exists in lambdas/ for each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sfn_flows.compile.scopes import collect_scope
from sfn_flows.model.base import State
from sfn_flows.model.function import LambdaFunction
from sfn_flows.project.discover import Discovered
from sfn_flows.project.handlers import HandlerProblem, check_handler
from sfn_flows.validate.problems import Problem, pointer


@dataclass(frozen=True)
class _Use:
    """Where a workflow first uses a function."""

    item: Discovered
    pointer: str
    function: LambdaFunction

    def place(self) -> str:
        return f"workflow {self.item.workflow.name!r} ({self.item.source}, {self.pointer})"


def function_problems(
    workflows: Sequence[Discovered], lambdas_dir: Path, *, runtime: str | None = None
) -> list[list[Problem]]:
    """The problems of each workflow's Lambda functions, in the order of `workflows`;
    `runtime` is the Lambda runtime the handlers run on ('python3.13')."""
    uses = [_first_uses(item) for item in workflows]
    by_name: dict[str, list[_Use]] = {}
    for own in uses:
        for use in own:
            by_name.setdefault(use.function.name, []).append(use)
    handlers: dict[str, HandlerProblem | None] = {}
    problems: list[list[Problem]] = []
    for own in uses:
        found: list[Problem] = []
        for use in own:
            clash = _clash(use, by_name[use.function.name])
            if clash is not None:
                found.append(clash)
                continue
            handler = use.function.handler
            if handler not in handlers:
                handlers[handler] = check_handler(lambdas_dir, handler, runtime=runtime)
            missing = handlers[handler]
            if missing is not None:
                found.append(
                    Problem(
                        use.pointer,
                        f"Lambda function {use.function.name!r}: {missing.message}",
                        missing.fix,
                        code="missing-handler",
                    )
                )
        problems.append(found)
    return problems


def _clash(use: _Use, same_name: list[_Use]) -> Problem | None:
    others = [other for other in same_name if other.function != use.function]
    if not others:
        return None
    # Only compiled workflows come here: the compiler refuses two definitions in one.
    described = "; ".join(f"{other.place()} with {_difference(use, other)}" for other in others)
    return Problem(
        use.pointer,
        f"Lambda function {use.function.name!r} is defined differently by {use.place()} and "
        f"{described}. One name deploys one function, so a workflow would silently run "
        "another's handler or settings.",
        "give each definition its own name, or declare the LambdaFunction once (in a shared "
        "module) and import it into each workflow module.",
        code="duplicate-function",
    )


def _difference(use: _Use, other: _Use) -> str:
    mine, theirs = use.function.model_dump(), other.function.model_dump()
    changed = [key for key in mine if mine[key] != theirs[key]]
    return ", ".join(f"{key}={theirs[key]!r} (not {mine[key]!r})" for key in changed)


def _first_uses(item: Discovered) -> list[_Use]:
    """Each distinct function of the workflow, with the first state that uses it."""
    uses: dict[tuple[str, LambdaFunction], _Use] = {}
    for at, function in _function_uses(item.workflow.start_state, ""):
        uses.setdefault((function.name, function), _Use(item, at, function))
    return list(uses.values())


def _function_uses(start: State, where: str) -> list[tuple[str, LambdaFunction]]:
    found: list[tuple[str, LambdaFunction]] = []
    for state in collect_scope(start):
        at = where + pointer("States", state.name)
        found.extend((at, function) for function in state.lambda_functions())
        for tokens, child in state.child_scopes():
            found.extend(_function_uses(child, at + pointer(*tokens)))
    return found
