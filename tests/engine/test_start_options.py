"""Engine.start(variables=..., context=...): what TestState's `variables` and `context` set."""

from __future__ import annotations

import pytest

from sfn_flows.engine import Engine, EngineUsageError

READS_BOTH = {
    "StartAt": "P",
    "States": {
        "P": {
            "Type": "Pass",
            "Parameters": {
                "seen.$": "$seen",
                "name.$": "$$.Execution.Name",
                "machine.$": "$$.StateMachine.Name",
            },
            "End": True,
        }
    },
}


def test_the_first_state_sees_the_variables_and_the_context_laid_over() -> None:
    execution = Engine(READS_BOTH, state_machine_name="m").start(
        {}, variables={"seen": [1, {"a": None}]}, context={"Execution": {"Name": "given"}}
    )
    result = execution.run_to_end()
    assert result.status == "SUCCEEDED"
    assert result.output == {"seen": [1, {"a": None}], "name": "given", "machine": "m"}


def test_without_them_nothing_changes() -> None:
    result = Engine(READS_BOTH).start({}, execution_name="plain").run_to_end()
    assert result.status == "FAILED"  # $seen is not defined
    assert "seen" in (result.cause or "")


@pytest.mark.parametrize("bad", [["a"], "text", {"x": {1, 2}}])
def test_variables_must_be_an_object_of_json_values(bad: object) -> None:
    with pytest.raises(EngineUsageError, match="variables"):
        Engine(READS_BOTH).start({}, variables=bad)  # type: ignore[arg-type]
