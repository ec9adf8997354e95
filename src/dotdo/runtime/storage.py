"""An object's storage: one SQLite file (WAL) holding its SQL tables, its key-value pairs and its timers.

Storage calls are synchronous — SQLite on local disk answers in microseconds — so the code of one
event between two awaits never interleaves with another event of the same object. Writes join an
open transaction that the runtime's group commit (`group_commit.py`) commits once per flush cycle;
`commit_waiter()` is the output gate: what follows a write waits for the commit that holds it.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import msgspec

from .errors import StorageError
from .group_commit import DURABILITY_MODES, GroupCommit
from .sql import SqlCursor, SqlStorage, cursor_from, split_statements
from .timer_table import ALARM_TIMER_ID, TimerTable

if TYPE_CHECKING:
    from .connection_budget import ConnectionBudget

T = TypeVar("T")

KV_TABLE = "_dotdo_kv"
_SAVEPOINT_PREFIX = f"_dotdo_tx_{secrets.token_hex(4)}_"
_TRANSACTION_WORDS = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})
_FILE_WORDS = frozenset({"VACUUM", "ATTACH", "DETACH"})
_DURABILITY_PRAGMAS = frozenset(
    {"journal_mode", "locking_mode", "synchronous", "wal_autocheckpoint", "writable_schema", "query_only"}
)
_WRITE_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_INSERT,
        sqlite3.SQLITE_UPDATE,
        sqlite3.SQLITE_DELETE,
        sqlite3.SQLITE_CREATE_INDEX,
        sqlite3.SQLITE_CREATE_TABLE,
        sqlite3.SQLITE_CREATE_TEMP_INDEX,
        sqlite3.SQLITE_CREATE_TEMP_TABLE,
        sqlite3.SQLITE_CREATE_TEMP_TRIGGER,
        sqlite3.SQLITE_CREATE_TEMP_VIEW,
        sqlite3.SQLITE_CREATE_TRIGGER,
        sqlite3.SQLITE_CREATE_VIEW,
        sqlite3.SQLITE_CREATE_VTABLE,
        sqlite3.SQLITE_DROP_INDEX,
        sqlite3.SQLITE_DROP_TABLE,
        sqlite3.SQLITE_DROP_TEMP_INDEX,
        sqlite3.SQLITE_DROP_TEMP_TABLE,
        sqlite3.SQLITE_DROP_TEMP_TRIGGER,
        sqlite3.SQLITE_DROP_TEMP_VIEW,
        sqlite3.SQLITE_DROP_TRIGGER,
        sqlite3.SQLITE_DROP_VIEW,
        sqlite3.SQLITE_DROP_VTABLE,
        sqlite3.SQLITE_ALTER_TABLE,
        sqlite3.SQLITE_REINDEX,
        sqlite3.SQLITE_ANALYZE,
    }
)
_WAL_CHECKPOINT_BYTES = 8 * 1024 * 1024

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


def encode_value(value: Any) -> bytes:
    """Encode a storable value (JSON-compatible values, bytes, datetimes) for the KV table."""
    try:
        return _encoder.encode(value)
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(
            f"Cannot store a value of type {type(value).__name__}: storage values are JSON-compatible "
            f"(dict, list, str, int, float, bool, None), bytes or datetime ({exc})"
        ) from None


def decode_value(blob: bytes) -> Any:
    """Decode a value written by `encode_value`."""
    return _decoder.decode(blob)


def to_epoch(when: datetime | float | int) -> float:
    """Epoch seconds from an aware datetime or a number of epoch seconds."""
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("Alarm times must be aware datetimes (e.g. datetime.now(UTC)) or epoch seconds")
        return when.timestamp()
    if isinstance(when, bool) or not isinstance(when, int | float):
        raise TypeError(f"Alarm time must be a datetime or epoch seconds, not {type(when).__name__}")
    return float(when)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prefix_end(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix` (None: no bound)."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            return prefix[:-1] + chr(last + 1)
        prefix = prefix[:-1]
    return None


class Storage:
    """Storage of one Durable Object: `sql`, the key-value API, `transaction_sync`, and alarms."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        durability: str = "process",
        group_commit: GroupCommit | None = None,
        budget: ConnectionBudget | None = None,
    ) -> None:
        if durability not in DURABILITY_MODES:
            raise ValueError(f"durability must be one of {', '.join(DURABILITY_MODES)}, not {durability!r}")
        self.path = Path(path)
        self.durability = durability
        self.sql = SqlStorage(self)
        self.timers = TimerTable(self)
        self.group_commit = group_commit or GroupCommit(durability)
        self.on_timers_changed: Callable[[Storage], None] | None = None
        self.on_commit_failed: Callable[[Storage, BaseException], None] | None = None
        self._budget = budget
        self.thread_lock = threading.RLock()
        """Held by code using this storage from another thread (the fsspec adapter) and by `close()`."""
        self._conn: sqlite3.Connection | None = None
        self._wal_fd: int | None = None
        self._wal_folder_unsynced = False
        self._normal_after_commit = False
        self._dirty = False
        self._pending: asyncio.Future[None] | None = None
        self._syncing: asyncio.Future[None] | None = None
        self._statement_writes: dict[str, bool] = {}
        self._prepare_writes = False
        self._denied: str | None = None
        self._internal = False
        self._kv_ready = False
        self._savepoint_depth = 0
        self.closed = False

    # -- connection ---------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        conn = self._conn
        if conn is not None:
            return conn
        if self.closed:
            raise StorageError(f"Storage {self.path.name} is closed")
        if self._budget is not None:
            self._budget.admit(self)
        self._conn = conn = self._open()
        return conn

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists()
        power = self.durability == "power"
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, cached_statements=64)
        try:
            # Exclusive locking before WAL keeps the WAL index in heap memory: no -shm file, one fd less.
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            # Until the first commit, skip the fsyncs of the WAL switch and of the new WAL header:
            # they guard nothing acknowledged yet (the next checkpoint syncs the WAL before using
            # it), and they would block the event loop. Power mode syncs the file and folder itself.
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("PRAGMA journal_mode=WAL")
            if fresh and power:
                _fsync_path(self.path)
                _fsync_path(self.path.parent)
            self._normal_after_commit = not power
            if power:
                # Checkpoints run from the group commit with synchronous=FULL (see _checkpoint).
                conn.execute("PRAGMA wal_autocheckpoint=0")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA cache_size=-1024")
            conn.set_authorizer(self._authorize)
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _authorize(self, action: int, arg1: str | None, arg2: str | None, db: str | None, src: str | None) -> int:
        if self._internal:
            return sqlite3.SQLITE_OK
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            self._denied = "ATTACH and DETACH are not allowed: an object's storage is its own database"
            return sqlite3.SQLITE_DENY
        if action in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT):
            self._denied = "transaction statements are not allowed in sql.exec; use storage.transaction_sync(fn)"
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and arg1 and arg1.lower() in _DURABILITY_PRAGMAS and arg2 is not None:
            self._denied = f"PRAGMA {arg1} is managed by the runtime (durability mode) and cannot be changed"
            return sqlite3.SQLITE_DENY
        if action in _WRITE_ACTIONS:
            self._prepare_writes = True
        return sqlite3.SQLITE_OK

    def close(self) -> None:
        """Commit what is pending and close the SQLite connection (reopened on next use unless closed)."""
        self.release_connection()
        self.closed = True

    def release_connection(self) -> None:
        """Commit and close the connection now; the next storage call reopens it."""
        with self.thread_lock:
            self._release_connection()

    def _release_connection(self) -> None:
        conn = self._conn
        if conn is None:
            return
        if self._dirty:
            self.commit()
        if conn.in_transaction:
            self._commit_now()
        if self._wal_fd is not None:
            os.close(self._wal_fd)
            self._wal_fd = None
        if self.durability == "power":
            self._internal_pragma("PRAGMA synchronous=FULL")
        self._conn = None
        self._kv_ready = False
        conn.close()
        if self._budget is not None:
            self._budget.forget(self)

    @property
    def is_open(self) -> bool:
        """Whether a SQLite connection is open right now."""
        return self._conn is not None

    def _internal_pragma(self, statement: str) -> Any:
        self._internal = True
        try:
            return self._connection().execute(statement).fetchall()
        finally:
            self._internal = False

    # -- statements ---------------------------------------------------------------------------

    def _begin(self, conn: sqlite3.Connection) -> None:
        self._internal = True
        try:
            conn.execute("BEGIN")
        finally:
            self._internal = False

    def _exec(self, query: str, bindings: tuple[Any, ...]) -> SqlCursor:
        conn = self._conn or self._connection()
        writes = self._statement_writes.get(query) if type(query) is str else None
        if writes is None:
            if not isinstance(query, str):
                raise TypeError(f"sql.exec takes the query as a str, not {type(query).__name__}")
            self._check_statement(query)
            self._prepare_writes = False
        if writes is not False and not conn.in_transaction:
            self._begin(conn)
        before = conn.total_changes
        try:
            cursor = conn.execute(query, bindings)
            result = cursor_from(cursor, 0)
        except sqlite3.ProgrammingError as exc:
            if "one statement at a time" in str(exc) and not bindings:
                return self._exec_script(query)
            raise StorageError(f"{exc} (query: {query[:200]!r})") from None
        except sqlite3.DatabaseError:
            denied, self._denied = self._denied, None
            if denied:
                raise StorageError(denied) from None
            raise
        changed = conn.total_changes - before
        result.rows_written = changed
        if writes is None:
            writes = self._prepare_writes
            if len(self._statement_writes) < 4096:
                self._statement_writes[query] = writes
        if (writes or changed) and not self._dirty:
            self._mark_dirty()
        return result

    def _exec_script(self, script: str) -> SqlCursor:
        result = SqlCursor([], [], 0)
        written = 0
        for statement in split_statements(script):
            result = self._exec(statement, ())
            written += result.rows_written
        result.rows_written = written
        return result

    def _check_statement(self, query: str) -> None:
        first = query.lstrip(" \t\r\n(").split(None, 1)
        if first and first[0].upper().rstrip(";") in _TRANSACTION_WORDS:
            raise StorageError(
                f"{first[0].upper()} is not allowed in sql.exec: writes are committed by the runtime; "
                "use storage.transaction_sync(fn) for an all-or-nothing block"
            )
        if first and first[0].upper().rstrip(";") in _FILE_WORDS:
            raise StorageError(f"{first[0].upper()} is not allowed in sql.exec: it touches files outside the object")

    def _run(self, query: str, params: Iterable[Any] = (), *, write: bool = False) -> list[tuple[Any, ...]]:
        """An internal statement (KV, timers): no statement checks, explicit write flag."""
        conn = self._conn or self._connection()
        if write and not conn.in_transaction:
            self._begin(conn)
        self._internal = True
        try:
            rows = conn.execute(query, tuple(params)).fetchall()
        finally:
            self._internal = False
        if write and not self._dirty:
            self._mark_dirty()
        return rows

    def _run_many(self, query: str, rows: Iterable[tuple[Any, ...]]) -> None:
        conn = self._conn or self._connection()
        if not conn.in_transaction:
            self._begin(conn)
        self._internal = True
        try:
            conn.executemany(query, rows)
        finally:
            self._internal = False
        if not self._dirty:
            self._mark_dirty()

    def table_exists(self, name: str) -> bool:
        """Whether a table of that name exists in this database."""
        rows = self._run("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return bool(rows)

    # -- transactions and commits ---------------------------------------------------------------

    def transaction_sync(self, fn: Callable[[], T]) -> T:
        """Run `fn()` (synchronous) all-or-nothing: if it raises, none of its writes remain."""
        conn = self._conn or self._connection()
        if not conn.in_transaction:
            self._begin(conn)
        name = f'"{_SAVEPOINT_PREFIX}{self._savepoint_depth}"'
        self._savepoint_depth += 1
        self._internal = True
        conn.execute(f"SAVEPOINT {name}")
        self._internal = False
        try:
            result = fn()
            if inspect.isawaitable(result):
                if inspect.iscoroutine(result):
                    result.close()
                raise TypeError(
                    "transaction_sync takes a synchronous function; an async one could interleave "
                    "with other events and break atomicity"
                )
        except BaseException:
            self._internal = True
            try:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            finally:
                self._internal = False
                self._savepoint_depth -= 1
            # Tables created inside the rolled-back block are gone too.
            self._kv_ready = False
            self.timers.forget_schema()
            raise
        self._internal = True
        try:
            conn.execute(f"RELEASE {name}")
        finally:
            self._internal = False
            self._savepoint_depth -= 1
        # The outermost block hands its writes to the group commit (at once when no loop runs).
        if not self._dirty or self._savepoint_depth == 0:
            self._mark_dirty()
        return result

    def _mark_dirty(self) -> None:
        self._dirty = True
        self.group_commit.enqueue(self)

    @property
    def dirty(self) -> bool:
        """Whether there are writes not yet committed."""
        return self._dirty

    def commit(self) -> None:
        """Commit now; on the event loop, with every other pending write of the group (alarm index first)."""
        if self._dirty and _loop_running():
            self.group_commit.flush()
        if self._dirty:
            self.group_commit.commit_one(self)

    @property
    def in_transaction_block(self) -> bool:
        """Whether a `transaction_sync` block is running (its writes may still be rolled back)."""
        return self._savepoint_depth > 0

    def _commit_now(self) -> None:
        conn = self._conn
        self._dirty = False
        if conn is not None and conn.in_transaction:
            if self._savepoint_depth:
                # A transaction_sync block is still open (called from inside fn): commit it later.
                self._dirty = True
                return
            self._internal = True
            try:
                conn.execute("COMMIT")
                if self._normal_after_commit:
                    self._normal_after_commit = False
                    conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                self._internal = False

    def commit_waiter(self) -> asyncio.Future[None] | None:
        """The output gate: a future that settles once every write made so far is durable, or None."""
        if self._dirty:
            pending = self._pending
            if pending is None:
                pending = self._pending = asyncio.get_running_loop().create_future()
            return pending
        syncing = self._syncing
        if syncing is not None and not syncing.done():
            return syncing
        return None

    async def settled(self) -> None:
        """Wait until every write made so far is committed (and fsynced in power mode)."""
        waiter = self.commit_waiter()
        if waiter is not None:
            await asyncio.shield(waiter)

    def _wal_descriptor(self) -> int | None:
        if self._wal_fd is None:
            try:
                self._wal_fd = os.open(f"{self.path}-wal", os.O_RDONLY)
            except FileNotFoundError:
                return None
            # A new WAL file's directory entry must reach the disk too (power mode).
            self._wal_folder_unsynced = True
        return self._wal_fd

    def _checkpoint_if_large(self) -> None:
        conn = self._conn
        fd = self._wal_fd
        if conn is None or fd is None or conn.in_transaction:
            return
        if os.fstat(fd).st_size < _WAL_CHECKPOINT_BYTES:
            return
        self._internal_pragma("PRAGMA synchronous=FULL")
        try:
            self._internal_pragma("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._internal_pragma("PRAGMA synchronous=OFF")

    def delete_all(self) -> None:
        """Delete every table, index, view, key and timer (the alarm included) of this object."""
        conn = self._connection()
        if self._dirty:
            self.commit()
        self._internal = True
        try:
            if conn.in_transaction:
                conn.execute("COMMIT")
            conn.execute("PRAGMA foreign_keys=OFF")
            rows = conn.execute(
                "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND type IN ('table', 'view')"
            ).fetchall()
            conn.execute("BEGIN")
            for kind, name in rows:
                quoted = '"' + name.replace('"', '""') + '"'
                conn.execute(f"DROP {'VIEW' if kind == 'view' else 'TABLE'} IF EXISTS {quoted}")
            conn.execute("COMMIT")
            conn.execute("PRAGMA foreign_keys=ON")
        finally:
            self._internal = False
        self._statement_writes.clear()
        self._kv_ready = False
        self.timers.forget_schema()
        self._timers_changed()

    # -- key-value ----------------------------------------------------------------------------

    def _kv(self) -> None:
        if not self._kv_ready:
            if not self.table_exists(KV_TABLE):
                self._run(
                    f"CREATE TABLE IF NOT EXISTS {KV_TABLE} (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID",
                    write=True,
                )
            self._kv_ready = True

    @overload
    def get(self, key: str) -> Any: ...
    @overload
    def get(self, key: list[str] | tuple[str, ...]) -> dict[str, Any]: ...
    def get(self, key: str | list[str] | tuple[str, ...]) -> Any:
        """The value stored under `key` (None if absent), or a dict of the present keys for a list."""
        self._kv()
        if isinstance(key, str):
            rows = self._run(f"SELECT value FROM {KV_TABLE} WHERE key = ?", (key,))
            return decode_value(rows[0][0]) if rows else None
        keys = _check_keys(key)
        found: dict[str, Any] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for k, blob in self._run(f"SELECT key, value FROM {KV_TABLE} WHERE key IN ({marks})", chunk):
                found[k] = decode_value(blob)
        return {k: found[k] for k in keys if k in found}

    def put(self, key: str | Mapping[str, Any], value: Any = None) -> None:
        """Store `value` under `key`, or every pair of a dict in one go."""
        self._kv()
        if isinstance(key, Mapping):
            pairs = [(k, encode_value(v)) for k, v in key.items()]
            _check_keys([k for k, _ in pairs])
            self._run_many(f"INSERT OR REPLACE INTO {KV_TABLE} (key, value) VALUES (?, ?)", pairs)
            return
        _check_keys([key])
        self._run(
            f"INSERT OR REPLACE INTO {KV_TABLE} (key, value) VALUES (?, ?)", (key, encode_value(value)), write=True
        )

    @overload
    def delete(self, key: str) -> bool: ...
    @overload
    def delete(self, key: list[str] | tuple[str, ...]) -> int: ...
    def delete(self, key: str | list[str] | tuple[str, ...]) -> bool | int:
        """Delete `key` (True if it existed), or a list of keys (how many existed)."""
        self._kv()
        conn = self._connection()
        before = conn.total_changes
        if isinstance(key, str):
            self._run(f"DELETE FROM {KV_TABLE} WHERE key = ?", (key,), write=True)
            return conn.total_changes - before == 1
        keys = _check_keys(key)
        self._run_many(f"DELETE FROM {KV_TABLE} WHERE key = ?", [(k,) for k in keys])
        return conn.total_changes - before

    def list(
        self,
        *,
        prefix: str | None = None,
        start: str | None = None,
        end: str | None = None,
        limit: int | None = None,
        reverse: bool = False,
    ) -> dict[str, Any]:
        """Pairs in key order (UTF-8 byte order): `start` inclusive, `end` exclusive, `prefix`, `limit`."""
        self._kv()
        clauses: list[str] = []
        params: list[Any] = []
        if prefix:
            clauses.append("key >= ?")
            params.append(prefix)
            upper = _prefix_end(prefix)
            if upper is not None:
                clauses.append("key < ?")
                params.append(upper)
        if start is not None:
            clauses.append("key >= ?")
            params.append(start)
        if end is not None:
            clauses.append("key < ?")
            params.append(end)
        query = f"SELECT key, value FROM {KV_TABLE}"
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY key DESC" if reverse else " ORDER BY key"
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise ValueError(f"limit must be a positive integer, not {limit!r}")
            query += " LIMIT ?"
            params.append(limit)
        return {k: decode_value(v) for k, v in self._run(query, params)}

    # -- alarms ---------------------------------------------------------------------------------

    def set_alarm(self, when: datetime | float) -> None:
        """Schedule `alarm()` at `when` (aware datetime or epoch seconds), replacing the previous alarm."""
        self.timers.set(ALARM_TIMER_ID, to_epoch(when), kind="alarm")

    def get_alarm(self) -> datetime | None:
        """When the alarm is set to fire (aware UTC datetime), or None."""
        timer = self.timers.get(ALARM_TIMER_ID)
        return None if timer is None else datetime.fromtimestamp(timer.fire_at, UTC)

    def delete_alarm(self) -> None:
        """Cancel the alarm, if any."""
        self.timers.delete(ALARM_TIMER_ID)

    def _timers_changed(self) -> None:
        if self.on_timers_changed is not None:
            self.on_timers_changed(self)

    def __repr__(self) -> str:
        return f"Storage({self.path.name}, durability={self.durability!r})"


def _check_keys(keys: Iterable[Any]) -> list[str]:
    checked = list(keys)
    for key in checked:
        if not isinstance(key, str):
            raise TypeError(f"storage keys are strings, got {type(key).__name__}: {key!r}")
    return checked
