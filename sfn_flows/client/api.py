"""ApiClient: start and follow executions through a deployed sfn-flows HTTP API, as any client
of the API would, using its wait window (runtime/prefer.py, RFC 7240's Prefer header).

- `start(...)` sends `POST /<workflow>/executions` with `Prefer: wait=N`: quick work comes
  back 200 with its result in that one request, longer work 202 with its status URL.
- `wait(...)` long-polls `GET /executions/{id}` with `Prefer: wait=N` (N up to the API's cap,
  within the caller's timeout): each request returns as soon as the execution ends, so a
  wait costs one request per window instead of a poll a second, and the end is noticed as the
  API notices it rather than at the client's next poll.
- `run(...)` is both.

An API that does not apply the preference (deployed before it; no `Preference-Applied` in the
answer) is short-polled as before, on `schedule` and the answer's Retry-After. `requests`
counts the HTTP requests made, per method.

Standard library only (urllib); the connection is made per request.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sfn_flows.client.errors import ExecutionNotFound, StepFunctionsError, WaitTimeout
from sfn_flows.client.execution import FINISHED, ExecutionStatus, execution_name
from sfn_flows.client.inputs import encode_input
from sfn_flows.client.schedule import DEFAULT_SCHEDULE, PollSchedule
from sfn_flows.runtime.names import EXECUTION_ID_SEPARATOR
from sfn_flows.runtime.prefer import PREFER_HEADER, PREFERENCE_APPLIED_HEADER, prefer_value
from sfn_flows.runtime.wait_window import MAX_WAIT_SECONDS

IDEMPOTENCY_HEADER = "Idempotency-Key"
# Time a request may take beyond the wait it asks for: the start, the network, a cold start.
REQUEST_SLACK_SECONDS = 15.0
# Answers that say "not now": wait for Retry-After, then ask again (within the timeout).
_RETRYABLE = frozenset({429, 502, 503, 504})


class ApiError(StepFunctionsError):
    """The API refused a request (4xx/5xx) or could not be reached; the message says why."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass(frozen=True)
class ApiAnswer:
    """One answer of the API: 200 (the execution ended, with its result) or 202 (running)."""

    http_status: int
    body: dict[str, Any]
    headers: Mapping[str, str]  # names in lower case

    @property
    def finished(self) -> bool:
        return self.http_status == 200 and str(self.body.get("status")) in FINISHED

    @property
    def execution_id(self) -> str:
        return str(self.body.get("executionId") or self.body.get("executionArn") or "")

    @property
    def wait_applied(self) -> bool:
        """The API waited as asked (it answered Preference-Applied: wait=N)."""
        applied = self.headers.get(PREFERENCE_APPLIED_HEADER.lower(), "")
        return any(part.strip().startswith("wait=") for part in applied.split(","))

    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after")
        try:
            return max(0.0, float(value)) if value is not None else None
        except ValueError:
            return None

    def execution_status(self) -> ExecutionStatus:
        """The answer as the Step Functions client's ExecutionStatus (no input: the API does
        not return it)."""
        body = self.body
        arn = str(body.get("executionArn") or "")
        _, _, name = self.execution_id.partition(EXECUTION_ID_SEPARATOR)
        return ExecutionStatus(
            arn=arn,
            state_machine_arn=_state_machine_of(arn),
            name=name or execution_name(arn),
            status=str(body.get("status")),
            start_date=_date(body.get("startDate")) or datetime.now().astimezone(),
            stop_date=_date(body.get("stopDate")),
            input=None,
            output=body.get("output"),
            error=body.get("error"),
            cause=body.get("cause"),
        )


