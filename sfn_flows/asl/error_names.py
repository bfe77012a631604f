"""Error names: the ones Step Functions raises, the reserved prefix, and which errors a
Retrier or Catcher can match.

- `States.Runtime` is matched by no ErrorEquals: not by `States.ALL`, and not by its own
  name (the corpus records a Catch on ["States.Runtime"] that does not catch it).
- `States.DataLimitExceeded` is matched like any other error. AWS's error-handling page calls
  it terminal and says States.ALL cannot catch it, but the executions recorded against AWS
  (conformance corpus, error_handling/test_states_errors.py) show a Catch on ["States.ALL"]
  and one on ["States.DataLimitExceeded"] both catching it when a Task's result is too large;
  what AWS does is the rule here.
- `States.ALL` matches every other error.
- `States.TaskFailed` matches every error except `States.Timeout` (and States.Runtime), as AWS
  documents it; the corpus records it catching Lambda and SDK errors.
- A Task that misses its heartbeat fails with `States.Timeout`: AWS records it so in the
  TaskTimedOut event and the execution's error (LocalStack's
  tests/aws/services/stepfunctions/v2/timeouts/test_heartbeats.snapshot.json, recorded against
  AWS). `States.Timeout` matches it, as it did before `States.HeartbeatTimeout` existed
  (aws/aws-cdk#16084), and so does `States.HeartbeatTimeout`, which AWS's error-handling page
  offers for Retry and Catch; `States.TaskFailed` does not (it is a timeout).
- Names starting with `States.` are reserved: one that is not predefined never matches.
"""

from __future__ import annotations

from collections.abc import Iterable

STATES_ALL = "States.ALL"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
RUNTIME = "States.Runtime"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
RESERVED_PREFIX = "States."

# The errors Step Functions itself raises; 'States.' is reserved for them.
PREDEFINED_ERRORS = frozenset(
    {
        STATES_ALL,
        "States.BranchFailed",
        DATA_LIMIT_EXCEEDED,
        "States.ExceedToleratedFailureThreshold",
        HEARTBEAT_TIMEOUT,
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.QueryEvaluationError",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        RUNTIME,
        TASK_FAILED,
        TIMEOUT,
    }
)
# No Retrier or Catcher matches these, not even by name: they end the execution.
TERMINAL_ERRORS = frozenset({RUNTIME})


def is_reserved(name: str) -> bool:
    """True for a name in the States. namespace, predefined or not."""
    return name.startswith(RESERVED_PREFIX)


def can_match(name: str) -> bool:
    """False for an ErrorEquals entry that matches no error a run can raise."""
    if name in TERMINAL_ERRORS:
        return False
    return not is_reserved(name) or name in PREDEFINED_ERRORS


def error_matches(error_equals: Iterable[str], error: str, *, heartbeat: bool = False) -> bool:
    """True when a Retrier's or Catcher's ErrorEquals matches `error`; `heartbeat` when the
    error is a missed heartbeat (reported as States.Timeout)."""
    if error in TERMINAL_ERRORS:
        return False
    for name in error_equals:
        if name in (error, STATES_ALL):
            return True
        if name == TASK_FAILED and error != TIMEOUT:
            return True
        if name == HEARTBEAT_TIMEOUT and heartbeat:
            return True
    return False
