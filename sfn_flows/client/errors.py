"""What can go wrong talking to Step Functions, as errors that name the place and the fix."""

from __future__ import annotations

from sfn_flows.errors import SfnFlowsError


class StepFunctionsError(SfnFlowsError):
    """Step Functions refused a call, or could not be reached."""


class ExecutionNotFound(StepFunctionsError):
    """No execution with this ARN (or the ARN is malformed) on the target."""

    def __init__(self, arn: str, where: str) -> None:
        self.arn = arn
        super().__init__(f"no execution {arn} on the {where}; check the ARN or id.")


class StateMachineNotFound(StepFunctionsError):
    """No state machine with this ARN on the target."""

    def __init__(self, arn: str, where: str) -> None:
        self.arn = arn
        super().__init__(
            f"no state machine {arn} on the {where}; check the ARN, or deploy the workflow."
        )


class ExecutionInputError(StepFunctionsError):
    """The input cannot be sent: not JSON-serializable, or over Step Functions' size limit."""


class WaitTimeout(StepFunctionsError):
    """The client's own deadline passed before the execution finished (it keeps running)."""

    def __init__(self, arn: str, waited: float, status: str) -> None:
        self.arn = arn
        self.waited = waited
        self.status = status
        # QUEUED: a request the SQS intake holds, whose execution has not started yet.
        queued = status == "QUEUED"
        goes_on = "The request waits in its queue" if queued else "The execution keeps running"
        super().__init__(
            f"gave up waiting for execution {arn} after {waited:.1f} s: it is still {status}. "
            f"{goes_on}; wait longer, or look at it again later."
        )
