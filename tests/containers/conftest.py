"""Container-backed tests run with waits and retry intervals 1000 times shorter, so the
order-fulfilment flow's 600 s `AwaitCourier` wait takes 1 s. Overrides the plugin's
`sfn_time_scale` fixture, as a user's conftest.py would."""

from __future__ import annotations

import pytest

TIME_SCALE = 0.001


@pytest.fixture(scope="session")
def sfn_time_scale() -> float:
    return TIME_SCALE
