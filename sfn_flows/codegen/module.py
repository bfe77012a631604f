"""`sfn-flows import`'s core: a definition the validator accepted in, the text of a module
that declares it with the builder API out, with an exact account of how the ASL that
module builds differs from the definition.

The differences are measured, not assumed: the workflow the module declares is built from
the same plan as the text (python_source evaluates what it renders) and compared with the
definition. A field the keywords would write differently is moved into the state's
`raw_fields` and the plan made again, until nothing more can be kept that way.
"""

from __future__ import annotations

import copy
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from sfn_flows.asl.definition import Machine, TaskState, parse_definition
from sfn_flows.asl.pointers import resolve_pointer
from sfn_flows.budget import compute_budget
from sfn_flows.codegen.differences import (
    Difference,
    category,
    differences,
    owner,
    shown,
    task_pointers,
)
from sfn_flows.codegen.plan import (
    CONDITIONS,
    FunctionSpec,
    Overrides,
    Plan,
    RawField,
    Settings,
    plan_module,
)
from sfn_flows.codegen.python_source import LINE_LENGTH, statement_lines, string_literal
from sfn_flows.compile import assemble_definition, compile_workflow
from sfn_flows.errors import WorkflowError
from sfn_flows.model.base import STRUCTURAL_FIELDS
from sfn_flows.model.workflow import MAX_EXPRESS_SECONDS, MAX_STANDARD_SECONDS
from sfn_flows.validate.problems import Problem

# What a Task without a timeout gets: Lambda's own longest run, so a Lambda Task keeps the
# behaviour it had (AWS's default is 99,999,999 s, which sfn-flows does not allow).
DEFAULT_TASK_TIMEOUT: Final = 900
# Rounds of moving fields into raw_fields; each round fixes every field the last one found.
_ROUNDS: Final = 6


