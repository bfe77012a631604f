"""From a parsed definition to the statements of a module, and the objects they make.

The module reads top to bottom as the definition does: the Lambda functions it names, one
statement per state in document order (the states of a Parallel branch or a Map processor
just before the state that holds them), then the transitions (`a >> b >> c` for each linear
run, `.when(...)`/`.otherwise(...)` for each Choice, `.add_catch(...)`), then the Workflow.
States are declared before any transition so that a transition may point backwards (a loop)
as well as forwards; declaration order is the order the build writes a scope's states in.

Each statement is run as it is planned. A value a keyword refuses or would write otherwise
goes into the state's `raw_fields` instead, with the reason in a comment above it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel
from pydantic.alias_generators import to_snake

from sfn_flows import model
from sfn_flows.asl.definition import (
    ChoiceState,
    Machine,
    MapState,
    ParallelState,
    State,
    TaskState,
    nested_machines,
)
from sfn_flows.asl.jsonata import is_jsonata
from sfn_flows.codegen.names import Namer, lambda_handler
from sfn_flows.codegen.python_source import (
    LINE_LENGTH,
    Attr,
    Call,
    Code,
    Expr,
    Invert,
    ListOf,
    Lit,
    Op,
    Ref,
    Statement,
    flat,
    method,
    run,
    width,
)
from sfn_flows.codegen.tasks import (
    TaskShape,
    function_name,
    function_ref,
    lambda_invoke_shape,
    resource_shape,
    same_json,
)
from sfn_flows.compile.python_terms import python_keywords
from sfn_flows.errors import SfnFlowsError
from sfn_flows.model import Retry, Workflow, conditions
from sfn_flows.model.base import STRUCTURAL_FIELDS
from sfn_flows.model.conditions import jsonata_expression
from sfn_flows.model.order import KEY_ORDER
from sfn_flows.model.retry import DEFAULT_ERROR_PATH

# The names a generated module may import from sfn_flows (the authoring API), and what
# they are; a module imports those it uses.
IMPORTS: Final[Mapping[str, Any]] = {
    name: getattr(model, name) for name in model.__all__ if name != "conditions"
}
CONDITIONS: Final = "c"  # `from sfn_flows import conditions as c`, as the examples write it
_NESTED: Final[Mapping[str, type[BaseModel]]] = {
    name: IMPORTS[name] for name in ("ItemReader", "ItemBatcher", "ResultWriter")
}
# Written by the builder from the states (transitions, scopes), or by add_retry.
_STRUCTURAL: Final = frozenset({*STRUCTURAL_FIELDS, "Retry"})
_RANK: Final = {key: index for index, key in enumerate(KEY_ORDER)}
_RETRY_KEYWORDS: Final = {
    "IntervalSeconds": "interval_seconds",
    "MaxAttempts": "max_attempts",
    "BackoffRate": "backoff_rate",
    "MaxDelaySeconds": "max_delay_seconds",
    "JitterStrategy": "jitter_strategy",
    "Comment": "comment",
}
_ALL_ERRORS: Final = ["States.ALL"]
_YEAR: Final = Code("365 * 24 * 3600", 365 * 24 * 3600)
# Attempts at declaring one state, each moving what failed into raw_fields.
_ATTEMPTS: Final = 8


@dataclass(frozen=True)
class RawField:
    """A field written through raw_fields: where, and why no keyword writes it."""

    pointer: str  # of the state
    state: str
    key: str
    reason: str


@dataclass(frozen=True)
class FunctionSpec:
    """What the definition cannot say about a Lambda function (from a build's manifest)."""

    handler: str
    timeout_seconds: int | None = None
    memory_mb: int | None = None


@dataclass
class Overrides:
    """What an earlier plan showed: fields to write raw, Tasks to write without LambdaInvoke."""

    raw: dict[str, dict[str, str]] = field(default_factory=dict)
    generic: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Settings:
    workflow_name: str
    # The machine's TimeoutSeconds, and whether the definition has none (then it is the
    # longest an execution of the type runs).
    timeout_seconds: int
    timeout_added: bool = False
    # default_task_timeout; None when every Task has a timeout of its own.
    task_timeout: int | None = None
    # Explicit timeouts for Tasks whose heartbeat the default would not exceed, by pointer.
    task_timeouts: Mapping[str, int] = field(default_factory=dict)
    workflow_type: str = "STANDARD"
    functions: Mapping[str, FunctionSpec] = field(default_factory=dict)


@dataclass
class Plan:
    functions: list[Statement]
    states: list[Statement]
    transitions: list[Statement]
    workflow_statement: Statement
    workflow: Workflow
    imports: list[str]
    uses_conditions: bool
    raw: list[RawField]
    classes: dict[str, str]  # state pointer -> the class that writes it
    function_names: list[str]  # the Lambda functions declared, in order
    dropped: list[str]  # statements the model refused (their part is missing in the build)


def plan_module(machine: Machine, settings: Settings, overrides: Overrides) -> Plan:
    return _Planner(machine, settings, overrides).plan()


class _Planner:
    def __init__(self, machine: Machine, settings: Settings, overrides: Overrides) -> None:
        self.machine = machine
        self.settings = settings
        self.overrides = overrides
        self.names: dict[str, Any] = {**IMPORTS, CONDITIONS: conditions}
        self.namer = Namer(self.names)
        self.vars: dict[str, str] = {}
        self.states: list[Statement] = []
        self.transitions: list[Statement] = []
        self.raw: list[RawField] = []
        self.classes: dict[str, str] = {}
        self.dropped: list[str] = []
        for state in machine.iter_states():
            self.vars[state.name] = self.namer.name(state.name)
        self.function_vars: dict[str, str] = {}
        for name in _function_names(machine):
            self.function_vars[name] = self.namer.name(name, suffix="_fn", fallback="function")
        self.workflow_var = self.namer.name(settings.workflow_name, fallback="workflow")
        self.used_functions: set[str] = set()
        self.function = function_ref(self.function_vars, self.used_functions)

    def plan(self) -> Plan:
        declared = {name: self._function_statement(name) for name in self.function_vars}
        for statement in declared.values():
            run(statement, self.names)
        self._scope(self.machine)
        for scope in self.machine.iter_machines():
            self._wire(scope)
        workflow_statement = self._workflow_statement()
        workflow = run(workflow_statement, self.names)
        functions = [s for name, s in declared.items() if name in self.used_functions]
        everything = [*functions, *self.states, *self.transitions, workflow_statement]
        used = {name for s in everything for name in _refs(s.value)}
        return Plan(
            functions=functions,
            states=self.states,
            transitions=self.transitions,
            workflow_statement=workflow_statement,
            workflow=workflow,
            imports=sorted(used & IMPORTS.keys(), key=_import_order),
            uses_conditions=CONDITIONS in used,
            raw=self.raw,
            classes=self.classes,
            function_names=[name for name in declared if name in self.used_functions],
            dropped=self.dropped,
        )

    # ---- Lambda functions --------------------------------------------------------------------
    def _function_statement(self, name: str) -> Statement:
        spec = self.settings.functions.get(name) or FunctionSpec(lambda_handler(name))
        kwargs: list[tuple[str, Expr]] = [("handler", Lit(spec.handler))]
        if spec.timeout_seconds is not None:
            kwargs.append(("timeout_seconds", Lit(spec.timeout_seconds)))
        if spec.memory_mb is not None:
            kwargs.append(("memory_mb", Lit(spec.memory_mb)))
        value = Call(Ref("LambdaFunction"), (Lit(name),), tuple(kwargs))
        return Statement(value, self.function_vars[name])

    # ---- states ------------------------------------------------------------------------------
    def _scope(self, scope: Machine) -> None:
        for state in scope.states.values():
            for nested in nested_machines(state):
                self._scope(nested)
            self._declare(state)

    def _declare(self, state: State) -> None:
        forced = dict(self.overrides.raw.get(state.pointer, {}))
        for _ in range(_ATTEMPTS):
            declaration = self._declaration(state, forced)
            try:
                for statement in declaration.statements:
                    run(statement, self.names)
            except (ValueError, TypeError, SfnFlowsError) as exc:
                failed = declaration.culprits(exc) - forced.keys()
                if not failed:
                    raise
                reason = _first_line(exc)
                forced.update((key, f"the keyword refuses it: {reason}") for key in failed)
                continue
            self.states.extend(declaration.statements)
            self.classes[state.pointer] = declaration.cls
            self.raw.extend(
                RawField(state.pointer, state.name, key, reason)
                for key, reason in declaration.raw_reasons.items()
            )
            return
        raise AssertionError(f"{state.pointer}: no declaration the model accepts")

    def _declaration(self, state: State, forced: Mapping[str, str]) -> _Declaration:
        var = self.vars[state.name]
        declaration = _Declaration(var=var, cls=state.type, state=state)
        head: list[tuple[str, Expr]] = []
        handled: set[str] = set()
        own_retriers = 0
        if isinstance(state, TaskState):
            shape = self._task_shape(state)
            declaration.cls = shape.cls
            head, handled, own_retriers = shape.kwargs, shape.handled, shape.own_retriers
            if state.pointer in self.settings.task_timeouts:
                head.append(("timeout_seconds", Lit(self.settings.task_timeouts[state.pointer])))
        elif isinstance(state, ParallelState):
            starts = tuple(Ref(self.vars[branch.start_at]) for branch in state.branches)
            head = [("branches", ListOf(starts))]
        elif isinstance(state, MapState):
            head, handled = self._map_head(state)
        model: type[BaseModel] = IMPORTS[declaration.cls]
        keywords = python_keywords(model)
        kwargs = list(head)
        for key in sorted(state.raw, key=lambda k: _RANK.get(k, len(_RANK))):
            if key in _STRUCTURAL or key in handled:
                continue
            value = state.raw[key]
            keyword = keywords.get(key)
            if key in forced:
                declaration.raw_reasons[key] = forced[key]
            elif keyword is None or keyword in dict(head):
                declaration.raw_reasons[key] = f"{declaration.cls} has no keyword for it"
            else:
                nested = self._nested(key, value)
                if nested is None:
                    declaration.raw_reasons[key] = "its fields are not all keywords of " + key
                else:
                    kwargs.append((keyword, nested))
                    declaration.keys[keyword] = key
        retry_statements = self._retries(state, var, own_retriers, forced, declaration)
        raw_values = {key: state.raw[key] for key in declaration.raw_reasons}
        if raw_values:
            kwargs.append(("raw_fields", Lit(raw_values)))
        comments = tuple(
            f"raw_fields: {key}: {reason}" for key, reason in declaration.raw_reasons.items()
        )
        value = Call(Ref(declaration.cls), (Lit(state.name),), tuple(kwargs))
        declaration.statements = [Statement(value, var, comments), *retry_statements]
        return declaration

    def _task_shape(self, state: TaskState) -> TaskShape:
        if state.pointer not in self.overrides.generic:
            shape = lambda_invoke_shape(state, self.function)
            if shape is not None:
                return shape
        return resource_shape(state.raw.get("Resource"), self.function)

    def _map_head(self, state: MapState) -> tuple[list[tuple[str, Expr]], set[str]]:
        head: list[tuple[str, Expr]] = [("processor", Ref(self.vars[state.processor.start_at]))]
        config = state.processor.raw.get("ProcessorConfig")
        if not isinstance(config, Mapping):
            head.append(("mode", Lit(None)))
        elif config.get("Mode") == "DISTRIBUTED":
            head.append(("mode", Lit("DISTRIBUTED")))
            if config.get("ExecutionType") not in (None, "STANDARD"):
                head.append(("execution_type", Lit(config.get("ExecutionType"))))
        if state.uses_iterator:
            head.append(("legacy_iterator", Lit(True)))
        return head, set()

    def _nested(self, key: str, value: Any) -> Expr | None:
        """ItemReader(...) and the like for their fields; Lit for any other field."""
        model = _NESTED.get(key)
        if model is None:
            return Lit(value)
        if not isinstance(value, Mapping):
            return None
        keywords = python_keywords(model)
        if not value.keys() <= keywords.keys():
            return None
        kwargs = tuple((keywords[k], Lit(v)) for k, v in value.items())
        return Call(Ref(key), (), kwargs)

    def _retries(
        self,
        state: State,
        var: str,
        own: int,
        forced: Mapping[str, str],
        declaration: _Declaration,
    ) -> list[Statement]:
        retriers = state.raw.get("Retry")
        if not isinstance(retriers, list):
            return []
        if "Retry" in forced:
            declaration.raw_reasons["Retry"] = forced["Retry"]
            return []
        calls = [_add_retry(var, retrier) for retrier in retriers[own:]]
        refused = [c for c in calls if isinstance(c, str)]
        if refused:
            declaration.raw_reasons["Retry"] = refused[0]
            return []
        return [Statement(c) for c in calls if not isinstance(c, str)]

    # ---- transitions -------------------------------------------------------------------------
    def _wire(self, scope: Machine) -> None:
        heads = _chains(list(scope.states.values()))
        for state in scope.states.values():
            chain = heads.get(state.name)
            if chain is not None:
                for piece in self._chain_statements(chain):
                    self._transition(piece)
            if isinstance(state, ChoiceState):
                for index, rule in enumerate(state.choices):
                    self._transition(self._rule(state, index, rule.raw))
                if state.default is not None:
                    target = Ref(self.vars[state.default])
                    self._transition(
                        Statement(method(self.vars[state.name], "otherwise", [target], []))
                    )
            for catcher in (
                state.raw.get("Catch", ()) if state.type in ("Task", "Parallel", "Map") else ()
            ):
                self._transition(self._catch(state, catcher))

    def _transition(self, statement: Statement | None) -> None:
        if statement is None:
            return
        try:
            run(statement, self.names)
        except (ValueError, TypeError, SfnFlowsError) as exc:
            self.dropped.append(f"{flat(statement.value)}: {_first_line(exc)}")
            return
        self.transitions.append(statement)

    def _chain_statements(self, names: list[str]) -> Iterator[Statement]:
        """`a >> b >> c` for the run, cut into statements that fit on a line (each piece
        starts where the last ended); `a.next(b)` when even two names do not fit."""
        refs = [self.vars[name] for name in names]
        start = 0
        while start < len(refs) - 1:
            end = start + 1
            while end + 1 < len(refs) and width(" >> ".join(refs[start : end + 2])) <= LINE_LENGTH:
                end += 1
            piece = refs[start : end + 1]
            if len(piece) == 2 and width(" >> ".join(piece)) > LINE_LENGTH:
                yield Statement(method(piece[0], "next", [Ref(piece[1])], []))
            else:
                yield Statement(Op(">>", tuple(Ref(r) for r in piece)))
            start = end

    def _rule(self, state: ChoiceState, index: int, rule: Mapping[str, Any]) -> Statement | None:
        extras = {"Next", "Assign", "Output", "Comment"}
        test = {k: v for k, v in rule.items() if k not in extras}
        jsonata = state.is_jsonata
        condition = _jsonata_condition(test) if jsonata else condition_expr(test)
        kwargs = [
            (keyword, Lit(rule[key]))
            for key, keyword in (("Assign", "assign"), ("Output", "output"), ("Comment", "comment"))
            if rule.get(key) is not None
        ]
        target = Ref(self.vars[str(rule["Next"])])
        return Statement(method(self.vars[state.name], "when", [condition, target], kwargs))

    def _catch(self, state: State, catcher: Mapping[str, Any]) -> Statement:
        args: list[Expr] = [Ref(self.vars[str(catcher["Next"])])]
        errors = catcher.get("ErrorEquals")
        if errors != _ALL_ERRORS:
            args.append(Lit(errors))
        kwargs: list[tuple[str, Expr]] = []
        if "ResultPath" not in catcher:
            if not state.is_jsonata:
                kwargs.append(("result_path", Ref("OMIT")))
        elif catcher["ResultPath"] != DEFAULT_ERROR_PATH or state.is_jsonata:
            kwargs.append(("result_path", Lit(catcher["ResultPath"])))
        for key, keyword in (("Output", "output"), ("Assign", "assign"), ("Comment", "comment")):
            if catcher.get(key) is not None:
                kwargs.append((keyword, Lit(catcher[key])))
        return Statement(method(self.vars[state.name], "add_catch", args, kwargs))

    # ---- the workflow ------------------------------------------------------------------------
    def _workflow_statement(self) -> Statement:
        settings = self.settings
        kwargs: list[tuple[str, Expr]] = [("name", Lit(settings.workflow_name))]
        comment = self.machine.comment
        if isinstance(comment, str) and comment:
            kwargs.append(("comment", Lit(comment)))
        language = self.machine.raw.get("QueryLanguage")
        if isinstance(language, str):
            kwargs.append(("query_language", Lit(language)))
        if settings.workflow_type != "STANDARD":
            kwargs.append(("type", Lit(settings.workflow_type)))
        kwargs.append(("start", Ref(self.vars[self.machine.start_at])))
        timeout = settings.timeout_seconds
        year = settings.timeout_added and timeout == _YEAR.value
        kwargs.append(("timeout_seconds", _YEAR if year else Lit(timeout)))
        if settings.task_timeout is not None:
            kwargs.append(("default_task_timeout", Lit(settings.task_timeout)))
        return Statement(Call(Ref("Workflow"), (), tuple(kwargs)), self.workflow_var)


@dataclass
class _Declaration:
    var: str
    cls: str
    state: State
    statements: list[Statement] = field(default_factory=list)
    raw_reasons: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # keyword -> the ASL key it writes

    def culprits(self, exc: Exception) -> set[str]:
        """The ASL keys behind a refusal: the fields pydantic names, else every keyword's."""
        errors = getattr(exc, "errors", None)
        found: set[str] = set()
        if callable(errors):
            for error in errors():
                loc = error.get("loc") or ()
                keyword = str(loc[0]) if loc else ""
                if keyword in self.keys:
                    found.add(self.keys[keyword])
                elif keyword in _RETRY_FIELDS:
                    found.add("Retry")
        if not found and "add_retry" in str(exc):
            found.add("Retry")
        return found or set(self.keys.values()) | (
            {"Retry"} if "Retry" in self.state.raw else set()
        )


_RETRY_FIELDS: Final = frozenset({"error_equals", *_RETRY_KEYWORDS.values()})


def _add_retry(var: str, retrier: Any) -> Call | str:
    """`var.add_retry(...)` writing exactly `retrier`, or why no call can."""
    if not isinstance(retrier, Mapping) or not isinstance(retrier.get("ErrorEquals"), list):
        return "a retrier add_retry cannot take"
    unknown = sorted(retrier.keys() - {"ErrorEquals", *_RETRY_KEYWORDS})
    if unknown:
        return f"add_retry has no keyword for {', '.join(unknown)}"
    kwargs = [(_RETRY_KEYWORDS[k], retrier[k]) for k in _RETRY_KEYWORDS if k in retrier]
    try:
        written = Retry(error_equals=list(retrier["ErrorEquals"]), **dict(kwargs)).to_asl()
    except (ValueError, TypeError, SfnFlowsError) as exc:
        return f"add_retry refuses it: {_first_line(exc)}"
    for key, value in retrier.items():
        if not same_json(written.get(key), value):
            keyword = _RETRY_KEYWORDS.get(key, "errors")
            if key not in written:
                return f"{key} {json.dumps(value)}: add_retry writes no {key} for it"
            return f"{key} {json.dumps(value)}: {keyword}= writes it as {json.dumps(written[key])}"
    errors = retrier["ErrorEquals"]
    args = [] if errors == _ALL_ERRORS else [Lit(errors)]
    return method(var, "add_retry", args, [(k, Lit(v)) for k, v in kwargs])


def condition_expr(test: Mapping[str, Any]) -> Expr:
    """The builder expression for a JSONPath Choice rule's test:
    `c.string_equals("$.kind", "video") & ~c.is_null("$.size")`. Operators join tests when
    it reads the same (`a & b` makes one And of both, so an operand that is itself an And is
    written with c.all_of); calls are the fallback when operators do not fit on a line. A
    test no builder writes as it is (a Comment inside a nested rule) is `c.raw({...})`."""
    built = _builder_condition(test)
    return built if built is not None else _raw_condition(test)


def _raw_condition(test: Any) -> Expr:
    return Call(Attr(Ref(CONDITIONS), "raw"), (Lit(test),))


def _builder_condition(test: Mapping[str, Any]) -> Expr | None:
    for key, builder, symbol in (("And", "all_of", "&"), ("Or", "any_of", "|")):
        if set(test) == {key} and isinstance(test[key], list):
            parts = test[key]
            if not all(isinstance(p, Mapping) for p in parts):
                return None
            exprs = tuple(condition_expr(p) for p in parts)
            func = Call(Attr(Ref(CONDITIONS), builder), exprs)
            nested_same = any(key in p for p in parts)
            if len(exprs) < 2 or nested_same:
                return func
            return Op(symbol, exprs, fallback=func)
    if set(test) == {"Not"} and isinstance(test["Not"], Mapping):
        inner = condition_expr(test["Not"])
        return Invert(inner, fallback=Call(Attr(Ref(CONDITIONS), "not_"), (inner,)))
    operators = [k for k in test if k != "Variable"]
    if len(test) != 2 or len(operators) != 1 or not isinstance(test.get("Variable"), str):
        return None
    operator = operators[0]
    builder = to_snake(operator)
    if builder.startswith("_") or not callable(getattr(conditions, builder, None)):
        return None
    value = test[operator]
    args: list[Expr] = [Lit(test["Variable"])]
    if not (operator.startswith("Is") and value is True):
        args.append(Lit(value))
    return Call(Attr(Ref(CONDITIONS), builder), tuple(args))


def _jsonata_condition(test: Mapping[str, Any]) -> Expr:
    """The expression `.when(...)` takes: without its `{% %}` when it writes them back as
    they were, else as written; `c.raw(...)` for a constant (`"Condition": true`)."""
    if set(test) != {"Condition"} or not is_jsonata(test["Condition"]):
        return _raw_condition(test)
    written: str = test["Condition"]
    inner = written[2:-2].strip()
    return Lit(inner if jsonata_expression(inner) == written else written)


def _chains(states: list[State]) -> dict[str, list[str]]:
    """The runs of Next transitions of one scope, by their first state: every Next belongs
    to exactly one run. A run starts where the flow joins (no state, or several, lead there)
    or, in a loop of Next alone, at its first state in document order."""
    following = {s.name: s.next for s in states if s.next is not None}
    arrivals = Counter(following.values())
    done: set[str] = set()
    runs: dict[str, list[str]] = {}

    def follow(head: str) -> list[str]:
        run, current = [head], head
        while current in following and current not in done:
            done.add(current)
            current = following[current]
            run.append(current)
        return run

    for joins_only in (True, False):
        for state in states:
            name = state.name
            if name in following and name not in done and (arrivals[name] != 1 or not joins_only):
                runs[name] = follow(name)
    return runs


def _function_names(machine: Machine) -> list[str]:
    """The project functions the Tasks may name (`${<Name>FunctionArn}`), in document order."""
    names: list[str] = []
    for state in machine.iter_states():
        if not isinstance(state, TaskState):
            continue
        candidates = [state.raw.get("Resource")]
        for key in ("Parameters", "Arguments"):
            given = state.raw.get(key)
            if isinstance(given, Mapping):
                candidates.append(given.get("FunctionName"))
        for candidate in candidates:
            name = function_name(candidate)
            if name is not None and name not in names:
                names.append(name)
    return names


def _refs(expr: Expr) -> Iterator[str]:
    if isinstance(expr, Ref):
        yield expr.name
    elif isinstance(expr, Attr):
        yield from _refs(expr.obj)
    elif isinstance(expr, Call):
        yield from _refs(expr.func)
        for arg in expr.args:
            yield from _refs(arg)
        for _, value in expr.kwargs:
            yield from _refs(value)
    elif isinstance(expr, Op):
        for operand in expr.operands:
            yield from _refs(operand)
        if expr.fallback is not None:
            yield from _refs(expr.fallback)
    elif isinstance(expr, Invert):
        yield from _refs(expr.operand)
    elif isinstance(expr, ListOf):
        for item in expr.items:
            yield from _refs(item)


def _import_order(name: str) -> tuple[int, str]:
    # isort's order within one import: constants, then classes.
    return (0 if name.isupper() else 1, name)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


__all__ = [
    "CONDITIONS",
    "IMPORTS",
    "FunctionSpec",
    "Overrides",
    "Plan",
    "RawField",
    "Settings",
    "condition_expr",
    "plan_module",
]
