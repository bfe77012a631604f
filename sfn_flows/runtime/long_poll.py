"""Waiting inside a request for an execution to end: DescribeExecution on a backoff, within
the request's wait window and the Lambda's deadline.

The schedule: the first poll 50 ms after the wait begins, each pause 1.25 times the one
before, at most 1 s (50, 62, 78, 98, 122, 153, 191, 238, 298, 373, 466, 582, 728, 909 ms,
then 1 s). Why:

- 50 ms is about one DescribeExecution round trip on AWS; polling faster only queues calls.
  Quick work (a Pass, a short Lambda) is noticed within tens of milliseconds.
- Growing by 1.25 bounds the lateness (from the end of the execution to the poll that sees
  it): the pause after a poll at t is 0.25 t + 50 ms, so an execution that ends T seconds into
  the wait is seen at most T / 4 + 50 ms late, and at most 1 s. A growth of 1.5 (T / 2) was
  measured too: a job of 1 s was answered a median 490 ms after its end against 186 ms with
  1.25, for 26 calls in a full window against 30 (`python3 benchmarks/bench_wait_window.py`).
- The 1 s ceiling bounds the cost of a long wait: a 20 s window makes 30 calls, near the one
  call a second of a client polling the status route itself. DescribeExecution is throttled
  per account and Region (a token bucket), so a tighter ceiling would spend that bucket on
  many waiting requests at once.

A poll that fails (throttled, Step Functions unavailable, no answer before the deadline) ends
the wait early: the execution is unaffected, and the caller answers with what it last saw
(the usual 202), which the client follows up as it would any 202.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from sfn_flows.runtime.deadline import MIN_CALL_SECONDS, Deadline, DeadlineExceeded
from sfn_flows.runtime.service_errors import aws_error

# PENDING_REDRIVE is not final: a redrive is about to run the execution again.
OPEN_STATUSES = frozenset({"RUNNING", "PENDING_REDRIVE"})
# A wait goes on through QUEUED too: a request of the SQS intake whose execution the consumer
# has not started yet (queued_status.describe_queued reads "no such execution" so).
NOT_ENDED_STATUSES = OPEN_STATUSES | {"QUEUED"}
FIRST_POLL_SECONDS = 0.05
POLL_GROWTH = 1.25
MAX_POLL_SECONDS = 1.0

Description = dict[str, Any]


def poll_delays() -> Iterator[float]:
    """The pauses before each poll of a wait, endlessly (see the module docstring)."""
    delay = FIRST_POLL_SECONDS
    while True:
        yield delay
        delay = min(delay * POLL_GROWTH, MAX_POLL_SECONDS)


def is_open(described: Description) -> bool:
    return str(described.get("status")) in NOT_ENDED_STATUSES


def wait_for_end(
    describe: Callable[[], Description],
    deadline: Deadline,
    until: float,
    last: Description | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Description | None:
    """Poll `describe` until the execution is no longer open or `deadline.clock()` reaches
    `until` (one last poll is made then), never past the deadline. Returns the last
    description seen (`last` when no poll answered); `last` already closed returns at once."""
    if last is not None and not is_open(last):
        return last
    # A poll needs MIN_CALL_SECONDS before the deadline (deadline.run refuses it otherwise).
    until = min(until, deadline.end - MIN_CALL_SECONDS)
    for delay in poll_delays():
        pause = min(delay, until - deadline.clock())
        if pause > 0:
            sleep(pause)
        try:
            described = deadline.run(describe)
        except DeadlineExceeded:
            return last
        except Exception as exc:
            if aws_error(exc) is None:
                raise
            return last
        last = described
        if not is_open(described) or deadline.clock() >= until:
            return last
    raise AssertionError("unreachable: poll_delays() never ends")  # pragma: no cover
