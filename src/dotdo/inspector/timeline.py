"""A bounded ring of recent happenings per object (requests, WebSockets, RPC, activations), and live followers.

Recording is a `deque.append` of a plain tuple, cheap enough to stay on (the runtime benchmark's
`inspector` section measures it): a summary given as a %-template and its values is only formatted
when someone reads the entry, or at once when someone follows the timeline live. Followers (the
page's live view, `dotdo tail`) get each new entry on a bounded queue; a follower too slow to keep
up misses entries rather than slowing the objects down.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import asdict, dataclass
from time import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..runtime.ids import ObjectId

PER_OBJECT = 200
"""Entries kept per object."""
MAX_OBJECTS = 10_000
"""Objects whose entries are kept; past it, those of the least recently active tenth are dropped."""
FOLLOWER_QUEUE = 1000


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One thing that happened to an object."""

    at: float
    namespace: str
    object: str
    kind: str
    summary: str

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready data."""
        return asdict(self)


Record = tuple[float, str, str, tuple[Any, ...]]
"""`(time, kind, summary, values)`: one kept entry, its object given by the ring that keeps it."""


class Timeline:
    """Recent entries per object, and the queues of those following every new entry."""

    def __init__(self, per_object: int = PER_OBJECT, max_objects: int = MAX_OBJECTS) -> None:
        if per_object < 1 or max_objects < 1:
            raise ValueError("a timeline keeps at least one entry of at least one object")
        self.per_object = per_object
        self.max_objects = max_objects
        # Plain tuples of strings and numbers: the garbage collector stops tracking them, so a full
        # ring costs the collector nothing (frozen dataclasses would be scanned on every full pass).
        self._rings: dict[tuple[str, str], deque[Record]] = {}
        self._followers: set[asyncio.Queue[TimelineEntry]] = set()

    def record(self, namespace: str, obj: str, kind: str, summary: str, values: tuple[Any, ...] = ()) -> None:
        """Note that `kind` happened to object `obj` (its name, or id) of class `namespace`.

        With `values`, `summary` is a %-template they fill in, when the entry is read.
        """
        ring = self._rings.get((namespace, obj))
        if ring is None:
            ring = self._ring(namespace, obj)
        record = (time(), kind, summary, values)
        ring.append(record)
        if self._followers:
            self._tell(namespace, obj, record)

    def hear(self, oid: ObjectId, kind: str, summary: str, values: tuple[Any, ...]) -> None:
        """`record` a happening of the runtime (a `dotdo.runtime.happenings.Listener`)."""
        # `record`'s body again: this runs on every commit, where a call more is a measurable share.
        namespace, obj = oid.namespace, oid.name or oid.hex
        ring = self._rings.get((namespace, obj))
        if ring is None:
            ring = self._ring(namespace, obj)
        record = (time(), kind, summary, values)
        ring.append(record)
        if self._followers:
            self._tell(namespace, obj, record)

    def _ring(self, namespace: str, obj: str) -> deque[Record]:
        """A new ring for the object; past `max_objects`, the least recently active tenth go first.

        Rings are not reordered as entries arrive (that would cost every entry): the objects to
        drop are found by the time of their newest entry, a tenth at a time, so the sort is rare.
        """
        rings = self._rings
        if len(rings) >= self.max_objects:
            stale = sorted(rings, key=lambda key: rings[key][-1][0])
            for key in stale[: max(1, len(rings) // 10)]:
                del rings[key]
        ring = rings[(namespace, obj)] = deque(maxlen=self.per_object)
        return ring

    def _tell(self, namespace: str, obj: str, record: Record) -> None:
        entry = _entry(namespace, obj, record)
        for queue in self._followers:
            if queue.qsize() < FOLLOWER_QUEUE:
                queue.put_nowait(entry)

    def entries(self, namespace: str, obj: str) -> list[TimelineEntry]:
        """The object's kept entries, the newest first."""
        ring = self._rings.get((namespace, obj))
        return [_entry(namespace, obj, record) for record in reversed(ring)] if ring else []

    def follow(self) -> asyncio.Queue[TimelineEntry]:
        """A queue that receives every entry recorded from now on; `unfollow` it when done."""
        queue: asyncio.Queue[TimelineEntry] = asyncio.Queue()
        self._followers.add(queue)
        return queue

    def unfollow(self, queue: asyncio.Queue[TimelineEntry]) -> None:
        """Stop sending entries to `queue`."""
        self._followers.discard(queue)


def _entry(namespace: str, obj: str, record: Record) -> TimelineEntry:
    at, kind, summary, values = record
    return TimelineEntry(at, namespace, obj, kind, summary % values if values else summary)