@dataclass(frozen=True)
class Imported:
    """A definition as a module: its text, what it builds and how that differs."""

    text: str
    workflow_name: str
    source_name: str
    built: dict[str, Any]
    differences: tuple[Difference, ...]
    tasks: frozenset[str]  # pointers of the Task states
    raw: tuple[RawField, ...]
    functions: tuple[str, ...]  # the Lambda functions declared
    guessed_handlers: tuple[str, ...]  # those whose handler is a guess
    task_timeout: int | None  # default_task_timeout given, if any Task lacked a timeout
    defaulted_tasks: tuple[str, ...]  # names of the Tasks that get it
    heartbeat_tasks: tuple[tuple[str, int], ...]  # Tasks given a timeout above their heartbeat
    machine_timeout: int  # the Workflow's timeout_seconds
    machine_timeout_added: bool
    problems: tuple[Problem, ...]  # what the build says of the module (errors: it refuses)
    notes: tuple[str, ...] = field(default=())

    @property
    def inexact(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if self._category(d) == "inexact")

    @property
    def order_only(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.kind == "order")

    @property
    def timeouts(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if self._category(d).endswith("timeout"))

    @property
    def builds(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def _category(self, difference: Difference) -> str:
        return category(difference, self.tasks)

    def outcome(self) -> str:
        """`exact`, `timeouts` (only the timeouts sfn-flows adds), `order` (also keys in
        another order, the same JSON value otherwise) or `inexact`."""
        if self.inexact:
            return "inexact"
        if self.order_only:
            return "order"
        return "timeouts" if self.timeouts else "exact"

    def summary(self) -> list[str]:
        """How the build differs from the source, one paragraph an item (the module's header
        and the command's output say the same)."""
        return _summary(self)


def import_definition(
    definition: Mapping[str, Any],
    *,
    source_name: str,
    workflow_name: str,
    task_timeout: int = DEFAULT_TASK_TIMEOUT,
    workflow_type: str = "STANDARD",
    functions: Mapping[str, FunctionSpec] | None = None,
) -> Imported:
    """The module for `definition`, which must have passed `validate_definition` (its
    errors are the user's to fix first). `functions`: what a build's manifest says of the
    Lambda functions; their handlers are guessed without it."""
    machine = parse_definition(definition)
    tasks = task_pointers(machine)
    # The longest an execution of the type runs: what a definition without a timeout gets.
    longest = MAX_EXPRESS_SECONDS if workflow_type == "EXPRESS" else MAX_STANDARD_SECONDS
    given = _machine_timeout(definition, longest)
    machine_timeout = longest if given is None else given
    untimed = [s for s in machine.iter_states() if isinstance(s, TaskState) and _untimed(s)]
    settings = Settings(
        workflow_name=workflow_name,
        timeout_seconds=machine_timeout,
        timeout_added=given is None,
        workflow_type=workflow_type,
        functions=dict(functions or {}),
    )
    if untimed:
        settings = _with_task_timeout(settings, untimed, task_timeout)
    overrides = Overrides()
    plan, built = _plan(machine, settings, overrides, definition, tasks)
    if untimed and compute_budget(built).seconds > machine_timeout:
        fitted = _fitting_timeout(built, untimed, task_timeout, machine_timeout)
        if fitted is not None and fitted != task_timeout:
            settings = _with_task_timeout(settings, untimed, fitted)
            plan, built = _plan(machine, settings, overrides, definition, tasks)
    found = differences(definition, built)
    try:
        problems: tuple[Problem, ...] = compile_workflow(plan.workflow).warnings
    except WorkflowError as exc:
        problems = tuple(exc.problems)
    handled = settings.functions
    imported = Imported(
        text="",
        workflow_name=workflow_name,
        source_name=source_name,
        built=built,
        differences=tuple(found),
        tasks=tasks,
        raw=tuple(plan.raw),
        functions=tuple(plan.function_names),
        guessed_handlers=tuple(n for n in plan.function_names if n not in handled),
        task_timeout=settings.task_timeout,
        defaulted_tasks=tuple(s.name for s in untimed if s.pointer not in settings.task_timeouts),
        heartbeat_tasks=tuple(
            (s.name, settings.task_timeouts[s.pointer])
            for s in untimed
            if s.pointer in settings.task_timeouts
        ),
        machine_timeout=machine_timeout,
        machine_timeout_added=given is None,
        problems=problems,
        notes=tuple(plan.dropped),
    )
    return _with_text(imported, plan)


def _plan(
    machine: Machine,
    settings: Settings,
    overrides: Overrides,
    definition: Mapping[str, Any],
    tasks: frozenset[str],
) -> tuple[Plan, dict[str, Any]]:
    """Plan, build and compare until no field can be kept better through raw_fields."""
    states = {s.pointer: s.name for s in machine.iter_states()}
    for _ in range(_ROUNDS):
        plan = plan_module(machine, settings, overrides)
        built = assemble_definition(plan.workflow)
        changed = False
        for difference in differences(definition, built):
            if category(difference, tasks) != "inexact":
                continue
            changed |= _repair(difference, states, plan, overrides)
        if not changed:
            return plan, built
    return plan, built


def _repair(
    difference: Difference, states: Mapping[str, str], plan: Plan, overrides: Overrides
) -> bool:
    """Keep the field through raw_fields (or write the Task without LambdaInvoke's defaults,
    when those add a field); False when neither helps."""
    place = owner(difference.pointer, states)
    if place is None:
        return False
    at, key = place
    if key is None:
        return False
    if difference.kind == "added":
        if plan.classes.get(at) == "LambdaInvoke" and at not in overrides.generic:
            overrides.generic.add(at)
            return True
        return False
    if key in STRUCTURAL_FIELDS or key in overrides.raw.get(at, {}):
        return False
    if not _plain_json(difference.source):
        return False  # a reader's own type (an unquoted placeholder): raw writes it the same
    if key == "Retry" and plan.classes.get(at) == "LambdaInvoke" and at not in overrides.generic:
        # Its standard retrier is written whatever add_retry adds: write the Task plainly.
        overrides.generic.add(at)
        return True
    reason = f"a keyword writes {shown(difference.built)} where the source has " + shown(
        difference.source
    )
    if difference.pointer != f"{at}/{key}":
        reason = "a keyword would write part of it differently"
    overrides.raw.setdefault(at, {})[key] = reason
    return True


def _plain_json(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_plain_json(v) for v in value.values())
    if isinstance(value, list):
        return all(_plain_json(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def _untimed(state: TaskState) -> bool:
    return "TimeoutSeconds" not in state.raw and "TimeoutSecondsPath" not in state.raw


def _machine_timeout(definition: Mapping[str, Any], longest: int) -> int | None:
    value = definition.get("TimeoutSeconds")
    if type(value) is int and 1 <= value <= longest:
        return value
    return None


def _heartbeat(state: TaskState) -> int | None:
    value = state.raw.get("HeartbeatSeconds")
    return value if type(value) is int else None


def _own_timeout(state: TaskState, default: int) -> int | None:
    """A timeout of its own for a Task whose heartbeat `default` would not exceed (ASL wants
    the heartbeat below the timeout): the heartbeat plus the default."""
    heartbeat = _heartbeat(state)
    return heartbeat + default if heartbeat is not None and heartbeat >= default else None


def _with_task_timeout(settings: Settings, untimed: list[TaskState], seconds: int) -> Settings:
    """`seconds` as default_task_timeout, or a timeout of their own where a heartbeat needs."""
    explicit: dict[str, int] = {}
    for state in untimed:
        own = _own_timeout(state, seconds)
        if own is not None:
            explicit[state.pointer] = own
    default = seconds if len(explicit) < len(untimed) else None
    return replace(settings, task_timeout=default, task_timeouts=explicit)


def _fitting_timeout(
    built: Mapping[str, Any], untimed: list[TaskState], most: int, limit: int
) -> int | None:
    """The largest default task timeout up to `most` whose budget fits in `limit` (the
    budget grows with it), or None when not even 1 s fits."""

    def fits(seconds: int) -> bool:
        trial = copy.deepcopy(dict(built))
        for state in untimed:
            own = _own_timeout(state, seconds)
            resolve_pointer(trial, state.pointer)["TimeoutSeconds"] = own or seconds
        return compute_budget(trial).seconds <= limit

    if not fits(1):
        return None
    low, high = 1, most
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


# ---- text ------------------------------------------------------------------------------------
def _with_text(imported: Imported, plan: Plan) -> Imported:
    lines = [*_comment(_header(imported)), ""]
    lines += _import_lines(plan)
    sections = [
        (
            "Lambda functions: the definition names them by their ARN's substitution, "
            "${<Name>FunctionArn}, which deploy fills in.",
            plan.functions,
        ),
        ("States, in the definition's order.", plan.states),
        ("Transitions.", plan.transitions),
        ("", [plan.workflow_statement]),
    ]
    for title, statements in sections:
        if not statements:
            continue
        lines.append("")
        if title:
            lines += _comment([title])
        for statement in statements:
            lines += statement_lines(statement)
    return replace(imported, text="\n".join(lines) + "\n")


def _import_lines(plan: Plan) -> list[str]:
    lines: list[str] = []
    names = ", ".join(plan.imports)
    single = f"from sfn_flows import {names}"
    if len(single) <= LINE_LENGTH:
        lines.append(single)
    else:
        lines += ["from sfn_flows import (", *(f"    {n}," for n in plan.imports), ")"]
    if plan.uses_conditions:
        lines.append(f"from sfn_flows import conditions as {CONDITIONS}")
    return lines


def _comment(paragraphs: list[str]) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        if not paragraph:
            lines.append("#")
            continue
        bullet = paragraph.startswith("- ")
        wrapped = textwrap.wrap(
            printable(paragraph),
            width=LINE_LENGTH - 2,
            subsequent_indent="  " if bullet else "",
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines += [f"# {line}" for line in wrapped]
    return lines


def printable(text: str) -> str:
    """`text` with what a comment line cannot hold (line breaks, control characters)
    written as escapes."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _header(imported: Imported) -> list[str]:
    source = string_literal(imported.source_name)
    lines = [
        f"Workflow {string_literal(imported.workflow_name)}, imported from {source} by "
        "`sfn-flows import`.",
        "",
    ]
    return lines + imported.summary()


def _summary(imported: Imported) -> list[str]:
    source = string_literal(imported.source_name)
    items: list[str] = []
    if imported.machine_timeout_added:
        express = imported.machine_timeout == MAX_EXPRESS_SECONDS
        kind, longest = ("an Express", "5 minutes") if express else ("a Standard", "365 days")
        items.append(
            f"- TimeoutSeconds {imported.machine_timeout} ({longest}) on the state machine: "
            f"the source has none and sfn-flows requires one; {kind} execution ends at "
            f"{longest} anyway."
        )
    if imported.defaulted_tasks:
        names = _names(imported.defaulted_tasks)
        items.append(
            f"- TimeoutSeconds {imported.task_timeout} (default_task_timeout) on the "
            f"{len(imported.defaulted_tasks)} Task(s) without one: {names}. AWS's default "
            "is 99999999 s (none, in effect); sfn-flows requires a timeout on every Task. "
            "Check that each fits its work."
        )
    for name, seconds in imported.heartbeat_tasks:
        items.append(
            f"- TimeoutSeconds {seconds} on Task {string_literal(name)}, which has none: its "
            "HeartbeatSeconds plus the default, since a timeout must exceed the heartbeat."
        )
    for difference in imported.inexact:
        text = difference.describe()
        items.append(f"- {text}" if text.endswith(".") else f"- {text}.")
    if imported.order_only:
        items.append(
            f"- Key order in {len(imported.order_only)} object(s): the build writes each "
            "object's keys in sfn-flows' order (the JSON value is the same)."
        )
    if items:
        intro = [
            f"Building it writes the ASL of {source} again (as `sfn-flows build` writes JSON), "
            "except for:"
        ]
    else:
        intro = [
            f"Building it writes the ASL of {source} again, byte for byte (as `sfn-flows "
            "build` writes JSON)."
        ]
    notes: list[str] = []
    if imported.raw:
        states = len({r.pointer for r in imported.raw})
        notes.append(
            f"{len(imported.raw)} field(s) of {states} state(s) are kept in raw_fields, as "
            "they are: no keyword writes them so (the reason is above each state)."
        )
    if imported.guessed_handlers:
        notes.append(
            "The definition does not name the Lambda functions' code: handlers are guessed "
            "(lambdas/<name>.py, def handler) for "
            f"{_names(imported.guessed_handlers)}. Correct them before you build."
        )
    notes += [f"Left out (the model refused it): {note}." for note in imported.notes]
    errors = [p for p in imported.problems if p.severity == "error"]
    if errors:
        notes.append(
            "`sfn-flows build` refuses this module as it is: "
            + "; ".join(f"{p.pointer or '/'}: {p.message} {p.fix}" for p in errors)
        )
    return intro + items + ([""] if notes else []) + notes


def _names(names: tuple[str, ...], most: int = 12) -> str:
    listed = ", ".join(string_literal(n) for n in names[:most])
    return listed + (f" and {len(names) - most} more" if len(names) > most else "")
