"""A step of the image build that outlives the build's deadline is an error naming the step,
and the whole pipeline is killed (not only bash, its first process)."""

from __future__ import annotations

import subprocess
import time

import pytest

from sfn_flows.local import images


def test_a_step_past_the_deadline_is_killed_with_its_pipeline() -> None:
    marker = "317.25"  # an odd sleep length: finds this test's processes and no others
    with pytest.raises(images.ImageBuildError) as raised:
        images._run(
            ["bash", "-c", f"sleep {marker} | cat"],
            "build the Debian base image",
            time.monotonic() + 1,
            "check the mirror",
        )
    assert str(raised.value) == (
        "could not build the Debian base image: not done within the image build's deadline; "
        "check the mirror"
    )
    left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True)
    assert left.stdout == ""


def test_a_failing_step_names_its_last_output_lines_and_the_fix() -> None:
    with pytest.raises(images.ImageBuildError) as raised:
        images._run(
            ["bash", "-c", "echo one >&2; echo two >&2; exit 3"],
            "download the wheels",
            time.monotonic() + 30,
            "check the pins",
        )
    assert str(raised.value) == "could not download the wheels: one / two. Fix: check the pins"
