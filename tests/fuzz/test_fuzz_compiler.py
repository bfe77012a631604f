"""Fuzz the compiler: random state graphs declared through the Python model.

Contract: ``compile_workflow(workflow)`` returns a ``CompiledWorkflow`` or raises
``WorkflowError``, never anything else. When it returns, every Task (nested ones included)
has a timeout, the definition passes ``validate_definition(strict=True)``, compiling again
gives the same bytes, and the budget fits in the workflow's timeout. Nothing that runs as
Express (an EXPRESS workflow, a distributed Map's EXPRESS children) waits for a job, a callback
or an activity, and each EXPRESS child fits in 300 s. A Task declared with
``heartbeat_seconds=None`` has no HeartbeatSeconds. Declaring the model may
raise pydantic's ``ValidationError`` or ``DeclarationError`` (``ChainError``): that is the
user's input being refused at declaration time, so such examples are discarded.

A workflow is drawn as a *plan* (plain data) and then built, so the same plan can be built
twice: two separately declared but identical workflows must compile to the same bytes.
"""

from __future__ import annotations

import datetime
import decimal
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import event, given, reject, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sfn_flows import (
    OMIT,
    AwsSdkCall,
    Choice,
    CompiledWorkflow,
    Fail,
    ItemBatcher,
    ItemReader,
    LambdaFunction,
    LambdaInvoke,
    Map,
    Parallel,
    Pass,
    ResultWriter,
    ServiceTask,
    State,
    Succeed,
    Task,
    Wait,
    Workflow,
    compile_workflow,
    validate_definition,
)
from sfn_flows import conditions as c
from sfn_flows.budget import compute_budget
from sfn_flows.compile.scopes import collect_scope
from sfn_flows.errors import DeclarationError, WorkflowError
from sfn_flows.model.base import Chain
from sfn_flows.model.task import is_callback_resource
from sfn_flows.validate import errors as error_problems

FUZZ = settings.get_profile("sfn-fuzz")


def examples(weight: float) -> settings:
    """The fuzz profile with ``weight`` times its example count."""
    return settings(FUZZ, max_examples=max(10, int(FUZZ.max_examples * weight)))


# ---------------------------------------------------------------------------------------------
# Values. Two flavours: "wild" values, often wrong, and "clean" values, which are right on their
# own, so that whole workflows compile often enough to check what a compiled workflow promises.
# ---------------------------------------------------------------------------------------------

STATE_NAMES = (
    "A",
    "B",
    "C",
    "Start",
    "Work",
    "Route",
    "Done",
    "Oops",
    "a/b",
    "a~b",
    "~1",
    "Ünïcode",
    "日本",
    "🙂",
    "with space",
    "N" * 80,
    "N" * 81,
    "$",
    "States.ALL",
)
names = st.one_of(st.sampled_from(STATE_NAMES), st.text(min_size=1, max_size=10))
missing = st.sampled_from(("Missing", "nope", "a/b/c"))

clean_paths = st.sampled_from(("$", "$.a", "$.a.b[0]", "$['x y']", "$.error", "$.items[*]", "$..a"))
paths = clean_paths | st.sampled_from(("$$.Execution.Id", "a", "", "$.", "$var", "$[", "$.a b"))
reference_paths = st.sampled_from(("$", "$.a", "$.a.b[0]", "$['x y']", "$.error"))
clean_jsonata = st.sampled_from(
    ("{% $states.input %}", "{% $states.input.n > 1 %}", "$states.input.ok")
)
jsonata_exprs = clean_jsonata | st.sampled_from(("{% 1 + %}", "{% %}", "(", "true", "{% $x := %}"))
clean_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8).filter(lambda text: not text.startswith("{%")),
)
json_leaves = st.one_of(
    clean_leaves,
    st.text(max_size=8),
    paths,
    jsonata_exprs,
    st.sampled_from(
        ("States.Format('{}', $.a)", "States.UUID()", "States.Nope(1)", "States.Array(")
    ),
)
# What a user may put in a payload although it is not JSON: the compiler must still either
# refuse it with a WorkflowError or write it out.
odd_leaves = st.one_of(
    st.just(float("nan")),
    st.just(float("inf")),
    st.datetimes(max_value=datetime.datetime(3000, 1, 1)),
    st.just(decimal.Decimal("1.5")),
    st.just(b"bytes"),
    st.just(frozenset({1})),
    st.integers(4301, 4310).map(lambda digits: 10**digits),
)


def _json(leaves: st.SearchStrategy[Any], keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=3)
        ),
        max_leaves=10,
    )


