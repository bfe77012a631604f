"""A deadline for importing a user's module: a module that sleeps or loops at import time
must not hang `sfn-flows build` without a word.

In the main thread of a process where SIGALRM exists and no one else has an alarm running,
a real-time timer interrupts the import: the signal handler raises in whatever Python code
runs, and a sleep or a blocking system call ends early. Elsewhere (another thread, Windows,
an alarm already counting for someone else, such as pytest-timeout) a watchdog thread
raises the exception asynchronously in the importing thread: that interrupts Python code,
but a blocking call (a sleep, a socket read) only when it returns.
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import Protocol

from sfn_flows.errors import DiscoveryError

DEFAULT_IMPORT_TIMEOUT = 60.0
IMPORT_TIMEOUT_ENV = "SFN_FLOWS_IMPORT_TIMEOUT"
# After the deadline the alarm repeats: a module whose code catches the first interruption
# and goes on (a bare `except:` around a retry loop) is interrupted again.
_REPEAT_SECONDS = 1.0


class ImportTimedOut(BaseException):
    """Raised inside the importing code at the deadline.

    A BaseException, like KeyboardInterrupt, so the usual `except Exception:` in the
    module's own code does not swallow it; discovery turns it into a DiscoveryError.
    """


def import_timeout_from(environ: Mapping[str, str]) -> float:
    """The deadline set in the environment, or the default."""
    raw = environ.get(IMPORT_TIMEOUT_ENV)
    if raw is None:
        return DEFAULT_IMPORT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise DiscoveryError(
            f"{IMPORT_TIMEOUT_ENV}={raw!r}: not a positive number of seconds; set it to "
            f"e.g. {IMPORT_TIMEOUT_ENV}=120, or unset it for the default "
            f"({DEFAULT_IMPORT_TIMEOUT:g} s)."
        )
    return value


class _Alarm(Protocol):
    def stop(self) -> None: ...


@contextmanager
def import_deadline(seconds: float) -> Iterator[None]:
    """Raise ImportTimedOut in the body if it runs longer than `seconds`; leave the
    process's signal handlers and timers as they were."""
    alarm = _start_alarm(seconds)
    try:
        yield
    finally:
        # The alarm can fire in the few instructions between the body's end and stop()
        # disarming it; stop() is idempotent, so a late interruption just repeats it.
        while True:
            try:
                alarm.stop()
                break
            except ImportTimedOut:
                continue


def _start_alarm(seconds: float) -> _Alarm:
    if (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        # None: a handler installed from C, which could not be put back.
        and signal.getsignal(signal.SIGALRM) is not None
    ):
        return _SignalAlarm(seconds)
    return _WatchdogAlarm(seconds)


class _SignalAlarm:
    def __init__(self, seconds: float) -> None:
        self._armed = True
        self._previous = signal.signal(signal.SIGALRM, self._fire)
        # setitimer(0) would disarm: the shortest deadline is one microsecond.
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-6), _REPEAT_SECONDS)

    def _fire(self, signum: int, frame: FrameType | None) -> None:
        if self._armed:
            raise ImportTimedOut

    def stop(self) -> None:
        self._armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous)


class _WatchdogAlarm:
    def __init__(self, seconds: float) -> None:
        self._target = threading.get_ident()
        self._lock = threading.Lock()
        self._armed = True
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, args=(seconds,), name="sfn-flows import deadline", daemon=True
        )
        self._thread.start()

    def _watch(self, seconds: float) -> None:
        delay = seconds
        while not self._done.wait(delay):
            with self._lock:
                if self._armed:
                    _raise_in_thread(self._target, ImportTimedOut)
            delay = _REPEAT_SECONDS

    def stop(self) -> None:
        with self._lock:
            self._armed = False
            # An interruption set but not yet delivered must not land after the import.
            _raise_in_thread(self._target, None)
        self._done.set()


def _raise_in_thread(thread_id: int, exception: type[BaseException] | None) -> None:
    # CPython's documented C API for exactly this; other interpreters get no deadline.
    import ctypes  # only for the fallback: ctypes costs start-up time

    api = getattr(ctypes, "pythonapi", None)
    if api is None or not hasattr(api, "PyThreadState_SetAsyncExc"):
        return
    target = ctypes.py_object(exception) if exception is not None else None
    api.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), target)
