"""The project's Lambda functions, which the server runs itself from the project's lambdas/.

The pytest plugin deploys the project into the local stack, then registers its functions
(`SfnFlows.RegisterFunctions`, or the SFN_FLOWS_FUNCTIONS file at start):

    {"<function name or ARN>": {"handler": "module.function", "timeoutSeconds": 20,
                                "memoryMb": 128, "environment": {"TABLE": "orders"}}}

A Task invoking one of them by name, partial or full ARN (with any qualifier) runs its handler
in the server's process, as the in-process engine does: the error a handler raises is named by
its class, as Lambda names it (MiniStack names every one Runtime.HandlerError). The handler
sees the function's variables over those Lambda sets (AWS_LAMBDA_FUNCTION_NAME, AWS_REGION...,
and the local stack's endpoint with test credentials when SFN_FLOWS_AWS_ENDPOINT is set).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.tasks import InProcessFunction, LambdaFunctions
from sfn_flows.engine.tasks.lambda_service import lambda_target
from sfn_flows.errors import SfnFlowsError

_INVOKE: Final = "arn:aws:states:::lambda:invoke"
_FIELDS: Final = ("handler", "timeoutSeconds", "memoryMb", "environment")
_VARIABLE: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
MAX_FUNCTIONS: Final = 1000


class FunctionSpecError(SfnFlowsError):
    """A registered function is not one the server can run; the message says which and why
    (RegisterFunctions answers it as a ValidationException, `engine serve` as a start error)."""


@dataclass(frozen=True)
class ProjectFunction:
    name: str
    handler: str
    timeout_seconds: float | None = None
    memory_mb: int = 128
    environment: Mapping[str, str] | None = None


class ProjectFunctions:
    """The registered functions; `lambdas()` is the set a new execution runs with."""

    def __init__(
        self,
        folder: Path | None,
        *,
        region: str,
        account: str,
        aws_endpoint: str | None = None,
    ) -> None:
        self._folder = folder
        self._region = region
        self._account = account
        self._aws_endpoint = aws_endpoint
        self._functions: dict[str, ProjectFunction] = {}
        self._lambdas: LambdaFunctions | None = None
        self._lock = threading.Lock()

    def register(self, functions: Any) -> list[str]:
        """Adds (or replaces) `functions`; returns their names. Raises FunctionSpecError."""
        parsed = self.parse(functions)
        if parsed and self._folder is None:
            raise FunctionSpecError(
                "the server has no lambdas folder to find the handlers in; start it with "
                "--lambdas-dir or SFN_FLOWS_LAMBDAS_DIR set to the project's lambdas/."
            )
        with self._lock:
            self._functions.update({function.name: function for function in parsed})
            self._lambdas = LambdaFunctions(
                {name: self._in_process(f) for name, f in self._functions.items()},
                self._folder,
            )
        return [function.name for function in parsed]

    def lambdas(self) -> LambdaFunctions | None:
        """The functions for a new execution (shared, so handler modules load once)."""
        with self._lock:
            return self._lambdas

    def parse(self, functions: Any) -> list[ProjectFunction]:
        if not isinstance(functions, Mapping):
            raise FunctionSpecError(
                "functions must be an object of function name or ARN -> "
                '{"handler": "module.function", ...}.'
            )
        if len(functions) > MAX_FUNCTIONS:
            raise FunctionSpecError(
                f"{len(functions)} functions at once; register at most {MAX_FUNCTIONS}."
            )
        return [self._function(key, spec) for key, spec in functions.items()]

    def _function(self, key: Any, spec: Any) -> ProjectFunction:
        name = _function_name(key, self._region, self._account)
        where = f"function {key!r}"
        if not isinstance(spec, Mapping):
            raise FunctionSpecError(f'{where}: give an object such as {{"handler": "app.main"}}.')
        unknown = sorted(set(map(str, spec)) - set(_FIELDS))
        if unknown:
            raise FunctionSpecError(
                f"{where}: unknown field {', '.join(unknown)}; the fields are {', '.join(_FIELDS)}."
            )
        handler = spec.get("handler")
        if not isinstance(handler, str) or not 0 < len(handler) <= 128 or _has_space(handler):
            raise FunctionSpecError(
                f'{where}: handler must be "module.function" (1 to 128 characters, no spaces), '
                f"not {handler!r}."
            )
        timeout = spec.get("timeoutSeconds")
        if timeout is not None and not (_is_number(timeout) and 1 <= timeout <= 900):
            raise FunctionSpecError(
                f"{where}: timeoutSeconds must be a number of seconds from 1 to 900, as "
                f"Lambda's Timeout, not {timeout!r}."
            )
        memory = spec.get("memoryMb", 128)
        if not (_is_number(memory) and memory == int(memory) and 128 <= memory <= 10240):
            raise FunctionSpecError(
                f"{where}: memoryMb must be a whole number of MB from 128 to 10240, not {memory!r}."
            )
        return ProjectFunction(
            name,
            handler.replace("/", "."),  # as Lambda's runtime reads "folder/module.function"
            float(timeout) if timeout is not None else None,
            int(memory),
            _environment(where, spec.get("environment")),
        )

    def _in_process(self, function: ProjectFunction) -> InProcessFunction:
        runtime = {
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_REGION": self._region,
            "AWS_DEFAULT_REGION": self._region,
        }
        if self._aws_endpoint is not None:
            # As the local stack runs its functions: its endpoint, with test credentials.
            runtime.update(
                AWS_ENDPOINT_URL=self._aws_endpoint,
                AWS_ACCESS_KEY_ID="test",
                AWS_SECRET_ACCESS_KEY="test",
            )
        return InProcessFunction(
            function.handler,
            function.timeout_seconds,
            function.memory_mb,
            {**runtime, **(function.environment or {})},
        )


def _function_name(key: Any, region: str, account: str) -> str:
    """The name of a function given by name, partial or full ARN (a qualifier is dropped)."""
    if isinstance(key, str) and 0 < len(key) <= 256:
        try:
            target = lambda_target(_INVOKE, {"FunctionName": key}, region, account)
        except StatesError:
            target = None
        if target is not None and len(target.name) <= 64:
            return target.name
    raise FunctionSpecError(
        f"{key!r} is not a function name (letters, digits, - and _, up to 64) or a function "
        "ARN (arn:aws:lambda:<region>:<account>:function:<name>)."
    )


def _environment(where: str, variables: Any) -> dict[str, str] | None:
    if variables is None:
        return None
    if not isinstance(variables, Mapping) or not all(
        isinstance(key, str) and _VARIABLE.match(key) and isinstance(value, str)
        for key, value in variables.items()
    ):
        raise FunctionSpecError(
            f"{where}: environment must be an object of variable names (a letter, then "
            'letters, digits and _) to string values, such as {"TABLE": "orders"}.'
        )
    return dict(variables)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _has_space(text: str) -> bool:
    return any(character.isspace() for character in text)
