"""The clock each execution in the server runs on: real time, scaled, or virtual.

An execution's time is the wall clock plus an offset of its own. The driver
(`sfn_flows.server.execution_driver`) never lets the engine sleep: it advances the execution only
to moments that have come, and does the waiting itself, in one of two ways:

- a *pause* is a Wait state, a retry interval or a Task's simulated duration: it takes
  `scale` times its length in real time (`WAIT_TIME_SCALE`: 1 is real time, 0.01 makes an hour
  36 seconds, 0 makes it nothing). While it lasts the execution's time runs `1 / scale` times
  faster than the wall clock, so when it ends the execution's time has moved by the whole
  length: the history, `$$.State.EnteredTime` and `$now()` read as on AWS, where the Wait took
  its hour. Virtual time (`--virtual-time`) is scale 0: every pause ends at once, the clock
  jumps.
- a *deadline* is a callback's TimeoutSeconds or HeartbeatSeconds, or the execution's own time
  limit: it is waited for in real time at any scale, else no worker could answer in time.
  The execution has one timeline, so a pause that ends before a pending deadline (a Wait in
  another Parallel branch) brings the deadline nearer in real time by its length: the history
  stays what AWS would record, at the cost of the worker's time.

Step Functions Local keeps wall-clock timestamps and shortens the Wait instead, so a Wait that
WAIT_TIME_SCALE made short shows as short in its history; here it shows its full length. Its help
says WAIT_TIME_SCALE scales "the wait time in the Wait state" (a reported limitation is that it
leaves Retry intervals unscaled); here a retry interval is a pause like a Wait.

Only the driver of an execution starts and ends its pauses; `now()` may be read from any thread.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class ExecutionClock:
    """One execution's time: the wall clock plus an offset that pauses move.

    `scale`: how much real time a pause of one second takes (0: none). `wall` and `sleep` are
    the real clock (injected by tests).
    """

    def __init__(
        self,
        scale: float,
        *,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if isinstance(scale, bool) or not isinstance(scale, int | float):
            raise TypeError(f"scale is {type(scale).__name__}; give a number of 0 or more")
        if not (math.isfinite(scale) and scale >= 0):
            raise ValueError(f"scale is {scale!r}; give a finite number of 0 or more")
        self.scale = float(scale)
        self._wall = wall
        self._sleep = sleep
        self._offset = 0.0
        # (execution time at its start, execution time at its end, wall time at its start)
        self._pause: tuple[float, float, float] | None = None
        self._lock = threading.Lock()

    @property
    def virtual(self) -> bool:
        # The engine asks this to know whether running to the execution's time limit costs
        # nothing. It does here: the driver advances an execution only to moments that have
        # come, so an execution that reaches its limit has really reached it.
        return True

    def now(self) -> float:
        with self._lock:
            return self._now()

    def _now(self) -> float:
        wall = self._wall()
        pause = self._pause
        if pause is None:
            return wall + self._offset
        start, end, began = pause
        if self.scale == 0:
            return end
        return min(end, start + max(0.0, wall - began) / self.scale)

    def begin_pause(self, until: float) -> float:
        """Start a pause lasting until the execution's time `until`; the real seconds it takes
        (0 when `until` has come: no pause starts)."""
        with self._lock:
            start = self._now()
            if until <= start:
                return 0.0
            self._pause = (start, until, self._wall())
            return (until - start) * self.scale

    def end_pause(self, *, completed: bool) -> None:
        """End the pause: at its end when it `completed` (its real time has passed), else where
        it has got to (cut short by a callback's answer or a stop). Time runs on from there at
        the wall clock's pace."""
        with self._lock:
            pause = self._pause
            if pause is None:
                return
            reached = pause[1] if completed else self._now()
            self._pause = None
            self._offset = reached - self._wall()

    def sleep_until(self, moment: float) -> None:
        """The engine's Clock protocol: return once `now()` has reached `moment`, sleeping the
        scaled time. The server's driver does not call it (it pauses between runs instead)."""
        seconds = self.begin_pause(moment)
        completed = False
        try:
            if seconds > 0:
                self._sleep(seconds)
            completed = True
        finally:
            self.end_pause(completed=completed)
