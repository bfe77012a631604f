"""Where an execution's time comes from.

A `VirtualClock` (the default) jumps: a Wait, a retry interval or a Task's simulated duration
moves it forward at once, so a day's Wait takes no wall time. A `RealClock` sleeps instead.
Both count seconds since the Unix epoch as floats; timestamps in the context object and the
history are formatted from them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Final, Protocol

from sfn_flows.engine.errors import EngineUsageError

# The last moment a VirtualClock may start at: 9998-12-31T23:59:59Z, a year before the last
# moment a datetime holds, so that an execution's year fits.
LATEST_START: Final = 253_370_764_799.0


class Clock(Protocol):
    """What the engine asks of a clock."""

    @property
    def virtual(self) -> bool: ...

    def now(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    def sleep_until(self, moment: float) -> None:
        """Return once `now()` has reached `moment` (a virtual clock jumps there)."""
        ...


class VirtualClock:
    """Simulated time: it moves only when the execution waits, never on its own."""

    def __init__(self, start: datetime | float | None = None) -> None:
        if start is None:
            start = time.time()
        elif isinstance(start, datetime):
            if start.tzinfo is None:
                start = start.replace(tzinfo=UTC)
            start = start.timestamp()
        if isinstance(start, bool) or not isinstance(start, int | float):
            raise EngineUsageError(
                f"VirtualClock starts at a datetime or at seconds since the Unix epoch, not "
                f"{type(start).__name__}."
            )
        if not 0 <= start <= LATEST_START:
            # An execution may run a year after its start: its timestamps must stay dates.
            raise EngineUsageError(
                f"VirtualClock cannot start at {start!r}: give a moment from 1970 to the end "
                "of 9998 (a datetime, or seconds since the Unix epoch)."
            )
        self._now = float(start)

    @property
    def virtual(self) -> bool:
        return True

    def now(self) -> float:
        return self._now

    def sleep_until(self, moment: float) -> None:
        if moment > self._now:
            self._now = moment

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds` (for tests that drive the clock themselves)."""
        if seconds > 0:
            self._now += seconds


class RealClock:
    """Wall-clock time: waits really wait."""

    @property
    def virtual(self) -> bool:
        return False

    def now(self) -> float:
        return time.time()

    def sleep_until(self, moment: float) -> None:
        remaining = moment - time.time()
        while remaining > 0:
            time.sleep(min(remaining, 1.0))
            remaining = moment - time.time()


def to_datetime(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, tz=UTC)


def iso_timestamp(moment: float) -> str:
    """The form AWS writes in the context object: milliseconds and a `Z`."""
    return to_datetime(moment).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
