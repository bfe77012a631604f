"""What an Express execution cannot do, checked for an EXPRESS workflow and for the EXPRESS
child executions of a distributed Map: wait for a job (`.sync`), a callback
(`.waitForTaskToken`) or an activity (Express runs request-response integrations only), or
run longer than 5 minutes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfn_flows.asl.callbacks import waits_for
from sfn_flows.asl.scopes import iter_states, nested_scopes
from sfn_flows.budget import compute_budget
from sfn_flows.compile.limits import over_limit
from sfn_flows.model.base import State
from sfn_flows.model.workflow import MAX_EXPRESS_SECONDS
from sfn_flows.validate.problems import Problem


class ExpressCheck:
    """Walks a compiled definition, knowing in each scope whether it runs as Express."""

    def __init__(
        self,
        map_max_items: Mapping[str, int],
        loop_max_iterations: Mapping[str, int],
        states: Mapping[str, State],
    ) -> None:
        self.map_max_items = map_max_items
        self.loop_max_iterations = loop_max_iterations
        # Each compiled state by its JSON pointer, to say what is unbounded in Python terms.
        self.states = states
        self.integrations: list[Problem] = []
        self.durations: list[Problem] = []

    def check(self, definition: dict[str, Any], express: bool) -> None:
        """`express`: the workflow is EXPRESS."""
        # Per scope: "" in an EXPRESS workflow, the Map's name in its EXPRESS children,
        # None where executions are STANDARD.
        express_maps: dict[int, str | None] = {id(definition): "" if express else None}
        for state in iter_states(definition):
            body, name = state.value, state.name
            express_map = express_maps[id(state.scope.value)]
            resource = body.get("Resource")
            if (
                express_map is not None
                and body.get("Type") == "Task"
                and isinstance(resource, str)
                and waits_for(resource) is not None
            ):
                self.integrations.append(_refused(name, resource, state.pointer, express_map))
            for nested in nested_scopes(body):
                inner = express_map
                config = nested.value.get("ProcessorConfig", {})
                if body.get("Type") == "Map" and config.get("Mode") == "DISTRIBUTED":
                    inner = name if config.get("ExecutionType") == "EXPRESS" else None
                    if inner is not None:
                        self._child_duration(name, nested.value, state.pointer)
                express_maps[id(nested.value)] = inner

    def _child_duration(self, name: str, processor: dict[str, Any], at: str) -> None:
        # The parent's budget counts the children's time, but each child is an Express
        # execution of its own, stopped by AWS at 5 minutes whatever the parent allows.
        budget = compute_budget(
            processor,
            map_max_items=self.map_max_items,
            loop_max_iterations=self.loop_max_iterations,
        )
        self.durations.extend(
            over_limit(
                at,
                f"one child execution of Map {name!r}",
                budget,
                MAX_EXPRESS_SECONDS,
                "an EXPRESS execution's 300 s limit",
                f"set execution_type='STANDARD' on Map {name!r}",
                states=self.states,
                machine_at=f"{at}/ItemProcessor",
            )
        )


_WAITS_FOR = {
    "sync": "a job to finish (.sync)",
    "callback": "a callback (.waitForTaskToken)",
    "activity": "an activity worker",
}


def _refused(name: str, resource: str, at: str, express_map: str) -> Problem:
    what = _WAITS_FOR[waits_for(resource) or "activity"]
    if express_map:
        where = f"the EXPRESS child executions of Map {express_map!r}"
        switch = f"set execution_type='STANDARD' on Map {express_map!r}"
    else:
        where = "an EXPRESS workflow"
        switch = "use type='STANDARD'"
    return Problem(
        f"{at}/Resource",
        f"Task {name!r} waits for {what}, which {where} cannot do: Express executions run "
        f"request-response integrations only ({resource}).",
        f"{switch}, or start the work with a request-response call and poll for its result.",
        code="express-integration",
    )
