"""Read one object's SQLite file: tables, rows, read-only SQL, KV, alarms, dead letters.

The connection is opened read-only (`mode=ro`, `query_only`), so it sees what the object has
committed and can change nothing. A live object holds its database exclusively, so a server reads
its own objects inside one of their events (`read_in_object`), after the object has committed
and let go of its connection; with no server running, the file is read directly. User SQL goes
through an authorizer that admits reads only and keeps the runtime's own tables (`_dotdo_…`) out
of reach, as inside the object.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from ..context.action_journal import ACTIONS_TABLE
from ..context.dead_letters import DEAD_LETTERS_TABLE
from ..context.events import EVENTS_TABLE
from ..context.schedules import SCHEDULES_TABLE
from ..graph.schema import SCHEMA_TABLE as GRAPH_SCHEMA_TABLE
from ..runtime.kv import KV_TABLE, decode_value
from ..runtime.sql_policy import RESERVED_PREFIX
from ..runtime.timer_table import TIMER_TABLE
from .names import NAME_TABLE

T = TypeVar("T")
CONTEXT_TABLES = frozenset({ACTIONS_TABLE, DEAD_LETTERS_TABLE, EVENTS_TABLE, SCHEDULES_TABLE})
"""Tables `ctx` keeps in every object that uses it (events, durable actions, dead letters, schedules)."""
GRAPH_TABLES = frozenset({"things", "thing_versions", "relationships", "graph_chunks", GRAPH_SCHEMA_TABLE})


def kept_by(table: str) -> str | None:
    """Which part of dotdo keeps `table` in an object ("ctx", "fsx", "git", "graph"), or None for the object's own."""
    if table in CONTEXT_TABLES:
        return "ctx"
    if table in GRAPH_TABLES:
        return "graph"
    if table.startswith("fsx_"):
        return "fsx"
    if table.startswith("_gitx_"):
        return "git"
    return None


MAX_PAGE = 500
"""The most rows one page or one query returns."""

_READS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE})


class ReadOnlyQueryError(ValueError):
    """A statement given to the read-only SQL console would write, or reaches the runtime's tables."""


class ObjectBusyError(RuntimeError):
    """The object's database is held by the process running it; read it through that process."""


