"""The graph tables in an object's SQLite, created on first use and upgraded by numbered migrations.

`graph_schema` holds the version reached (named `_dotdo_graph_schema` before the runtime reserved
that prefix; `migrate` renames it). Each migration runs once, all-or-nothing, in order;
a database written by a newer dotdo (a higher version than `MIGRATIONS` knows) is refused rather
than misread.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from .errors import SchemaVersionError

if TYPE_CHECKING:
    from ..runtime.object_storage import ObjectStorage

T = TypeVar("T")

SCHEMA_TABLE = "graph_schema"
LEGACY_SCHEMA_TABLE = "_dotdo_graph_schema"

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE IF NOT EXISTS things (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            name TEXT,
            data TEXT,
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT,
            visibility TEXT NOT NULL DEFAULT 'private'
        );
        CREATE TABLE IF NOT EXISTS thing_versions (
            thing_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            type TEXT NOT NULL,
            name TEXT,
            data TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT,
            visibility TEXT NOT NULL,
            PRIMARY KEY (thing_id, version)
        );
        CREATE TABLE IF NOT EXISTS relationships (
            id TEXT PRIMARY KEY,
            from_id TEXT NOT NULL,
            to_id TEXT NOT NULL,
            type TEXT NOT NULL,
            data TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (from_id, type, to_id)
        );
        CREATE INDEX IF NOT EXISTS relationships_to ON relationships (to_id, type);
        CREATE TABLE IF NOT EXISTS graph_chunks (
            kind TEXT NOT NULL,
            owner TEXT NOT NULL,
            version INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            part TEXT NOT NULL,
            UNIQUE (kind, owner, version, seq)
        );
        """,
    ),
    (
        2,
        """
        CREATE INDEX IF NOT EXISTS things_type_name ON things (type, name);
        CREATE INDEX IF NOT EXISTS things_type_created ON things (type, created_at);
        """,
    ),
)

LATEST_VERSION = MIGRATIONS[-1][0]

_ready: weakref.WeakKeyDictionary[ObjectStorage, bool] = weakref.WeakKeyDictionary()


def schema_version(storage: ObjectStorage) -> int:
    """The graph schema version of this database (0: no graph tables yet)."""
    if not storage.table_exists(SCHEMA_TABLE):
        # A database of an earlier dotdo keeps the version under the old name until `migrate` runs.
        return 0
    row = storage.sql.exec(f"SELECT version FROM {SCHEMA_TABLE}").to_list()
    return int(row[0]["version"]) if row else 0


def migrate(storage: ObjectStorage, *, target: int = LATEST_VERSION) -> int:
    """Apply the migrations above the database's version up to `target`; return the version reached."""

    def run() -> int:
        storage.rename_legacy_table(LEGACY_SCHEMA_TABLE, SCHEMA_TABLE)
        storage.sql.exec(f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version INTEGER NOT NULL)")
        current = start = schema_version(storage)
        if current > LATEST_VERSION:
            raise SchemaVersionError(
                f"This object's graph tables are at schema version {current}, but this dotdo knows "
                f"versions up to {LATEST_VERSION}; upgrade dotdo to open it"
            )
        for version, script in MIGRATIONS:
            if current < version <= target:
                storage.sql.exec(script)
                current = version
        if current != start:
            storage.sql.exec(f"DELETE FROM {SCHEMA_TABLE}")
            storage.sql.exec(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES (?)", current)
        return current

    return storage.transaction_sync(run)


def ensure_schema(storage: ObjectStorage) -> None:
    """Create or upgrade the graph tables of `storage` once per storage object."""
    if _ready.get(storage):
        return
    if schema_version(storage) != LATEST_VERSION:
        migrate(storage)
    _ready[storage] = True


def with_schema(storage: ObjectStorage, fn: Callable[[], T]) -> T:
    """Run `fn` with the graph tables in place, recreating them if they were dropped (`delete_all`)."""
    ensure_schema(storage)
    try:
        return fn()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        _ready.pop(storage, None)
        ensure_schema(storage)
        return fn()
