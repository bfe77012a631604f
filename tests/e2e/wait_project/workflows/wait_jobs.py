"""The wait window's sample project (tests/e2e/test_wait_window.py, the benchmark): jobs that
end within a wait window, one that outlasts it, one that waits by default, and an EXPRESS one
whose budget fits the window (started with StartSyncExecution)."""

from sfn_flows import LambdaFunction, LambdaInvoke, Pass, Wait, Workflow

work_fn = LambdaFunction("Work", handler="work.handler", timeout_seconds=10)


def work(timeout_seconds: int) -> LambdaInvoke:
    # No retrier: a retried Lambda would double the budget, and these jobs never hit one.
    return LambdaInvoke(
        "Work", function=work_fn, timeout_seconds=timeout_seconds, retry_on_service_errors=False
    )


# A Lambda that works for `seconds` (about 2 s in the tests), then returns its input.
quick_job = Workflow(name="quick-job", start=work(10), timeout_seconds=60)

# A minute: far longer than any wait window.
long_job = Workflow(
    name="long-job", start=Wait("Hold", seconds=60) >> Pass("Done"), timeout_seconds=120
)

# The same work, with a default wait window: no Prefer header needed.
waiting_job = Workflow(name="waiting-job", start=work(10), timeout_seconds=60, wait_seconds=10)

# EXPRESS, at most 5 s (its budget): answered by StartSyncExecution.
express_job = Workflow(name="express-job", type="EXPRESS", start=work(5), timeout_seconds=30)
