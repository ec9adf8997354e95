"""Graph tables: created lazily, upgraded by numbered migrations, newer schemas refused."""

from __future__ import annotations

import sqlite3

import pytest

from dotdo.graph import SchemaVersionError, Things
from dotdo.graph.schema import LATEST_VERSION, LEGACY_SCHEMA_TABLE, SCHEMA_TABLE, migrate, schema_version
from dotdo.runtime.storage import Storage


def test_tables_are_created_on_first_use_only(storage: Storage) -> None:
    things = Things(storage)
    assert not storage.table_exists("things")
    things.count()
    assert storage.table_exists("things") and storage.table_exists("relationships")
    assert schema_version(storage) == LATEST_VERSION


def test_an_older_schema_is_upgraded_and_keeps_its_rows(storage: Storage) -> None:
    assert migrate(storage, target=1) == 1
    storage.sql.exec(
        "INSERT INTO things (id, type, name, data, version, created_at, updated_at, visibility) "
        "VALUES ('old', 'Customer', 'Old', '{\"a\":1}', 1, '2024-01-01T00:00:00.000000Z', "
        "'2024-01-01T00:00:00.000000Z', 'private')"
    )
    index_names = {row["name"] for row in storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "things_type_name" not in index_names
    things = Things(storage)
    assert things.get("old").data == {"a": 1}
    assert schema_version(storage) == LATEST_VERSION
    index_names = {row["name"] for row in storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "things_type_name" in index_names


def test_a_newer_schema_is_refused(tmp_path) -> None:
    storage = Storage(tmp_path / "newer.sqlite")
    migrate(storage)
    storage.sql.exec(f"UPDATE {SCHEMA_TABLE} SET version = ?", LATEST_VERSION + 1)
    with pytest.raises(SchemaVersionError, match="upgrade dotdo"):
        Things(storage).count()
    storage.close()


def test_a_database_with_the_old_schema_table_name_is_migrated(tmp_path) -> None:
    """Before the runtime reserved `_dotdo_`, the version lived in `_dotdo_graph_schema`: it is renamed."""
    path = tmp_path / "legacy.sqlite"
    storage = Storage(path)
    assert migrate(storage, target=1) == 1
    storage.close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"ALTER TABLE {SCHEMA_TABLE} RENAME TO {LEGACY_SCHEMA_TABLE}")
    raw.close()
    storage = Storage(path)
    assert Things(storage).count() == 0
    assert schema_version(storage) == LATEST_VERSION
    assert not storage.table_exists(LEGACY_SCHEMA_TABLE)
    assert storage.sql.exec(f"SELECT version FROM {SCHEMA_TABLE}").one() == {"version": LATEST_VERSION}
    storage.close()
