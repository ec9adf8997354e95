"""What happens inside a runtime's objects: counts for metrics, and listeners told of each happening.

The runtime and the layers above it (events, dead letters) add to plain integers as things happen;
a metrics endpoint reads them when scraped. Listeners (the inspector's timeline) are told of each
happening with the object, a kind and a summary. Call sites test `listeners` before they build a
summary, so with nobody listening a happening costs an integer addition and one truth test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .ids import ObjectId

Listener = Callable[[ObjectId, str, str, tuple[Any, ...]], None]
"""Told `(object id, kind, summary, values)`: `summary` is a %-template that `values` fill in
(left to the listener, which may never need the text)."""


class Happenings:
    """Counts of what happened since the runtime started, and who listens as it happens."""

    __slots__ = ("alarms_fired", "alarms_retried", "dead_letters", "events_delivered", "events_sent", "listeners")

    def __init__(self) -> None:
        self.alarms_fired = 0
        """Alarms and timers (events, schedules, steps, outbox) that ran to completion."""
        self.alarms_retried = 0
        """Alarm and timer runs that failed and were scheduled again."""
        self.events_sent = 0
        """Events recorded with `ctx.send`."""
        self.events_delivered = 0
        """Events a handler (local or a subscriber's) ran to completion."""
        self.dead_letters = 0
        """Failures kept as dead letters."""
        self.listeners: list[Listener] = []
        """Told of each happening, in the order added."""

    def tell(self, oid: ObjectId, kind: str, summary: str, *values: Any) -> None:
        """Tell every listener that `kind` happened to object `oid` (check `listeners` first: it is cheaper)."""
        for listener in self.listeners:
            listener(oid, kind, summary, values)
