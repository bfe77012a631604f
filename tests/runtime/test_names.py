"""Execution names from Idempotency-Keys, execution ids and ARNs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfn_flows.runtime.names import (
    execution_id,
    fresh_execution_name,
    idempotent_execution_name,
    is_valid_execution_name,
    parse_execution_arn,
    parse_state_machine_arn,
    split_execution_id,
)

SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:jobs"


@given(st.text(min_size=1, max_size=255))
def test_any_key_gives_a_safe_name_of_at_most_80_characters(key: str) -> None:
    name = idempotent_execution_name(key)

    assert SAFE_NAME.fullmatch(name)
    assert is_valid_execution_name(name)
    assert idempotent_execution_name(key) == name


def test_the_name_keeps_a_readable_prefix_and_differs_per_key() -> None:
    assert idempotent_execution_name("order 42/retry").startswith("order-42-retry-")
    assert idempotent_execution_name("日本").startswith("key-")
    assert idempotent_execution_name("a" * 200) != idempotent_execution_name("a" * 199)
    # Keys that sanitise alike still get different names: the digest is of the whole key.
    assert idempotent_execution_name("a/b") != idempotent_execution_name("a b")


def test_fresh_names_are_uuid4() -> None:
    name = fresh_execution_name()

    assert re.fullmatch(r"[0-9a-f-]{36}", name) and name[14] == "4"
    assert name != fresh_execution_name()


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("ok-name_1", True),
        ("n" * 80, True),
        ("n" * 81, False),
        ("", False),
        ("a b", False),
        ("a~b", False),
        ("a:b", False),
        ("a/b", False),
        ("a%b", False),
        ("a\u0085b", False),
        ("ünïcode", True),
    ],
)
def test_execution_name_rules(name: str, valid: bool) -> None:
    assert is_valid_execution_name(name) is valid


def test_execution_ids() -> None:
    assert execution_id("jobs", "n1") == "jobs~n1"
    assert split_execution_id("jobs~n1") == ("jobs", "n1")
    assert split_execution_id("jobs") is None
    assert split_execution_id("~n1") is None
    assert split_execution_id("jobs~n~1") is None  # '~' is never in a name


def test_state_machine_arns() -> None:
    arn = parse_state_machine_arn(MACHINE)
    assert arn is not None
    assert arn.execution_arn("n1") == "arn:aws:states:us-east-1:123456789012:execution:jobs:n1"
    qualified = parse_state_machine_arn(MACHINE + ":prod")
    assert qualified is not None and qualified.base == MACHINE
    assert parse_state_machine_arn("arn:aws:states:us-east-1:123456789012:activity:jobs") is None
    assert parse_state_machine_arn("arn:aws:lambda:us-east-1:123456789012:function:jobs") is None
    assert parse_state_machine_arn("jobs") is None


def test_execution_arns() -> None:
    arn = parse_execution_arn("arn:aws:states:us-east-1:123456789012:execution:jobs:n1")
    assert arn is not None
    assert (arn.partition, arn.region, arn.account, arn.state_machine, arn.name) == (
        "aws",
        "us-east-1",
        "123456789012",
        "jobs",
        "n1",
    )
    assert parse_execution_arn("arn:aws:states:us-east-1:123456789012:express:jobs:n1:x") is None
    assert parse_execution_arn("arn:aws:states:us-east-1::execution:jobs:n1") is None
    assert parse_execution_arn("arn:aws:states:us-east-1:123456789012:execution:jobs:a b") is None