clean_json = _json(clean_leaves, st.text("abcxyz", max_size=6))
json_values = _json(
    json_leaves, st.text(max_size=6) | st.sampled_from(("a.$", "Payload.$", "x", "b/c"))
)
clean_payloads = st.one_of(
    st.dictionaries(st.sampled_from(("a", "b", "FunctionName")), clean_json, max_size=3),
    st.fixed_dictionaries({"a.$": clean_paths, "b.$": st.just("States.Format('{}', $.a)")}),
)
payloads = st.one_of(
    clean_payloads,
    st.dictionaries(
        st.sampled_from(("a", "b.$", "Payload.$", "FunctionName", "x y")), json_values, max_size=3
    ),
    st.dictionaries(st.sampled_from(("a", "b")), odd_leaves, min_size=1, max_size=1),
)
clean_timeouts = st.none() | st.integers(20, 3600)
timeouts = st.one_of(
    clean_timeouts,
    st.integers(1, 100),
    st.integers(-5, 0),
    st.integers(99_999_990, 100_000_010),
    st.sampled_from(("{% $states.input.t %}", "60", "{% %}")),
)
CLEAN_ARNS = (
    "arn:aws:states:::lambda:invoke",
    "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "arn:aws:states:::batch:submitJob.sync",
    "arn:aws:states:us-east-1:123456789012:activity:act",
    "arn:aws:lambda:us-east-1:123456789012:function:f",
    "${SomeArn}",
)
ARNS = (*CLEAN_ARNS, "not-an-arn")
FUNCTIONS = (
    LambdaFunction("ProcessData", handler="process_data.handler"),
    LambdaFunction("Notify", handler="notify.handler", timeout_seconds=900),
    LambdaFunction("ProcessData", handler="other.handler"),  # same name, another function
)


@dataclass(frozen=True)
class Flavour:
    """The value strategies of one flavour."""

    clean: bool
    paths: st.SearchStrategy[str]
    json: st.SearchStrategy[Any]
    payloads: st.SearchStrategy[Any]
    timeouts: st.SearchStrategy[Any]
    arns: tuple[str, ...]
    functions: tuple[LambdaFunction, ...]


WILD = Flavour(False, paths, json_values, payloads, timeouts, ARNS, FUNCTIONS)
CLEAN = Flavour(
    True, clean_paths, clean_json, clean_payloads, clean_timeouts, CLEAN_ARNS, FUNCTIONS[:2]
)


# ---------------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------------

# Where a transition goes: ("obj", i) a state object of the same scope, ("sib", i) the *name*
# of a state of the same scope, ("any", i) a state object anywhere (index into every state of
# the workflow, so often another scope), ("name", s) a name, possibly of no state at all.
Ref = tuple[str, Any]


@dataclass
class Spec:
    kind: str
    name: str
    options: dict[str, Any]
    query_language: str | None = None
    next: Ref | None = None
    rules: list[tuple[Any, Ref, dict[str, Any]]] = field(default_factory=list)
    default: Ref | None = None
    retries: list[dict[str, Any]] = field(default_factory=list)
    catches: list[tuple[Ref, list[str], dict[str, Any]]] = field(default_factory=list)
    scopes: list[Plan] = field(default_factory=list)
    chain_scopes: bool = False


@dataclass
class Plan:
    states: list[Spec]


@dataclass
class WorkflowPlan:
    plan: Plan
    options: dict[str, Any]
    chain_start: bool


@st.composite
def refs(draw: st.DrawFn, size: int, flavour: Flavour, at: int = -1) -> Ref:
    kind = draw(st.integers(0, 19))
    if flavour.clean and at + 1 < size and kind < 12:
        # Mostly forward, so that clean graphs usually reach an end.
        return ("obj", draw(st.integers(at + 1, size - 1)))
    if kind < 14 or (flavour.clean and kind < 17):
        return ("obj", draw(st.integers(0, size - 1)))
    if kind < 17:
        return ("sib", draw(st.integers(0, size - 1)))
    if flavour.clean:
        return ("sib", draw(st.integers(0, size - 1)))
    if kind < 18:
        return ("any", draw(st.integers(0, 50)))
    if kind < 19:
        return ("name", draw(st.sampled_from(STATE_NAMES) | names))
    return ("name", draw(missing))


CLEAN_COMPARISONS: dict[str, st.SearchStrategy[Any]] = {
    "string_equals": st.text(max_size=5),
    "string_matches": st.sampled_from(("a*", "*.log", "x")),
    "numeric_less_than": st.integers(-100, 100) | st.floats(-1e6, 1e6),
    "numeric_equals": st.integers(-100, 100),
    "boolean_equals": st.booleans(),
    "timestamp_equals": st.datetimes(timezones=st.just(datetime.UTC)),
    "timestamp_less_than": st.just("2026-01-31T12:00:00Z"),
    "is_null": st.booleans(),
    "is_present": st.booleans(),
    "string_equals_path": reference_paths,
    "numeric_greater_than_path": reference_paths,
}


