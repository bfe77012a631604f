"""A job whose worker may need longer than one invocation: ChecksumFiles stops before its
deadline with the files it has done and a continuation, and ContinueUntilDone invokes it
again from there, at most 12 times. The checksums go to $.checksums of the input (as a
Task's result_path would put them); a job still unfinished after 12 invocations is reported
and fails.

The sample of the worker deadline guard, run by tests/flows/test_continue_until_done.py.
"""

from pydantic import BaseModel, Field

from sfn_flows import (
    MAX_ITERATIONS_EXCEEDED,
    ContinueUntilDone,
    Fail,
    LambdaFunction,
    LambdaInvoke,
    Workflow,
)


class ChecksumRequest(BaseModel):
    job_id: str = Field(min_length=1, max_length=64)
    files: list[str] = Field(min_length=1, max_length=10_000)


checksum_fn = LambdaFunction("ChecksumFiles", handler="checksum.handler", timeout_seconds=60)
report_fn = LambdaFunction("ReportChecksums", handler="report.done", timeout_seconds=10)
unfinished_fn = LambdaFunction("ReportUnfinished", handler="report.unfinished", timeout_seconds=10)

checksum = LambdaInvoke("ChecksumFiles", function=checksum_fn, timeout_seconds=60)
checksum_all = ContinueUntilDone(checksum, max_iterations=12, result_path="$.checksums")
report = LambdaInvoke("ReportChecksums", function=report_fn, timeout_seconds=10)
report_unfinished = LambdaInvoke("ReportUnfinished", function=unfinished_fn, timeout_seconds=10)

checksum_all.add_catch(report_unfinished, [MAX_ITERATIONS_EXCEEDED])
report_unfinished >> Fail("Unfinished", error="Unfinished", cause="the job ran out of iterations")

checksum_job = Workflow(
    name="checksum-job",
    start=checksum_all >> report,
    # 12 iterations x (4 attempts x 60 s + 7 s of retry delays) + 47 s for a report
    timeout_seconds=3600,
    input_model=ChecksumRequest,
)
