"""lambda:invoke as AWS recorded it: the `Payload` is the Invoke request's body (a JSON
string is sent as its text, null or nothing as `{}`), and `LogType: "Tail"` returns the
invocation log's last 4 KB."""

from __future__ import annotations

import base64
import json
import logging
import sys
from typing import Any

import pytest

from sfn_flows.engine import simulate
from sfn_flows.engine.errors import StatesError
from sfn_flows.engine.tasks import Integrations, TaskAnswer, TaskCall

INVOKE = "arn:aws:states:::lambda:invoke"


def received_by(payload_field: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """What an identity function received and the Task's result, for lambda:invoke's fields."""
    seen: list[Any] = []

    def identity(event: Any, context: Any) -> Any:
        seen.append(event)
        return event

    answer = Integrations(lambdas={"fn": identity}).answer(
        TaskCall("Work", INVOKE, {"FunctionName": "fn", **payload_field})
    )
    assert isinstance(answer, TaskAnswer)
    return seen, answer.result


@pytest.mark.parametrize(
    ("text", "event", "content_length"),
    [
        # The values and sizes AWS recorded (services/test_lambda_task_service.py).
        ("0.0", 0.0, "3"),
        ("0", 0, "1"),
        ('"HelloWorld"', "HelloWorld", "12"),
        ("true", True, "4"),
        ("{}", {}, "2"),
        ("[]", [], "2"),
        (""" "'{'Hello':'World'}'" """, "'{'Hello':'World'}'", "21"),
    ],
)
def test_a_json_string_payload_is_sent_as_its_text(
    text: str, event: Any, content_length: str
) -> None:
    seen, result = received_by({"Payload": text})
    assert seen == [event] and type(seen[0]) is type(event)
    assert result["Payload"] == event
    assert result["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == content_length


@pytest.mark.parametrize("fields", [{}, {"Payload": None}])
def test_a_missing_or_null_payload_reaches_the_handler_as_an_empty_object(
    fields: dict[str, Any],
) -> None:
    seen, result = received_by(fields)
    assert seen == [{}]
    assert result["Payload"] == {}
    assert result["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "2"


def test_any_other_payload_is_sent_as_its_json() -> None:
    payload = {"nested": ["0.0", {"a": None}]}
    seen, _ = received_by({"Payload": payload})
    assert seen == [payload]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "HelloWorld",
            "Unrecognized token 'HelloWorld': was expecting (JSON String, Number, Array, "
            "Object or token 'null', 'true' or 'false')",
        ),
        ("{'a': 1}", "Expecting property name enclosed in double quotes"),
        ("NaN", ""),  # Python's parser takes NaN; Lambda's does not
    ],
)
def test_text_that_is_not_json_is_refused_by_lambda(text: str, reason: str) -> None:
    ran: list[Any] = []
    integrations = Integrations(lambdas={"fn": lambda event, context: ran.append(event)})
    with pytest.raises(StatesError) as raised:
        integrations.answer(TaskCall("Work", INVOKE, {"FunctionName": "fn", "Payload": text}))
    assert ran == []
    assert raised.value.error == "Lambda.InvalidRequestContentException"
    cause = raised.value.cause or ""
    assert cause.startswith(
        "Could not parse request body into json: Could not parse payload into json: "
    )
    assert reason in cause
    assert "(Service: AWSLambda; Status Code: 400; Error Code: InvalidRequestContentException;" in (
        cause
    )


def test_a_function_arn_resource_sends_a_string_input_as_a_json_string() -> None:
    seen: list[Any] = []
    arn = "arn:aws:lambda:us-east-1:123456789012:function:fn"
    integrations = Integrations(lambdas={"fn": lambda event, context: seen.append(event) or 1})
    assert integrations.answer(TaskCall("Work", arn, "0.0")) == TaskAnswer(1)
    assert seen == ["0.0"]


# --- LogType ------------------------------------------------------------------------------


def chatty(event: Any, context: Any) -> Any:
    print("to stdout", event.get("n"))
    print("to stderr", file=sys.stderr)
    logging.getLogger("orders").warning("low stock for %s", event.get("sku"))
    return {"ok": True}


