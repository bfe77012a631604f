"""The corpus's Lambda behaviours, written from their descriptions: what each returns, and
the failures AWS recorded for the ones that raise (compared with the corpus's comparator)."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import pytest
from conftest import corpus_path

from sfn_flows.engine.conformance_lambdas import behaviour_handler, lambdas_for
from sfn_flows.engine.errors import EngineUsageError, StatesError
from sfn_flows.engine.tasks import Integrations, TaskAnswer, TaskCall

INVOKE = "arn:aws:states:::lambda:invoke"


def result_of(behaviour: str, event: Any, **call: Any) -> Any:
    integrations = Integrations(lambdas={"fn": behaviour_handler(behaviour)})
    answer = integrations.answer(
        TaskCall("S", INVOKE, {"FunctionName": "fn", "Payload": event}, **call)
    )
    assert isinstance(answer, TaskAnswer)
    return answer


@pytest.mark.parametrize(
    ("behaviour", "event", "payload"),
    [
        ("identity", {"a": [1, 2]}, {"a": [1, 2]}),
        ("constant", {"a": 1}, {"Return": "HelloWorld"}),
        ("raw_json_bytes", {}, "HelloWorld!"),
        ("decorate_input", {"k": True}, "input-event-{'k': True}"),
    ],
)
def test_behaviours_that_return(behaviour: str, event: Any, payload: Any) -> None:
    assert result_of(behaviour, event).result["Payload"] == payload


def test_raw_json_bytes_counts_its_bytes_as_the_recorded_content_length() -> None:
    headers = result_of("raw_json_bytes", {}).result["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Length"] == "13"  # recorded on AWS for "HelloWorld!"


def test_sleep_60_takes_a_minute_of_simulated_time() -> None:
    answer = result_of("sleep_60_then_identity", {"x": 1}, timeout_seconds=5)
    assert (answer.result["Payload"], answer.simulated_seconds) == ({"x": 1}, 60)


def test_large_output_exceeds_the_payload_limit() -> None:
    with pytest.raises(StatesError, match="size exceeding the maximum number of bytes"):
        result_of("large_output", {})


def test_an_unknown_behaviour_is_a_usage_error() -> None:
    with pytest.raises(EngineUsageError, match="no Lambda behaviour 'dance'"):
        behaviour_handler("dance")


def test_lambdas_for_maps_each_function_to_its_behaviour() -> None:
    handlers = lambdas_for({"a": {"behaviour": "identity"}, "b": {"behaviour": "constant"}})
    assert handlers["a"]({"x": 1}, None) == {"x": 1}
    assert handlers["b"]({}, None) == {"Return": "HelloWorld"}


def recorded_failures(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lambda cases that end FAILED with the function's error document as the cause."""
    return [
        case
        for case in cases
        if case["needs"] == ["lambda"]
        and case["expected"]["status"] == "FAILED"
        and case["expected"].get("cause_is_json")
    ]


def first_call(case: dict[str, Any]) -> TaskCall:
    """The first Task's call: its resource, and the FunctionName and Payload its Parameters
    take from the input (the recorded failures use only these forms)."""
    definition = case["definition"]
    state = definition["States"][definition["StartAt"]]
    parameters = state.get("Parameters") or {}
    data = case["input"]
    payload = {
        key.removesuffix(".$"): data.get(value.removeprefix("$."), None)
        if key.endswith(".$")
        else value
        for key, value in parameters.items()
    }
    return TaskCall(definition["StartAt"], state["Resource"], payload if parameters else data)


def test_raising_behaviours_fail_with_the_error_and_cause_aws_recorded(
    corpus_cases: list[dict[str, Any]],
) -> None:
    spec = importlib.util.spec_from_file_location(
        "conformance_compare", corpus_path().parent / "compare.py"
    )
    assert spec is not None and spec.loader is not None
    compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare)
    cases = recorded_failures(corpus_cases)
    assert len(cases) >= 5
    differences = {}
    for case in cases:
        integrations = Integrations(lambdas=lambdas_for(case["lambda_functions"]))
        with pytest.raises(StatesError) as raised:
            integrations.answer(first_call(case))
        actual = {"status": "FAILED", "error": raised.value.error, "cause": raised.value.cause}
        ok, why = compare.compare_result(case, actual)
        if not ok:
            differences[case["id"]] = why
    assert differences == {}


def test_raise_custom_reports_the_class_and_an_empty_message() -> None:
    integrations = Integrations(lambdas={"fn": behaviour_handler("raise_custom")})
    arn = "arn:aws:lambda:us-east-1:111111111111:function:fn"
    with pytest.raises(StatesError) as raised:
        integrations.answer(TaskCall("S", arn, {}))
    document = json.loads(raised.value.cause or "")
    assert raised.value.error == "CustomException"
    assert document["errorMessage"] == ""
    assert document["stackTrace"] == [
        '  File "/var/task/handler.py", line 9, in handler\n    raise CustomException()\n'
    ]
