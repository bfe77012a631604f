"""A function's environment variables while its module loads and its handler runs, on that
thread only: handlers of functions with different variables run at the same time in one
process (the engine server's), each seeing its own, and nothing else sees them."""

from __future__ import annotations

import json
import os
import textwrap
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.tasks import (
    InProcessFunction,
    Integrations,
    LambdaFunctions,
    TaskAnswer,
    TaskCall,
)
from sfn_flows.engine.tasks.lambda_environment import function_environment

INVOKE = "arn:aws:states:::lambda:invoke"


def invoke(integrations: Integrations, function: str, event: Any = None) -> Any:
    answer = integrations.answer(
        TaskCall("Work", INVOKE, {"FunctionName": function, "Payload": event or {}})
    )
    assert isinstance(answer, TaskAnswer)
    return answer.result["Payload"]


@pytest.fixture
def variable() -> str:
    """A variable name no other test or the process uses."""
    return f"SFN_FLOWS_TEST_{uuid.uuid4().hex.upper()}"


def test_a_handler_and_its_module_see_the_functions_variables(
    tmp_path: Path, variable: str
) -> None:
    (tmp_path / "configured.py").write_text(
        textwrap.dedent(
            f"""\
            import os

            TABLE_AT_IMPORT = os.environ["{variable}"]


            def handler(event, context):
                return {{
                    "at_import": TABLE_AT_IMPORT,
                    "now": os.environ["{variable}"],
                    "getenv": os.getenv("{variable}"),
                    "listed": "{variable}" in dict(os.environ),
                }}
            """
        )
    )
    functions = LambdaFunctions(
        {"Configured": InProcessFunction("configured.handler", environment={variable: "orders"})},
        tmp_path,
    )
    payload = invoke(Integrations(lambdas=functions), "Configured")
    assert payload == {"at_import": "orders", "now": "orders", "getenv": "orders", "listed": True}
    assert variable not in os.environ


def test_what_a_handler_sets_or_deletes_ends_with_its_invocation(variable: str) -> None:
    os.environ[variable] = "process"
    try:

        def handler(event: Any, context: Any) -> Any:
            os.environ[variable + "_NEW"] = "set by the handler"
            del os.environ[variable]
            return {"deleted": variable not in os.environ, "len": len(os.environ)}

        functions = LambdaFunctions(
            {"Changer": InProcessFunction(handler, environment={"UNRELATED": "1"})}
        )
        payload = invoke(Integrations(lambdas=functions), "Changer")
        assert payload["deleted"] is True
        assert os.environ[variable] == "process"
        assert variable + "_NEW" not in os.environ
    finally:
        del os.environ[variable]


def test_a_function_without_variables_sees_the_process_environment(variable: str) -> None:
    os.environ[variable] = "process"
    try:
        functions = LambdaFunctions({"Plain": lambda event, context: os.environ.get(variable)})
        assert invoke(Integrations(lambdas=functions), "Plain") == "process"
    finally:
        del os.environ[variable]


def test_a_failing_handlers_stack_trace_still_starts_in_the_handler(
    tmp_path: Path, variable: str
) -> None:
    (tmp_path / "failing.py").write_text(
        "import os\n\n\ndef handler(event, context):\n    raise KeyError(os.environ['NOPE'])\n"
    )
    functions = LambdaFunctions(
        {"Failing": InProcessFunction("failing.handler", environment={variable: "x"})},
        tmp_path,
    )
    with pytest.raises(StatesError) as raised:
        invoke(Integrations(lambdas=functions), "Failing")
    assert raised.value.error == "KeyError"
    stack = json.loads(raised.value.cause or "")["stackTrace"]
    assert stack[0].startswith(f'  File "{tmp_path / "failing.py"}", line 5, in handler')


def test_threads_with_different_variables_at_the_same_time_each_see_their_own(
    variable: str,
) -> None:
    seen: dict[str, list[str | None]] = {}
    both_inside = threading.Barrier(3, timeout=10)  # two overlays and an outsider

    def run(name: str) -> None:
        with function_environment({variable: name}):
            both_inside.wait()
            seen[name] = [os.environ.get(variable), os.getenv(variable)]
            both_inside.wait()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    both_inside.wait()
    outside = os.environ.get(variable)
    both_inside.wait()
    for thread in threads:
        thread.join(timeout=10)
    assert seen == {"first": ["first", "first"], "second": ["second", "second"]}
    assert outside is None


def test_nested_overlays_restore_the_outer_one(variable: str) -> None:
    with function_environment({variable: "outer"}):
        with function_environment({variable: "inner"}):
            assert os.environ[variable] == "inner"
        assert os.environ[variable] == "outer"
    assert variable not in os.environ


def test_values_are_checked_as_os_environ_checks_them(variable: str) -> None:
    with function_environment({}), pytest.raises(TypeError):
        os.environ[variable] = 42  # type: ignore[assignment]
