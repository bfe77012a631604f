"""SfnFlows.RegisterFunctions (ours, not AWS's): the Lambda functions whose handlers the engine
runs itself, from the project's lambdas/ folder, instead of calling LAMBDA_ENDPOINT.

Body: {"functions": {"<function name or ARN>": {"handler": "module.function",
"timeoutSeconds": 20, "memoryMb": 128, "environment": {...}}}}. The pytest plugin sends it after
it deployed the project into the local stack; `sfn-flows engine serve --functions FILE` reads
the same document at start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sfn_flows.errors import SfnFlowsError
from sfn_flows.server import requests as read
from sfn_flows.server.errors import validation
from sfn_flows.server.protocol import EXTENSION_PREFIX, Handler

if TYPE_CHECKING:
    from sfn_flows.server.app import ServerState

MAX_FUNCTIONS: Final = 1000


def register_functions(state: ServerState, body: dict[str, Any]) -> dict[str, Any]:
    functions = read.optional_object(body, "functions")
    if functions is None:
        raise read.missing("functions")
    if len(functions) > MAX_FUNCTIONS:
        raise validation(f"functions names {len(functions)}; register at most {MAX_FUNCTIONS}.")
    for name, spec in functions.items():
        at = f"functions[{name[:80]!r}]"
        if not name or len(name) > 256:
            raise validation(f"{at}: a function name or ARN has 1 to 256 characters.")
        if not isinstance(spec, dict):
            raise read.serialization_of(at, "an object", spec)
        read.required_string(spec, "handler", most=256, label=f"{at}.handler")
        read.optional_int(spec, "timeoutSeconds", least=1, most=900, label=f"{at}.timeoutSeconds")
        read.optional_int(spec, "memoryMb", least=128, most=10240, label=f"{at}.memoryMb")
        read.optional_object(spec, "environment", label=f"{at}.environment")
    try:
        answer: dict[str, Any] = dict(state.tasks.register_functions(functions))
    except SfnFlowsError as exc:
        raise validation(str(exc)) from None
    return answer


ACTIONS: dict[str, Handler] = {f"{EXTENSION_PREFIX}RegisterFunctions": register_functions}