@st.composite
def condition_specs(draw: st.DrawFn, flavour: Flavour, jsonata: bool, depth: int = 0) -> Any:
    kind = draw(st.integers(0, 9))
    if flavour.clean and jsonata:
        # Only a bare expression: `~`, `&` and `|` build JSONPath And/Or/Not rules (see
        # test_combined_jsonata_conditions_are_refused_by_the_validator).
        return ("jsonata", draw(clean_jsonata))
    if kind < 6 or depth >= 2:
        function = draw(st.sampled_from(sorted(CLEAN_COMPARISONS)))
        if flavour.clean:
            return ("cmp", function, draw(reference_paths), draw(CLEAN_COMPARISONS[function]))
        value = draw(st.one_of(json_leaves, st.datetimes(timezones=st.just(datetime.UTC))))
        return ("cmp", function, draw(paths), value)
    if kind == 6 and not flavour.clean:
        return ("jsonata", draw(jsonata_exprs | st.text(max_size=10)))
    if kind <= 7:
        return ("not", draw(condition_specs(flavour, jsonata, depth + 1)))
    combinator = draw(st.sampled_from(("and", "or", "all_of", "any_of")))
    parts = st.lists(
        condition_specs(flavour, jsonata, depth + 1), min_size=1 if flavour.clean else 0, max_size=3
    )
    return (combinator, draw(parts))


def build_condition(spec: Any) -> Any:
    kind = spec[0]
    if kind == "cmp":
        _, function, variable, value = spec
        return getattr(c, function)(variable, value)
    if kind == "jsonata":
        return spec[1]  # a str condition: Choice.when wraps it as a JSONata expression
    if kind == "not":
        inner = build_condition(spec[1])
        return ~(c.jsonata(inner) if isinstance(inner, str) else inner)
    parts = [build_condition(part) for part in spec[1]]
    parts = [c.jsonata(p) if isinstance(p, str) else p for p in parts]
    if kind == "all_of":
        return c.all_of(*parts)
    if kind == "any_of":
        return c.any_of(*parts)
    if not parts:
        return c.all_of()
    combined = parts[0]
    for part in parts[1:]:
        combined = (combined & part) if kind == "and" else (combined | part)
    return combined


KINDS = (
    "task",
    "task",
    "lambda",
    "sdk",
    "service",
    "pass",
    "wait",
    "choice",
    "succeed",
    "fail",
    "parallel",
    "map",
)
TASK_KINDS = ("task", "lambda", "sdk", "service")


@st.composite
def task_options(draw: st.DrawFn, kind: str, jsonata: bool, flavour: Flavour) -> dict[str, Any]:
    options: dict[str, Any] = {}
    timeout = draw(flavour.timeouts)
    if timeout is not None:
        options["timeout_seconds"] = timeout
    if draw(st.integers(0, 9)) == 0 and not jsonata:
        options.pop("timeout_seconds", None)
        options["timeout_seconds_path"] = draw(reference_paths if flavour.clean else paths)
    if draw(st.booleans()):
        if flavour.clean:
            if isinstance(timeout, int):
                # None: the worker sends no heartbeats (the opt-out, not JSON null)
                options["heartbeat_seconds"] = draw(st.none() | st.integers(1, timeout - 1))
        else:
            options["heartbeat_seconds"] = draw(timeouts)
    if kind == "task":
        options["resource"] = draw(st.sampled_from(flavour.arns))
    elif kind == "lambda":
        options["function"] = draw(
            st.sampled_from(flavour.functions) | st.sampled_from(("my-fn", "${Fn}"))
        )
        options["wait_for_task_token"] = draw(st.booleans())
        if draw(st.booleans()):
            options["payload_response_only"] = draw(st.booleans())
        if draw(st.integers(0, 4)) == 0:
            options["retry_on_service_errors"] = False
        if draw(st.integers(0, 3)) == 0:
            options["payload"] = draw(flavour.json)
    elif kind == "sdk":
        options["service"] = draw(
            st.sampled_from(("s3", "dynamodb") if flavour.clean else ("s3", ""))
        )
        options["action"] = draw(
            st.sampled_from(("getObject", "putItem") if flavour.clean else ("putItem", ""))
        )
    else:
        options["service"] = draw(st.sampled_from(("batch", "ecs", "glue")))
        options["api"] = draw(st.sampled_from(("submitJob", "runTask", "startJobRun")))
        options["pattern"] = draw(
            st.sampled_from(("request-response", "sync", "sync:2", "waitForTaskToken"))
        )
    if draw(st.integers(0, 3)) == 0:
        if jsonata:
            options["arguments"] = draw(
                st.dictionaries(st.sampled_from(("a", "b")), clean_jsonata)
                if flavour.clean
                else payloads
            )
        else:
            options["parameters"] = draw(flavour.payloads)
    if draw(st.integers(0, 5)) == 0 and not (flavour.clean and jsonata):
        options["result_path"] = draw(reference_paths if flavour.clean else paths)
    if draw(st.integers(0, 5)) == 0 and not (flavour.clean and not jsonata):
        options["output"] = draw(clean_jsonata if flavour.clean else json_values)
    if draw(st.integers(0, 9)) == 0 and not (flavour.clean and jsonata):
        options["result_selector"] = draw(flavour.payloads)
    return options


