"""An object's storage: one SQLite file (WAL) holding its SQL tables, its key-value pairs and its timers.

Storage calls are synchronous — SQLite on local disk answers in microseconds — so the code of one
event between two awaits never interleaves with another event of the same object. Writes join an
open transaction that the runtime's group commit (`group_commit.py`) commits once per flush cycle;
`commit_waiter()` is the output gate (`gates.OutputGate`): what follows a write waits for the
commit that holds it. Running user SQL under the policy is `sql.py`'s, the key-value encoding
`kv.py`'s, the timer table `timer_table.py`'s; this module keeps the connection, transactions and
commits they share.
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

from .errors import StorageError
from .gates import OutputGate
from .group_commit import DURABILITY_MODES, GroupCommit
from .kv import CREATE_KV_TABLE, KV_TABLE, checked_key, checked_keys, checked_value, decode_value, list_query
from .lazy_table import LazyTable
from .new_database import DatabaseTemplate, create_wal_database
from .sql import SqlStorage
from .sql_policy import RESERVED_PREFIX, is_reserved
from .timer_table import ALARM_TIMER_ID, TimerTable

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .connection_budget import ConnectionBudget
    from .object_log import ObjectLog

T = TypeVar("T")

_SAVEPOINT_PREFIX = f"{RESERVED_PREFIX}tx_{secrets.token_hex(4)}_"
_CRITICAL_CODES = frozenset({sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOMEM})
_WAL_CHECKPOINT_BYTES = 8 * 1024 * 1024


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


class Storage:
    """Storage of one Durable Object: `sql`, the key-value API, `transaction_sync`, and alarms."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        durability: str = "process",
        group_commit: GroupCommit | None = None,
        budget: ConnectionBudget | None = None,
        template: DatabaseTemplate | None = None,
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
        self.on_committed: Callable[[Storage, int], None] | None = None
        """Told after each commit how many rows it changed (the host sets it while someone listens)."""
        self._changes_at_commit = 0
        self.commit_checks: list[Callable[[sqlite3.Connection], None]] = []
        """Run inside every commit's transaction, just before COMMIT, with the connection (runtime tables
        readable): one raising `StorageError` aborts the commit and every write of it is rolled back.
        The cluster's lease fencing uses it."""
        self.change_log: ObjectLog | None = None
        """Set at activation when the runtime ships a change log: captures each commit after it is made."""
        self._budget = budget
        self._template = template
        self.known_tables: frozenset[str] | None = None
        """The tables of a database file this storage created (from its template), until the schema
        changes: `table_exists` answers from it without a query. None when unknown."""
        self.thread_lock = threading.RLock()
        """Held by code using this storage from another thread (the fsspec adapter) and by `close()`."""
        self.conn: sqlite3.Connection | None = None
        """The open SQLite connection, None while closed (`connection()` opens it)."""
        self._closing: Future[None] | None = None
        self._wal_fd: int | None = None
        self._wal_folder_unsynced = False
        self._normal_after_commit = False
        self.dirty = False
        """Whether there are writes not yet committed (set by the statements, cleared by the commit)."""
        self.output_gate = OutputGate()
        """Holds what follows a write until the write is durable (see `commit_waiter`)."""
        self._internal = False
        # Told of every rollback below (`forget`), so kept through transaction_sync blocks.
        self._kv_table = LazyTable(self, KV_TABLE, create=self._create_kv, remember_in_blocks=True)
        self._savepoint_depth = 0
        self.firing_alarm_generation: int | None = None
        """While `alarm()` runs: the generation of the alarm being handled (`get_alarm` hides it)."""
        self.broken: StorageError | None = None
        """Set by a critical SQL error (disk full, I/O error, corruption, out of memory): every write
        not yet committed was rolled back and every later call raises this; the host resets the object."""
        self.closed = False

    # -- connection ---------------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """The open SQLite connection, opened (and admitted by the connection budget) if closed."""
        conn = self.conn
        if conn is not None:
            return conn
        if self.broken is not None:
            raise self.broken
        if self.closed:
            raise StorageError(f"Storage {self.path.name} is closed")
        self._finish_closing()
        if self._budget is not None:
            self._budget.admit(self)
        self.conn = conn = self._open()
        return conn

    def _open(self) -> sqlite3.Connection:
        fresh = create_wal_database(self.path, self._template)
        template = self._template
        self.known_tables = None if not fresh else template.tables if template is not None else frozenset()
        power = self.durability == "power"
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, cached_statements=64)
        try:
            # Exclusive locking before WAL keeps the WAL index in heap memory: no -shm file, one fd less.
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            # Until the first commit, skip the fsyncs of the WAL switch and of the new WAL header:
            # they guard nothing acknowledged yet (the next checkpoint syncs the WAL before using
            # it), and they would block the event loop. Power mode syncs the file and folder itself.
            conn.execute("PRAGMA synchronous=OFF")
            if not fresh:
                # A new file is written in WAL mode already; an older one may not be.
                conn.execute("PRAGMA journal_mode=WAL")
            if fresh and power:
                _fsync_path(self.path)
                _fsync_path(self.path.parent)
            self._normal_after_commit = not power
            if power:
                # Checkpoints run from the group commit with synchronous=FULL (see _checkpoint).
                conn.execute("PRAGMA wal_autocheckpoint=0")
            conn.execute(self.sql.foreign_keys_pragma())
            conn.execute("PRAGMA cache_size=-1024")
            conn.set_authorizer(self.sql.authorize)
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        """Commit what is pending and close the SQLite connection (reopened on next use unless closed)."""
        self.release_connection()
        self.closed = True

    def abandon(self) -> None:
        """Close after a failed commit: what was pending is gone (rolled back), nothing is retried."""
        self.dirty = False
        self.close()

    def release_connection(self, *, background: bool = False) -> None:
        """Commit and close the connection; the next storage call reopens it.

        With `background`, the close itself (SQLite's closing checkpoint and its syncs) runs on the
        connection budget's closer thread; until it is done the database file is still held, and
        the next open, release or close of this storage waits for it. Without, the file is closed on
        return."""
        with self.thread_lock:
            self._release_connection(background=background)
            if not background:
                self._finish_closing()

    def _finish_closing(self) -> None:
        closing = self._closing
        if closing is not None:
            self._closing = None
            closing.result()

    def _release_connection(self, *, background: bool = False) -> None:
        conn = self.conn
        if conn is None:
            return
        if self.dirty:
            self.commit()
        if conn.in_transaction:
            self.commit_now()
        if self._wal_fd is not None:
            os.close(self._wal_fd)
            self._wal_fd = None
        if self.durability == "power":
            self._internal_pragma("PRAGMA synchronous=FULL")
        self.conn = None
        self._kv_table.forget()
        if background and self._budget is not None:
            self._closing = self._budget.closer.close(conn)
        else:
            conn.close()
        if self._budget is not None:
            self._budget.forget(self)

    @property
    def blob_root(self) -> Path:
        """A folder beside the database for content too large for it (fsx and gitx blobs)."""
        return self.path.with_suffix(".blobs")

    @property
    def shipped_blobs(self) -> tuple[Any, str] | None:
        """Where large content goes when the object's commits are shipped to object storage: an obstore
        store and a key prefix beside the object's change log, so whoever rebuilds the object from the
        log finds it too. None: the object ships no log; large content goes in `blob_root`."""
        if self.change_log is None:
            return None
        return self.change_log.blob_home

    @property
    def blob_retention(self) -> float:
        """Seconds large content no longer referenced is kept, so that a point-in-time restore within
        the change log's retention finds it (0: the object ships no log, garbage may go at once)."""
        return 0.0 if self.change_log is None else self.change_log.change_log.retention

    @property
    def is_open(self) -> bool:
        """Whether a SQLite connection is open right now."""
        return self.conn is not None

    @property
    def running_internal(self) -> bool:
        """Whether the statement being compiled is the runtime's own (the SQL policy does not apply)."""
        return self._internal

    @property
    def in_sqlite_transaction(self) -> bool:
        """Whether the connection is open and inside a transaction."""
        conn = self.conn
        return conn is not None and conn.in_transaction

    def _internal_pragma(self, statement: str) -> Any:
        self._internal = True
        try:
            return self.connection().execute(statement).fetchall()
        finally:
            self._internal = False

    # -- statements ---------------------------------------------------------------------------

    def begin(self) -> None:
        """Open the transaction the next writes join (the group commit commits it)."""
        self._internal = True
        try:
            self.connection().execute("BEGIN")
        finally:
            self._internal = False

    def note_write(self) -> None:
        """A statement wrote: the group commit will commit this storage."""
        if not self.dirty:
            self._mark_dirty()

    def check_critical(self, exc: sqlite3.DatabaseError) -> None:
        """After a failed statement: a critical error (disk full, I/O, corruption, memory) breaks the storage."""
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in _CRITICAL_CODES:
            self._break(exc)

    def run_internal(self, query: str, params: Iterable[Any] = (), *, write: bool = False) -> list[tuple[Any, ...]]:
        """An internal statement (KV, timers): no statement checks, explicit write flag."""
        conn = self.conn or self.connection()
        if write and not conn.in_transaction:
            self.begin()
        self._internal = True
        try:
            rows = conn.execute(query, tuple(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            self.check_critical(exc)
            raise
        finally:
            self._internal = False
        if write and not self.dirty:
            self._mark_dirty()
        return rows

    def run_many_internal(self, query: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """An internal write run once per row of `rows`, in one statement batch."""
        conn = self.conn or self.connection()
        if not conn.in_transaction:
            self.begin()
        self._internal = True
        try:
            conn.executemany(query, rows)
        except sqlite3.DatabaseError as exc:
            self.check_critical(exc)
            raise
        finally:
            self._internal = False
        if not self.dirty:
            self._mark_dirty()

    def _break(self, exc: sqlite3.DatabaseError) -> None:
        """A critical SQL error: roll back everything uncommitted, fail its waiters, ask for a reset."""
        self.broken = StorageError(
            f"{exc}: a critical SQL error; every write not yet committed was rolled back, and the object "
            "is reset to its last commit"
        )
        self.broken.__cause__ = exc
        conn, self.conn = self.conn, None
        if conn is not None:
            self._internal = True
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the connection is closed next; SQLite rolls back what it could not
            finally:
                self._internal = False
            conn.close()
        if self._wal_fd is not None:
            os.close(self._wal_fd)
            self._wal_fd = None
        if self._budget is not None:
            self._budget.forget(self)
        self.dirty = False
        self._kv_table.forget()
        self.timers.forget_schema()
        self.output_gate.fail(self.broken)
        if self.on_commit_failed is not None:
            self.on_commit_failed(self, self.broken)

    def rename_legacy_table(self, old: str, new: str) -> bool:
        """Rename `old`, a table an earlier dotdo kept under the reserved `_dotdo_` prefix, to `new`.

        User SQL can neither reach nor rename such a table; a layer that owned one moves it into its
        own namespace with this. False if `old` does not exist.
        """
        if not is_reserved(old) or is_reserved(new):
            raise ValueError(f"rename_legacy_table moves a {RESERVED_PREFIX} table out of that prefix, not {old!r}")
        if not self.table_exists(old):
            return False
        self.run_internal(f"ALTER TABLE {_quoted(old)} RENAME TO {_quoted(new)}", write=True)
        return True

    def table_exists(self, name: str) -> bool:
        """Whether a table of that name exists in this database."""
        if self.conn is None:
            self.connection()
        known = self.known_tables
        if known is not None:
            return name in known
        rows = self.run_internal("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return bool(rows)

    def known_table(self, name: str) -> bool:
        """Whether the table came with the template this activation created the database from (and no
        schema change happened since): it exists, and no rollback can take it away."""
        known = self.known_tables
        return known is not None and name in known

    def schema_changed(self) -> None:
        """A statement creates, drops or alters something: `table_exists` asks the database again."""
        self.known_tables = None

    # -- transactions and commits ---------------------------------------------------------------

    def transaction_sync(self, fn: Callable[[], T]) -> T:
        """Run `fn()` (synchronous) all-or-nothing: if it raises, none of its writes remain."""
        conn = self.conn or self.connection()
        if not conn.in_transaction:
            self.begin()
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
            if self.broken is not None:
                # A critical error already rolled back the whole transaction, this block included.
                self._savepoint_depth -= 1
                raise
            self._internal = True
            try:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            finally:
                self._internal = False
                self._savepoint_depth -= 1
            # Tables created inside the rolled-back block are gone too, and so are its timers.
            self._kv_table.forget()
            self.timers.forget_schema()
            self.notify_timers_changed()
            raise
        if self.broken is not None:
            self._savepoint_depth -= 1
            raise StorageError(
                "Cannot commit transaction_sync after a critical SQL error inside it; nothing it wrote was kept"
            ) from self.broken
        self._internal = True
        try:
            conn.execute(f"RELEASE {name}")
        finally:
            self._internal = False
            self._savepoint_depth -= 1
        # The outermost block hands its writes to the group commit (at once when no loop runs).
        if not self.dirty or self._savepoint_depth == 0:
            self._mark_dirty()
        return result

    def _mark_dirty(self) -> None:
        self.dirty = True
        self.group_commit.enqueue(self)

    def commit(self) -> None:
        """Commit now; on the event loop, with every other pending write of the group (alarm index first)."""
        if self.dirty and _loop_running():
            self.group_commit.flush()
        if self.dirty:
            self.group_commit.commit_one(self)

    @property
    def unsettled(self) -> bool:
        """Whether some write is not yet durable: uncommitted, or its fsync still running (power mode)."""
        return self.dirty or self.output_gate.syncing

    @property
    def in_transaction_block(self) -> bool:
        """Whether a `transaction_sync` block is running (its writes may still be rolled back)."""
        return self._savepoint_depth > 0

    def commit_now(self) -> None:
        """Commit the open transaction (the group commit calls this); a `transaction_sync` block defers it."""
        conn = self.conn
        self.dirty = False
        if conn is not None and conn.in_transaction:
            if self._savepoint_depth:
                # A transaction_sync block is still open (called from inside fn): commit it later.
                self.dirty = True
                return
            self._internal = True
            try:
                for check in self.commit_checks:
                    check(conn)
                conn.execute("COMMIT")
                if self._normal_after_commit:
                    self._normal_after_commit = False
                    conn.execute("PRAGMA synchronous=NORMAL")
            except (sqlite3.Error, StorageError) as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                # Tables created by the rolled-back writes are gone.
                self._kv_table.forget()
                self.timers.forget_schema()
                if isinstance(exc, sqlite3.IntegrityError):
                    raise StorageError(
                        f"constraints were violated at commit: {exc} (a deferred foreign key, see "
                        "PRAGMA defer_foreign_keys); every write of this commit was rolled back"
                    ) from exc
                raise
            finally:
                self._internal = False
            if self.on_committed is not None:
                self._report_commit(self.on_committed, conn.total_changes)

    def _report_commit(self, report: Callable[[Storage, int], None], changes: int) -> None:
        # A reopened connection counts from zero again.
        before = self._changes_at_commit if changes >= self._changes_at_commit else 0
        self._changes_at_commit = changes
        report(self, changes - before)

    @property
    def wal_folder_unsynced(self) -> bool:
        """Whether the WAL file is new and its folder entry still needs an fsync (power durability)."""
        return self._wal_folder_unsynced

    def wal_folder_synced(self) -> None:
        """The WAL file's folder was fsynced."""
        self._wal_folder_unsynced = False

    def commit_waiter(self) -> asyncio.Future[None] | None:
        """The output gate: a future that settles once every write made so far is durable, or None."""
        return self.output_gate.waiter(self.dirty, self.broken)

    async def settled(self) -> None:
        """Wait until every write made so far is committed (and fsynced in power mode)."""
        waiter = self.commit_waiter()
        if waiter is not None:
            await asyncio.shield(waiter)

    def wal_descriptor(self) -> int | None:
        """A descriptor of the WAL file for fsync (opened once), or None while there is no WAL file."""
        if self._wal_fd is None:
            try:
                self._wal_fd = os.open(f"{self.path}-wal", os.O_RDONLY)
            except FileNotFoundError:
                return None
            # A new WAL file's directory entry must reach the disk too (power mode).
            self._wal_folder_unsynced = True
        return self._wal_fd

    def checkpoint_if_large(self) -> None:
        """Fold the WAL back into the database once it has grown past a few megabytes."""
        conn = self.conn
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
        conn = self.connection()
        if self.dirty:
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
                conn.execute(f"DROP {'VIEW' if kind == 'view' else 'TABLE'} IF EXISTS {_quoted(name)}")
            conn.execute("COMMIT")
            conn.execute(self.sql.foreign_keys_pragma())
        finally:
            self._internal = False
        self.sql.forget_statements()
        self.schema_changed()
        self._kv_table.forget()
        self.timers.forget_schema()
        self.notify_timers_changed()
        if self.change_log is not None:
            self.change_log.capture()

    # -- bookmarks (point-in-time restore) -------------------------------------------------------

    def _object_log(self) -> ObjectLog:
        if self.change_log is None:
            raise StorageError(
                "Bookmarks need the change log: create the runtime with replicate_to= (a folder or s3:// URL) "
                'or durability="replicated"'
            )
        return self.change_log

    async def get_current_bookmark(self) -> str:
        """The bookmark of the object's latest commit (commit pending writes first)."""
        self.commit()
        return self._object_log().current_bookmark()

    async def get_bookmark_for_time(self, when: datetime | float) -> str:
        """The bookmark of the object's state at `when` (aware datetime or epoch seconds), within retention."""
        self.commit()
        return await self._object_log().bookmark_for_time(when)

    async def on_next_session_restore_bookmark(self, bookmark: str) -> str:
        """Restore the object to `bookmark` when it next activates; returns a bookmark that undoes the restore."""
        self.commit()
        return await self._object_log().restore_at_next_activation(bookmark)

    # -- key-value ----------------------------------------------------------------------------

    def _create_kv(self) -> None:
        # Checked first: the runtime's statements count as writes, and a read must not cost a commit.
        if not self.table_exists(KV_TABLE):
            self.run_internal(CREATE_KV_TABLE, write=True)

    @overload
    def get(self, key: str) -> Any: ...
    @overload
    def get(self, key: list[str] | tuple[str, ...]) -> dict[str, Any]: ...
    def get(self, key: str | list[str] | tuple[str, ...]) -> Any:
        """The value stored under `key` (None if absent), or a dict of the present keys, in key order."""
        self._kv_table.ensure()
        if isinstance(key, str):
            rows = self.run_internal(f"SELECT value FROM {KV_TABLE} WHERE key = ?", (key,))
            return decode_value(rows[0][0]) if rows else None
        keys = checked_keys(key)
        found: dict[str, Any] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for k, blob in self.run_internal(f"SELECT key, value FROM {KV_TABLE} WHERE key IN ({marks})", chunk):
                found[k] = decode_value(blob)
        return {k: found[k] for k in sorted(found)}

    def put(self, key: str | Mapping[str, Any], value: Any = None) -> None:
        """Store `value` under `key`, or every pair of a dict: all of them, or none if one is refused.

        Keys are strings of at most `MAX_KEY_BYTES` (2 KiB) in UTF-8; a value encodes to at most
        `MAX_VALUE_BYTES` (128 KiB). Both are checked before anything is written.
        """
        if isinstance(key, Mapping):
            pairs = [(checked_key(k), checked_value(k, v)) for k, v in key.items()]
            self._kv_table.ensure()
            self.run_many_internal(f"INSERT OR REPLACE INTO {KV_TABLE} (key, value) VALUES (?, ?)", pairs)
            return
        blob = checked_value(checked_key(key), value)
        self._kv_table.ensure()
        self.run_internal(f"INSERT OR REPLACE INTO {KV_TABLE} (key, value) VALUES (?, ?)", (key, blob), write=True)

    @overload
    def delete(self, key: str) -> bool: ...
    @overload
    def delete(self, key: list[str] | tuple[str, ...]) -> int: ...
    def delete(self, key: str | list[str] | tuple[str, ...]) -> bool | int:
        """Delete `key` (True if it existed), or a list of keys (how many existed)."""
        self._kv_table.ensure()
        conn = self.connection()
        before = conn.total_changes
        if isinstance(key, str):
            self.run_internal(f"DELETE FROM {KV_TABLE} WHERE key = ?", (key,), write=True)
            return conn.total_changes - before == 1
        keys = checked_keys(key)
        self.run_many_internal(f"DELETE FROM {KV_TABLE} WHERE key = ?", [(k,) for k in keys])
        return conn.total_changes - before

    def list(
        self,
        *,
        prefix: str | None = None,
        start: str | None = None,
        end: str | None = None,
        limit: int | None = None,
        reverse: bool = False,
        start_after: str | None = None,
    ) -> dict[str, Any]:
        """Pairs in key order (UTF-8 byte order): `start` inclusive (or `start_after` exclusive),
        `end` exclusive, `prefix`, `limit`, `reverse`."""
        query, params = list_query(
            prefix=prefix, start=start, end=end, limit=limit, reverse=reverse, start_after=start_after
        )
        self._kv_table.ensure()
        return {k: decode_value(v) for k, v in self.run_internal(query, params)}

    # -- alarms ---------------------------------------------------------------------------------

    def set_alarm(self, when: datetime | float) -> None:
        """Schedule `alarm()` at `when` (aware datetime or epoch seconds), replacing the previous alarm."""
        fire_at = to_epoch(when)
        # The payload keeps the time asked for: retries move fire_at, AlarmInfo.scheduled_time stays.
        self.timers.set(ALARM_TIMER_ID, fire_at, kind="alarm", payload=fire_at)

    def get_alarm(self) -> datetime | None:
        """When the alarm is set to fire (aware UTC datetime), or None.

        Inside `alarm()`, the alarm being handled is no longer pending: None, unless the handler
        set a new one.
        """
        timer = self.timers.get(ALARM_TIMER_ID)
        if timer is None or timer.generation == self.firing_alarm_generation:
            return None
        return datetime.fromtimestamp(timer.fire_at, UTC)

    def delete_alarm(self) -> None:
        """Cancel the alarm, if any."""
        self.timers.delete(ALARM_TIMER_ID)

    def notify_timers_changed(self) -> None:
        """Tell the host that this object's timers changed (it re-reads the earliest one)."""
        if self.on_timers_changed is not None:
            self.on_timers_changed(self)

    def __repr__(self) -> str:
        return f"Storage({self.path.name}, durability={self.durability!r})"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
