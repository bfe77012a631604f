"""Conditions type-check as users call them: mypy --strict on a user's module."""

from __future__ import annotations

from pathlib import Path

from mypy import api

USER_MODULE = """
from sfn_flows import conditions as c
from sfn_flows.model.conditions import Condition

present: Condition = c.is_present("$.x")
both: Condition = c.is_null("$.y", False) & c.string_equals("$.z", "a")
"""


def test_type_tests_take_their_value_as_optional(tmp_path: Path) -> None:
    module = tmp_path / "user_flow.py"
    module.write_text(USER_MODULE, encoding="utf-8")
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy"), str(module)]
    )
    assert status == 0, out + err