@st.composite
def state_options(draw: st.DrawFn, kind: str, jsonata: bool, flavour: Flavour) -> dict[str, Any]:
    if kind in TASK_KINDS:
        return draw(task_options(kind, jsonata, flavour))
    clean = flavour.clean
    options: dict[str, Any] = {}
    if kind == "pass":
        if draw(st.booleans()) and not (clean and jsonata):
            options["result"] = draw(flavour.json)
        if draw(st.integers(0, 3)) == 0 and not (clean and jsonata):
            options["parameters"] = draw(flavour.payloads)
        if draw(st.integers(0, 3)) == 0 and not (clean and jsonata):
            options["result_path"] = draw(st.none() | (reference_paths if clean else paths))
    elif kind == "wait":
        count = 1 if clean else draw(st.sampled_from((1, 1, 1, 1, 0, 2)))
        keys = draw(st.permutations(("seconds", "timestamp", "seconds_path", "timestamp_path")))
        if clean and jsonata:
            keys = ["seconds"]
        for key in keys[:count]:
            if key == "seconds":
                options[key] = draw(
                    st.integers(0, 1000)
                    if clean
                    else st.integers(-1, 1000) | st.sampled_from(("{% 5 %}", "5"))
                )
            elif key == "timestamp":
                options[key] = draw(
                    st.sampled_from(
                        ("2026-01-31T12:00:00Z",)
                        if clean
                        else ("2026-01-31T12:00:00Z", "tomorrow", "{% $now() %}")
                    )
                )
            else:
                options[key] = draw(reference_paths if clean else paths)
    elif kind == "fail":
        if draw(st.booleans()):
            options["error"] = draw(
                st.sampled_from(("Oops", "E.Failed") if clean else ("Oops", "{% 'E' %}", ""))
            )
        if draw(st.booleans()):
            options["cause"] = draw(
                st.text(max_size=10).filter(lambda text: not text.startswith("{%"))
            )
        if draw(st.integers(0, 5)) == 0 and "error" not in options and not jsonata:
            options["error_path"] = draw(reference_paths | st.just("States.Format('x')"))
    elif kind == "map":
        if draw(st.integers(0, 3)) > 0:
            options["max_items"] = draw(st.integers(0, 10**4))
        options["mode"] = draw(st.sampled_from(("INLINE", "INLINE", "DISTRIBUTED")))
        if draw(st.booleans()):
            options["max_concurrency"] = draw(st.integers(0, 100) | st.just("{% 3 %}"))
            if clean and not jsonata:
                options["max_concurrency"] = draw(st.integers(0, 100))
        if draw(st.integers(0, 3)) == 0 and not (clean and jsonata):
            options["items_path"] = draw(reference_paths if clean else paths)
        distributed = options["mode"] == "DISTRIBUTED"
        if distributed or not clean:
            options.update(draw(distributed_map_options(clean, jsonata)))
    elif kind == "parallel" and draw(st.integers(0, 3)) == 0 and not (clean and jsonata):
        options["result_path"] = draw(reference_paths if clean else paths)
    if draw(st.integers(0, 9)) == 0:
        options["comment"] = draw(st.text(max_size=10))
    if draw(st.integers(0, 4)) == 0:
        # A budget annotation: the loops through this state run at most this many times.
        options["max_iterations"] = draw(
            st.integers(1, 5) if clean else st.integers(-1, 5) | st.integers(1, 10**12)
        )
    if draw(st.integers(0, 9)) == 0 and not (clean and kind in ("succeed", "fail")):
        variables = (
            st.sampled_from(("x", "y_1"))
            if clean
            else st.sampled_from(("x", "y.$", "bad name", "states"))
        )
        values = clean_jsonata if clean and jsonata else (st.integers() if clean else json_values)
        options["assign"] = draw(st.dictionaries(variables, values, max_size=2))
    return options