def tail_of(result: dict[str, Any]) -> str:
    return base64.b64decode(result["LogResult"]).decode("utf-8")


def test_log_type_tail_returns_what_the_handler_wrote(capsys: pytest.CaptureFixture[str]) -> None:
    answer = Integrations(lambdas={"fn": chatty}).answer(
        TaskCall(
            "Work",
            INVOKE,
            {"FunctionName": "fn", "Payload": {"n": 7, "sku": "s-1"}, "LogType": "Tail"},
        )
    )
    assert isinstance(answer, TaskAnswer)
    result = answer.result
    assert list(result) == [
        "ExecutedVersion",
        "LogResult",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    ]
    headers = result["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["X-Amz-Log-Result"] == result["LogResult"]
    assert result["SdkHttpMetadata"]["AllHttpHeaders"]["X-Amz-Log-Result"] == [result["LogResult"]]
    request_id = result["SdkResponseMetadata"]["RequestId"]
    lines = tail_of(result).splitlines()
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert lines[1:3] == ["to stdout 7", "to stderr"]
    level, stamp, logged_id, message = lines[3].split("\t")
    assert (level, logged_id, message) == ("[WARNING]", request_id, "low stock for s-1")
    assert stamp.endswith("Z") and "T" in stamp
    assert lines[4] == f"END RequestId: {request_id}"
    assert lines[5].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "\tMemory Size: 128 MB\t" in lines[5]
    # The test still sees the output, and the streams are the test's again.
    printed = capsys.readouterr()
    assert "to stdout 7" in printed.out and "to stderr" in printed.err
    print("after")
    assert capsys.readouterr().out == "after\n"


def test_the_log_tail_is_its_last_4_kb() -> None:
    def loud(event: Any, context: Any) -> None:
        for n in range(1000):
            print(f"line {n:04d}")

    answer = Integrations(lambdas={"fn": loud}).answer(
        TaskCall("Work", INVOKE, {"FunctionName": "fn", "LogType": "Tail"})
    )
    assert isinstance(answer, TaskAnswer)
    raw = base64.b64decode(answer.result["LogResult"])
    assert len(raw) == 4096
    text = raw.decode("utf-8")
    assert "line 0999\nEND RequestId: " in text and "line 0000" not in text


def test_without_log_type_tail_there_is_no_log_and_no_capture() -> None:
    before = sys.stdout
    seen: list[Any] = []

    def probe(event: Any, context: Any) -> None:
        seen.append(sys.stdout)

    for fields in ({}, {"LogType": "None"}):
        answer = Integrations(lambdas={"fn": probe}).answer(
            TaskCall("Work", INVOKE, {"FunctionName": "fn", **fields})
        )
        assert isinstance(answer, TaskAnswer)
        assert "LogResult" not in answer.result
        assert "X-Amz-Log-Result" not in answer.result["SdkHttpMetadata"]["HttpHeaders"]
    assert seen == [before, before]


def test_an_unknown_log_type_is_lambdas_validation_error() -> None:
    integrations = Integrations(lambdas={"fn": lambda event, context: 1})
    with pytest.raises(StatesError) as raised:
        integrations.answer(TaskCall("Work", INVOKE, {"FunctionName": "fn", "LogType": "All"}))
    assert raised.value.error == "Lambda.ValidationException"
    assert (raised.value.cause or "").startswith(
        "1 validation error detected: Value \"All\" at 'logType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Tail, None]"
    )


def test_a_workflow_gets_the_log_tail_in_its_output() -> None:
    definition = {
        "StartAt": "Invoke",
        "States": {
            "Invoke": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "fn", "Payload.$": "$.text", "LogType": "Tail"},
                "ResultSelector": {"log.$": "$.LogResult", "payload.$": "$.Payload"},
                "End": True,
            }
        },
    }
    result = simulate(
        definition, {"text": '{"n": 1}'}, lambdas={"fn": lambda event, context: print(event)}
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output["payload"] is None
    assert "\n{'n': 1}\n" in base64.b64decode(result.output["log"]).decode()
    json.dumps(result.output)  # JSON all through
