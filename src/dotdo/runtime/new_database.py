"""A brand-new object's SQLite file, written directly in WAL mode.

Switching a new, empty file to WAL costs SQLite a rollback journal created and deleted around the
write of the first page; writing that page ourselves, byte for byte what SQLite writes at that
switch, makes a new object's file in one `open` and one `write`.

A class whose objects always create the same tables (workflow instances: their journal and timer
tables) declares them, and its new files are written from a template image that holds them
already: creating tables one by one makes SQLite re-read its schema after each, which costs more
than everything else a short-lived object does in its database.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import struct
from collections.abc import Sequence
from pathlib import Path

PAGE_SIZE = 4096
_HEADER = struct.Struct(">16sHBBBBBBIIIIIIIIIIII20sII")
_WAL_FORMAT = 2
"""File format read/write versions of a WAL database (1 is the rollback journal)."""


def _empty_wal_page() -> bytes:
    """Page 1 of an empty database in WAL mode, as SQLite writes it when `journal_mode=WAL` is set."""
    major, minor, patch = sqlite3.sqlite_version_info
    header = _HEADER.pack(
        b"SQLite format 3\x00",
        PAGE_SIZE,
        _WAL_FORMAT,
        _WAL_FORMAT,
        0,  # reserved bytes per page
        64,  # payload fractions: fixed by the file format
        32,
        32,
        1,  # file change counter
        1,  # pages in the database
        0,  # first freelist trunk page
        0,  # freelist pages
        0,  # schema cookie
        0,  # schema format: set by the first CREATE
        0,  # default page cache size
        0,  # largest root page (no auto-vacuum)
        0,  # text encoding: set by the first CREATE (UTF-8)
        0,  # user_version
        0,  # incremental vacuum
        0,  # application_id
        bytes(20),
        1,  # version-valid-for: equals the change counter
        major * 1_000_000 + minor * 1_000 + patch,
    )
    # The schema table's root: an empty leaf table b-tree page whose content area starts at the end.
    schema_root = struct.pack(">BHHHB", 0x0D, 0, 0, PAGE_SIZE, 0)
    page = header + schema_root
    return page + bytes(PAGE_SIZE - len(page))


EMPTY_WAL_DATABASE = _empty_wal_page()


class DatabaseTemplate:
    """What a new database starts with: the tables (and indexes) its DDL creates, as a file image.

    Built once per distinct DDL (see `database_template`); `tables` names the tables it holds.
    """

    __slots__ = ("image", "tables")

    def __init__(self, ddl: Sequence[str]) -> None:
        if not ddl:
            self.tables: frozenset[str] = frozenset()
            self.image = EMPTY_WAL_DATABASE
            return
        conn = sqlite3.connect(":memory:", isolation_level=None)
        try:
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
            for statement in ddl:
                conn.execute(statement)
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            self.tables = frozenset(name for (name,) in rows)
            image = bytearray(conn.serialize())
        finally:
            conn.close()
        # The file format's read/write versions say "WAL", as the switch to WAL writes them.
        image[18] = image[19] = _WAL_FORMAT
        self.image = bytes(image)


EMPTY_TEMPLATE = DatabaseTemplate(())
"""A new database with no tables (written as `EMPTY_WAL_DATABASE`)."""


@functools.lru_cache(maxsize=64)
def database_template(ddl: tuple[str, ...]) -> DatabaseTemplate:
    """The template of databases created with the statements `ddl` (one per distinct tuple)."""
    return DatabaseTemplate(ddl) if ddl else EMPTY_TEMPLATE


def create_wal_database(path: Path, template: DatabaseTemplate | None = None) -> bool:
    """Create `path` as a WAL-mode database (and its folder), empty or as `template`; False if it
    already exists.

    A write that fails (disk full) removes the file, so a later attempt starts over.
    """
    image = EMPTY_WAL_DATABASE if template is None else template.image
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return create_wal_database(path, template)
    try:
        written = os.write(fd, image)
        if written != len(image):
            raise OSError(f"short write creating {path}: {written} of {len(image)} bytes")
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
    return True
