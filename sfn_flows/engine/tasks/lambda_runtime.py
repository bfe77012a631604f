"""A Python handler run in the test's process the way Lambda's Python runtime runs it.

The event reaches the handler as a value of its own (decoded from the request's JSON), with a
context object whose remaining time counts down to the invocation's deadline. The return
value is encoded to JSON as the runtime does (bytes pass through as they are); the caller
gets it decoded again. A failure is Lambda's error document: `errorMessage`, `errorType` (the
exception's class name), `requestId` and the `stackTrace` of the handler's own frames; a
result that is not JSON is `Runtime.MarshalError`. The handler runs on the thread that calls
`invoke_handler`: the engine calls it between strand steps on a loop thread that the test can
leave behind when the handler blocks (engine/loop_threads.py).
"""

from __future__ import annotations

import decimal
import json
import linecache
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import CoroutineType
from typing import Any, Final

from sfn_flows.engine.tasks.calls import TaskAnswer
from sfn_flows.engine.tasks.lambda_environment import function_environment
from sfn_flows.engine.tasks.lambda_logs import InvocationLog

_HERE: Final = Path(__file__).parent
# Lambda's longest function timeout: the bound of a handler when nothing shorter applies.
MAX_FUNCTION_SECONDS: Final = 900.0

Handler = Callable[[Any, Any], Any]


class FunctionError(Exception):
    """The function failed as Lambda reports it: `document` is the error JSON it returns."""

    def __init__(self, document: dict[str, Any]) -> None:
        super().__init__(document.get("errorType"), document.get("errorMessage"))
        self.document = document

    @property
    def error_type(self) -> str:
        return str(self.document.get("errorType") or "Lambda.Unknown")


class LambdaContext:
    """The `context` argument of a Python handler, as Lambda's runtime builds it."""

    def __init__(
        self,
        *,
        request_id: str,
        function_name: str,
        invoked_function_arn: str,
        deadline_seconds: float,
        memory_limit_in_mb: int = 128,
    ) -> None:
        self.aws_request_id = request_id
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = str(memory_limit_in_mb)
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{request_id.replace('-', '')}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + deadline_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True, slots=True)
class Returned:
    """What the handler returned: the decoded JSON `payload`, its size on the wire, and the
    simulated seconds it asked for (a handler may return TaskAnswer(result, simulated_seconds=N)
    to take N seconds of the engine's virtual clock); `log` when it was asked for."""

    payload: Any
    size: int
    simulated_seconds: float = 0.0
    log: str | None = None


def invoke_handler(
    handler: Handler,
    event: Any,
    context: LambdaContext,
    *,
    capture_log: bool = False,
    environment: Mapping[str, str] | None = None,
) -> Returned:
    """Invoke `handler` with `event` (a value it may change: the caller made it for this
    call), here on this thread; raise FunctionError for a failure Lambda would report. With
    `capture_log`, the result carries the log; `environment` is the function's variables, in
    os.environ while the handler runs."""
    request_id = context.aws_request_id
    log = InvocationLog(request_id, int(context.memory_limit_in_mb)) if capture_log else None
    value: Any = None
    failure: dict[str, Any] | None = None
    exit_status: str | None = None
    if log is not None:
        log.start()
    try:
        if environment:
            with function_environment(environment):
                value = handler(event, context)
        else:  # most functions have none: no context manager to enter on each call
            value = handler(event, context)
    except SystemExit as exit_:
        code = exit_.code
        exit_status = f"exit status {code if isinstance(code, int) else 1}"
    except Exception as error:  # the handler's own failure, reported as Lambda does
        try:
            # str() is the handler's code too, and may raise anything.
            failure = error_document(str(error), type(error).__name__, request_id, stack_of(error))
        except BaseException:
            # The runtime's own str() fails in its except block: its process ends.
            exit_status = "exit status 1"
    except BaseException as other:
        # The runtime catches Exception only: anything else ends its process (Python ends
        # itself with SIGINT after an uncaught KeyboardInterrupt). Handlers run on a loop
        # thread, never the main one: a KeyboardInterrupt is the handler's, never the user's
        # Ctrl-C.
        interrupted = isinstance(other, KeyboardInterrupt)
        exit_status = "signal: interrupt" if interrupted else "exit status 1"
    finally:
        if log is not None:
            log.stop()
    if failure is not None:
        raise FunctionError(failure)
    if exit_status is not None:
        raise FunctionError(
            {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: "
                + exit_status,
            }
        )
    returned = _marshal(value, request_id)
    if log is not None:
        return Returned(returned.payload, returned.size, returned.simulated_seconds, log.text())
    return returned


def error_document(
    message: str, error_type: str, request_id: str, stack: list[str] | None = None
) -> dict[str, Any]:
    """Lambda's error JSON, its keys in Lambda's order."""
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack or [],
    }


def timed_out(request_id: str, seconds: float) -> FunctionError:
    """The function ran past its own timeout (shorter than the Task's)."""
    return FunctionError(
        {
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
            f"{seconds:.2f} seconds",
            "errorType": "Sandbox.Timedout",
        }
    )


def _marshal(value: Any, request_id: str) -> Returned:
    simulated = 0.0
    if isinstance(value, TaskAnswer):
        value, simulated = value.result, value.simulated_seconds
    if isinstance(value, bytes | bytearray):
        # Lambda passes bytes through untouched; Step Functions reads them as JSON text.
        raw = bytes(value)
        try:
            return Returned(json.loads(raw), len(raw), simulated)
        except (ValueError, RecursionError):  # nested past Python's stack: unreadable too
            return Returned(raw.decode("utf-8", "replace"), len(raw), simulated)
    if isinstance(value, CoroutineType):
        value.close()  # never awaited, as in Lambda; closing it avoids Python's warning
    try:
        text = json.dumps(value, default=_decimal, allow_nan=False)
        payload = json.loads(text)
    except Exception as error:  # the runtime's marshaller reports any failure, RecursionError too
        raise FunctionError(
            error_document(
                f"Unable to marshal response: {error}", "Runtime.MarshalError", request_id
            )
        ) from None
    return Returned(payload, len(text.encode("utf-8")), simulated)


def _decimal(value: Any) -> Any:
    # Lambda's encoder writes a Decimal as the number it holds.
    if isinstance(value, decimal.Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def stack_of(error: BaseException) -> list[str]:
    """The traceback as Lambda shows it: from the user's first frame on (the frames of this
    engine and of Python's importer are left out, as Lambda leaves out its bootstrap's),
    without column markers."""
    frames = [
        traceback.FrameSummary(
            frame.f_code.co_filename,
            line,
            frame.f_code.co_name,
            line=_source_line(frame.f_globals, frame.f_code.co_filename, line),
        )
        for frame, line in traceback.walk_tb(error.__traceback__)
    ]
    while frames and (
        Path(frames[0].filename).parent == _HERE or frames[0].filename.startswith("<frozen ")
    ):
        frames.pop(0)
    return traceback.format_list(frames)


def _source_line(module_globals: dict[str, Any], filename: str, line: int) -> str:
    # The module's own loader first: two handlers compiled under the same file name (each
    # function's /var/task/handler.py) must each show their own source.
    loader = module_globals.get("__loader__")
    get_source = getattr(loader, "get_source", None)
    name = module_globals.get("__name__")
    if callable(get_source) and name:
        try:
            source = get_source(name)
        except (ImportError, OSError):
            source = None
        if isinstance(source, str):
            lines = source.splitlines()
            if 0 < line <= len(lines):
                return lines[line - 1].strip()
    return linecache.getline(filename, line, module_globals).strip()
