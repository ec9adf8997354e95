"""The rules user SQL is authorized by (the workerd-derived cases are in test_workerd_sql.py)."""

from __future__ import annotations

import sqlite3

import pytest

from dotdo.runtime.sql_policy import ALLOWED_PRAGMAS, denial, is_reserved


@pytest.mark.parametrize(
    ("name", "reserved"),
    [("_dotdo_kv", True), ("_DOTDO_x", True), ("_DoTdO_", True), ("_dotd", False), ("dotdo_kv", False), (None, False)],
)
def test_reserved_names_are_case_insensitive(name, reserved):
    assert is_reserved(name) is reserved


def test_every_allowed_pragma_can_be_read():
    for name, form in ALLOWED_PRAGMAS.items():
        refused = denial(sqlite3.SQLITE_PRAGMA, name, None, None)
        assert (refused is None) is (form != "object name"), name


def test_pragma_names_are_matched_in_any_case():
    assert denial(sqlite3.SQLITE_PRAGMA, "Foreign_Keys", "off", None) is None
    assert "not authorized" in denial(sqlite3.SQLITE_PRAGMA, "Hard_Heap_Limit", "1", None)


def test_cache_size_is_bounded():
    assert denial(sqlite3.SQLITE_PRAGMA, "cache_size", "-16384", None) is None
    assert denial(sqlite3.SQLITE_PRAGMA, "cache_size", "4096", None) is None
    assert "at most" in denial(sqlite3.SQLITE_PRAGMA, "cache_size", "-16385", None)
    assert "at most" in denial(sqlite3.SQLITE_PRAGMA, "cache_size", "4097", None)


def test_reads_of_user_tables_and_the_schema_are_allowed():
    assert denial(sqlite3.SQLITE_READ, "things", "id", "main") is None
    assert denial(sqlite3.SQLITE_READ, "sqlite_master", "name", "main") is None
    assert "_dotdo_kv" in denial(sqlite3.SQLITE_READ, "_dotdo_kv", "key", "main")
