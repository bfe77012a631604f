"""The intake's contract without AWS: queued ids and their bounds, the environment's queues,
records read from an SQS event."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from sfn_flows.runtime.config import (
    API_CONFIG_ENV,
    API_CONFIG_FILE,
    STATE_MACHINES_ENV,
    ConfigError,
    clear_config_cache,
    load_api_config,
)
from sfn_flows.runtime.intake import (
    CLOCK_SKEW_SECONDS,
    DIGEST_HEX,
    INTAKE_QUEUES_ENV,
    INTAKE_SOURCES_ENV,
    QUEUE_RETENTION_SECONDS,
    QueuedId,
    clear_intake_cache,
    input_digest,
    intake_queues,
    intake_sources,
    queued_execution_id,
    queued_stamp,
    recorded_digest,
    split_queued_id,
    still_queueable,
)
from sfn_flows.runtime.intake_messages import (
    DETAIL_LIMIT,
    NotAnSqsEvent,
    Poison,
    Record,
    dead_letter_attributes,
    parse_input,
    records_of,
)
from sfn_flows.runtime.request_body import MAX_INPUT_BYTES

NOW = 1_750_000_000_000  # ms


DIGEST = input_digest({"who": "A"})


@pytest.mark.parametrize("epoch_ms", [0, 1, 35, 36, NOW, 2**41])
def test_stamps_read_back(epoch_ms: int) -> None:
    stamp = queued_stamp(epoch_ms)
    assert stamp.isalnum() and stamp == stamp.lower()
    assert split_queued_id(f"jobs~run-1~{stamp}~{DIGEST}") == QueuedId(
        "jobs", "run-1", epoch_ms, DIGEST
    )


def test_a_queued_id_is_the_execution_id_the_time_and_the_input_digest() -> None:
    value = queued_execution_id("jobs", "run-1", NOW, DIGEST)
    assert value == f"jobs~run-1~{queued_stamp(NOW)}~{DIGEST}"
    assert len(queued_stamp(NOW)) == 8 and len(DIGEST) == DIGEST_HEX
    assert split_queued_id(value) == QueuedId("jobs", "run-1", NOW, DIGEST)
    assert quote(value, safe="") == value  # nothing to escape in a URL


def test_the_digest_is_of_the_json_value_not_of_its_text() -> None:
    assert input_digest({"a": 1, "b": [1, 2]}) == input_digest({"b": [1, 2], "a": 1})
    # As same_input reads them (schema.json_equal): 1.0 is 1, true is not 1.
    assert input_digest({"n": 1.0}) == input_digest({"n": 1})
    assert input_digest({"n": True}) != input_digest({"n": 1})
    assert input_digest({"who": "A"}) != input_digest({"who": "B"})
    assert input_digest("\ud800") != input_digest("\ud801")  # lone surrogates hash as they are
    assert input_digest("é") != input_digest("e")


def test_an_executions_recorded_input_has_the_digest_of_its_value() -> None:
    assert recorded_digest({"input": '{"who":"A"}'}) == DIGEST
    assert recorded_digest({"input": '{ "who" : "A" }', "inputDetails": {"included": True}}) == (
        DIGEST
    )
    # Not there, left out or not JSON: it matches no request.
    assert recorded_digest({}) is None
    assert recorded_digest({"input": '{"who":"A"}', "inputDetails": {"included": False}}) is None
    assert recorded_digest({"input": "not json"}) is None


@pytest.mark.parametrize(
    "value",
    [
        "jobs~run-1",  # an execution id, not a queued one
        "jobs~run-1~",
        f"jobs~run-1~{queued_stamp(NOW)}",  # the three-part ids of before: never released
        f"jobs~run-1~{queued_stamp(NOW)}~",
        f"jobs~run-1~{queued_stamp(NOW)}~{DIGEST[:-1]}",
        f"jobs~run-1~{queued_stamp(NOW)}~{DIGEST}0",
        f"jobs~run-1~{queued_stamp(NOW)}~{DIGEST.upper()}",  # has letters: not this API's
        f"jobs~run-1~{DIGEST}",
        f"jobs~run-1~ABC~{DIGEST}",  # upper case is not a stamp this API writes
        f"jobs~run-1~1_0~{DIGEST}",  # int() would take it
        f"jobs~run-1~ 10~{DIGEST}",
        "jobs~run-1~" + "z" * 13 + f"~{DIGEST}",
        f"~run-1~abc~{DIGEST}",
        f"jobs~~abc~{DIGEST}",
        f"jobs~has space~abc~{DIGEST}",
        "abc",
    ],
)
def test_other_ids_are_not_queued_ids(value: str) -> None:
    assert split_queued_id(value) is None


def test_queued_lasts_as_long_as_the_queue_keeps_the_message() -> None:
    retention_ms = QUEUE_RETENTION_SECONDS * 1000
    assert still_queueable(NOW, NOW)
    assert still_queueable(NOW - retention_ms, NOW)
    assert not still_queueable(NOW - retention_ms - 1, NOW)
    assert still_queueable(NOW + CLOCK_SKEW_SECONDS * 1000, NOW)  # clocks differ a little
    assert not still_queueable(NOW + CLOCK_SKEW_SECONDS * 1000 + 1, NOW)


def test_queues_and_sources_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_intake_cache()
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    arn = "arn:aws:sqs:us-east-1:123456789012:jobs"
    monkeypatch.setenv(INTAKE_QUEUES_ENV, json.dumps({"jobs": url}))
    monkeypatch.setenv(INTAKE_SOURCES_ENV, json.dumps({"jobs": {"queue": arn, "dlq": url}}))

    assert intake_queues() == {"jobs": url}
    assert intake_queues() is intake_queues()  # read once per value
    (source,) = intake_sources().values()
    assert (source.workflow, source.queue_arn, source.dead_letter_url) == ("jobs", arn, url)
    monkeypatch.delenv(INTAKE_QUEUES_ENV)
    assert intake_queues() == {}


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        (INTAKE_QUEUES_ENV, "{", "is not JSON"),
        (INTAKE_QUEUES_ENV, "[]", "must be a JSON object"),
        (INTAKE_QUEUES_ENV, '{"jobs": "sqs://x"}', "not a queue URL"),
        (INTAKE_SOURCES_ENV, '{"jobs": {"queue": "x", "dlq": "https://q"}}', '"queue": <queue'),
        (INTAKE_SOURCES_ENV, '{"jobs": "arn:aws:sqs:r:1:q"}', "needs"),
    ],
)
def test_a_malformed_environment_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, fragment: str
) -> None:
    clear_intake_cache()
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        intake_queues() if variable == INTAKE_QUEUES_ENV else intake_sources()
    assert variable in str(caught.value) and fragment in str(caught.value)


def test_records_of_an_event() -> None:
    event = {
        "Records": [
            {
                "messageId": "m-1",
                "eventSourceARN": "arn:aws:sqs:us-east-1:1:q",
                "body": "{}",
                "messageAttributes": {
                    "a": {"stringValue": "x", "dataType": "String"},
                    "b": {"binaryValue": "eA==", "dataType": "Binary"},
                },
            }
        ]
    }
    (record,) = records_of(event)
    assert record == Record("m-1", "arn:aws:sqs:us-east-1:1:q", "{}", {"a": "x"})


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        (None, "SQS events"),
        ({"Records": "x"}, "SQS events"),
        ({"Records": [1]}, "record 0 is not an object"),
        ({"Records": [{"messageId": "", "body": "{}"}]}, "no messageId"),
        ({"Records": [{"messageId": "m", "body": "{}"}]}, "lacks its eventSourceARN"),
    ],
)
def test_events_that_are_not_sqs_batches(event: object, fragment: str) -> None:
    with pytest.raises(NotAnSqsEvent, match=fragment):
        records_of(event)


def test_inputs_beyond_step_functions_limit_are_poison() -> None:
    assert parse_input('{"a": [1, 2]}') == {"a": [1, 2]}
    with pytest.raises(Poison) as caught:
        parse_input('"' + "x" * MAX_INPUT_BYTES + '"')
    assert caught.value.reason == "InputTooLarge"
    with pytest.raises(Poison) as caught:
        parse_input("[" * 100_000)
    assert caught.value.reason == "InvalidJson"


def test_dead_letter_attributes_keep_only_the_requests_own() -> None:
    record = Record(
        "m-1",
        "arn",
        "{}",
        {"sfn-flows.workflow": "jobs", "sender.extra": "kept out", "sfn-flows.queued-at": "1"},
    )
    attributes = dead_letter_attributes(record, Poison("InvalidJson", "bad\uffff" + "x" * 2000))

    assert attributes == {
        "sfn-flows.workflow": "jobs",
        "sfn-flows.queued-at": "1",
        "sfn-flows.poison-reason": "InvalidJson",
        "sfn-flows.poison-detail": ("bad\ufffd" + "x" * 2000)[:DETAIL_LIMIT],
        "sfn-flows.source-message-id": "m-1",
    }


def test_the_api_config_file_says_which_workflows_are_queued(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / API_CONFIG_FILE
    path.write_text(
        json.dumps({"workflows": {"jobs": {"input_schema": None, "intake": "sqs"}, "old": {}}})
    )
    machines = {n: f"arn:aws:states:us-east-1:1:stateMachine:{n}" for n in ("jobs", "old")}
    monkeypatch.setenv(API_CONFIG_ENV, str(path))
    monkeypatch.setenv(STATE_MACHINES_ENV, json.dumps(machines))
    clear_config_cache()

    workflows = load_api_config().workflows
    assert (workflows["jobs"].intake, workflows["old"].intake) == ("sqs", "direct")

    path.write_text(json.dumps({"workflows": {"jobs": {"intake": "kafka"}, "old": {}}}))
    clear_config_cache()
    with pytest.raises(ConfigError, match="intake 'kafka', which is neither"):
        load_api_config()
    clear_config_cache()
