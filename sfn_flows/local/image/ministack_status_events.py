"""MiniStack that takes Step Functions' execution status events from the sfn-flows engine.

Run in the local-stack container instead of `python -m ministack` when the `sfn-flows-local`
test engine sends execution status events (pytest --sfn-status-events): the engine mounts this
file and makes it the container's command. Never imported on the host.

As AWS does, MiniStack refuses events from an `aws.*` source put by any caller but its own
services (its own Step Functions emits them in-process). The engine plays AWS's Step Functions
from another container, so its events ("Step Functions Execution Status Change" from
aws.states, and only those) are let through, and a rule matching them, as a project deploys it
for AWS, receives them.
"""

from __future__ import annotations

import runpy
from typing import Any

SOURCE = "aws.states"
DETAIL_TYPE = "Step Functions Execution Status Change"


def status_changes_only(data: Any) -> bool:
    """Whether a PutEvents request holds status change events of Step Functions only."""
    entries = data.get("Entries") if isinstance(data, dict) else None
    return (
        isinstance(entries, list)
        and bool(entries)
        and all(
            isinstance(entry, dict)
            and entry.get("Source") == SOURCE
            and entry.get("DetailType") == DETAIL_TYPE
            for entry in entries
        )
    )


def main() -> None:
    from ministack.services import eventbridge

    put_events = eventbridge._put_events  # looked up by name at each PutEvents request

    def put_status_events(data: Any, allow_aws_source: bool = False) -> Any:
        return put_events(data, allow_aws_source=allow_aws_source or status_changes_only(data))

    eventbridge._put_events = put_status_events
    runpy.run_module("ministack", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
