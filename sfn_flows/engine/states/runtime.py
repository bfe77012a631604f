"""What a running state can reach: the execution's services (`Runtime`) and its own path
(`Run`: the strand's variables, its place in the history, the Map item it works on)."""

from __future__ import annotations

import random
from typing import Any

from sfn_flows.engine.clock import iso_timestamp
from sfn_flows.engine.context import ExecutionInfo
from sfn_flows.engine.history import History
from sfn_flows.engine.limits import PayloadSizes
from sfn_flows.engine.scheduler import Scheduler


class Runtime:
    """One execution's shared parts. `context_base` is the part of the context object
    every state shares ({"Execution": ..., "StateMachine": ...}); `integrations` answers
    Task states (see states/task_state.py)."""

    def __init__(
        self,
        info: ExecutionInfo,
        history: History,
        scheduler: Scheduler,
        context_base: dict[str, Any],
        integrations: Any = None,
        rng: random.Random | None = None,
        sizes: PayloadSizes | None = None,
        entries: dict[str, int] | None = None,
    ) -> None:
        self.info = info
        self.history = history
        self.scheduler = scheduler
        self.context_base = context_base
        self.integrations = integrations
        self.rng = rng or random.Random(0)
        self.sizes = sizes or PayloadSizes()
        self._entries = {} if entries is None else entries
        self._tokens = 0
        self._iso_moment = -1.0
        self._iso_text = ""

    @property
    def now(self) -> float:
        return self.scheduler.now

    def now_iso(self) -> str:
        # Many states start at the same (virtual) moment: format it once.
        moment = self.scheduler.now
        if moment != self._iso_moment:
            self._iso_moment = moment
            self._iso_text = iso_timestamp(moment)
        return self._iso_text

    def count_entry(self, state_name: str) -> int:
        """How many times `state_name` was entered before (0 the first time)."""
        count = self._entries.get(state_name, 0)
        self._entries[state_name] = count + 1
        return count

    def child_execution(self) -> Runtime:
        """The services of one Distributed Map child execution: a history of its own, the
        same clock, integrations and counters."""
        child = Runtime(
            info=self.info,
            history=History(self.history.limit, self.history.tally),
            scheduler=self.scheduler,
            context_base=self.context_base,
            integrations=self.integrations,
            rng=self.rng,
            sizes=self.sizes,
            entries=self._entries,
        )
        return child

    def new_token(self) -> str:
        self._tokens += 1
        return (
            f"{self.info.execution_name}-token-{self._tokens:06d}-{self.rng.getrandbits(64):016x}"
        )


class Run:
    """One path through a machine: the execution, a Parallel branch or a Map iteration."""

    __slots__ = ("depth", "previous", "runtime", "variables")

    def __init__(
        self, runtime: Runtime, variables: dict[str, Any], previous: int, depth: int = 0
    ) -> None:
        self.runtime = runtime
        self.variables = variables
        self.previous = previous
        self.depth = depth

    def emit(self, event_type: str, details: dict[str, Any] | None = None) -> int:
        """Record an event that follows this path's previous one; its id."""
        runtime = self.runtime
        number = runtime.history.add(event_type, runtime.scheduler.now, self.previous, details)
        self.previous = number
        return number

    def child(self, variables: dict[str, Any]) -> Run:
        return Run(self.runtime, variables, self.previous, self.depth + 1)
