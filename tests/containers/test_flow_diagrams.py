"""FlowResult.diagram() of executions run in the engine's container (run_flow): drawn on the
definition that was deployed, coloured from the history the engine recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sfn_flows.diagram import build_graph

ROOT = Path(__file__).resolve().parents[2]


def classes(text: str) -> dict[str, set[str]]:
    return {
        line.split()[2]: set(line.split()[1].split(","))
        for line in text.splitlines()
        if line.startswith("  class ")
    }


def test_a_run_flow_result_is_drawn_on_the_deployed_definition(
    run_flow: Any, _sfn_build: Path
) -> None:
    result = run_flow("long-running-job", {"job_id": "d-1", "items": ["a"], "fail": True})
    assert (result.status, result.error) == ("FAILED", "JobFailed")
    deployed = json.loads((_sfn_build / "long-running-job.asl.json").read_text())
    assert result.definition == deployed
    text = result.diagram()
    assert '"ProcessData<br>lambda:invoke<br>timeout 300 s<br>caught"' in text
    ids = build_graph(deployed).state_nodes
    drawn = classes(text)
    assert ids["NotifyFailure"] in drawn["entered"]
    assert ids["JobFailed"] in drawn["failed"]
    assert ids["NotifyCompletion"] in drawn["idle"]