class ApiClient:
    """Starts and follows executions through the HTTP API at `base_url` (the stack's ApiUrl,
    or `reachable_api_url` on a local stack)."""

    def __init__(
        self,
        base_url: str,
        *,
        schedule: PollSchedule = DEFAULT_SCHEDULE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.schedule = schedule
        self.requests: Counter[str] = Counter()

    # -- single requests -------------------------------------------------------------------

    def start(
        self,
        workflow: str,
        input: Any,
        *,
        wait: int | None = None,
        respond_async: bool = False,
        idempotency_key: str | None = None,
    ) -> ApiAnswer:
        """POST /<workflow>/executions, with `Prefer: wait=<wait>` (and/or respond-async)."""
        headers = {"Content-Type": "application/json"}
        prefer = prefer_value(_window(wait), respond_async=respond_async)
        if prefer:
            headers[PREFER_HEADER] = prefer
        if idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        url = f"{self.base_url}/{quote(workflow, safe='')}/executions"
        body = encode_input(input).encode("utf-8")
        answer = self._request("POST", url, body, headers, wait)
        if answer.http_status not in (200, 202):
            raise self._refused("POST", url, answer)
        return answer

    def status(self, execution_id: str, *, wait: int | None = None) -> ApiAnswer:
        """GET /executions/{id}; with `wait`, a long poll of up to that many seconds."""
        headers = {PREFER_HEADER: prefer_value(_window(wait))} if wait is not None else {}
        url = f"{self.base_url}/executions/{quote(execution_id, safe='')}"
        answer = self._request("GET", url, None, headers, wait)
        if answer.http_status == 404:
            raise ExecutionNotFound(execution_id, f"API {self.base_url}")
        if answer.http_status not in (200, 202) and answer.http_status not in _RETRYABLE:
            raise self._refused("GET", url, answer)
        return answer

    # -- waiting ---------------------------------------------------------------------------

    def wait(
        self,
        execution_id: str,
        *,
        timeout: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> ApiAnswer:
        """Long-poll the status route until the execution ends; WaitTimeout after `timeout`
        seconds (the execution keeps running)."""
        rng = rng or random.Random()
        began = clock()
        delay = self.schedule.first
        last: ApiAnswer | None = None
        while True:
            left = timeout - (clock() - began)
            window = int(min(MAX_WAIT_SECONDS, max(left, 0.0)))
            asked = clock()
            answer = self.status(execution_id, wait=window if window > 0 else None)
            held = clock() - asked
            if answer.finished:
                return answer
            if answer.http_status in (200, 202):
                last = answer
            elapsed = clock() - began
            if elapsed >= timeout:
                status = str(last.body.get("status")) if last else "RUNNING"
                reference = last.execution_id if last else execution_id
                raise WaitTimeout(reference, elapsed, status)
            if answer.wait_applied and answer.http_status == 202 and held >= window / 2:
                continue  # the API waited its window: ask again at once
            # Otherwise the API answered early (its own wait cut short, e.g. throttled), or
            # does not wait at all: pause before asking again, never a loop of requests.
            delay = self.schedule.next_delay(elapsed, delay, rng)
            pause = answer.retry_after() if answer.http_status in _RETRYABLE else None
            sleep(max(0.0, min(pause if pause is not None else delay, timeout - elapsed)))

    def run(
        self,
        workflow: str,
        input: Any,
        *,
        timeout: float,
        idempotency_key: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> ApiAnswer:
        """Start and wait: one request when the work ends within the first window."""
        began = clock()
        answer = self.start(
            workflow,
            input,
            wait=int(min(MAX_WAIT_SECONDS, max(timeout, 0.0))),
            idempotency_key=idempotency_key,
        )
        if answer.http_status == 200:
            return answer
        return self.wait(answer.execution_id, timeout=timeout - (clock() - began), clock=clock)

    # -- plumbing --------------------------------------------------------------------------

    def _request(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], wait: int | None
    ) -> ApiAnswer:
        self.requests[method] += 1
        timeout = (wait or 0) + REQUEST_SLACK_SECONDS
        status, data, answer_headers = _send(method, url, body, headers, timeout)
        try:
            document = json.loads(data or b"null")
        except ValueError:
            raise ApiError(
                f"{method} {url} answered {status} with a body that is not JSON "
                f"({data[:200].decode('utf-8', 'replace')!r}); is {self.base_url} an "
                "sfn-flows API?",
                status,
            ) from None
        lowered = {name.lower(): value for name, value in answer_headers.items()}
        return ApiAnswer(status, document if isinstance(document, dict) else {}, lowered)

    def _refused(self, method: str, url: str, answer: ApiAnswer) -> ApiError:
        body = answer.body
        message = str(body.get("message") or body.get("error") or "no reason given")
        details = [f"  {e.get('field')}: {e.get('message')}" for e in body.get("errors") or []]
        text = "\n".join([f"{method} {url} answered {answer.http_status}: {message}", *details])
        return ApiError(text, answer.http_status, body)


def _window(wait: int | None) -> int | None:
    if wait is None:
        return None
    if not 0 <= wait <= MAX_WAIT_SECONDS:
        raise ValueError(f"wait must be 0 to {MAX_WAIT_SECONDS} seconds, not {wait}")
    return wait


def _send(
    method: str, url: str, body: bytes | None, headers: dict[str, str], timeout: float
) -> tuple[int, bytes, dict[str, str]]:
    import urllib.error  # here: urllib.request loads http.client and ssl
    import urllib.request

    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ApiError(
            f"cannot reach the API at {url}: {reason}; check the URL (the stack's ApiUrl "
            "output) and that the stack is deployed."
        ) from None


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _state_machine_of(arn: str) -> str:
    # arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>
    parts = arn.split(":")
    if len(parts) == 8 and parts[5] == "execution":
        return ":".join([*parts[:5], "stateMachine", parts[6]])
    return ""
