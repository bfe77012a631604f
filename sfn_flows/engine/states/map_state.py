"""Map: run the processor once per item (or per batch of items); the output is their
outputs, in item order.

Inline, the iterations are part of this execution: their events are in its history and
they see the enclosing scope's variables as they were when the Map started. Distributed,
each iteration is a child execution with a history of its own and no outer variables; a
failed child counts against ToleratedFailureCount/Percentage, and past the threshold the
state fails with States.ExceedToleratedFailureThreshold. An inline Map fails with the error
of the first iteration that fails.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from sfn_flows.asl.definition import ABSENT, MapState
from sfn_flows.engine import jsonpath
from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.frame import Frame
from sfn_flows.engine.history import HistoryLimitExceeded
from sfn_flows.engine.json_text import compact_json
from sfn_flows.engine.jsonata import evaluate_expression, evaluate_template
from sfn_flows.engine.limits import MAX_MAP_ITEMS, MAX_NESTING
from sfn_flows.engine.payload import resolve_payload
from sfn_flows.engine.scheduler import Fork, Strand
from sfn_flows.engine.states.base import check_nesting
from sfn_flows.engine.states.execution_state import Attempt, ExecutionStateRunner
from sfn_flows.engine.states.program import Program
from sfn_flows.engine.states.runtime import Run

_THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"


class MapRunner(ExecutionStateRunner):
    failed_event = "MapStateFailed"

    def __init__(self, spec: MapState) -> None:
        super().__init__(spec)
        self.map = spec
        self.processor = Program(spec.processor)
        self.distributed = spec.processor_mode == "DISTRIBUTED"
        selector = spec.item_selector
        self.selector: Any = spec.parameters if selector is ABSENT else selector
        self.selector_field = "Parameters" if selector is ABSENT else "ItemSelector"

    def attempt(
        self, run: Run, frame: Frame, raw: Any, data: Any, number: int, entry: int
    ) -> Attempt:
        spec = self.map
        for field, value in (
            ("ItemReader", spec.item_reader),
            ("ResultWriter", spec.result_writer),
        ):
            if value is not ABSENT:
                raise EngineUsageError(
                    f"Map state {self.name!r} has {field}, which reads or writes S3: the "
                    "in-process engine runs Maps over ItemsPath/Items only; give the items "
                    "in the input (or run on a container engine)."
                )
        states = self.states_binding(frame, raw) if self.jsonata else None
        concurrency = self._max_concurrency(frame, data, states)
        items = self._items(frame, raw, data, states)
        if run.depth >= MAX_NESTING:
            raise frame.runtime_error(f"Parallel and Map states nest deeper than {MAX_NESTING}.")
        run.emit("MapStateStarted", {"length": len(items)})
        tolerated_count = self._tolerated_count(frame, data, states)
        tolerated_percentage = self._tolerated_percentage(frame, data, states)
        inputs = self._batches(run, frame, data, states, items)
        results: list[Any] = [None] * len(inputs)
        failures: list[StatesError] = []
        failed = 0
        total = len(inputs)

        def on_done(index: int, ok: bool, value: Any) -> bool:
            nonlocal failed
            if ok:
                results[index] = value
                return False
            if not self.distributed:
                failures.append(value)
                return True
            failed += 1
            results[index] = {"Error": value.error or "", "Cause": value.cause or ""}
            over = _over_threshold(failed, total, tolerated_count, tolerated_percentage)
            if over:
                failures.append(
                    StatesError("States.ExceedToleratedFailureThreshold", _THRESHOLD_CAUSE)
                )
            return over

        if self.distributed:
            run.emit("MapRunStarted", {"mapRunArn": self._map_run_arn(run, entry, number)})
        children = [
            self._iteration(run, frame, raw, data, states, index, value)
            for index, value in enumerate(inputs)
        ]
        yield Fork(children, concurrency, on_done)
        run.previous = len(run.runtime.history)
        if failures:
            if self.distributed:
                error = failures[0]
                run.emit("MapRunFailed", {"error": error.error, "cause": error.cause})
            raise failures[0]
        if self.distributed:
            run.emit("MapRunSucceeded")
        run.emit("MapStateSucceeded")
        return self.process_result(frame, raw, results, states)

    # -- iterations ------------------------------------------------------------------------

    def _iteration(
        self,
        run: Run,
        frame: Frame,
        raw: Any,
        data: Any,
        states: dict[str, Any] | None,
        index: int,
        item: Any,
    ) -> Any:
        def start() -> Strand:
            if self.distributed:
                child = Run(run.runtime.child_execution(), {}, 0, run.depth + 1)
            else:
                child = run.child(dict(run.variables))
                child.emit("MapIterationStarted", {"name": self.name, "index": index})
            value = item
            if self.selector is not ABSENT and self.map.item_batcher is ABSENT:
                value = self._select(frame, raw, data, states, index, item)
                check_nesting(run, frame, value, "ItemSelector")
            try:
                output = yield from self.processor.strand(child, value)
            except StatesError:
                if not self.distributed:
                    child.emit("MapIterationFailed", {"name": self.name, "index": index})
                raise
            except HistoryLimitExceeded as end:
                if not self.distributed:
                    raise
                # A child execution's own limit (its history is its own) ends that child
                # only: one more failed item for the Map Run.
                raise StatesError(end.error, end.cause) from None
            if not self.distributed:
                child.emit("MapIterationSucceeded", {"name": self.name, "index": index})
            return output

        return start

    def _select(
        self,
        frame: Frame,
        raw: Any,
        data: Any,
        states: dict[str, Any] | None,
        index: int,
        item: Any,
    ) -> Any:
        """ItemSelector (or the legacy Parameters), with `$$.Map.Item` for this item."""
        context = dict(frame.context)
        context["Map"] = {"Item": {"Index": index, "Value": item}}
        item_frame = Frame(
            frame.state_name, frame.entered_event_id, context, frame.variables, frame.jsonata_values
        )
        if states is not None:
            item_states = dict(states)
            item_states["context"] = context
            return evaluate_template(self.selector, item_frame, item_states, field="ItemSelector")
        return resolve_payload(self.selector, data, item_frame, field=self.selector_field)

    def _batches(
        self,
        run: Run,
        frame: Frame,
        data: Any,
        states: dict[str, Any] | None,
        items: list[Any],
    ) -> list[Any]:
        batcher = self.map.item_batcher
        if batcher is ABSENT or not isinstance(batcher, dict):
            return items
        selected = items
        if self.selector is not ABSENT:
            selected = [
                self._select(frame, states["input"] if states else data, data, states, i, v)
                for i, v in enumerate(items)
            ]
        most_items = self._batch_limit(frame, data, states, batcher, "MaxItemsPerBatch")
        most_bytes = self._batch_limit(frame, data, states, batcher, "MaxInputBytesPerBatch")
        batch_input: Any = ABSENT
        if "BatchInput" in batcher:
            if states is not None:
                batch_input = evaluate_template(
                    batcher["BatchInput"], frame, states, field="ItemBatcher/BatchInput"
                )
            else:
                batch_input = resolve_payload(
                    batcher["BatchInput"], data, frame, field="BatchInput"
                )

        def batch(members: list[Any]) -> dict[str, Any]:
            made: dict[str, Any] = {}
            if batch_input is not ABSENT:
                made["BatchInput"] = batch_input
            made["Items"] = members
            return made

        # Items are added to a batch while it stays within both limits; an item too large
        # for MaxInputBytesPerBatch on its own still makes a batch of one.
        sizes = run.runtime.sizes
        empty = sizes.size(batch([]))
        batches: list[Any] = []
        members: list[Any] = []
        size = empty
        for item in selected:
            added = sizes.size(item) + (1 if members else 0)
            full = most_items is not None and len(members) >= most_items
            too_big = most_bytes is not None and size + added > most_bytes
            if members and (full or too_big):
                batches.append(batch(members))
                members, size, added = [], empty, added - 1
            members.append(item)
            size += added
        if members:
            batches.append(batch(members))
        return batches

    def _batch_limit(
        self,
        frame: Frame,
        data: Any,
        states: dict[str, Any] | None,
        batcher: dict[str, Any],
        field: str,
    ) -> int | None:
        """MaxItemsPerBatch or MaxInputBytesPerBatch (or its Path, or its JSONata form)."""
        value: Any = batcher.get(field, ABSENT)
        if field + "Path" in batcher:
            value = jsonpath.select(batcher[field + "Path"], data, frame)
        elif states is not None and value is not ABSENT:
            value = evaluate_template(value, frame, states, field=f"ItemBatcher/{field}")
        if value is ABSENT:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise frame.runtime_error(
                f"{field} must be a positive integer, not {compact_json(value)}."
            )
        return value

    # -- the state's own fields ------------------------------------------------------------

    def _items(self, frame: Frame, raw: Any, data: Any, states: dict[str, Any] | None) -> list[Any]:
        spec = self.map
        if states is not None:
            if spec.items is ABSENT:
                items = raw
                if not isinstance(items, list):
                    raise frame.error(
                        "States.QueryEvaluationError",
                        f"Map state input must be an array but was: {compact_json(items)}",
                    )
            else:
                items = evaluate_expression(
                    spec.items, frame, states, field="Items", expected="array"
                )
        else:
            items = data
            if spec.items_path is not ABSENT:
                items = jsonpath.select(str(spec.items_path), data, frame)
            if not isinstance(items, list):
                raise frame.runtime_error(
                    f"Map state input must be an array but was: {compact_json(items)}"
                )
        assert isinstance(items, list)
        if len(items) > MAX_MAP_ITEMS:
            raise frame.runtime_error(
                f"The Map state has {len(items)} items; the engine runs at most {MAX_MAP_ITEMS}."
            )
        return items

    def _max_concurrency(self, frame: Frame, data: Any, states: dict[str, Any] | None) -> int:
        spec = self.map
        value = self._number(
            frame,
            data,
            states,
            spec.max_concurrency,
            spec.max_concurrency_path,
            "MaxConcurrency",
            _as_integer,
        )
        if value is None:
            return 0
        if value < 0:
            raise frame.runtime_error("MaxConcurrency cannot be negative.")
        return int(value)

    def _tolerated_count(
        self, frame: Frame, data: Any, states: dict[str, Any] | None
    ) -> int | None:
        spec = self.map
        value = self._number(
            frame,
            data,
            states,
            spec.tolerated_failure_count,
            spec.tolerated_failure_count_path,
            "ToleratedFailureCount",
            _as_integer,
        )
        if value is not None and value < 0:
            raise frame.runtime_error("ToleratedFailureCount cannot be negative.")
        return None if value is None else int(value)

    def _tolerated_percentage(
        self, frame: Frame, data: Any, states: dict[str, Any] | None
    ) -> float | None:
        spec = self.map
        value = self._number(
            frame,
            data,
            states,
            spec.tolerated_failure_percentage,
            spec.tolerated_failure_percentage_path,
            "ToleratedFailurePercentage",
            _as_float,
        )
        if value is not None and not 0 <= value <= 100:
            raise frame.runtime_error("ToleratedFailurePercentage must be between 0 and 100.")
        return value

    def _number(
        self,
        frame: Frame,
        data: Any,
        states: dict[str, Any] | None,
        literal: Any,
        path: Any,
        field: str,
        parse: Callable[[Any], int | float | None],
    ) -> int | float | None:
        """A numeric field, its Path form or its JSONata expression; None when absent."""
        kind = "integer" if parse is _as_integer else "float"
        if path is not ABSENT:
            found = jsonpath.select(str(path), data, frame)
            where = f"{field}Path"
        elif literal is ABSENT:
            return None
        else:
            found = self._evaluated(frame, states, literal, field)
            where = field
        value = parse(found)
        if value is None:
            suffix = f": {path}" if path is not ABSENT else ""
            raise frame.runtime_error(
                f"The {where} field refers to value {_quoted(found)} which is not a valid "
                f"{kind}{suffix}"
            )
        return value

    def _evaluated(
        self, frame: Frame, states: dict[str, Any] | None, value: Any, field: str
    ) -> Any:
        if states is not None:
            return evaluate_expression(value, frame, states, field=field, expected="number")
        return value

    def _map_run_arn(self, run: Run, entry: int, number: int) -> str:
        info = run.runtime.info
        label = self.map.label if isinstance(self.map.label, str) else self.name
        return (
            f"arn:aws:states:{info.region}:{info.account}:mapRun:{info.state_machine_name}/"
            f"{label}:{info.execution_name}-{entry}-{number}"
        )


def _over_threshold(failed: int, total: int, count: int | None, percentage: float | None) -> bool:
    """Has a Map Run failed more items than it tolerates? With neither threshold none is
    tolerated; with both, exceeding either fails it (AWS, "Setting failure thresholds for
    Distributed Map states in Step Functions")."""
    if count is None and percentage is None:
        return failed > 0
    over_count = count is not None and failed > count
    over_percentage = percentage is not None and failed * 100 > percentage * total
    return over_count or over_percentage


def _as_integer(value: Any) -> int | None:
    """An integer, or a string that spells one (AWS reads "1" as 1)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _quoted(value: Any) -> str:
    return f'"{value if isinstance(value, str) else compact_json(value)}"'
