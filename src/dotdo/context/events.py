"""Events: the `Event` record ("Noun.verb" plus data) and the object's `events` table.

Every event an object sends or emits, and every event delivered to it by a subscription, is a row of
its `events` table. A row stays `dispatched = 0` until its local handlers have run, so events whose
dispatch was cut short by a crash are dispatched again when the object comes back.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec

from ..runtime.lazy_table import LazyTable

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage

log = logging.getLogger("dotdo.context")

EVENTS_TABLE = "events"
MAX_TYPE_LENGTH = 200
MAX_DATA_BYTES = 1_000_000

_json_encoder = msgspec.json.Encoder()


def encode_json(value: Any, what: str = "event data") -> str:
    """JSON text of a JSON-compatible value; TypeError saying what is allowed otherwise."""
    try:
        return _json_encoder.encode(value).decode()
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(
            f"{what} must be JSON-compatible (dict, list, str, int, float, bool, None), "
            f"not {type(value).__name__} ({exc})"
        ) from None


def decode_json(text: str | None) -> Any:
    """The value of a JSON text written by `encode_json` (None stays None)."""
    return None if text is None else msgspec.json.decode(text)


def _segment_ok(segment: str, *, wildcard: bool) -> bool:
    if wildcard and segment == "*":
        return True
    return bool(segment) and all(c.isalnum() or c in "_-" for c in segment)


_MAX_CHECKED_TYPES = 4096
_checked_types: dict[str, tuple[str, str]] = {}
"""Event types found valid, with their parts: an object sending one type many times checks it once."""


def split_type(event_type: str, *, wildcard: bool = False) -> tuple[str, str]:
    """("Customer", "signup") from "Customer.signup"; ValueError saying the expected form otherwise."""
    if not isinstance(event_type, str):
        raise TypeError(f"An event type is a str such as 'Customer.signup', not {type(event_type).__name__}")
    if not wildcard:
        known = _checked_types.get(event_type)
        if known is not None:
            return known
    if len(event_type) > MAX_TYPE_LENGTH:
        raise ValueError(f"Event type is too long ({len(event_type)} characters; at most {MAX_TYPE_LENGTH})")
    noun, dot, verb = event_type.partition(".")
    if not dot or not _segment_ok(noun, wildcard=wildcard) or not _segment_ok(verb, wildcard=wildcard):
        expected = "'Customer.signup' or '*.created'" if wildcard else "'Customer.signup'"
        raise ValueError(f"Invalid event type {event_type!r}: expected Noun.verb such as {expected}")
    if not wildcard and len(_checked_types) < _MAX_CHECKED_TYPES:
        _checked_types[event_type] = (noun, verb)
    return noun, verb


@dataclass(frozen=True, slots=True)
class Event:
    """One event: `type` is "Noun.verb"; `source` names the object that sent it ("Class/name")."""

    id: str
    type: str
    data: Any
    source: str
    timestamp: float
    sequence: int

    @property
    def noun(self) -> str:
        """The part of `type` before the dot ("Customer")."""
        return self.type.partition(".")[0]

    @property
    def verb(self) -> str:
        """The part of `type` after the dot ("signup")."""
        return self.type.partition(".")[2]

    @property
    def time(self) -> datetime:
        """`timestamp` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp, UTC)

    def to_dict(self) -> dict[str, Any]:
        """The event as a plain dict (what crosses between objects)."""
        return {
            "id": self.id,
            "type": self.type,
            "data": self.data,
            "source": self.source,
            "timestamp": self.timestamp,
            "sequence": self.sequence,
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Event:
        """The event from `to_dict` output."""
        return cls(
            value["id"], value["type"], value.get("data"), value["source"], value["timestamp"], value["sequence"]
        )


class EventLog:
    """The object's `events` table (created on first use)."""

    def __init__(self, storage: ObjectStorage) -> None:
        self._storage = storage
        self._reported_unreadable: set[int] = set()
        self._table = LazyTable(
            storage,
            EVENTS_TABLE,
            f"CREATE TABLE IF NOT EXISTS {EVENTS_TABLE} (sequence INTEGER PRIMARY KEY AUTOINCREMENT, "
            "id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, noun TEXT NOT NULL, verb TEXT NOT NULL, data TEXT, "
            "source TEXT NOT NULL, timestamp REAL NOT NULL, origin TEXT NOT NULL DEFAULT 'local', "
            "dispatched INTEGER NOT NULL DEFAULT 0)",
            f"CREATE INDEX IF NOT EXISTS {EVENTS_TABLE}_pending ON {EVENTS_TABLE}(dispatched) WHERE dispatched = 0",
        )

    def ensure_table(self) -> None:
        """Create the table now if it does not exist yet (for layers that extend it, e.g. with triggers)."""
        self._table.ensure()

    def record(self, event_type: str, data: Any, *, source: str, now: float, dispatched: bool = False) -> Event:
        """Append a local event and return it; `dispatched`: no local handler is to run for it."""
        noun, verb = split_type(event_type)
        text = encode_json(data)
        if len(text) > MAX_DATA_BYTES:
            raise ValueError(f"Event data is too large ({len(text)} bytes of JSON; at most {MAX_DATA_BYTES})")
        self._table.ensure()
        event_id = uuid.uuid4().hex
        row = self._storage.sql.exec(
            f"INSERT INTO {EVENTS_TABLE} (id, type, noun, verb, data, source, timestamp, dispatched) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING sequence",
            event_id,
            event_type,
            noun,
            verb,
            text,
            source,
            now,
            int(dispatched),
        ).one()
        return Event(event_id, event_type, decode_json(text), source, now, row["sequence"])

    def record_received(self, event: Event) -> bool:
        """Note an event delivered from another object; False if it was already received (a duplicate)."""
        self._table.ensure()
        noun, verb = split_type(event.type)
        cursor = self._storage.sql.exec(
            f"INSERT INTO {EVENTS_TABLE} (id, type, noun, verb, data, source, timestamp, origin, dispatched) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'remote', 1) ON CONFLICT(id) DO NOTHING",
            event.id,
            event.type,
            noun,
            verb,
            encode_json(event.data),
            event.source,
            event.timestamp,
        )
        return cursor.rows_written == 1

    def contains(self, event_id: str) -> bool:
        """Whether an event with this id is in the table (received before, or still recorded)."""
        if not self._table.exists():
            return False
        return bool(self._storage.sql.exec(f"SELECT 1 FROM {EVENTS_TABLE} WHERE id = ?", event_id).to_list())

    def mark_dispatched(self, event: Event) -> None:
        """The event's local handlers have all run."""
        self._storage.sql.exec(f"UPDATE {EVENTS_TABLE} SET dispatched = 1 WHERE sequence = ?", event.sequence)

    def undispatched(self, limit: int = 1000) -> list[Event]:
        """Local events whose dispatch has not finished, oldest first.

        A row whose data cannot be decoded stays undispatched in the table (reported once), and the
        events after it are dispatched regardless.
        """
        if not self._table.exists():
            return []
        rows = self._storage.sql.exec(
            f"SELECT * FROM {EVENTS_TABLE} WHERE dispatched = 0 ORDER BY sequence LIMIT ?", limit
        )
        events: list[Event] = []
        for row in rows:
            try:
                events.append(_event(row))
            except msgspec.DecodeError as exc:
                if row["sequence"] not in self._reported_unreadable:
                    self._reported_unreadable.add(row["sequence"])
                    log.error(
                        "event %s (%s, sequence %d) has unreadable data (%s); keeping it undispatched",
                        row["id"],
                        row["type"],
                        row["sequence"],
                        exc,
                    )
        return events

    def list(self, *, event_type: str | None = None, limit: int = 100) -> list[Event]:
        """The most recent events (of one type if given), newest first."""
        if not self._table.exists():
            return []
        if event_type is None:
            rows = self._storage.sql.exec(f"SELECT * FROM {EVENTS_TABLE} ORDER BY sequence DESC LIMIT ?", limit)
        else:
            rows = self._storage.sql.exec(
                f"SELECT * FROM {EVENTS_TABLE} WHERE type = ? ORDER BY sequence DESC LIMIT ?", event_type, limit
            )
        return [_event(row) for row in rows]


def _event(row: dict[str, Any]) -> Event:
    return Event(row["id"], row["type"], decode_json(row["data"]), row["source"], row["timestamp"], row["sequence"])