@st.composite
def distributed_map_options(draw: st.DrawFn, clean: bool, jsonata: bool) -> dict[str, Any]:
    """The distributed-Map parts; on an inline Map (wild plans only) the validator refuses them."""
    options: dict[str, Any] = {}
    if draw(st.booleans()):
        config = draw(
            st.fixed_dictionaries({}, optional={"MaxItems": st.integers(1, 10**5) | st.just(0)})
        )
        options["item_reader"] = ItemReader(
            resource="arn:aws:states:::s3:getObject", reader_config=config or None
        )
    if draw(st.integers(0, 3)) == 0:
        options["item_batcher"] = ItemBatcher(
            max_items_per_batch=draw(st.integers(1, 100)),
            **({"max_input_bytes_per_batch": 1024} if draw(st.booleans()) else {}),
        )
    if draw(st.integers(0, 3)) == 0:
        options["result_writer"] = ResultWriter(
            resource="arn:aws:states:::s3:putObject",
            **({} if jsonata else {"parameters": {"Bucket": "b", "Prefix": "p"}}),
        )
    if draw(st.integers(0, 3)) == 0:
        options["label"] = draw(st.sampled_from(("Label", "L" * 40) if clean else ("L" * 41, "")))
    if draw(st.integers(0, 3)) == 0:
        options["tolerated_failure_percentage"] = draw(
            st.floats(0, 100) if clean else st.floats(-5, 200) | st.just("{% 5 %}")
        )
    if draw(st.integers(0, 3)) == 0:
        options["execution_type"] = draw(st.sampled_from(("STANDARD", "EXPRESS")))
    return options


@st.composite
def error_lists(draw: st.DrawFn, flavour: Flavour, last: bool) -> list[str]:
    if not flavour.clean:
        return draw(
            st.lists(
                st.sampled_from(("States.ALL", "States.TaskFailed", "E")), min_size=1, max_size=2
            )
        )
    if last and draw(st.booleans()):
        return ["States.ALL"]
    return draw(
        st.lists(
            st.sampled_from(("States.TaskFailed", "States.Timeout", "E")),
            min_size=1,
            max_size=2,
            unique=True,
        )
    )


@st.composite
def plans(draw: st.DrawFn, flavour: Flavour, depth: int = 0, jsonata: bool = False) -> Plan:
    size = draw(st.integers(1, 5 if depth == 0 else 3))
    specs: list[Spec] = []
    for at in range(size):
        kind = draw(st.sampled_from(KINDS if depth < 2 else KINDS[:10]))
        if flavour.clean:
            language = None
        else:
            language = draw(st.sampled_from((None, None, None, "JSONPath", "JSONata")))
        state_jsonata = language == "JSONata" or (language is None and jsonata)
        name = draw(st.sampled_from(STATE_NAMES[:8]) if flavour.clean else names)
        spec = Spec(kind, name, draw(state_options(kind, state_jsonata, flavour)), language)
        if kind not in ("choice", "succeed", "fail") and draw(st.integers(0, 9)) < 7:
            spec.next = draw(refs(size, flavour, at))
            if flavour.clean and at == size - 1 and draw(st.integers(0, 9)) < 8:
                spec.next = None  # the last state usually ends its scope
        if kind == "choice":
            for _ in range(draw(st.integers(1 if flavour.clean else 0, 3))):
                extras: dict[str, Any] = {}
                if draw(st.integers(0, 9)) == 0:
                    extras["assign"] = {
                        "x": draw(
                            clean_jsonata if flavour.clean and state_jsonata else flavour.json
                        )
                    }
                if draw(st.integers(0, 9)) == 0 and (state_jsonata or not flavour.clean):
                    extras["output"] = draw(clean_jsonata if flavour.clean else json_values)
                if draw(st.integers(0, 9)) == 0:
                    extras["comment"] = draw(st.text(max_size=10))
                spec.rules.append(
                    (
                        draw(condition_specs(flavour, state_jsonata)),
                        draw(refs(size, flavour, at)),
                        extras,
                    )
                )
            if draw(st.booleans()):
                spec.default = draw(refs(size, flavour, at))
        if kind in (*TASK_KINDS, "parallel", "map"):
            count = draw(st.integers(0, 2))
            for index in range(count):
                spec.retries.append(
                    draw(
                        st.fixed_dictionaries(
                            {"errors": error_lists(flavour, index == count - 1)},
                            optional={
                                "interval_seconds": st.integers(1, 100),
                                "max_attempts": st.integers(0, 5)
                                if flavour.clean
                                else st.integers(0, 20) | st.integers(0, 99_999_999),
                                "backoff_rate": st.floats(1.0, 10.0),
                                "max_delay_seconds": st.integers(1, 10**5),
                                "jitter_strategy": st.sampled_from(("FULL", "NONE")),
                                "comment": st.text(max_size=10),
                            },
                        )
                    )
                )
            count = draw(st.integers(0, 2))
            for index in range(count):
                errors = draw(error_lists(flavour, index == count - 1))
                catch_options: dict[str, Any] = {}
                if draw(st.integers(0, 3)) == 0 and not (flavour.clean and state_jsonata):
                    catch_options["result_path"] = draw(
                        st.none() | st.just(OMIT) | (reference_paths if flavour.clean else paths)
                    )
                if draw(st.integers(0, 9)) == 0:
                    catch_options["comment"] = draw(st.text(max_size=10))
                spec.catches.append((draw(refs(size, flavour, at)), errors, catch_options))
        if kind == "parallel":
            spec.scopes = draw(
                st.lists(plans(flavour, depth + 1, state_jsonata), min_size=1, max_size=2)
            )
            spec.chain_scopes = draw(st.booleans())
        if kind == "map":
            spec.scopes = [draw(plans(flavour, depth + 1, state_jsonata))]
            spec.chain_scopes = draw(st.booleans())
        specs.append(spec)
    return Plan(specs)


