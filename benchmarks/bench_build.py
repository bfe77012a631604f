"""Build-time benchmarks for sfn_flows: compile a 1,000-state workflow, validate a ~1 MB ASL,
budget a 1,000-state chain.

    python benchmarks/bench_build.py [--repeat N] [--warmup N] [--profile]

Everything runs in one process; each measurement is run `--warmup` times untimed, then
`--repeat` times with `time.perf_counter`, and the median is reported (min/max alongside).
A full `gc.collect()` runs before each repetition, outside the timed region. The workflows
are generated deterministically (no randomness), so runs are comparable across machines.

The aims (compile of 1,000 states under 100 ms, budget of a 1,000-state chain under 10 ms) are
only printed, never asserted: wall-clock time depends on the machine and its load, so each
figure is also printed as a ratio to a baseline measured in the same process.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import math
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sfn_flows import (
    Choice,
    Fail,
    LambdaFunction,
    LambdaInvoke,
    Map,
    Parallel,
    Pass,
    State,
    Succeed,
    Task,
    Workflow,
    compile_workflow,
    validate_definition,
)
from sfn_flows import conditions as c
from sfn_flows.asl.retry import retrier_waits
from sfn_flows.budget import compute_budget

TARGET_STATES = 1_000
COMPILE_AIM_MS = 100.0
CHAIN_BUDGET_AIM_MS = 10.0
MAX_DEFINITION_BYTES = 1_048_576  # Step Functions' definition size limit
SIZE_FLOOR = 950_000
SIZE_TARGET = 1_000_000
MAX_WORKFLOW_TIMEOUT = 31_536_000

S = TypeVar("S", bound=State)


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    label: str
    first_ms: float  # the first (warm-up) call: cold caches, lazy imports, ...
    median_ms: float
    min_ms: float
    max_ms: float


def measure(label: str, func: Callable[[], object], *, repeat: int, warmup: int) -> Timing:
    first_ms = math.nan
    for index in range(warmup):
        gc.collect()
        start = time.perf_counter()
        func()
        if index == 0:
            first_ms = (time.perf_counter() - start) * 1000.0
    samples: list[float] = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000.0)
    return Timing(label, first_ms, statistics.median(samples), min(samples), max(samples))


def print_timings(timings: list[Timing]) -> None:
    width = max(len(t.label) for t in timings)
    print(f"  {'':{width}}  {'median':>10} {'min':>10} {'max':>10} {'first':>10}")
    for t in timings:
        print(
            f"  {t.label:{width}}  {t.median_ms:8.2f}ms {t.min_ms:8.2f}ms "
            f"{t.max_ms:8.2f}ms {t.first_ms:8.2f}ms"
        )


def ratio(numerator: Timing, denominator: Timing) -> str:
    return f"{numerator.median_ms / denominator.median_ms:6.1f}x"


# ---------------------------------------------------------------------------------------------
# 1. A realistic 1,000-state workflow, built with the authoring API
# ---------------------------------------------------------------------------------------------

_FUNCTIONS = (
    ("ValidateOrder", "orders.validate"),
    ("ReserveStock", "orders.reserve_stock"),
    ("ChargePayment", "orders.charge_payment"),
    ("PackLine", "orders.pack_line"),
    ("PrintLabel", "shipping.print_label"),
    ("BookCourier", "shipping.book_courier"),
    ("NotifyCustomer", "notify.customer"),
    ("UpdateLedger", "finance.update_ledger"),
    ("ScoreFraud", "risk.score_fraud"),
    ("ApplyCoupon", "pricing.apply_coupon"),
    ("ComputeTax", "pricing.compute_tax"),
    ("ArchiveOrder", "orders.archive"),
)

# Sizes of the building blocks, in states (nested states included).
_STANDARD_BLOCK = 10  # invoke, task, pass, choice -> (invoke | task | pass), invoke, task, pass
_PARALLEL_BLOCK = 7  # parallel + 2 branches of (task >> pass >> invoke)
_MAP_BLOCK = 4  # map + processor (invoke >> pass >> task)
_SPECIAL_BLOCKS = {24: "parallel", 48: "map", 72: "parallel", 90: "map"}


@dataclass
class BuiltWorkflow:
    workflow: Workflow
    map_max_items: dict[str, int]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def states(self) -> int:
        return sum(self.counts.values())


class WorkflowBuilder:
    """Generates the same 1,000-state order-processing workflow on every call."""

    def __init__(self) -> None:
        self.functions = [LambdaFunction(n, handler=h, timeout_seconds=30) for n, h in _FUNCTIONS]
        self.counts: dict[str, int] = {}
        self.serial = 0
        self.pending: list[State] = []
        self.first: State | None = None
        self.map_max_items: dict[str, int] = {}
        self.failed = self._count(
            Fail(name="OrderFailed", error="OrderFailed", cause="A step failed after its retries")
        )

    # ---- bookkeeping --------------------------------------------------------------------
    def _count(self, state: S) -> S:
        kind = type(state).__name__
        kind = "Task" if isinstance(state, Task) else kind
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return state

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def _name(self, what: str) -> str:
        self.serial += 1
        return f"S{self.serial:04d}_{what}"

    def _append(self, state: State) -> None:
        """Make `state` the Next of every dangling state, then it is the one dangling."""
        for previous in self.pending:
            previous >> state
        if self.first is None:
            self.first = state
        self.pending = [state]

    # ---- single states ------------------------------------------------------------------
    def invoke(self, *, catch: bool = True) -> LambdaInvoke:
        function = self.functions[self.serial % len(self.functions)]
        n = self.serial
        options: dict[str, Any] = {}
        if n % 3 == 0:
            options["result_path"] = f"$.results.{function.name.lower()}"
            options["result_selector"] = {"value.$": "$.Payload", "status.$": "$.StatusCode"}
        if n % 4 == 1:
            options["payload"] = {
                "order_id.$": "$.order_id",
                "step": n,
                "customer.$": "$.customer",
                "trace.$": "States.Format('{}:{}', $$.Execution.Id, $$.State.Name)",
            }
        state = LambdaInvoke(
            name=self._name(f"Invoke{function.name}"),
            function=function,
            timeout_seconds=30,
            **options,
        ).add_retry(["States.Timeout"], interval_seconds=2, max_attempts=2, backoff_rate=2.0)
        if catch:
            state.add_catch(self.failed, result_path="$.error")
        return self._count(state)

    def task(self, *, catch: bool = True) -> Task:
        n = self.serial
        variant = n % 4
        if variant == 0:
            what, resource = "PutOrder", "arn:aws:states:::dynamodb:putItem"
            parameters: dict[str, Any] = {
                "TableName": "orders",
                "Item": {
                    "pk": {"S.$": "States.Format('ORDER#{}', $.order_id)"},
                    "sk": {"S": f"STEP#{n:04d}"},
                    "status": {"S.$": "$.status"},
                    "updatedAt": {"S.$": "$$.State.EnteredTime"},
                },
            }
        elif variant == 1:
            what, resource = "Enqueue", "arn:aws:states:::sqs:sendMessage"
            parameters = {
                "QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo",
                "MessageBody.$": "States.JsonToString($.order)",
                "MessageGroupId.$": "$.customer.id",
                "MessageDeduplicationId.$": f"States.Format('{{}}-{n}', $.order_id)",
            }
        elif variant == 2:
            what, resource = "Publish", "arn:aws:states:::sns:publish"
            parameters = {
                "TopicArn": "arn:aws:sns:eu-west-1:123456789012:order-events",
                "Subject.$": "States.Format('Order {} is {}', $.order_id, $.status)",
                "Message.$": "States.JsonToString($.lines[0])",
            }
        else:
            what, resource = "PutEvent", "arn:aws:states:::events:putEvents"
            parameters = {
                "Entries": [
                    {
                        "Source": "orders",
                        "DetailType": f"Step{n:04d}",
                        "Detail.$": "States.JsonMerge($.order, $.meta, false)",
                        "EventBusName": "default",
                    }
                ]
            }
        state = Task(
            name=self._name(what),
            resource=resource,
            parameters=parameters,
            timeout_seconds=10,
            result_path=None if variant != 0 else f"$.writes.w{n}",
        ).add_retry(["States.ALL"], interval_seconds=1, max_attempts=2, backoff_rate=1.5)
        if catch:
            state.add_catch(self.failed, result_path="$.error")
        return self._count(state)

    def pass_(self) -> Pass:
        n = self.serial
        return self._count(
            Pass(
                name=self._name("Shape"),
                parameters={
                    "order_id.$": "$.order_id",
                    "stage": n,
                    "items.$": "States.ArrayLength($.lines)",
                    "summary.$": "States.Format('step {} for {}', $.status, $.customer.id)",
                    "customer": {"id.$": "$.customer.id", "tier.$": "$.customer.tier"},
                    "order.$": "$.order",
                    "meta.$": "$.meta",
                    "lines.$": "$.lines",
                    "status.$": "$.status",
                },
                result_path=f"$.shaped.s{n}" if n % 2 else None,
            )
        )

    # ---- blocks -------------------------------------------------------------------------
    def standard_block(self) -> None:
        self._append(self.invoke())
        self._append(self.task())
        self._append(self.pass_())
        choice = self._count(Choice(name=self._name("Route")))
        self._append(choice)
        express, manual, normal = self.invoke(), self.task(), self.pass_()
        choice.when(
            c.string_equals("$.kind", "physical") & c.numeric_greater_than("$.total_cents", 10_000),
            express,
        ).when(c.is_present("$.coupon", True) & ~c.is_null("$.coupon", True), manual).when(
            c.string_matches("$.region", "eu-*") | c.string_equals("$.region", "uk"), express
        ).otherwise(normal)
        self.pending = [express, manual, normal]
        self._append(self.invoke())
        self._append(self.task())
        self._append(self.pass_())

    def parallel_block(self) -> None:
        name = self._name("FanOut")
        branches = [
            self.task(catch=False) >> self.pass_() >> self.invoke(catch=False) for _ in "ab"
        ]
        state = Parallel(name=name, branches=branches, result_path=f"$.parallel.{name.lower()}")
        state.add_retry(["States.TaskFailed"], interval_seconds=5, max_attempts=1)
        state.add_catch(self.failed, result_path="$.error")
        self._append(self._count(state))

    def map_block(self) -> None:
        name = self._name("EachLine")
        processor = self.invoke(catch=False) >> self.pass_() >> self.task(catch=False)
        state = Map(
            name=name,
            processor=processor,
            items_path="$.lines",
            item_selector={"line.$": "$$.Map.Item.Value", "order_id.$": "$.order_id"},
            max_concurrency=10,
            max_items=100,
            result_path=f"$.mapped.{name.lower()}",
        )
        state.add_catch(self.failed, result_path="$.error")
        self.map_max_items[name] = 100
        self._append(self._count(state))

    def build(self, timeout_seconds: int) -> BuiltWorkflow:
        remaining = TARGET_STATES - 1  # keep room for the final Succeed
        block = 0
        while True:
            special = _SPECIAL_BLOCKS.get(block)
            if special == "parallel" and self.total + _PARALLEL_BLOCK <= remaining:
                self.parallel_block()
            elif special == "map" and self.total + _MAP_BLOCK <= remaining:
                self.map_block()
            elif self.total + _STANDARD_BLOCK <= remaining:
                self.standard_block()
            else:
                break
            block += 1
        fillers = (self.invoke, self.task, self.pass_)
        while self.total < remaining:
            self._append(fillers[self.total % 3]())
        self._append(self._count(Succeed(name=self._name("Done"))))
        if self.first is None:
            raise RuntimeError("the generator produced no states")
        workflow = Workflow(
            name="bench-1000-states",
            comment="Generated by benchmarks/bench_build.py",
            start=self.first,
            timeout_seconds=timeout_seconds,
            default_task_timeout=60,
        )
        return BuiltWorkflow(workflow, self.map_max_items, dict(self.counts))


def build_workflow(timeout_seconds: int) -> BuiltWorkflow:
    return WorkflowBuilder().build(timeout_seconds)


def calibrated_timeout() -> tuple[int, float]:
    """A Workflow timeout that covers the generated workflow's worst case, with 25 % slack,
    rounded up to a whole hour (found by compiling once with the maximum timeout)."""
    probe = compile_workflow(build_workflow(MAX_WORKFLOW_TIMEOUT).workflow)
    worst = probe.budget.seconds
    timeout = min(MAX_WORKFLOW_TIMEOUT, math.ceil(worst * 1.25 / 3600) * 3600)
    return timeout, worst


def bench_compile(repeat: int, warmup: int, profile: bool) -> str:
    print(f"== 1. Compile + validate a {TARGET_STATES:,}-state workflow ==")
    timeout, worst = calibrated_timeout()
    built = build_workflow(timeout)
    compiled = compile_workflow(built.workflow)
    definition = compiled.definition
    states, tasks = compiled.state_counts()
    mix = ", ".join(f"{kind} {count}" for kind, count in sorted(built.counts.items()))
    print(f"  states: {states:,} (Tasks {tasks}, {100 * tasks / states:.1f} %) - {mix}")
    if states != TARGET_STATES or built.states != TARGET_STATES:
        print(f"  WARNING: expected exactly {TARGET_STATES} states, got {states}")
    print(
        f"  worst-case budget {worst:,.1f} s, critical path {len(compiled.budget.critical_path)} "
        f"states; Workflow timeout_seconds={timeout:,}"
    )
    problems = validate_definition(definition, strict=True)
    budget = compute_budget(definition, map_max_items=built.map_max_items)
    text = json.dumps(definition, indent=2)
    print(
        f"  compile warnings: {len(compiled.warnings)}; strict validate problems: {len(problems)}; "
        f"budget equals compile's: {budget == compiled.budget}; "
        f"JSON: {len(text.encode()):,} bytes indented, "
        f"{len(json.dumps(definition, separators=(',', ':')).encode()):,} compact"
    )

    timings = [
        measure(
            "(a) build Python objects",
            lambda: build_workflow(timeout),
            repeat=repeat,
            warmup=warmup,
        ),
        measure(
            "(b) compile_workflow",
            lambda: compile_workflow(built.workflow),
            repeat=repeat,
            warmup=warmup,
        ),
        measure(
            "(c) validate_definition strict",
            lambda: validate_definition(definition, strict=True),
            repeat=repeat,
            warmup=warmup,
        ),
        measure(
            "(d) compute_budget",
            lambda: compute_budget(definition, map_max_items=built.map_max_items),
            repeat=repeat,
            warmup=warmup,
        ),
        measure(
            "(e) json.dumps indent=2",
            lambda: json.dumps(definition, indent=2),
            repeat=repeat,
            warmup=warmup,
        ),
        # Context only: with indent, CPython's json falls back to its pure-Python encoder.
        measure(
            "(f) json.dumps compact (context)",
            lambda: json.dumps(definition),
            repeat=repeat,
            warmup=warmup,
        ),
    ]
    print_timings(timings)
    build, comp, valid, budg, dumps, compact = timings
    assembly = comp.median_ms - valid.median_ms - budg.median_ms
    print(
        f"  ratios to json.dumps: compile {ratio(comp, dumps)}, validate {ratio(valid, dumps)}, "
        f"budget {ratio(budg, dumps)} (to compact json.dumps: compile {ratio(comp, compact)})"
    )
    print(
        f"  compile breakdown (medians): validate {100 * valid.median_ms / comp.median_ms:.0f} %, "
        f"budget {100 * budg.median_ms / comp.median_ms:.0f} %, "
        f"assembly/to_asl (rest) ~{assembly:.1f} ms ({100 * assembly / comp.median_ms:.0f} %)"
    )
    end_to_end = build.median_ms + comp.median_ms
    met = "MET" if comp.median_ms < COMPILE_AIM_MS else "NOT MET"
    print(
        f"  aim: compile of {TARGET_STATES:,} states under {COMPILE_AIM_MS:.0f} ms -> "
        f"median {comp.median_ms:.1f} ms: {met} (build + compile: {end_to_end:.1f} ms)"
    )
    if profile:
        print_profile("compile_workflow", lambda: compile_workflow(built.workflow))
    return (
        f"compile-1000: compile {comp.median_ms:.1f} ms (aim <{COMPILE_AIM_MS:.0f} ms: {met}), "
        f"build {build.median_ms:.1f} ms, validate {valid.median_ms:.1f} ms, "
        f"budget {budg.median_ms:.1f} ms, json.dumps {dumps.median_ms:.1f} ms; "
        f"compile = {comp.median_ms / dumps.median_ms:.1f}x json.dumps"
    )


# ---------------------------------------------------------------------------------------------
# 2. A valid ASL definition just under the 1 MB limit, generated as a plain dict
# ---------------------------------------------------------------------------------------------

_ATTRIBUTES = ("sku", "price", "quantity", "warehouse", "carrier", "weight", "colour", "size")


def _payload(i: int) -> dict[str, Any]:
    """~2 KB of payload template: mostly `.$` paths, unique per state as in real documents."""
    record: dict[str, Any] = {}
    for j in range(12):
        attribute = _ATTRIBUTES[(i + j) % len(_ATTRIBUTES)]
        path = f"$.batch{i % 97}.records[{j}].attributes.{attribute}_{i}"
        record[f"{attribute}_{j:02d}.$"] = path
    return {
        "request_id.$": "$$.Execution.Id",
        "entered.$": "$$.State.EnteredTime",
        "label.$": f"States.Format('batch {{}} step {i} of {{}}', $.batch{i % 97}.id, $.total)",
        "count.$": f"States.ArrayLength($.batch{i % 97}.records)",
        "first.$": f"States.ArrayGetItem($.batch{i % 97}.records, {i % 5})",
        "hash.$": f"States.Hash($.batch{i % 97}.id, 'SHA-256')",
        "record": record,
        "static": {
            "description": f"Enrichment step {i:05d} of the nightly catalogue import pipeline.",
            "tags": ["catalogue", "import", f"step-{i:05d}", "nightly"],
            "limits": {"max_records": 500, "max_bytes": 262_144, "strict": True},
        },
    }


def _big_state(i: int, next_name: str) -> tuple[str, dict[str, Any]]:
    if i % 2 == 0:
        return f"Shape{i:05d}", {
            "Type": "Pass",
            "Parameters": _payload(i),
            "ResultPath": f"$.shaped.s{i}",
            "Next": next_name,
        }
    return f"Enrich{i:05d}", {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {
            "FunctionName": f"arn:aws:lambda:eu-west-1:123456789012:function:enrich-{i % 16:02d}",
            "Payload": _payload(i),
        },
        "ResultSelector": {"value.$": "$.Payload", "status.$": "$.StatusCode"},
        "ResultPath": f"$.enriched.e{i}",
        "TimeoutSeconds": 30,
        "Retry": [
            {
                "ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"],
                "IntervalSeconds": 1,
                "MaxAttempts": 3,
                "BackoffRate": 2.0,
            }
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ImportFailed"}],
        "Next": next_name,
    }


def _state_name(i: int) -> str:
    return f"Shape{i:05d}" if i % 2 == 0 else f"Enrich{i:05d}"


def build_large_definition() -> dict[str, Any]:
    """States are added until the compact JSON passes SIZE_TARGET (about 1,000,000 bytes)."""
    states: dict[str, Any] = {"ImportFailed": {"Type": "Fail", "Error": "ImportFailed"}}
    size = 200  # the top-level fields, roughly
    i = 0
    while size < SIZE_TARGET:
        name, state = _big_state(i, _state_name(i + 1))
        states[name] = state
        size += len(json.dumps({name: state}, separators=(",", ":")))
        i += 1
    last = _state_name(i - 1)
    del states[last]["Next"]
    states[last]["End"] = True
    return {
        "Comment": "Generated by benchmarks/bench_build.py: a definition near the 1 MB limit",
        "StartAt": _state_name(0),
        "TimeoutSeconds": 86_400,
        "States": states,
    }


def bench_large(repeat: int, warmup: int) -> str:
    print("== 2. Validate a definition near the 1 MB limit ==")
    document = build_large_definition()
    compact = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    text = json.dumps(document)
    size = len(compact)
    inside = SIZE_FLOOR <= size <= MAX_DEFINITION_BYTES
    problems = validate_definition(document)
    print(
        f"  states: {len(document['States']):,}; compact JSON {size:,} bytes "
        f"({100 * size / MAX_DEFINITION_BYTES:.1f} % of {MAX_DEFINITION_BYTES:,}; in "
        f"[{SIZE_FLOOR:,}, {MAX_DEFINITION_BYTES:,}]: {inside}); "
        f"json.dumps text {len(text):,} chars"
    )
    print(
        f"  validate problems: {len(problems)} (strict: "
        f"{len(validate_definition(document, strict=True))})"
    )
    timings = [
        measure(
            "validate_definition",
            lambda: validate_definition(document),
            repeat=repeat,
            warmup=warmup,
        ),
        measure(
            "validate_definition(size=known)",
            lambda: validate_definition(document, size=size),
            repeat=repeat,
            warmup=warmup,
        ),
        measure("json.dumps", lambda: json.dumps(document), repeat=repeat, warmup=warmup),
        measure("json.loads", lambda: json.loads(text), repeat=repeat, warmup=warmup),
    ]
    print_timings(timings)
    valid, valid_sized, dumps, loads = timings
    print(
        f"  ratios: validate / json.dumps {ratio(valid, dumps)}, validate / json.loads "
        f"{ratio(valid, loads)}; the size check's own json.dumps ~"
        f"{valid.median_ms - valid_sized.median_ms:.1f} ms of validate"
    )
    return (
        f"validate-1MB: {size:,} bytes, validate {valid.median_ms:.1f} ms = "
        f"{valid.median_ms / dumps.median_ms:.1f}x json.dumps ({dumps.median_ms:.1f} ms), "
        f"{valid.median_ms / loads.median_ms:.1f}x json.loads ({loads.median_ms:.1f} ms)"
    )


# ---------------------------------------------------------------------------------------------
# 3. The timeout budget of a 1,000-state chain (was a wall-clock assertion in the unit tests)
# ---------------------------------------------------------------------------------------------


def chain_definition(length: int, *, loop_back: bool = False) -> dict[str, Any]:
    """Task S0 -> S1 -> ... (1 s each); with `loop_back`, the last one jumps back to S0."""
    states: dict[str, Any] = {
        f"S{i}": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "TimeoutSeconds": 1,
            "Next": f"S{i + 1}",
        }
        for i in range(length - 1)
    }
    last: dict[str, Any] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}
    last["TimeoutSeconds"] = 1
    if loop_back:
        last["Next"] = "S0"
    else:
        last["End"] = True
    states[f"S{length - 1}"] = last
    return {"StartAt": "S0", "States": states}


def _walk(definition: dict[str, Any]) -> int:
    """The baseline: visit every state and read its fields, as any analysis must."""
    seen = 0
    for state in definition["States"].values():
        seen += len(state) + (state.get("Next") is not None)
    return seen


def bench_chain_budget(repeat: int, warmup: int) -> str:
    print(f"== 3. Budget of a {TARGET_STATES:,}-state chain ==")
    chain = chain_definition(TARGET_STATES)
    looped = chain_definition(TARGET_STATES, loop_back=True)
    bounds = {"S0": 10}
    plain, bounded = compute_budget(chain), compute_budget(looped, loop_max_iterations=bounds)
    print(
        f"  chain: {plain.seconds:g} s, bounded {plain.bounded}; the same chain looping back, "
        f"max_iterations=10 on S0: {bounded.seconds:g} s, bounded {bounded.bounded}"
    )
    timings = [
        measure(
            "compute_budget(chain)", lambda: compute_budget(chain), repeat=repeat, warmup=warmup
        ),
        measure(
            "compute_budget(loop, max_iterations)",
            lambda: compute_budget(looped, loop_max_iterations=bounds),
            repeat=repeat,
            warmup=warmup,
        ),
        measure("walk every state (baseline)", lambda: _walk(chain), repeat=repeat, warmup=warmup),
        measure("json.dumps(chain)", lambda: json.dumps(chain), repeat=repeat, warmup=warmup),
        # Retries with a huge MaxAttempts use a closed form: as cheap as a short retrier.
        measure(
            "retrier_waits(99,999,999 attempts)",
            lambda: retrier_waits(99_999_999, 1.0, 2.0, 10.0),
            repeat=repeat,
            warmup=warmup,
        ),
        measure(
            "retrier_waits(3 attempts)",
            lambda: retrier_waits(3, 1.0, 2.0, 10.0),
            repeat=repeat,
            warmup=warmup,
        ),
    ]
    print_timings(timings)
    budget, loop, walk, dumps, huge, small = timings
    print(
        f"  ratios: budget / walk {ratio(budget, walk)}, budget / json.dumps "
        f"{ratio(budget, dumps)}, bounded loop / plain chain {ratio(loop, budget)}, "
        f"retrier 99,999,999 / 3 attempts {ratio(huge, small)}"
    )
    met = "MET" if budget.median_ms < CHAIN_BUDGET_AIM_MS else "NOT MET"
    print(
        f"  aim: budget of {TARGET_STATES:,} chained states under {CHAIN_BUDGET_AIM_MS:.0f} ms -> "
        f"median {budget.median_ms:.2f} ms: {met}"
    )
    return (
        f"budget-chain-1000: {budget.median_ms:.2f} ms (aim <{CHAIN_BUDGET_AIM_MS:.0f} ms: {met}) "
        f"= {budget.median_ms / walk.median_ms:.1f}x a plain walk, "
        f"{budget.median_ms / dumps.median_ms:.1f}x json.dumps; bounded loop "
        f"{loop.median_ms / budget.median_ms:.1f}x the plain chain"
    )


# ---------------------------------------------------------------------------------------------


def print_profile(label: str, func: Callable[[], object], top: int = 15) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        func()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(f"  -- cProfile of {label} (5 calls), top {top} by cumulative time --")
    for line in out.getvalue().splitlines():
        if line.strip():
            print(f"  {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20, help="timed repetitions (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed warm-up runs (default 2)")
    parser.add_argument("--profile", action="store_true", help="cProfile compile_workflow")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 1:
        parser.error("--repeat and --warmup must be at least 1")

    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}) "
        f"{sys.version.split()[0]}"
    )
    print(
        f"Machine: {platform.platform()} {platform.machine()} "
        f"({platform.processor() or 'unknown CPU'})"
    )
    print(f"repeat={args.repeat} warmup={args.warmup}; times are medians (first = first warm-up)")
    print()
    summary = [bench_compile(args.repeat, args.warmup, args.profile)]
    print()
    summary.append(bench_large(args.repeat, args.warmup))
    print()
    summary.append(bench_chain_budget(args.repeat, args.warmup))
    print()
    print("== Summary ==")
    for line in summary:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
