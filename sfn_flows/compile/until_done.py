"""What a ContinueUntilDone loop (sfn_flows.model.until_done) and its worker Task were given
that the loop's ASL cannot keep, as problems with the JSON pointer of the state and a fix.

They are checked when the workflow compiles rather than when the loop is declared: the
worker Task is the user's own object, which may still be changed after it was wrapped.
"""

from __future__ import annotations

from typing import Final

from sfn_flows.model.base import CompileContext, target_name
from sfn_flows.model.until_done import SHAPING, ContinueUntilDone
from sfn_flows.validate.problems import Problem

CODE: Final = "continue-until-done"


def loop_problems(loop: ContinueUntilDone, at: str, ctx: CompileContext) -> list[Problem]:
    """What the loop's own keywords ask of its ASL that it cannot do (`at`: its pointer)."""
    if ctx.jsonata and "result_path" in loop.model_fields_set:
        return [
            Problem(
                at,
                f"{loop!r} uses JSONata, which has no ResultPath: result_path="
                f"{loop.result_path!r} cannot place the worker's result in the input.",
                "leave result_path out (the loop's output is the worker's result) and keep "
                "what the next states need of the input in variables (assign= on a state "
                "before the loop).",
                code=CODE,
            )
        ]
    return []


def worker_problems(loop: ContinueUntilDone, at: str) -> list[Problem]:
    """What the worker Task (at `at`) was given that the loop cannot keep."""
    task = loop.task
    problems: list[Problem] = []
    if task.next_target is not loop.check:
        target = task.next_target
        problems.append(
            Problem(
                f"{at}/Next",
                f"{task!r} is the worker of {loop!r} but was then chained to "
                f"{target_name(target) if target is not None else 'nothing'!r}: only the "
                "loop decides what follows an invocation.",
                f"chain the loop instead (the state named {loop.name!r}): loop >> next.",
                code=CODE,
            )
        )
    if task.catch:
        problems.append(
            Problem(
                f"{at}/Catch",
                f"{task!r} is the worker of {loop!r}: its catchers could not leave the loop's "
                "branch.",
                "catch on the loop instead, where the handler gets the loop's input as a "
                "Task's handler does: loop.add_catch(handler, ...).",
                code=CODE,
            )
        )
    shaping = [name for name in SHAPING if name in task.model_fields_set]
    if shaping:
        problems.append(
            Problem(
                at,
                f"{task!r} sets {', '.join(name + '=' for name in shaping)} but is the worker "
                f"of {loop!r}, which writes the worker's payload and reads its answer itself.",
                "leave them out: the worker's event is the loop's input (shape it in a state "
                "before the loop), the loop's output is the worker's final result "
                "(ContinueUntilDone(result_path=...) places it in the input), and the Task's "
                "timeout is timeout_seconds (or the workflow's default_task_timeout).",
                code=CODE,
            )
        )
    if task.wait_for_task_token or not task.payload_response_only:
        problems.append(
            Problem(
                f"{at}/Resource",
                f"{task!r} is the worker of {loop!r}, which reads the function's answer (the "
                "invocation's Payload) when the invocation returns.",
                "leave wait_for_task_token and payload_response_only at their defaults.",
                code=CODE,
            )
        )
    return problems
