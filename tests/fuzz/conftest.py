"""Hypothesis profiles for the fuzz suite.

The fuzz tests read their example counts from the profile named by ``HYPOTHESIS_PROFILE``:

* unset (or any other name): ``sfn-fuzz-default``, a few hundred examples per test, so the
  whole suite stays within ~30 s on a 2-core machine;
* ``ci``: five times as many examples;
* ``hunt``: fifteen times as many, for crash hunting on a developer machine.

Each test multiplies the profile's ``max_examples`` by its own weight (the model compiler is
slower per example than the validator), see ``examples()`` in the test modules.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    "print_blob": True,
}

_PROFILES = {
    "sfn-fuzz-default": 200,
    "ci": 1000,
    "hunt": 3000,
}
for _name, _count in _PROFILES.items():
    settings.register_profile(_name, max_examples=_count, **_COMMON)

_chosen = os.environ.get("HYPOTHESIS_PROFILE", "")
if _chosen in ("ci", "hunt"):
    settings.load_profile(_chosen)

# What the fuzz tests build their settings from; never loaded globally by default, so the
# rest of the test suite keeps its own defaults.
settings.register_profile(
    "sfn-fuzz",
    parent=settings.get_profile(_chosen if _chosen in _PROFILES else "sfn-fuzz-default"),
)


def pytest_configure(config: pytest.Config) -> None:
    # jsonata-python raises the recursion limit to 10,000 when first imported, which happens
    # inside whichever example first validates a JSONata expression; Hypothesis then warns
    # that it cannot restore the limit. Expected, and not about the code under test.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:The recursion limit will not be reset:hypothesis.errors.HypothesisWarning",
    )
