"""The deadline on importing workflow modules, in this process: the SIGALRM timer in the
main thread, the fallback elsewhere, and the state both leave behind."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from sfn_flows.errors import DiscoveryError
from sfn_flows.project import stuck_import
from sfn_flows.project.discover import StuckImport, discover_workflows
from sfn_flows.project.import_deadline import (
    DEFAULT_IMPORT_TIMEOUT,
    ImportTimedOut,
    import_deadline,
    import_timeout_from,
)

# A loop that ends by itself, so a broken deadline fails the test instead of hanging it.
BOUNDED_LOOP = "import time\nend = time.monotonic() + 30\nwhile time.monotonic() < end:\n    pass\n"


def _ignore(signum: int, frame: FrameType | None) -> None:
    """A handler someone else installed."""


@pytest.fixture
def other_alarm_handler() -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _ignore)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def test_a_sleep_is_interrupted() -> None:
    with pytest.raises(ImportTimedOut), import_deadline(0.2):
        time.sleep(30)


def test_a_loop_is_interrupted() -> None:
    with pytest.raises(ImportTimedOut), import_deadline(0.2):
        exec(BOUNDED_LOOP, {})


@pytest.mark.usefixtures("other_alarm_handler")
def test_the_previous_handler_comes_back() -> None:
    with import_deadline(5):
        pass
    assert signal.getsignal(signal.SIGALRM) is _ignore
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with pytest.raises(ImportTimedOut), import_deadline(0.1):
        time.sleep(30)
    assert signal.getsignal(signal.SIGALRM) is _ignore
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.usefixtures("other_alarm_handler")
def test_a_running_timer_is_left_alone() -> None:
    # Someone else's alarm (pytest-timeout, say) keeps its handler and keeps counting; the
    # deadline then interrupts Python code from a watchdog thread.
    signal.setitimer(signal.ITIMER_REAL, 600)
    with pytest.raises(ImportTimedOut), import_deadline(0.2):
        exec(BOUNDED_LOOP, {})
    assert signal.getsignal(signal.SIGALRM) is _ignore
    assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 600


def test_outside_the_main_thread(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text(BOUNDED_LOOP)
    raised: list[BaseException] = []

    def discover() -> None:
        try:
            discover_workflows(tmp_path, import_timeout=0.2)
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=discover)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    assert len(raised) == 1 and isinstance(raised[0], DiscoveryError)
    assert f"{tmp_path / 'slow.py'}:" in str(raised[0])
    assert "did not finish within 0.2 s" in str(raised[0])


def test_a_module_that_finishes_in_time_leaves_no_alarm(tmp_path: Path) -> None:
    (tmp_path / "quick.py").write_text(
        "from sfn_flows import Pass, Workflow\n"
        "w = Workflow(name='quick', start=Pass('P'), timeout_seconds=5)\n"
    )
    before = signal.getsignal(signal.SIGALRM)
    found = discover_workflows(tmp_path, import_timeout=5)
    assert [d.workflow.name for d in found] == ["quick"]
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    time.sleep(0.1)  # a late alarm would end the test run here


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({}, DEFAULT_IMPORT_TIMEOUT), ({"SFN_FLOWS_IMPORT_TIMEOUT": "2.5"}, 2.5)],
)
def test_the_timeout_setting(environ: dict[str, str], expected: float) -> None:
    assert import_timeout_from(environ) == expected
    assert DEFAULT_IMPORT_TIMEOUT <= 60


@pytest.mark.parametrize("value", ["", "soon", "0", "-3", "nan", "inf"])
def test_a_bad_timeout_setting(value: str) -> None:
    with pytest.raises(DiscoveryError, match="SFN_FLOWS_IMPORT_TIMEOUT"):
        import_timeout_from({"SFN_FLOWS_IMPORT_TIMEOUT": value})


IGNORES_INTERRUPTIONS = """
import pathlib
import time
stop = pathlib.Path({stop!r})
while not stop.exists():
    try:
        time.sleep(0.05)
    except BaseException:
        pass
"""


def test_a_module_that_ignores_its_deadline_is_given_up_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The caller's on_stuck would end the process (the CLI's does); this one records the
    # message and lets the module end, so the test process goes on.
    monkeypatch.setattr(stuck_import, "GRACE_SECONDS", 0.2)
    stop = tmp_path / "stop"
    (tmp_path / "stubborn.py").write_text(IGNORES_INTERRUPTIONS.format(stop=str(stop)))
    stuck: list[StuckImport] = []

    def record(report: StuckImport) -> None:
        stuck.append(report)
        stop.write_text("now")

    with pytest.raises(DiscoveryError):  # the module declares no workflow
        discover_workflows(tmp_path, import_timeout=0.2, on_stuck=record)
    [report] = stuck
    assert not report.interrupted
    assert report.message.startswith(f"{tmp_path / 'stubborn.py'}:")
    assert "did not finish within 0.2 s; it ignored the interruption" in report.message
    assert "catch Exception rather than BaseException" in report.message


def test_a_helper_of_the_project_is_named_where_the_module_was(tmp_path: Path) -> None:
    (tmp_path / "_helper.py").write_text(
        "import time\ndef spin():\n    end = time.monotonic() + 30\n"
        "    while time.monotonic() < end:\n        pass\n"
    )
    (tmp_path / "slow.py").write_text("import _helper\n_helper.spin()\n")
    with pytest.raises(DiscoveryError) as caught:
        discover_workflows(tmp_path, import_timeout=0.2)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'slow.py'}:2: importing the module did not finish")
    assert f"(it was running {tmp_path / '_helper.py'}:" in message


def test_a_sleep_names_the_module_line_not_python(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text("import threading\nthreading.Event().wait(30)\n")
    with pytest.raises(DiscoveryError) as caught:
        discover_workflows(tmp_path, import_timeout=0.2)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'slow.py'}:2: importing the module did not finish")
    assert "it was running" not in message and "threading.py" not in message