class MissingObjectError(LookupError):
    """No object of that class and id has a database in this data folder."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Columns and rows of a query (rows cut at `MAX_PAGE`; `truncated` says so)."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool


def _authorize_reads(action: int, arg1: str | None, arg2: str | None, db: str | None, src: str | None) -> int:
    if action not in _READS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_READ and arg1 and arg1.lower().startswith(RESERVED_PREFIX):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def display_value(value: Any) -> Any:
    """A value fit for JSON and for a page: bytes as a short hex preview, everything else as is."""
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        preview = raw[:32].hex()
        return f"<{len(raw)} bytes: {preview}{'…' if len(raw) > 32 else ''}>"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): display_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [display_value(v) for v in value]
    return value


def _epoch_text(value: float | None) -> str | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")


class ObjectReader:
    """A read-only view of one object's database file: `with ObjectReader(path) as reader: ...`."""

    def __init__(self, path: Path, *, timeout: float = 1.0) -> None:
        if not path.exists():
            raise MissingObjectError(f"No database at {path}: the object has never stored anything")
        self.path = path
        self._conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False, timeout=timeout)
        try:
            self._conn.execute("PRAGMA query_only = ON")
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            self._conn.close()
            if "locked" in str(exc):
                raise ObjectBusyError(
                    f"{path.name} is open in a running server (objects hold their database exclusively): "
                    "read it through that server with --url"
                ) from None
            raise

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> ObjectReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _has_table(self, name: str) -> bool:
        found = self._conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return found.fetchone() is not None

    def table_names(self) -> set[str]:
        """Every table of the database, the runtime's and the primitives' included."""
        return {row[0] for row in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def name(self) -> str | None:
        """The name the object was first reached by, if it was recorded."""
        if not self._has_table(NAME_TABLE):
            return None
        row = self._conn.execute(f"SELECT name FROM {NAME_TABLE} LIMIT 1").fetchone()
        return row[0] if row else None

    def tables(self) -> list[dict[str, Any]]:
        """The object's tables with row counts: its code's first, then those ctx, fsx, git or the graph keep.

        The runtime's own tables (`_dotdo_…`) are left out.
        """
        names = [
            row[0]
            for row in self._conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            if not row[0].lower().startswith(RESERVED_PREFIX)
        ]
        names.sort(key=lambda name: (kept_by(name) is not None, name))
        return [
            {
                "name": name,
                "rows": self._conn.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0],
                "kept_by": kept_by(name),
            }
            for name in names
        ]

    def columns(self, table: str) -> list[str]:
        """The columns of one of the object's tables; LookupError if it has no such table."""
        self._check_table(table)
        return [row[1] for row in self._conn.execute(f"PRAGMA table_info({_quoted(table)})")]

    def _check_table(self, table: str) -> None:
        if table.lower().startswith(RESERVED_PREFIX) or not self._has_table(table):
            known = ", ".join(t["name"] for t in self.tables()) or "none"
            raise LookupError(f"No table {table!r} in this object; its tables: {known}")

    def rows(
        self, table: str, *, offset: int = 0, limit: int = 50, order_by: str | None = None, descending: bool = False
    ) -> QueryResult:
        """One page of a table's rows, sorted by `order_by` (a column of it) if given."""
        columns = self.columns(table)
        if order_by is not None and order_by not in columns:
            raise LookupError(f"No column {order_by!r} in {table}; its columns: {', '.join(columns)}")
        limit = max(1, min(limit, MAX_PAGE))
        order = f" ORDER BY {_quoted(order_by)}{' DESC' if descending else ''}" if order_by else ""
        cursor = self._conn.execute(
            f"SELECT * FROM {_quoted(table)}{order} LIMIT ? OFFSET ?", (limit + 1, max(0, offset))
        )
        found = [[display_value(v) for v in row] for row in cursor]
        return QueryResult(columns, found[:limit], len(found) > limit)

    def query(self, sql: str, bindings: tuple[Any, ...] = ()) -> QueryResult:
        """Run one read-only statement; `ReadOnlyQueryError` for anything that would write."""
        statement = sql.strip().rstrip(";").strip()
        if not statement:
            raise ReadOnlyQueryError("Type a SELECT statement")
        if not sqlite3.complete_statement(statement + ";") or ";" in statement:
            raise ReadOnlyQueryError("One statement at a time: the console runs a single SELECT")
        self._conn.set_authorizer(_authorize_reads)
        try:
            cursor = self._conn.execute(statement, bindings)
            columns = [d[0] for d in cursor.description or ()]
            found = cursor.fetchmany(MAX_PAGE + 1)
        except sqlite3.DatabaseError as exc:
            if "not authorized" in str(exc) or "readonly" in str(exc) or "read-only" in str(exc):
                raise ReadOnlyQueryError(
                    f"The console is read-only and cannot reach the runtime's tables: {exc}"
                ) from None
            raise ReadOnlyQueryError(f"SQL error: {exc}") from None
        finally:
            self._conn.set_authorizer(None)
        rows = [[display_value(v) for v in row] for row in found[:MAX_PAGE]]
        return QueryResult(columns, rows, len(found) > MAX_PAGE)

    def kv(self, *, prefix: str = "", offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Key-value entries in key order, starting with `prefix`, values decoded."""
        if not self._has_table(KV_TABLE):
            return []
        limit = max(1, min(limit, MAX_PAGE))
        cursor = self._conn.execute(
            f"SELECT key, value FROM {KV_TABLE} WHERE key >= ? AND substr(key, 1, ?) = ? ORDER BY key LIMIT ? OFFSET ?",
            (prefix, len(prefix), prefix, limit, max(0, offset)),
        )
        return [{"key": key, "value": _decode(blob)} for key, blob in cursor]

    def kv_get(self, key: str) -> Any:
        """The value of one key; KeyError if absent."""
        if self._has_table(KV_TABLE):
            row = self._conn.execute(f"SELECT value FROM {KV_TABLE} WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return _decode(row[0])
        raise KeyError(key)

    def alarms(self) -> list[dict[str, Any]]:
        """The object's timers: its alarm, durable-action resumes and other kinds, soonest first."""
        if not self._has_table(TIMER_TABLE):
            return []
        cursor = self._conn.execute(f"SELECT id, fire_at, kind, retry_count FROM {TIMER_TABLE} ORDER BY fire_at")
        return [
            {"id": timer_id, "fire_at": _epoch_text(fire_at), "kind": kind, "retries": retries}
            for timer_id, fire_at, kind, retries in cursor
        ]

    def dead_letters(self) -> list[dict[str, Any]]:
        """Every dead letter, the newest first (replayed ones too, marked)."""
        return self._records(DEAD_LETTERS_TABLE, "id DESC", ("created_at", "replayed_at"))

    def actions(self) -> list[dict[str, Any]]:
        """The durable-action journal, the latest first."""
        return self._records(ACTIONS_TABLE, "rowid DESC", ())

    def schedules(self) -> list[dict[str, Any]]:
        """The object's recurring schedules."""
        return self._records(SCHEDULES_TABLE, "rowid", ("next_fire_at", "last_fired_at"))

    def _records(self, table: str, order: str, times: tuple[str, ...]) -> list[dict[str, Any]]:
        if not self._has_table(table):
            return []
        cursor = self._conn.execute(f"SELECT * FROM {table} ORDER BY {order} LIMIT {MAX_PAGE}")
        columns = [d[0] for d in cursor.description]
        records = []
        for row in cursor:
            record = {column: display_value(value) for column, value in zip(columns, row, strict=True)}
            for column in times:
                if column in record and isinstance(record[column], int | float):
                    record[column] = _epoch_text(record[column])
            records.append(record)
        return records

    def snapshot(self, target: Path) -> None:
        """Copy the committed database, consistently, to `target` (a new file)."""
        with contextlib.closing(sqlite3.connect(target)) as copy:
            self._conn.backup(copy)


def read_in_object(obj: Any, path: Path, read: Callable[[ObjectReader], T]) -> T:
    """`read(reader)` on the database of `obj`, run as one of its events (its input gate holds the others).

    The object commits and closes its connection first (it reopens it on its next use), so the
    reader sees every write the object has made.
    """
    obj.storage.release_connection()
    with ObjectReader(path) as reader:
        return read(reader)


def _decode(blob: bytes) -> Any:
    try:
        return display_value(decode_value(blob))
    except msgspec.DecodeError:
        return display_value(blob)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