def _unique_names(plan: Plan, seen: dict[str, int]) -> None:
    """Clean plans: make every name unique in the workflow, as ASL requires."""
    for spec in plan.states:
        count = seen.get(spec.name, 0)
        seen[spec.name] = count + 1
        if count:
            spec.name = f"{spec.name}{count}"
        for sub in spec.scopes:
            _unique_names(sub, seen)


@st.composite
def workflow_plans(draw: st.DrawFn, flavour: Flavour = WILD) -> WorkflowPlan:
    language = draw(st.sampled_from((None, None, "JSONPath", "JSONata")))
    plan = draw(plans(flavour, 0, language == "JSONata"))
    if flavour.clean:
        _unique_names(plan, {})
    workflow_type = draw(st.sampled_from(("STANDARD", "STANDARD", "EXPRESS")))
    limit = 300 if workflow_type == "EXPRESS" else 10**6
    options: dict[str, Any] = {
        "name": draw(
            st.sampled_from(("Flow", "my-flow_1", "Ünï"))
            | st.text("abcXYZ019-_", min_size=1, max_size=80)
        ),
        "type": workflow_type,
        "timeout_seconds": draw(st.integers(1, limit) | st.integers(1, 100)),
    }
    if language is not None:
        options["query_language"] = language
    default_timeout = draw(st.none() | st.integers(1, 10**5) | st.integers(1, 60))
    if default_timeout is not None:
        options["default_task_timeout"] = default_timeout
    if draw(st.booleans()):
        options["default_heartbeat_seconds"] = draw(st.integers(1, 10**4))
    if draw(st.integers(0, 3)) == 0:
        options["sync_budget"] = draw(st.floats(0.001, 10**6))
    if draw(st.integers(0, 5)) == 0:
        options["comment"] = draw(st.text(max_size=10))
    if flavour.clean:
        # Generous limits, so that what fails is the graph and not the arithmetic.
        options["timeout_seconds"] = 300 if workflow_type == "EXPRESS" else 10**6
        options["default_task_timeout"] = 30
        options["default_heartbeat_seconds"] = 10
        options.pop("sync_budget", None)
    return WorkflowPlan(plan, options, draw(st.booleans()))


# ---------------------------------------------------------------------------------------------
# Building a plan into model objects
# ---------------------------------------------------------------------------------------------

_CONSTRUCTORS: dict[str, type[State]] = {
    "task": Task,
    "lambda": LambdaInvoke,
    "sdk": AwsSdkCall,
    "service": ServiceTask,
    "pass": Pass,
    "wait": Wait,
    "choice": Choice,
    "succeed": Succeed,
    "fail": Fail,
    "parallel": Parallel,
    "map": Map,
}


