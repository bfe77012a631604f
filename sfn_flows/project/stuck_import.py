"""The last resort for a workflow module that ignores the interruptions meant to stop its
import: one that catches everything (`except BaseException: pass` around a sleep) swallows
the deadline's interruption each time it repeats, and Ctrl-C too, and would hold the build
for good.

A watch that starts with the import calls `give_up` when the import is still running a
grace period after its deadline, or when Ctrl-C is pressed a second time during it. Only a
caller that can end the whole process passes a `give_up` (the CLI does, with os._exit): the
import cannot be stopped from outside. Without one nothing changes (the pytest plugin imports
in the test process, which it must not end).
"""

from __future__ import annotations

import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

# Long enough for a module that does stop to finish handling the interruption.
GRACE_SECONDS = 3.0

# Called with where the import was and True for a second Ctrl-C, False for the deadline.
GiveUp = Callable[[traceback.StackSummary, bool], object]


@contextmanager
def watch_stuck_import(deadline: float, give_up: GiveUp | None) -> Iterator[None]:
    """Call `give_up` (from a watch thread) if the body runs past `deadline` plus the grace
    period, or on a second Ctrl-C while it runs (in the main thread)."""
    if give_up is None:
        yield
        return
    watch = _Watch(give_up, deadline + GRACE_SECONDS)
    watch.start()
    try:
        yield
    finally:
        watch.stop()


class _Watch:
    def __init__(self, give_up: GiveUp, seconds: float) -> None:
        self._give_up = give_up
        self._seconds = seconds
        self._target = threading.get_ident()
        self._wake = threading.Event()
        self._done = False
        self._interrupted: traceback.StackSummary | None = None
        self._presses = 0
        self._previous_handler: Any = None  # what signal.signal returned
        self._thread = threading.Thread(
            target=self._watch, name="sfn-flows stuck import", daemon=True
        )

    def start(self) -> None:
        # Only Python's own Ctrl-C handling is replaced: not a handler someone installed, nor
        # an ignored SIGINT (a background job's).
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous_handler = signal.signal(signal.SIGINT, self._on_ctrl_c)
        self._thread.start()

    def stop(self) -> None:
        self._done = True
        if self._previous_handler is not None:
            signal.signal(signal.SIGINT, self._previous_handler)
        self._wake.set()
        self._thread.join()

    def _on_ctrl_c(self, signum: int, frame: FrameType | None) -> None:
        self._presses += 1
        if self._presses > 1 and self._interrupted is None:
            # The watch thread gives up: here, in a signal handler, the deadline's own
            # interruption could cut it short.
            self._interrupted = traceback.extract_stack(frame)
            self._wake.set()
        raise KeyboardInterrupt

    def _watch(self) -> None:
        woken = self._wake.wait(self._seconds)
        if self._done:
            return
        if woken and self._interrupted is not None:
            self._give_up(self._interrupted, True)
            return
        frame = sys._current_frames().get(self._target)
        stack = traceback.extract_stack(frame) if frame is not None else traceback.StackSummary()
        self._give_up(stack, False)
