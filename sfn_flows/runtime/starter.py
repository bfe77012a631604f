"""The starter: `POST /{workflow}/executions` -> StartExecution -> 202 with the status URL.

Checks, in order, each with its own answer: the event is an API Gateway proxy event (400),
the method is POST (405), the route names a workflow (404), the deployment is configured
(500), the workflow is one this API starts (404), the Idempotency-Key is usable (400), the
body is JSON of an accepted size (415, 413, 400, see request_body), the body matches the
workflow's input schema (400 with one error per field).

Idempotency: an `Idempotency-Key` header (any case) becomes the execution name, so a retried
request cannot start a second execution. Step Functions answers a reused name with
ExecutionAlreadyExists when the input differs or the first execution has finished (and
MiniStack always does); the starter then reads that execution: the same input means the
request is a retry (202, that execution, `Idempotent-Replayed: true`), another input means
the key was reused for something else (409).

Wait window: with `Prefer: wait=N` (prefer.py), or the workflow's `wait_seconds` when the
request names none, the starter waits up to N seconds (from the request's arrival) for the
execution to end and answers 200 with its result (status, output or error and cause), else
the usual 202 (long_poll.py). `Prefer: respond-async` (or wait=0) answers 202 at once. An
EXPRESS workflow whose budget fits the wait cap (wait_window.py) is started with
StartSyncExecution and answered 200 when it ends, unless the client asked for no wait.
A client that goes away mid-wait costs nothing: the execution runs on, the wait ends at its
window (within the deadline), and a retry with the same Idempotency-Key finds the execution.

Deadline: Step Functions' calls end before the Lambda's timeout (deadline.py). When one does
not answer in time the starter answers 503 with Retry-After; a StartExecution that was sent
may have started the execution, so the answer names it and tells the client to retry with
the same Idempotency-Key (the execution name derives from it: the retry finds the execution).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from sfn_flows.runtime.clients import (
    ClientFactory,
    stepfunctions_client,
    stepfunctions_sync_client,
)
from sfn_flows.runtime.config import ConfigError, ConfigLoader, WorkflowTarget, load_api_config
from sfn_flows.runtime.deadline import Deadline, DeadlineExceeded
from sfn_flows.runtime.enqueue import enqueue
from sfn_flows.runtime.events import HttpRequest
from sfn_flows.runtime.execution_answers import execution_answer
from sfn_flows.runtime.guard import accepted_request, guarded
from sfn_flows.runtime.intake import SQS_INTAKE
from sfn_flows.runtime.key_reuse import IDEMPOTENCY_HEADER, key_reused
from sfn_flows.runtime.logs import RequestLog
from sfn_flows.runtime.long_poll import is_open, wait_for_end
from sfn_flows.runtime.names import (
    IDEMPOTENCY_KEY_MAX,
    execution_id,
    fresh_execution_name,
    idempotent_execution_name,
)
from sfn_flows.runtime.prefer import (
    PREFER_HEADER,
    PREFERENCE_APPLIED_HEADER,
    Preferences,
    PreferError,
    parse_prefer,
)
from sfn_flows.runtime.request_body import BodyError, JsonBody, read_json_body
from sfn_flows.runtime.responses import (
    Handler,
    Response,
    configuration_error,
    error_response,
    json_response,
)
from sfn_flows.runtime.schema import PatternTimeout, SchemaError, json_equal, validate
from sfn_flows.runtime.service_errors import (
    UNAVAILABLE_RETRY_AFTER,
    AwsError,
    aws_error,
    failure_response,
)
from sfn_flows.runtime.urls import status_url

_ROUTE = re.compile(r"/([^/]+)/executions/?\Z")


def make_starter_handler(
    *,
    client: ClientFactory = stepfunctions_client,
    config: ConfigLoader = load_api_config,
    sync_client: ClientFactory = stepfunctions_sync_client,
) -> Handler:
    """The Lambda handler. `client`, `sync_client` (StartSyncExecution's) and `config` are
    how tests and benchmarks swap them."""

    return guarded(
        "start",
        lambda event, deadline, log: _Start(client, config, deadline, log, sync_client).handle(
            event
        ),
    )


class _Start:
    def __init__(
        self,
        client: ClientFactory,
        config: ConfigLoader,
        deadline: Deadline,
        log: RequestLog,
        sync_client: ClientFactory = stepfunctions_sync_client,
    ) -> None:
        self.began = deadline.clock()  # the wait window counts from the request's arrival
        self.client = client
        self.sync_client = sync_client
        self.config = config
        self.deadline = deadline
        self.log = log
        self.request_id = log.request_id
        self.preferences = Preferences()
        self.window = 0  # seconds to wait for the end of the execution

    def handle(self, event: Any) -> Response:
        request = accepted_request(
            event,
            reader="starter",
            method="POST",
            usage="start an execution with POST /<workflow>/executions",
        )
        if not isinstance(request, HttpRequest):
            return request
        route = _ROUTE.search(request.path)
        workflow = request.path_parameter("workflow") or (
            request_path_workflow(route) if route else None
        )
        if workflow is None:
            return error_response(
                404,
                "RouteNotFound",
                "no workflow in the path; start an execution with POST /<workflow>/executions.",
            )
        try:
            config = self.config()
        except ConfigError as exc:
            return configuration_error(exc, self.request_id)
        target = config.workflows.get(workflow)
        if target is None:
            return error_response(
                404,
                "WorkflowNotFound",
                f"there is no workflow {workflow[:100]!r}; this API starts: "
                f"{', '.join(sorted(config.workflows))}.",
            )
        self.log.workflow = target.name
        key = request.header(IDEMPOTENCY_HEADER)
        problem = idempotency_key_problem(key)
        if problem:
            return error_response(400, "InvalidIdempotencyKey", problem)
        try:
            self.preferences = parse_prefer(request.header(PREFER_HEADER))
        except PreferError as exc:
            return error_response(400, "InvalidPrefer", str(exc))
        self.window = self.preferences.window(target.wait_seconds)
        try:
            body = read_json_body(request)
        except BodyError as exc:
            return exc.response()
        try:
            # At most half the time left: the rest is for StartExecution.
            errors = self.deadline.run_here(
                lambda: validate(body.value, target.input_schema),
                self.deadline.remaining() / 2,
            )
        except SchemaError as exc:
            return configuration_error(exc, self.request_id)
        except (PatternTimeout, DeadlineExceeded) as exc:
            return _check_timeout(workflow, exc)
        except RecursionError:
            return error_response(
                400, "InvalidJson", "the body nests arrays or objects too deeply to be checked."
            )
        if errors:
            return error_response(
                400,
                "ValidationFailed",
                f"the body does not match the input of workflow {workflow!r}: "
                f"{len(errors)} problem(s), see errors (field: where in the body).",
                errors=[error.as_dict() for error in errors],
            )
        name = idempotent_execution_name(key) if key is not None else fresh_execution_name()
        self.log.execution = name
        prefix = request.path[: route.start()] if route else ""
        if target.intake == SQS_INTAKE:  # queued; the consumer starts it (enqueue.py)
            return enqueue(
                request,
                prefix,
                target,
                name,
                body,
                idempotent=key is not None,
                deadline=self.deadline,
                request_id=self.request_id,
            )
        return self.start(request, prefix, target, name, body, idempotent=key is not None)

    def start(
        self,
        request: HttpRequest,
        prefix: str,
        target: WorkflowTarget,
        name: str,
        body: JsonBody,
        *,
        idempotent: bool,
    ) -> Response:
        if target.synchronous and not self.preferences.wants_no_wait():
            return self.start_sync(target, name, body)
        sfn = self.client()
        try:
            started = self.deadline.run(
                lambda: sfn.start_execution(
                    stateMachineArn=target.state_machine.arn, name=name, input=body.text
                )
            )
        except DeadlineExceeded as exc:
            return self.unanswered(request, prefix, target, name, idempotent, sent=exc.sent)
        except Exception as exc:
            error = aws_error(exc)
            if error is None:
                raise
            if idempotent and error.code == "ExecutionAlreadyExists":
                return self.replay(request, prefix, target, name, body)
            if error.kind == "timeout":
                return self.unanswered(request, prefix, target, name, idempotent, sent=True)
            return self.failed(error, "StartExecution", target)
        return self.accepted(request, prefix, target, name, started["executionArn"], "RUNNING")

    def replay(
        self, request: HttpRequest, prefix: str, target: WorkflowTarget, name: str, body: JsonBody
    ) -> Response:
        """The key's execution exists: a retry of the same request, or a reuse of the key."""
        arn = target.state_machine.execution_arn(name)
        sfn = self.client()
        try:
            existing = self.deadline.run(lambda: sfn.describe_execution(executionArn=arn))
        except DeadlineExceeded:
            return self.unanswered(request, prefix, target, name, True, sent=True)
        except Exception as exc:
            error = aws_error(exc)
            if error is None:
                raise
            if error.kind == "timeout":
                return self.unanswered(request, prefix, target, name, True, sent=True)
            if error.code == "ExecutionDoesNotExist":
                # Named as existing a moment ago, not readable yet: a race that resolves itself.
                return error_response(
                    503,
                    "ServiceUnavailable",
                    "the execution of this Idempotency-Key is not readable yet; retry in 1 s.",
                    headers={"Retry-After": "1"},
                )
            return self.failed(error, "DescribeExecution", target)
        if not same_input(existing, body):
            return key_reused(execution_id(target.name, name))
        return self.accepted(
            request, prefix, target, name, arn, str(existing["status"]), existing, replayed=True
        )

    def start_sync(self, target: WorkflowTarget, name: str, body: JsonBody) -> Response:
        """StartSyncExecution, answered 200 with the result: the build's budget proves the
        execution ends within the wait cap, and the Lambda's deadline still bounds the call."""
        sfn = self.sync_client()
        try:
            ended: dict[str, Any] = self.deadline.run(
                lambda: sfn.start_sync_execution(
                    stateMachineArn=target.state_machine.arn, name=name, input=body.text
                )
            )
        except DeadlineExceeded as exc:
            return self.sync_unanswered(target, sent=exc.sent)
        except Exception as exc:
            error = aws_error(exc)
            if error is None:
                raise
            if error.kind == "timeout":
                return self.sync_unanswered(target, sent=True)
            return self.failed(error, "StartSyncExecution", target)
        # An EXPRESS execution's ARN is of its own kind (":express:"), so it comes from the answer.
        arn = str(ended.get("executionArn") or target.state_machine.execution_arn(name))
        return execution_answer(target, name, arn, ended)

    def sync_unanswered(self, target: WorkflowTarget, *, sent: bool) -> Response:
        retry = str(UNAVAILABLE_RETRY_AFTER)
        what = f"StartSyncExecution for workflow {target.name!r}"
        if not sent:
            message = (
                f"too little time was left to call Step Functions ({what}); nothing was "
                f"started: retry in {retry} s."
            )
        else:
            message = (
                f"Step Functions did not answer {what} in time; the execution may have run "
                "(EXPRESS executions cannot be found again by name): retry in "
                f"{retry} s if running it twice does no harm."
            )
        return error_response(503, "StepFunctionsTimeout", message, headers={"Retry-After": retry})

    def accepted(
        self,
        request: HttpRequest,
        prefix: str,
        target: WorkflowTarget,
        name: str,
        arn: str,
        status: str,
        described: dict[str, Any] | None = None,
        *,
        replayed: bool = False,
    ) -> Response:
        """202 with the status URL; within the wait window, 200 with the result once the
        execution ends. `described`: the execution as last read, if it was."""
        identifier = execution_id(target.name, name)
        url = status_url(request, prefix, identifier)
        headers: dict[str, str] = {}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        applied = self.applied_preference()
        if applied:
            headers[PREFERENCE_APPLIED_HEADER] = applied
        if self.window > 0:
            sfn = self.client()
            last = wait_for_end(
                lambda: sfn.describe_execution(executionArn=arn),
                self.deadline,
                self.began + self.window,
                described,
            )
            if last is not None:
                status = str(last.get("status"))
                if not is_open(last):
                    return execution_answer(target, name, arn, last, headers, statusUrl=url)
        return json_response(
            202,
            {"executionArn": arn, "executionId": identifier, "status": status, "statusUrl": url},
            {"Location": url, **headers},
        )

    def applied_preference(self) -> str | None:
        """The Preference-Applied value: what the client preferred and this answer honours."""
        if self.preferences.wait is not None:
            return f"wait={self.preferences.wait}"
        return "respond-async" if self.preferences.respond_async else None

    def unanswered(
        self,
        request: HttpRequest,
        prefix: str,
        target: WorkflowTarget,
        name: str,
        idempotent: bool,
        *,
        sent: bool,
    ) -> Response:
        """503 when Step Functions did not answer in time. A call that was sent may have
        started the execution: the answer says how to find it instead of starting another."""
        retry = str(UNAVAILABLE_RETRY_AFTER)
        what = f"StartExecution for workflow {target.name!r}"
        headers = {"Retry-After": retry}
        if not sent:
            return error_response(
                503,
                "StepFunctionsTimeout",
                f"too little time was left to call Step Functions ({what}); nothing was "
                f"started: retry in {retry} s.",
                headers=headers,
            )
        identifier = execution_id(target.name, name)
        if idempotent:
            message = (
                f"Step Functions did not answer {what} in time; the execution may have "
                f"started: retry in {retry} s with the same {IDEMPOTENCY_HEADER}, which finds "
                "that execution instead of starting a second one."
            )
        else:
            message = (
                f"Step Functions did not answer {what} in time; the execution may have started "
                f"as {identifier} (see statusUrl): check it before retrying, and send an "
                f"{IDEMPOTENCY_HEADER} with every request, so that a retry finds its execution "
                "instead of starting a second one."
            )
        return error_response(
            503,
            "StepFunctionsTimeout",
            message,
            headers=headers,
            executionId=identifier,
            statusUrl=status_url(request, prefix, identifier),
        )

    def failed(self, error: AwsError, action: str, target: WorkflowTarget) -> Response:
        return failure_response(error, action, f"workflow {target.name!r}")


def request_path_workflow(route: re.Match[str]) -> str | None:
    return unquote(route.group(1)) or None


def idempotency_key_problem(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip():
        return (
            f"{IDEMPOTENCY_HEADER} is empty; send a value unique to the operation (a UUID), "
            "or leave the header out."
        )
    if len(key) > IDEMPOTENCY_KEY_MAX:
        return (
            f"{IDEMPOTENCY_HEADER} is {len(key)} characters long; "
            f"at most {IDEMPOTENCY_KEY_MAX} are accepted (a UUID is 36)."
        )
    return None


def same_input(existing: dict[str, Any], body: JsonBody) -> bool:
    """Whether an execution's recorded input is the body (as JSON values, key order aside)."""
    if existing.get("inputDetails", {}).get("included") is False:
        return False  # the input is not shown: it cannot be proven to be the same
    recorded = existing.get("input")
    if not isinstance(recorded, str):
        return False
    if recorded == body.text:
        return True
    try:
        return json_equal(json.loads(recorded), body.value)
    except ValueError:
        return False


def _check_timeout(workflow: str, exc: Exception) -> Response:
    """The body could not be checked in time: said as the client's 400, since the same body
    would take as long again (a 503 would invite retries that cannot succeed)."""
    where = (
        f"{exc.field} against the pattern {exc.pattern}, which backtracks on it"
        if isinstance(exc, PatternTimeout)
        else "it"
    )
    return error_response(
        400,
        "InputCheckTimeout",
        f"the body could not be checked against the input of workflow {workflow!r} in time: "
        f"{where}. Send a shorter or plainer value; the workflow's author can make the "
        "pattern linear (no nested repetition such as (a+)+).",
    )
