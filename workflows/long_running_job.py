"""The async pattern's job: an API starts it, answers 202 at once, and clients poll.

ProcessData does the slow work (minutes, far beyond API Gateway's 29 s), NotifyCompletion
tells the requester. Lambda's transient service errors are retried; anything else is caught
and routed to a failure notification, so the requester always hears back.
"""

from pydantic import BaseModel, Field

from sfn_flows import Fail, LambdaFunction, LambdaInvoke, Workflow


class JobRequest(BaseModel):
    job_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    items: list[str] = Field(min_length=1, max_length=1000)
    notify: str | None = Field(default=None, description="Where to send the completion notice")


class JobResult(BaseModel):
    job_id: str
    processed: int
    notified: bool


process_data = LambdaFunction("ProcessData", handler="process_data.handler", timeout_seconds=300)
notify = LambdaFunction("NotifyCompletion", handler="notify.handler", timeout_seconds=30)
notify_failure_fn = LambdaFunction(
    "NotifyFailure", handler="notify.failure_handler", timeout_seconds=30
)

process = LambdaInvoke("ProcessData", function=process_data, timeout_seconds=300)
notify_completion = LambdaInvoke("NotifyCompletion", function=notify, timeout_seconds=30)
notify_failure = LambdaInvoke("NotifyFailure", function=notify_failure_fn, timeout_seconds=30)
job_failed = Fail(
    "JobFailed", error="JobFailed", cause="ProcessData failed; the requester was notified"
)

process.add_catch(notify_failure, result_path="$.error")
notify_failure >> job_failed

long_running_job = Workflow(
    name="long-running-job",
    comment="Process a job asynchronously and notify the requester",
    start=process >> notify_completion,
    timeout_seconds=1800,
    default_task_timeout=60,
    input_model=JobRequest,
    output_model=JobResult,
)
