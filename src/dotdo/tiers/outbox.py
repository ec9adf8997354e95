"""The outbox of one object: every change to its things, relationships, events and actions, queued for shipping.

SQLite triggers write the outbox row inside the statement that makes the change, so the row is in
the same transaction as the change by construction: both commit or neither does. Rows leave the
outbox only after the warm tier has committed them (`acknowledge`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from ..context.action_journal import ActionJournal
from ..context.events import EventLog
from ..graph.schema import ensure_schema
from ..graph.things import Things
from ..runtime.storage import Storage

OUTBOX_TABLE = "tiers_outbox"
TABLE_KINDS = ("things", "relationships", "events", "actions")

_THING_ROW = (
    "json_object('id', {r}.id, 'type', {r}.type, 'name', {r}.name, 'data', {r}.data, 'version', {r}.version, "
    "'created_at', {r}.created_at, 'updated_at', {r}.updated_at, 'deleted_at', {r}.deleted_at, "
    "'visibility', {r}.visibility)"
)
_RELATIONSHIP_ROW = (
    "json_object('id', {r}.id, 'from_id', {r}.from_id, 'to_id', {r}.to_id, 'type', {r}.type, "
    "'data', {r}.data, 'created_at', {r}.created_at)"
)
_EVENT_ROW = (
    "json_object('event_sequence', {r}.sequence, 'id', {r}.id, 'type', {r}.type, 'noun', {r}.noun, "
    "'verb', {r}.verb, 'data', {r}.data, 'source', {r}.source, 'timestamp', {r}.timestamp, 'origin', {r}.origin)"
)
_ACTION_ROW = (
    "json_object('step_id', {r}.step_id, 'kind', {r}.kind, 'action', {r}.action, 'args', {r}.args, "
    "'status', {r}.status, 'attempts', {r}.attempts, 'result', {r}.result, 'error', {r}.error, "
    "'created_at', {r}.created_at, 'updated_at', {r}.updated_at)"
)


def _trigger(name: str, when: str, table: str, kind: str, op: str, row: str, condition: str = "") -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {OUTBOX_TABLE}_{name} AFTER {when} ON {table} {condition} BEGIN "
        f"INSERT INTO {OUTBOX_TABLE} (kind, op, payload) VALUES ('{kind}', '{op}', {row}); END"
    )


_DDL = (
    f"CREATE TABLE IF NOT EXISTS {OUTBOX_TABLE} (sequence INTEGER PRIMARY KEY AUTOINCREMENT, "
    "kind TEXT NOT NULL, op TEXT NOT NULL, payload TEXT NOT NULL, "
    "queued_at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0))",
    _trigger("things_insert", "INSERT", "things", "things", "upsert", _THING_ROW.format(r="NEW")),
    _trigger("things_update", "UPDATE", "things", "things", "upsert", _THING_ROW.format(r="NEW")),
    # A purge removes the versions first; re-creating a soft-deleted id archives the row first and
    # must not erase its history, hence the condition.
    _trigger(
        "things_purge",
        "DELETE",
        "things",
        "things",
        "purge",
        "json_object('id', OLD.id, 'version', OLD.version)",
        "WHEN NOT EXISTS (SELECT 1 FROM thing_versions WHERE thing_id = OLD.id AND version = OLD.version)",
    ),
    _trigger(
        "relationships_insert", "INSERT", "relationships", "relationships", "upsert", _RELATIONSHIP_ROW.format(r="NEW")
    ),
    _trigger("relationships_delete", "DELETE", "relationships", "relationships", "delete", "json_object('id', OLD.id)"),
    _trigger("events_insert", "INSERT", "events", "events", "upsert", _EVENT_ROW.format(r="NEW")),
    _trigger("actions_insert", "INSERT", "actions", "actions", "upsert", _ACTION_ROW.format(r="NEW")),
    _trigger("actions_update", "UPDATE", "actions", "actions", "upsert", _ACTION_ROW.format(r="NEW")),
)
_TRIGGER_COUNT = len(_DDL) - 1


@dataclass(frozen=True, slots=True)
class QueuedRows:
    """Queued rows of one warm table and op ("upsert", "purge", "delete"), oldest first, as text:
    one line per row, `sequence<TAB>payload JSON` (JSON text never holds a raw tab or newline).

    One text per group instead of a tuple per row: SQLite builds it, Arrow splits it, and no
    Python object is made per row of a batch of hundreds of thousands.
    """

    kind: str
    op: str
    count: int
    last: int
    """The highest sequence among the rows."""
    lines: str

    def rows(self) -> list[tuple[int, str]]:
        """The rows as (sequence, payload) pairs (for the few removals)."""
        result = []
        for line in self.lines.split("\n"):
            sequence, _, payload = line.partition("\t")
            result.append((int(sequence), payload))
        return result


def install_outbox(storage: Storage) -> None:
    """Create the outbox table and its triggers in an object's database (cheap when already there).

    The graph and context layers create their tables first, through their public calls, so the
    triggers have tables to attach to whatever the object does first.
    """
    installed = storage.sql.exec(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?", f"{OUTBOX_TABLE}%"
    ).one()
    if next(iter(installed.values())) == _TRIGGER_COUNT:
        return
    ensure_schema(storage)
    EventLog(storage).ensure_table()
    ActionJournal(storage).ensure_table()
    storage.transaction_sync(lambda: [storage.sql.exec(statement) for statement in _DDL])


def pending(storage: Storage, after: Mapping[str, int], limit: int) -> list[QueuedRows]:
    """Up to `limit` queued rows, oldest first, skipping those at or below each kind's `after`
    sequence, grouped by kind and op."""
    if not storage.table_exists(OUTBOX_TABLE):
        return []
    clauses = " OR ".join(f"(kind = '{kind}' AND sequence > ?)" for kind in TABLE_KINDS)
    marks = [after.get(kind, 0) for kind in TABLE_KINDS]
    window = f"SELECT sequence, kind, op, payload FROM {OUTBOX_TABLE} WHERE {clauses} ORDER BY sequence LIMIT ?"
    groups = [
        QueuedRows(kind, op, count, last, lines)
        for kind, op, count, last, lines in storage.sql.exec(
            f"SELECT kind, op, count(*), max(sequence), group_concat(sequence || char(9) || payload, char(10)) "
            f"FROM ({window}) WHERE NOT ({_CHUNKED}) GROUP BY kind, op",
            *marks,
            limit,
        ).raw()
    ]
    # Large documents live in the graph's chunk rows, not in `data`: read them through the graph.
    chunked = list(storage.sql.exec(f"SELECT sequence, payload FROM ({window}) WHERE {_CHUNKED}", *marks, limit).raw())
    if chunked:
        lines = "\n".join(f"{sequence}\t{_with_document(storage, payload)}" for sequence, payload in chunked)
        groups.append(QueuedRows("things", "upsert", len(chunked), max(seq for seq, _ in chunked), lines))
    return groups


_CHUNKED = "kind = 'things' AND op = 'upsert' AND instr(payload, '\"data\":null') > 0"


def _with_document(storage: Storage, payload: str) -> str:
    value: dict[str, Any] = msgspec.json.decode(payload)
    thing = Things(storage).get(value["id"], version=value["version"])
    if thing is None:
        return payload
    value["data"] = msgspec.json.encode(thing.data).decode()
    return msgspec.json.encode(value).decode()


def acknowledge(storage: Storage, shipped: Mapping[str, int]) -> int:
    """Drop the rows that the warm tier holds (each kind up to its sequence); how many were dropped."""
    if not storage.table_exists(OUTBOX_TABLE):
        return 0
    dropped = 0
    for kind, sequence in shipped.items():
        dropped += storage.sql.exec(
            f"DELETE FROM {OUTBOX_TABLE} WHERE kind = ? AND sequence <= ?", kind, sequence
        ).rows_written
    return dropped


def has_rows(storage: Storage) -> bool:
    """Whether the outbox of a live object holds any row."""
    if not storage.table_exists(OUTBOX_TABLE):
        return False
    return bool(next(iter(storage.sql.exec(f"SELECT EXISTS (SELECT 1 FROM {OUTBOX_TABLE})").raw()))[0])


def file_has_rows(path: Path) -> bool:
    """Whether the outbox in the database file of an object that is not in memory holds any row.

    Safe only for an object this process does not hold open: the runtime that owns the data folder
    opens each file exclusively while the object is live, and this read is synchronous, so no
    activation can start while it runs.
    """
    if not path.exists():
        return False
    if path.with_name(path.name + "-wal").exists():
        return True  # left by a crash: let the runtime open (and recover) it
    conn = sqlite3.connect(path)
    try:
        return bool(conn.execute(f"SELECT EXISTS (SELECT 1 FROM {OUTBOX_TABLE})").fetchone()[0])
    except sqlite3.OperationalError:  # no outbox table: nothing was ever queued
        return False
    finally:
        conn.close()


def backlog(storage: Storage) -> tuple[int, float | None]:
    """How many rows wait in the outbox, and when the oldest was queued (epoch seconds; None when empty)."""
    if not storage.table_exists(OUTBOX_TABLE):
        return 0, None
    count, oldest = next(iter(storage.sql.exec(f"SELECT count(*), min(queued_at) FROM {OUTBOX_TABLE}").raw()))
    return int(count), oldest


def remove_matching(storage: Storage, text: str) -> int:
    """Drop queued rows whose JSON mentions `text` as a value (erasure); how many were dropped."""
    if not storage.table_exists(OUTBOX_TABLE):
        return 0
    return storage.sql.exec(f"DELETE FROM {OUTBOX_TABLE} WHERE instr(payload, ?) > 0", text).rows_written
