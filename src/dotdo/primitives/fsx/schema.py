"""The fsx tables in the object's SQLite database, created on first use.

- `fsx_inodes`: one row per file, directory or symlink (POSIX metadata; `target` for symlinks,
  `blob` when the contents live in the blob store).
- `fsx_dentries`: (parent inode, name) -> inode; listing a directory is one indexed query.
- `fsx_chunks`: content-addressed chunks (sha256 -> bytes, reference count), stored once.
- `fsx_extents`: which chunk holds bytes [index * CHUNK_SIZE, ...) of an inode's contents.
- `fsx_blobs`: blobs of the warm/cold tier referenced by inodes (reference count, tier).
- `fsx_meta`: schema version and the bytes in use (for the quota).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

SCHEMA_VERSION = 1
ROOT_INO = 1
CHUNK_SIZE = 64 * 1024
UMASK = 0o022  # applied to the mode of every file and directory created

_TABLES = """
CREATE TABLE IF NOT EXISTS fsx_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fsx_inodes (
    ino INTEGER PRIMARY KEY,
    mode INTEGER NOT NULL,
    uid INTEGER NOT NULL DEFAULT 0,
    gid INTEGER NOT NULL DEFAULT 0,
    nlink INTEGER NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    atime INTEGER NOT NULL,
    mtime INTEGER NOT NULL,
    ctime INTEGER NOT NULL,
    birthtime INTEGER NOT NULL,
    target TEXT,
    blob TEXT
);
CREATE TABLE IF NOT EXISTS fsx_dentries (
    parent INTEGER NOT NULL,
    name TEXT NOT NULL,
    ino INTEGER NOT NULL,
    PRIMARY KEY (parent, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fsx_dentries_ino ON fsx_dentries (ino);
CREATE TABLE IF NOT EXISTS fsx_chunks (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    refs INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS fsx_extents (
    ino INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    PRIMARY KEY (ino, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fsx_blobs (
    hash TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    refs INTEGER NOT NULL,
    tier TEXT NOT NULL
) WITHOUT ROWID;
"""


META_TABLE = "fsx_meta"
"""The table whose presence says the fsx tables exist (it holds their version)."""


def ensure_schema(storage: ObjectStorage) -> None:
    """Create the fsx tables and the root directory if this object has none yet (idempotent)."""
    cursor = storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'fsx_meta'")
    if cursor.to_list():
        version = storage.sql.exec("SELECT value FROM fsx_meta WHERE key = 'version'").to_list()
        if version and version[0]["value"] > SCHEMA_VERSION:
            raise RuntimeError(
                f"This object's fsx tables are version {version[0]['value']}, newer than this dotdo "
                f"({SCHEMA_VERSION}); upgrade dotdo to open them"
            )
        return

    def create() -> None:
        storage.sql.exec(_TABLES)
        now = time.time_ns()
        storage.sql.exec(
            "INSERT OR IGNORE INTO fsx_inodes (ino, mode, nlink, atime, mtime, ctime, birthtime) "
            "VALUES (?, ?, 2, ?, ?, ?, ?)",
            ROOT_INO,
            0o040755,
            now,
            now,
            now,
            now,
        )
        storage.sql.exec("INSERT OR IGNORE INTO fsx_meta (key, value) VALUES ('version', ?)", SCHEMA_VERSION)
        storage.sql.exec("INSERT OR IGNORE INTO fsx_meta (key, value) VALUES ('used_bytes', 0)")

    storage.transaction_sync(create)
