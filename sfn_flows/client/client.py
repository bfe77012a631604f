"""ExecutionClient: start an execution, describe it, wait for it, read its history."""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sfn_flows.aws import Target
from sfn_flows.aws.errors import aws_access_message
from sfn_flows.client.errors import (
    ExecutionInputError,
    ExecutionNotFound,
    StateMachineNotFound,
    StepFunctionsError,
    WaitTimeout,
)
from sfn_flows.client.execution import RUNNING, Execution, ExecutionStatus
from sfn_flows.client.history import HistoryEvent, states_entered
from sfn_flows.client.ids import require_execution_name
from sfn_flows.client.inputs import encode_input
from sfn_flows.client.schedule import DEFAULT_SCHEDULE, PollSchedule

# Error codes AWS uses for "slow down"; botocore retries them a few times already, the wait
# loop then simply polls again later (still within its deadline).
THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
    }
)
_NOT_FOUND = frozenset({"ExecutionDoesNotExist", "InvalidArn"})

EventHandler = Callable[[HistoryEvent], None]


class Throttled(StepFunctionsError):
    """Step Functions asked us to slow down, and botocore's own retries ran out."""


class ExecutionClient:
    """Polls Step Functions executions on a Target (AWS or the local stack) or a boto3 client.

    `calls` counts the API calls made, per operation (e.g. calls["DescribeExecution"]).
    `push_url` is the stack's push socket (deploy.outputs.reachable_push_url), for
    `wait(..., push=True)`; `push_traffic` counts its connections and messages sent and
    received, and `push_fallback` says why the last push wait polled instead (None: it did not).
    """

    def __init__(
        self,
        target_or_client: Target | Any,
        *,
        schedule: PollSchedule = DEFAULT_SCHEDULE,
        push_url: str | None = None,
    ) -> None:
        if isinstance(target_or_client, Target):
            self._sfn = target_or_client.client("stepfunctions")
            self.where = target_or_client.describe()
            self._local = target_or_client.is_local
        else:
            self._sfn = target_or_client
            meta = target_or_client.meta
            self.where = f"Step Functions endpoint {meta.endpoint_url} ({meta.region_name})"
            self._local = False
        self.schedule = schedule
        self.calls: Counter[str] = Counter()
        self.push_url = push_url
        self.push_traffic: Counter[str] = Counter()
        self.push_fallback: str | None = None

    # -- single calls ---------------------------------------------------------------------

    def start(self, state_machine_arn: str, input: Any, name: str | None = None) -> Execution:
        """Start an execution; `input` is any JSON value, sent as compact JSON text."""
        text = encode_input(input)
        params: dict[str, Any] = {"stateMachineArn": state_machine_arn, "input": text}
        if name is not None:
            # Checked here because MiniStack takes any name and AWS would refuse it.
            where = f"execution name {name!r}"
            params["name"] = require_execution_name(name, where, ExecutionInputError)
        answer = self._call("StartExecution", params, missing=state_machine_arn)
        return Execution(answer["executionArn"], state_machine_arn, answer["startDate"])

    def describe(self, arn: str) -> ExecutionStatus:
        answer = self._call("DescribeExecution", {"executionArn": arn}, missing=arn)
        return ExecutionStatus.from_api(answer)

    def history(self, arn: str, *, page_size: int = 1000) -> list[HistoryEvent]:
        """Every event of the execution, oldest first (all pages)."""
        events: list[HistoryEvent] = []
        params: dict[str, Any] = {"executionArn": arn, "maxResults": page_size}
        while True:
            answer = self._call("GetExecutionHistory", params, missing=arn)
            events.extend(HistoryEvent.from_api(e) for e in answer["events"])
            token = answer.get("nextToken")
            if not token:
                return events
            params = {**params, "nextToken": token}

    def events_after(self, arn: str, after_id: int, *, page_size: int = 100) -> list[HistoryEvent]:
        """Events newer than `after_id`, oldest first, without reading the older ones again.

        GetExecutionHistory has no "since" parameter, so this reads newest first and stops at
        the first page that reaches an event already seen (event ids only grow).
        """
        params: dict[str, Any] = {
            "executionArn": arn,
            "maxResults": page_size,
            "reverseOrder": True,
            # Inputs and outputs can be 256 KiB each; progress needs only types and names.
            "includeExecutionData": False,
        }
        newest_first: list[HistoryEvent] = []
        while True:
            answer = self._call("GetExecutionHistory", params, missing=arn)
            for raw in answer["events"]:
                event = HistoryEvent.from_api(raw)
                if event.id <= after_id:
                    return newest_first[::-1]
                newest_first.append(event)
            token = answer.get("nextToken")
            if not token:
                return newest_first[::-1]
            params = {**params, "nextToken": token}

    def states_entered(self, arn: str) -> list[str]:
        return states_entered(self.history(arn))

    # -- waiting --------------------------------------------------------------------------

    def wait(
        self,
        arn: str,
        *,
        timeout: float,
        on_event: EventHandler | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        push: bool = False,
    ) -> ExecutionStatus:
        """Poll until the execution finishes; raise WaitTimeout after `timeout` seconds.

        Polls follow `self.schedule` (see sfn_flows.client.schedule: completion is noticed at
        most 1 s + 10 % of the elapsed time late); the last poll is made at the deadline.
        `on_event` receives each new history event in order, the last ones before returning.
        Time counts from this call, so the schedule needs no agreement between our clock and
        the service's. `push=True` waits on the push socket instead (client/push.py), and
        polls only for what it leaves of `timeout` when push cannot answer.
        """
        if push:
            from sfn_flows.client.push import wait_for_push

            began = clock()
            pushed = wait_for_push(self, arn, timeout=timeout, clock=clock)
            self.push_fallback = pushed.fallback
            if pushed.status is not None:
                return pushed.status
            timeout = max(timeout - (clock() - began), 0.0)
        rng = rng or random.Random()
        began = clock()
        delay = self.schedule.first
        poll_at = delay
        last_seen = 0
        last_status = RUNNING
        while True:
            pause = min(poll_at, timeout) - (clock() - began)
            if pause > 0:
                sleep(pause)
            polled = clock() - began
            status: ExecutionStatus | None
            try:
                status = self.describe(arn)
                last_status = status.status
            except Throttled:
                status = None
            if on_event is not None:
                last_seen = self._deliver(arn, last_seen, on_event)
            if status is not None and status.finished:
                return status
            if polled >= timeout:
                raise WaitTimeout(arn, polled, last_status)
            # Planned from the poll's start, so slow answers do not stretch the schedule.
            delay = self.schedule.next_delay(polled, delay, rng)
            poll_at = polled + delay

    def _deliver(self, arn: str, last_seen: int, on_event: EventHandler) -> int:
        try:
            events = self.events_after(arn, last_seen)
        except Throttled:
            return last_seen  # progress only: the next poll catches up
        for event in events:
            on_event(event)
        return events[-1].id if events else last_seen

    # -- plumbing -------------------------------------------------------------------------

    def _call(self, operation: str, params: dict[str, Any], *, missing: str) -> Any:
        self.calls[operation] += 1
        method = getattr(self._sfn, _snake(operation))
        try:
            return method(**params)
        except ClientError as exc:
            raise self._translate(operation, exc, params, missing) from None
        except BotoCoreError as exc:
            message = aws_access_message(exc, self.where, local=self._local)
            raise StepFunctionsError(message) from None

    def _translate(
        self, operation: str, exc: ClientError, params: dict[str, Any], missing: str
    ) -> StepFunctionsError:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", exc))
        if code in THROTTLING_CODES:
            return Throttled(f"Step Functions throttled {operation} on the {self.where}: {message}")
        if operation == "StartExecution":
            if code in ("StateMachineDoesNotExist", "InvalidArn"):
                return StateMachineNotFound(missing, self.where)
            if code == "ExecutionAlreadyExists":
                return StepFunctionsError(
                    f"an execution named {params.get('name')!r} already exists for {missing}; "
                    "choose another name (names are unique per state machine for 90 days)."
                )
            if code == "InvalidName":
                return StepFunctionsError(
                    f"invalid execution name {params.get('name')!r}: {message} (use up to 80 "
                    "letters, digits, '-' and '_')."
                )
            if code == "InvalidExecutionInput":
                return ExecutionInputError(f"Step Functions refused the input: {message}")
        elif code in _NOT_FOUND:
            return ExecutionNotFound(missing, self.where)
        return StepFunctionsError(f"{operation} failed on the {self.where}: {code}: {message}")


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