class Builder:
    def __init__(self) -> None:
        self.every: list[State] = []
        # (spec, the objects of its plan, the state built for it); wired after all exist.
        self.pending: list[tuple[Spec, list[State], State]] = []

    def build(self, plan: Plan) -> list[State]:
        objects: list[State] = []
        for spec in plan.states:
            options = dict(spec.options)
            if spec.query_language is not None:
                options["query_language"] = spec.query_language
            if spec.kind in ("parallel", "map"):
                flows = [self.flow(sub, spec.chain_scopes) for sub in spec.scopes]
                if spec.kind == "parallel":
                    options["branches"] = flows
                else:
                    options["processor"] = flows[0]
            state = _CONSTRUCTORS[spec.kind](spec.name, **options)
            objects.append(state)
            self.every.append(state)
            self.pending.append((spec, objects, state))
        return objects

    def flow(self, plan: Plan, chain: bool) -> State | Chain:
        """A nested scope as its first state, or as a Chain when the plan allows one."""
        objects = self.build(plan)
        first = objects[0]
        ref = plan.states[0].next
        if chain and ref is not None and ref[0] == "obj" and first.can_continue:
            chained = first >> objects[ref[1]]
            # Wired now, so not again in wire(); the plan itself stays untouched for a rebuild.
            self.pending = [
                (Spec(**{**spec.__dict__, "next": None}), scope, state)
                if state is first
                else (spec, scope, state)
                for spec, scope, state in self.pending
            ]
            return chained
        return first

    def resolve(self, ref: Ref, objects: list[State]) -> State | str:
        kind, value = ref
        if kind == "obj":
            return objects[value]
        if kind == "sib":
            return objects[value].name
        if kind == "any":
            return self.every[value % len(self.every)]
        return str(value)

    def wire(self) -> None:
        for spec, objects, state in self.pending:
            if spec.next is not None and state.can_continue:
                target = self.resolve(spec.next, objects)
                if isinstance(target, str) or len(objects) % 2:
                    state.next(target)
                else:
                    _ = state >> target
            if isinstance(state, Choice):
                for condition, ref, extras in spec.rules:
                    state.when(build_condition(condition), self.resolve(ref, objects), **extras)
                if spec.default is not None:
                    state.otherwise(self.resolve(spec.default, objects))
            if isinstance(state, Task | Parallel | Map):
                for retry in spec.retries:
                    options = dict(retry)
                    state.add_retry(options.pop("errors"), **options)
                for ref, errors, options in spec.catches:
                    state.add_catch(self.resolve(ref, objects), errors, **options)


