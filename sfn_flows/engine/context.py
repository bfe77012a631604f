"""The context object (`$$` in JSONPath, `$states.context` in JSONata).

AWS's shapes, as recorded: a Standard execution's `Execution` has Id, Input, Name, RoleArn,
StartTime and RedriveCount; an Express one has no RedriveCount and an `express:` ARN.
`State` has Name and EnteredTime, and RetryCount in the states that retry (Task, Map,
Parallel). A callback Task adds `Task.Token`; a Map's ItemSelector sees `Map.Item`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sfn_flows.engine.clock import iso_timestamp

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """Who is running: the ARNs and names the context object and the history show."""

    state_machine_name: str
    execution_name: str
    role_arn: str
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    express: bool = False
    # An Express execution's ARN ends with an id after its name.
    express_id: str = ""

    @property
    def state_machine_arn(self) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{self.state_machine_name}"

    @property
    def execution_arn(self) -> str:
        base = f"arn:aws:states:{self.region}:{self.account}"
        if self.express:
            return (
                f"{base}:express:{self.state_machine_name}:{self.execution_name}:{self.express_id}"
            )
        return f"{base}:execution:{self.state_machine_name}:{self.execution_name}"


def default_role_arn(account: str = DEFAULT_ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/sfn-flows-engine"


def execution_context(info: ExecutionInfo, execution_input: Any, start: float) -> dict[str, Any]:
    """`$$.Execution`."""
    context: dict[str, Any] = {
        "Id": info.execution_arn,
        "Input": execution_input,
        "Name": info.execution_name,
        "RoleArn": info.role_arn,
        "StartTime": iso_timestamp(start),
    }
    if not info.express:
        context["RedriveCount"] = 0
    return context


def state_machine_context(info: ExecutionInfo) -> dict[str, Any]:
    """`$$.StateMachine`."""
    return {"Id": info.state_machine_arn, "Name": info.state_machine_name}


def state_context(
    base: dict[str, Any], name: str, entered: float, retry_count: int | None
) -> dict[str, Any]:
    """The whole context object of one state: `base` (Execution, StateMachine) plus State."""
    return state_context_at(base, name, iso_timestamp(entered), retry_count)


def state_context_at(
    base: dict[str, Any], name: str, entered: str, retry_count: int | None
) -> dict[str, Any]:
    """`state_context` with the entered time already written as AWS writes it (a run
    formats each moment once for all the states entered at it)."""
    state: dict[str, Any] = {"EnteredTime": entered, "Name": name}
    if retry_count is not None:
        state["RetryCount"] = retry_count
    context = dict(base)
    context["State"] = state
    return context
