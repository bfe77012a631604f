"""Where MiniStack (the `local-stack` engine) runs a flow unlike AWS, a test of AWS's behaviour
is a strict xfail on that engine only: on every other engine it must pass, and on MiniStack
it must keep failing (a strict xfail that passes says the divergence is gone)."""

from __future__ import annotations

import pytest

from sfn_flows.testing.engines import LOCAL_STACK


def fails_on_local_stack(request: pytest.FixtureRequest, engine: str, reason: str) -> None:
    """Mark the running test a strict xfail when it runs on the `local-stack` engine."""
    if engine == LOCAL_STACK:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))