def build_workflow(plan: WorkflowPlan) -> Workflow | None:
    """The workflow of ``plan``, or None when the model refuses it at declaration time."""
    builder = Builder()
    try:
        objects = builder.build(plan.plan)
        builder.wire()
        start: State | Chain = objects[0]
        if plan.chain_start and len(objects) > 1 and objects[0].next_target is objects[1]:
            start = Chain(objects[0], objects[1])
        return Workflow(start=start, **plan.options)
    except (ValidationError, DeclarationError):
        return None


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def every_state(scope: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack = [scope]
    while stack:
        current = stack.pop()
        for body in current["States"].values():
            found.append(body)
            stack.extend(body.get("Branches", ()))
            if "ItemProcessor" in body:
                stack.append(body["ItemProcessor"])
    return found


def named_states(scope: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state body by name (names are unique in a compiled workflow)."""
    found: dict[str, dict[str, Any]] = {}
    stack = [scope]
    while stack:
        current = stack.pop()
        for name, body in current["States"].items():
            found[name] = body
            stack.extend(body.get("Branches", ()))
            if "ItemProcessor" in body:
                stack.append(body["ItemProcessor"])
    return found


def model_states(start: State) -> list[State]:
    """Every state object the compiler places, nested scopes included."""
    found: list[State] = []
    pending = [start]
    while pending:
        for state in collect_scope(pending.pop()):
            found.append(state)
            pending.extend(child for _, child in state.child_scopes())
    return found


def express_scopes(
    scope: dict[str, Any], express: bool
) -> list[tuple[dict[str, Any], bool, dict[str, Any] | None]]:
    """(scope, runs as Express, the distributed Map body when it is an EXPRESS child)."""
    found: list[tuple[dict[str, Any], bool, dict[str, Any] | None]] = [(scope, express, None)]
    for body in scope["States"].values():
        for branch in body.get("Branches", ()):
            found.extend(express_scopes(branch, express))
        processor = body.get("ItemProcessor")
        if processor is None:
            continue
        config = processor["ProcessorConfig"]
        if config["Mode"] == "DISTRIBUTED":
            child = config["ExecutionType"] == "EXPRESS"
            inner = express_scopes(processor, child)
            found.append((processor, child, body if child else None))
            found.extend(inner[1:])
        else:
            found.extend(express_scopes(processor, express))
    return found


def check_express(workflow: Workflow, outcome: CompiledWorkflow) -> None:
    states = model_states(workflow.start_state)
    max_items = {s.name: s.max_items for s in states if isinstance(s, Map) and s.max_items}
    iterations = {s.name: s.max_iterations for s in states if s.max_iterations}
    for scope, express, express_map in express_scopes(
        outcome.definition, workflow.type == "EXPRESS"
    ):
        if express:
            for body in scope["States"].values():
                if body["Type"] == "Task" and isinstance(body["Resource"], str):
                    assert not is_callback_resource(body["Resource"]), body
        if express_map is not None:
            child = compute_budget(scope, map_max_items=max_items, loop_max_iterations=iterations)
            assert child.bounded and child.seconds <= 300, child


def compile_or_error(workflow: Workflow) -> CompiledWorkflow | WorkflowError:
    try:
        return compile_workflow(workflow)
    except WorkflowError as exc:
        return exc


def check_outcome(workflow: Workflow, outcome: CompiledWorkflow | WorkflowError) -> None:
    event("compiled" if isinstance(outcome, CompiledWorkflow) else "WorkflowError")
    if isinstance(outcome, WorkflowError):
        event("first problem: " + outcome.problems[0].code if outcome.problems else "no problems")
        assert outcome.problems, "a WorkflowError without problems"
        for problem in outcome.problems:
            assert problem.message.strip(), f"empty message in {problem!r}"
            assert problem.severity == "error"
            assert problem.pointer == "" or problem.pointer.startswith("/")
        assert str(outcome)
        return
    definition = outcome.definition
    for body in every_state(definition):
        if body["Type"] == "Task":
            assert "TimeoutSeconds" in body or "TimeoutSecondsPath" in body, body
    strict_errors = error_problems(validate_definition(definition, strict=True))
    assert not strict_errors, [p.render() for p in strict_errors]
    assert outcome.budget.seconds >= 0
    assert outcome.budget.seconds <= workflow.timeout_seconds
    if workflow.sync_budget is not None:
        assert outcome.budget.bounded
        assert outcome.budget.seconds <= workflow.sync_budget
    if workflow.type == "EXPRESS":
        assert outcome.budget.bounded
        assert outcome.budget.seconds <= 300
    check_express(workflow, outcome)
    named = named_states(definition)
    for state in model_states(workflow.start_state):
        if isinstance(state, Task) and state.declines_heartbeat:
            event("heartbeat declined")
            assert "HeartbeatSeconds" not in named[state.name]
    json.loads(outcome.definition_json())
    assert outcome.state_counts()[0] == len(every_state(definition))
    assert all(w.message for w in outcome.warnings)


def same_outcome(
    first: CompiledWorkflow | WorkflowError, second: CompiledWorkflow | WorkflowError
) -> None:
    assert type(first) is type(second)
    if isinstance(first, WorkflowError):
        assert isinstance(second, WorkflowError)
        assert [p.render() for p in first.problems] == [p.render() for p in second.problems]
    else:
        assert isinstance(second, CompiledWorkflow)
        assert first.definition_json() == second.definition_json()
        assert first.budget == second.budget


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


@examples(1.0)
@given(workflow_plans())
def test_compile_random_workflows(plan: WorkflowPlan) -> None:
    workflow = build_workflow(plan)
    if workflow is None:
        reject()
    first = compile_or_error(workflow)
    check_outcome(workflow, first)
    # Determinism: the same Workflow object again...
    same_outcome(first, compile_or_error(workflow))
    # ...and an identical workflow declared again from the same plan.
    again = build_workflow(plan)
    assert again is not None
    same_outcome(first, compile_or_error(again))


@examples(1.0)
@given(workflow_plans(CLEAN))
def test_compile_mostly_valid_workflows(plan: WorkflowPlan) -> None:
    """Graphs of individually valid states, with defaults that let most of them compile."""
    workflow = build_workflow(plan)
    if workflow is None:
        reject()
    outcome = compile_or_error(workflow)
    check_outcome(workflow, outcome)
    same_outcome(outcome, compile_or_error(workflow))


# Regressions found by this suite: a value JSON cannot hold in a state made compile_workflow
# raise TypeError (from the validator measuring the definition) instead of WorkflowError.
@pytest.mark.parametrize(
    "value",
    [
        pytest.param(datetime.datetime(2026, 1, 31), id="datetime"),
        pytest.param(decimal.Decimal("1.5"), id="decimal"),
        pytest.param({1, 2}, id="set"),
    ],
)
def test_non_json_values_in_a_state_are_a_workflow_error(value: Any) -> None:
    task = Task(
        "T", resource="arn:aws:states:::lambda:invoke", timeout_seconds=5, parameters={"p": value}
    )
    route = Choice("Route").when(c.string_equals("$.x", value), task).otherwise(task)
    workflow = Workflow(name="W", start=route, timeout_seconds=60)
    with pytest.raises(WorkflowError) as raised:
        compile_workflow(workflow)
    assert [(p.pointer, p.code) for p in raised.value.problems] == [
        ("/States/Route/Choices/0/StringEquals", "json")
    ]
