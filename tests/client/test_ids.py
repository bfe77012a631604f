"""The client's reading of execution ids, the SQS intake's queued ids included (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sfn_flows.client.ids import (
    ExecutionIdError,
    queued_at,
    split_execution_id,
    started_for_another_request,
)
from sfn_flows.runtime.intake import input_digest, queued_execution_id, queued_stamp

QUEUED_AT_MS = 1_764_500_000_000
BODY = {"who": "A"}
QUEUED_ID = queued_execution_id("jobs", "order-1", QUEUED_AT_MS, input_digest(BODY))


def test_a_queued_id_names_its_workflow_execution_and_time() -> None:
    assert split_execution_id(QUEUED_ID) == ("jobs", "order-1")
    assert queued_at(QUEUED_ID) == datetime.fromtimestamp(QUEUED_AT_MS / 1000, UTC)
    assert split_execution_id("jobs~order-1") == ("jobs", "order-1")
    assert queued_at("jobs~order-1") is None


def test_the_three_part_ids_of_before_are_refused_with_the_forms_to_use() -> None:
    # Never released: the digest is required, so such an id is a malformed id.
    with pytest.raises(ExecutionIdError, match=r"'~' at position"):
        split_execution_id(f"jobs~order-1~{queued_stamp(QUEUED_AT_MS)}")


def test_an_execution_started_with_another_input_is_another_requests() -> None:
    assert not started_for_another_request(QUEUED_ID, {"who": "A"})
    assert started_for_another_request(QUEUED_ID, {"who": "B"})
    assert started_for_another_request(QUEUED_ID, None)  # no input recorded: not provably its
    assert not started_for_another_request("jobs~order-1", {"who": "B"})  # a plain id
