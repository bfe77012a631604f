"""ContinueUntilDone: invoke a worker Lambda again and again, each invocation going on from
where the last one stopped, until the worker says its work is done; at most max_iterations
times, which the timeout budget counts.

    process = LambdaInvoke("ProcessData", function=process_data, timeout_seconds=300)
    work = ContinueUntilDone(process, max_iterations=10)
    job = Workflow(name="job", start=work >> notify, timeout_seconds=14400)

The worker is a handler decorated with `sfn_flows.runtime.deadline_guard`: before its
deadline it returns a partial result and a continuation, and the loop invokes it again with
that continuation. Its event is the loop's input every time; the loop's output is the final
result (or, with `result_path=`, the input with the result there, as a Task's ResultPath).

In ASL the loop is a Parallel state with one branch, so that its catchers and retriers see
the loop's input as a Task's would, and catch the loop's own failure (MaxIterationsExceeded):

    ProcessDataUntilDone   Parallel  its output is the branch's: OutputPath "$[0]"
      ProcessDataStart      Pass     {"input": <the loop's input>, "iteration": 1,
                                      "continuation": null}
      ProcessData           Task     the LambdaInvoke: sends {"input", "guard"} (the
                                     iteration, the continuation, its own timeout and
                                     EnteredTime); the worker's answer goes to $.step
      ProcessDataDone?      Choice   step.done -> Finished; iteration >= max -> Unfinished;
                                     else -> Continue
      ProcessDataContinue   Pass     iteration + 1 (States.MathAdd), the step's continuation
      ProcessDataFinished   Pass     the step's result
      ProcessDataUnfinished Fail     MaxIterationsExceeded

The event's and the answer's keys are those of sfn_flows/runtime/worker_deadline.py, which
runs inside Lambda and is not importable from here (tests hold the two to each other).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Final

from pydantic import Field, PrivateAttr, field_validator

from sfn_flows.errors import DeclarationError
from sfn_flows.model.base import CompileContext, State, Target, target_name
from sfn_flows.model.flow import Fail
from sfn_flows.model.integrations import LambdaInvoke
from sfn_flows.model.order import ordered
from sfn_flows.model.recovery import Recoverable

MAX_ITERATIONS_EXCEEDED: Final = "MaxIterationsExceeded"
"""The error of a loop whose worker was not done after max_iterations invocations."""

# The worker's event and answer (sfn_flows/runtime/worker_deadline.py).
INPUT: Final = "input"
GUARD: Final = "guard"
ITERATION: Final = "iteration"
MAX_ITERATIONS: Final = "maxIterations"
CONTINUATION: Final = "continuation"
TIMEOUT: Final = "timeoutSeconds"
ENTERED_TIME: Final = "enteredTime"
RETRY_COUNT: Final = "retryCount"
DONE: Final = "done"
RESULT: Final = "result"
# Where the loop's states keep the worker's last answer, beside input/iteration/continuation.
STEP: Final = "step"
# ASL's longest state name.
MAX_NAME_LENGTH: Final = 80
# The loop's own state names: the worker Task's name and these.
SUFFIXES: Final = {
    "loop": "UntilDone",
    "start": "Start",
    "check": "Done?",
    "again": "Continue",
    "finished": "Finished",
    "unfinished": "Unfinished",
}
# The worker Task's keywords that shape its payload and result: the loop writes those.
SHAPING: Final = (
    "input_path",
    "parameters",
    "arguments",
    "payload",
    "result_selector",
    "result_path",
    "output_path",
    "output",
    "assign",
    "timeout_seconds_path",
)


class ContinueUntilDone(Recoverable):
    """Run `task` (a LambdaInvoke of a `@deadline_guard` worker) until its worker is done,
    at most `max_iterations` times; then fail with MaxIterationsExceeded.

    Chain it, retry it and catch its errors as a state: `work >> next`,
    `work.add_catch(handler)`. Its catchers get the loop's input, as a Task's do; the worker
    Task itself takes no catchers (they could not leave the loop's branch) but keeps its own
    retriers, which the budget counts in every iteration.
    """

    type_name: ClassVar[str] = "Parallel"
    special_fields = frozenset({"retry", "catch", "task", "result_path"})
    asl_keywords: ClassVar[dict[str, str]] = {"Branches": "task"}

    task: LambdaInvoke = Field(exclude=True)
    # Unlike other states' (a bound on a loop through them), this is the loop's own count,
    # enforced in the ASL and summed by the budget.
    max_iterations: int = Field(ge=1, exclude=True)
    result_path: str | None = Field(default=None, exclude=True)

    _start: _Start = PrivateAttr()
    _check: _Check = PrivateAttr()
    _again: _Again = PrivateAttr()
    _finished: _Finished = PrivateAttr()
    _unfinished: Fail = PrivateAttr()

    def __init__(self, task: LambdaInvoke | None = None, /, **data: Any) -> None:
        if task is not None:
            data["task"] = task
        worker = data.get("task")
        if not isinstance(worker, LambdaInvoke):
            raise DeclarationError(
                f"ContinueUntilDone runs a LambdaInvoke of a worker decorated with "
                f"@deadline_guard, not {worker!r}; pass one: "
                "ContinueUntilDone(LambdaInvoke(...), max_iterations=N)."
            )
        # Without it and without a misspelling of it (said better by the keyword check).
        if "max_iterations" not in data and set(data) <= set(type(self).model_fields):
            raise DeclarationError(
                f"ContinueUntilDone({worker!r}) needs max_iterations=N: the most times it "
                "invokes the worker, after which it fails with MaxIterationsExceeded. The "
                "timeout budget counts N times the Task's worst case."
            )
        named = "name" in data
        data.setdefault("name", worker.name + SUFFIXES["loop"])
        if worker.next_target is not None:
            raise DeclarationError(
                f"{worker!r} already goes on to {target_name(worker.next_target)!r}, but the "
                "loop decides what follows each invocation of its worker. Wrap the Task "
                "before chaining anything to it, and chain the loop: "
                "work = ContinueUntilDone(task, max_iterations=N), then work >> next."
            )
        too_long = [
            worker.name + suffix
            for role, suffix in SUFFIXES.items()
            if len(worker.name + suffix) > MAX_NAME_LENGTH and not (named and role == "loop")
        ]
        if too_long:
            raise DeclarationError(
                f"the loop's states are named after {worker!r}, and {too_long[0]!r} has "
                f"{len(too_long[0])} characters, more than ASL's {MAX_NAME_LENGTH}: give the "
                f"Task a name of at most {MAX_NAME_LENGTH - max(map(len, SUFFIXES.values()))} "
                "characters."
            )
        super().__init__(**data)
        self._build()

    @field_validator("result_path")
    @classmethod
    def _reference_path(cls, value: str | None) -> str | None:
        if value is not None and not (value == "$" or value.startswith(("$.", "$["))):
            raise ValueError(
                f"{value!r} is not a path into the loop's input: write '$' (the result "
                "replaces the input, the default), '$.field' or '$['field']', or None to "
                "keep the input and drop the result"
            )
        return value

    @classmethod
    def check_keywords(cls, data: dict[str, Any]) -> None:
        if "assign" in data:
            raise DeclarationError(
                f"{cls.declared_as(data)} cannot take assign: on the loop it would see the "
                "Parallel's list of branch outputs, not the worker's result. Assign in the "
                "state after the loop."
            )

    def _build(self) -> None:
        task = self.task
        # The loop's states are in the loop's query language, like the loop itself.
        language = (
            {"query_language": self.query_language} if self.query_language is not None else {}
        )
        self._start = _Start(name=task.name + SUFFIXES["start"], **language)
        self._check = _Check(name=task.name + SUFFIXES["check"], **language)
        self._again = _Again(name=task.name + SUFFIXES["again"], **language)
        self._finished = _Finished(name=task.name + SUFFIXES["finished"], **language)
        self._unfinished = Fail(
            name=task.name + SUFFIXES["unfinished"],
            error=MAX_ITERATIONS_EXCEEDED,
            cause=(
                f"{task.name} was not done after {self.max_iterations} iterations "
                f"(ContinueUntilDone max_iterations={self.max_iterations}): each returned a "
                "partial result and a continuation."
            ),
            **language,
        )
        for part in (self._start, self._check, self._again, self._finished):
            part._loop = self
        self._start.next(task)
        task.next(self._check)
        self._again.next(task)

    # ---- graph ----------------------------------------------------------------------------
    @property
    def check(self) -> State:
        """The Choice that decides whether the worker goes round again: the loop's bound."""
        return self._check

    def child_scopes(self) -> Iterator[tuple[tuple[str | int, ...], State]]:
        yield ("Branches", 0), self._start

    # ---- compilation ----------------------------------------------------------------------
    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        # The compiler fills in the branch; the loop's output is the branch's.
        body: dict[str, Any] = {"Branches": [None]}
        if ctx.jsonata:
            body["Output"] = "{% $states.result[0] %}"
        else:
            body["OutputPath"] = "$[0]"
        body.update(super().extra_asl(ctx))
        return body

    def worker_asl(self, body: dict[str, Any], ctx: CompileContext) -> dict[str, Any]:
        """The worker Task's ASL (`body`, its TimeoutSeconds resolved) with the payload and
        the result handling of the loop."""
        body = {key: value for key, value in body.items() if key not in _WORKER_FIELDS}
        guard: dict[str, Any] = {MAX_ITERATIONS: self.max_iterations}
        if "TimeoutSeconds" in body:
            guard[TIMEOUT] = body["TimeoutSeconds"]
        function = self.task.function_name
        if ctx.jsonata:
            guard |= {
                ITERATION: _jsonata(ITERATION),
                CONTINUATION: _jsonata(CONTINUATION),
                ENTERED_TIME: "{% $states.context.State.EnteredTime %}",
                RETRY_COUNT: "{% $states.context.State.RetryCount %}",
            }
            body["Arguments"] = {
                "FunctionName": function,
                "Payload": {INPUT: _jsonata(INPUT), GUARD: _in_order(guard)},
            }
            body["Output"] = {
                **{key: _jsonata(key) for key in (INPUT, ITERATION, CONTINUATION)},
                STEP: "{% $states.result.Payload %}",
            }
        else:
            guard |= {
                f"{ITERATION}.$": f"$.{ITERATION}",
                f"{CONTINUATION}.$": f"$.{CONTINUATION}",
                f"{ENTERED_TIME}.$": "$$.State.EnteredTime",
                f"{RETRY_COUNT}.$": "$$.State.RetryCount",
            }
            body["Parameters"] = {
                "FunctionName": function,
                "Payload": {f"{INPUT}.$": f"$.{INPUT}", GUARD: _in_order(guard)},
            }
            body["ResultSelector"] = {
                f"{key}.$": f"$.Payload.{key}" for key in (DONE, RESULT, CONTINUATION)
            }
            body["ResultPath"] = f"$.{STEP}"
        return ordered(body)


# What the loop writes on its worker Task in place of LambdaInvoke's own.
_WORKER_FIELDS = frozenset(
    {"Parameters", "Arguments", "ResultSelector", "ResultPath", "OutputPath", "Output"}
)


class _Part(State):
    """A state the loop writes for itself, from the loop's keywords and the query language."""

    _loop: ContinueUntilDone = PrivateAttr()


class _Start(_Part):
    """Wraps the loop's input with the loop's count and (no) continuation yet."""

    type_name: ClassVar[str] = "Pass"

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        if ctx.jsonata:
            return {"Output": {INPUT: "{% $states.input %}", ITERATION: 1, CONTINUATION: None}}
        return {"Parameters": {f"{INPUT}.$": "$", ITERATION: 1, CONTINUATION: None}}


class _Check(_Part):
    """Done, out of iterations, or once more."""

    type_name: ClassVar[str] = "Choice"
    can_continue: ClassVar[bool] = False

    def transitions(self) -> Iterator[tuple[tuple[str | int, ...], Target]]:
        loop = self._loop
        yield ("Choices", 0, "Next"), loop._finished
        yield ("Choices", 1, "Next"), loop._unfinished
        yield ("Default",), loop._again

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        loop = self._loop
        count = loop.max_iterations
        if ctx.jsonata:
            rules: list[dict[str, Any]] = [
                {"Condition": f"{{% $states.input.{STEP}.{DONE} = true %}}"},
                {"Condition": f"{{% $states.input.{ITERATION} >= {count} %}}"},
            ]
        else:
            rules = [
                {"Variable": f"$.{STEP}.{DONE}", "BooleanEquals": True},
                {"Variable": f"$.{ITERATION}", "NumericGreaterThanEquals": count},
            ]
        rules[0]["Next"] = loop._finished.name
        rules[1]["Next"] = loop._unfinished.name
        return {"Choices": rules, "Default": loop._again.name}


class _Again(_Part):
    """The next iteration: the same input, the count plus one, the worker's continuation."""

    type_name: ClassVar[str] = "Pass"

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        if ctx.jsonata:
            return {
                "Output": {
                    INPUT: _jsonata(INPUT),
                    ITERATION: f"{{% $states.input.{ITERATION} + 1 %}}",
                    CONTINUATION: f"{{% $states.input.{STEP}.{CONTINUATION} %}}",
                }
            }
        return {
            "Parameters": {
                f"{INPUT}.$": f"$.{INPUT}",
                f"{ITERATION}.$": f"States.MathAdd($.{ITERATION}, 1)",
                f"{CONTINUATION}.$": f"$.{STEP}.{CONTINUATION}",
            }
        }


class _Finished(_Part):
    """The loop's output: the worker's final result, or the input with it at result_path."""

    type_name: ClassVar[str] = "Pass"

    def extra_asl(self, ctx: CompileContext) -> dict[str, Any]:
        loop = self._loop
        result = f"$.{STEP}.{RESULT}"
        if ctx.jsonata:
            return {"Output": f"{{% $states.input.{STEP}.{RESULT} %}}"}
        if "result_path" not in loop.model_fields_set or loop.result_path == "$":
            return {"InputPath": result}
        if loop.result_path is None:  # the result is dropped: the output is the input
            return {"OutputPath": f"$.{INPUT}"}
        # ResultPath writes into the state's raw input, where the loop's input is at $.input.
        inside = f"$.{INPUT}" + loop.result_path.removeprefix("$")
        return {"InputPath": result, "ResultPath": inside, "OutputPath": f"$.{INPUT}"}


def _jsonata(key: str) -> str:
    """The value of `key` in the loop's state data, as a JSONata field."""
    return f"{{% $states.input.{key} %}}"


def _in_order(guard: dict[str, Any]) -> dict[str, Any]:
    """The guard's fields in one order whatever the query language (for readers)."""
    order = (ITERATION, MAX_ITERATIONS, CONTINUATION, TIMEOUT, ENTERED_TIME, RETRY_COUNT)
    rank = {name: index for index, name in enumerate(order)}
    return dict(sorted(guard.items(), key=lambda item: rank[item[0].removesuffix(".$")]))
