"""The fsx tables: created lazily, prefixed `fsx_`, with the root directory as inode 1."""

from __future__ import annotations

import pytest

from dotdo.primitives.fsx import SyncFileSystem
from dotdo.primitives.fsx.schema import ROOT_INO, SCHEMA_VERSION, ensure_schema
from dotdo.runtime.storage import Storage


def tables(storage: Storage) -> list[str]:
    rows = storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [row["name"] for row in rows]


def test_tables_are_created_on_first_use_only(storage: Storage) -> None:
    fs = SyncFileSystem(storage)
    assert not [t for t in tables(storage) if t.startswith("fsx_")]
    fs.listdir("/")
    fsx_tables = [t for t in tables(storage) if t.startswith("fsx_")]
    assert fsx_tables == ["fsx_blobs", "fsx_chunks", "fsx_dentries", "fsx_extents", "fsx_inodes", "fsx_meta"]
    root = storage.sql.exec("SELECT ino, nlink FROM fsx_inodes WHERE ino = ?", ROOT_INO).one()
    assert root == {"ino": ROOT_INO, "nlink": 2}


def test_directories_are_rows_queryable_with_sql(storage: Storage) -> None:
    fs = SyncFileSystem(storage)
    fs.mkdir("/d")
    fs.write("/d/f", "x")
    rows = storage.sql.exec(
        "SELECT d.name, i.size FROM fsx_dentries d JOIN fsx_inodes i ON i.ino = d.ino "
        "WHERE d.parent = (SELECT ino FROM fsx_dentries WHERE parent = ? AND name = 'd')",
        ROOT_INO,
    ).to_list()
    assert rows == [{"name": "f", "size": 1}]


def test_ensure_schema_is_idempotent_and_refuses_newer_versions(storage: Storage) -> None:
    ensure_schema(storage)
    ensure_schema(storage)
    storage.sql.exec("UPDATE fsx_meta SET value = ? WHERE key = 'version'", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="upgrade dotdo"):
        ensure_schema(storage)
