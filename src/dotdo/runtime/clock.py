"""Where time comes from: the wall clock, or a manual clock tests advance by hand."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

TimeListener = Callable[[], Awaitable[None]]


class Clock:
    """The wall clock. `now()` is epoch seconds; `manual` tells schedulers whether to sleep for real."""

    manual = False

    def now(self) -> float:
        return time.time()

    def subscribe(self, listener: TimeListener) -> None:
        """Wall time moves by itself; listeners are only needed by manual clocks."""

    def unsubscribe(self, listener: TimeListener) -> None:
        """See `subscribe`."""


class ManualClock(Clock):
    """A clock that stands still until `await clock.advance(seconds)`, which fires whatever came due."""

    manual = True

    def __init__(self, start: float | datetime = 1_700_000_000.0) -> None:
        self._now = start.timestamp() if isinstance(start, datetime) else float(start)
        self._listeners: list[TimeListener] = []

    def now(self) -> float:
        return self._now

    def datetime(self) -> datetime:
        """The current manual time as an aware UTC datetime."""
        return datetime.fromtimestamp(self._now, UTC)

    def subscribe(self, listener: TimeListener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: TimeListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def advance(self, seconds: float, *, step: float | None = None) -> None:
        """Move time forward and run every alarm and timer that is now due, before returning.

        One jump is what a server down for `seconds` sees: a schedule whose ticks were missed
        fires by its `missed=` rule (`"once"`, the default, fires once for an hourly schedule
        after `advance(7201)`). With `step`, time moves `step` seconds at a time and what is due
        runs after each one, as if the server had been up: `advance(7201, step=60)` fires it twice.
        """
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        if step is not None and not step > 0:
            raise ValueError(f"step must be a positive number of seconds, not {step!r}")
        end = self._now + seconds
        while True:
            self._now = end if step is None else min(end, self._now + step)
            for listener in list(self._listeners):
                await listener()
            if self._now >= end:
                return

    async def set(self, when: float | datetime) -> None:
        """Jump to an absolute time (not earlier than now) and run what came due."""
        target = when.timestamp() if isinstance(when, datetime) else float(when)
        await self.advance(max(0.0, target - self._now))
