"""Lambda functions for the conformance corpus's Lambda cases, written from each function's
recorded `behaviour` (shared/conformance/README.md, "Lambda behaviours").

The functions that raise are compiled as `/var/task/handler.py`, with the `raise` on the
line where the deployed function had it, because AWS's recorded error causes carry that
stack trace (`File "/var/task/handler.py", line 2, in handler`). The one that sleeps 60 s
does so on the engine's virtual clock (a TaskAnswer of 60 simulated seconds), so a Task
timeout of 5 s ends it without the test waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from sfn_flows.engine.errors import EngineUsageError
from sfn_flows.engine.tasks.calls import TaskAnswer

Handler = Callable[[Any, Any], Any]

DEPLOYED_FILE: Final = "/var/task/handler.py"

# Line 2: `raise`, as deployed.
_RAISE: Final = """def handler(event, context):
    raise Exception("Some exception was raised.")
"""

# Line 9: `raise CustomException()`, as deployed.
_RAISE_CUSTOM: Final = '''class CustomException(Exception):
    """An exception class of the function's own: Lambda names the error after it."""


def handler(event, context):
    # The recorded function raised from line 9 of its file; this comment keeps the raise
    # on that line.

    raise CustomException()
'''

# 257 KiB: over Step Functions' 256 KiB limit for a state's result.
LARGE_OUTPUT_BYTES: Final = 257 * 1024


class _Source:
    """A loader that knows one source text: tracebacks read their lines from it."""

    def __init__(self, text: str) -> None:
        self._text = text

    def get_source(self, name: str) -> str:
        return self._text


def _deployed(source: str) -> Handler:
    namespace: dict[str, Any] = {"__name__": "handler", "__loader__": _Source(source)}
    exec(compile(source, DEPLOYED_FILE, "exec"), namespace)
    handler: Handler = namespace["handler"]
    return handler


def _identity(event: Any, context: Any) -> Any:
    return event


def _constant(event: Any, context: Any) -> Any:
    return {"Return": "HelloWorld"}


def _raw_json_bytes(event: Any, context: Any) -> Any:
    return b'"HelloWorld!"'


def _decorate_input(event: Any, context: Any) -> Any:
    return "input-event-" + str(event)


def _large_output(event: Any, context: Any) -> Any:
    return "a" * LARGE_OUTPUT_BYTES


def _sleep_60_then_identity(event: Any, context: Any) -> Any:
    return TaskAnswer(event, simulated_seconds=60)


_PLAIN: Final[dict[str, Handler]] = {
    "identity": _identity,
    "constant": _constant,
    "raw_json_bytes": _raw_json_bytes,
    "decorate_input": _decorate_input,
    "large_output": _large_output,
    "sleep_60_then_identity": _sleep_60_then_identity,
}
_DEPLOYED_SOURCES: Final = {"raise": _RAISE, "raise_custom": _RAISE_CUSTOM}


def behaviour_handler(name: str) -> Handler:
    """A handler `(event, context)` with the recorded behaviour `name`."""
    if name in _PLAIN:
        return _PLAIN[name]
    if name in _DEPLOYED_SOURCES:
        return _deployed(_DEPLOYED_SOURCES[name])
    known = ", ".join(sorted([*_PLAIN, *_DEPLOYED_SOURCES]))
    raise EngineUsageError(f"no Lambda behaviour {name!r}; the corpus knows: {known}.")


def lambdas_for(functions: Mapping[str, Mapping[str, Any]]) -> dict[str, Handler]:
    """A case's `lambda_functions` (function name -> {arn, runtime, behaviour, ...}) as the
    in-process functions the engine runs: function name -> handler."""
    return {name: behaviour_handler(str(spec.get("behaviour"))) for name, spec in functions.items()}
