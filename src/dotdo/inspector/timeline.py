"""A bounded ring of recent happenings per object (requests, WebSockets, RPC, activations), and live followers.

Recording is a `deque.append` of a plain tuple, cheap enough to stay on (the runtime benchmark's
`inspector` section measures it): a summary given as a %-template and its values is only formatted
when someone reads the entry, or at once when someone follows the timeline live. Followers (the
page's live view, `dotdo tail`) get each new entry on a bounded queue; a follower too slow to keep
up misses entries rather than slowing the objects down.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, deque
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..runtime.ids import ObjectId

PER_OBJECT = 200
"""Entries kept per object."""
MAX_OBJECTS = 10_000
"""Objects whose entries are kept; the least recently active one's are dropped past it."""
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


class Timeline:
    """Recent entries per object, and the queues of those following every new entry."""

    def __init__(self, per_object: int = PER_OBJECT, max_objects: int = MAX_OBJECTS) -> None:
        if per_object < 1 or max_objects < 1:
            raise ValueError("a timeline keeps at least one entry of at least one object")
        self.per_object = per_object
        self.max_objects = max_objects
        # Plain tuples of strings and numbers: the garbage collector stops tracking them, so a full
        # ring costs the collector nothing (frozen dataclasses would be scanned on every full pass).
        self._rings: OrderedDict[tuple[str, str], deque[tuple[float, str, str, str, str, tuple[Any, ...]]]] = (
            OrderedDict()
        )
        self._followers: set[asyncio.Queue[TimelineEntry]] = set()

    def record(self, namespace: str, obj: str, kind: str, summary: str, values: tuple[Any, ...] = ()) -> None:
        """Note that `kind` happened to object `obj` (its name, or id) of class `namespace`.

        With `values`, `summary` is a %-template they fill in, when the entry is read.
        """
        key = (namespace, obj)
        ring = self._rings.get(key)
        if ring is None:
            ring = self._rings[key] = deque(maxlen=self.per_object)
            if len(self._rings) > self.max_objects:
                self._rings.popitem(last=False)
        else:
            self._rings.move_to_end(key)
        record = (time.time(), namespace, obj, kind, summary, values)
        ring.append(record)
        if self._followers:
            entry = _entry(record)
            for queue in self._followers:
                if queue.qsize() < FOLLOWER_QUEUE:
                    queue.put_nowait(entry)

    def hear(self, oid: ObjectId, kind: str, summary: str, values: tuple[Any, ...]) -> None:
        """`record` a happening of the runtime (a `dotdo.runtime.happenings.Listener`)."""
        self.record(oid.namespace, oid.name or oid.hex, kind, summary, values)

    def entries(self, namespace: str, obj: str) -> list[TimelineEntry]:
        """The object's kept entries, the newest first."""
        ring = self._rings.get((namespace, obj))
        return [_entry(record) for record in reversed(ring)] if ring else []

    def follow(self) -> asyncio.Queue[TimelineEntry]:
        """A queue that receives every entry recorded from now on; `unfollow` it when done."""
        queue: asyncio.Queue[TimelineEntry] = asyncio.Queue()
        self._followers.add(queue)
        return queue

    def unfollow(self, queue: asyncio.Queue[TimelineEntry]) -> None:
        """Stop sending entries to `queue`."""
        self._followers.discard(queue)


def _entry(record: tuple[float, str, str, str, str, tuple[Any, ...]]) -> TimelineEntry:
    at, namespace, obj, kind, summary, values = record
    return TimelineEntry(at, namespace, obj, kind, summary % values if values else summary)
