"""Inodes and directory entries: the rows behind every file, directory and symlink."""

from __future__ import annotations

import stat
import time
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

_COLUMNS = "ino, mode, uid, gid, nlink, size, atime, mtime, ctime, birthtime, target, blob"
_JOINED = ", ".join(f"i.{column.strip()}" for column in _COLUMNS.split(","))
_UPDATABLE = frozenset({"mode", "uid", "gid", "nlink", "size", "atime", "mtime", "ctime", "target", "blob"})


class Inode(NamedTuple):
    """One row of `fsx_inodes` (times in nanoseconds since the epoch)."""

    ino: int
    mode: int
    uid: int
    gid: int
    nlink: int
    size: int
    atime: int
    mtime: int
    ctime: int
    birthtime: int
    target: str | None
    blob: str | None

    @property
    def is_dir(self) -> bool:
        """Whether this is a directory."""
        return stat.S_ISDIR(self.mode)

    @property
    def is_file(self) -> bool:
        """Whether this is a regular file."""
        return stat.S_ISREG(self.mode)

    @property
    def is_symlink(self) -> bool:
        """Whether this is a symbolic link."""
        return stat.S_ISLNK(self.mode)


class InodeTable:
    """Reads and writes `fsx_inodes` and `fsx_dentries` (callers hold the transaction)."""

    def __init__(self, storage: ObjectStorage) -> None:
        self._sql = storage.sql

    def get(self, ino: int) -> Inode | None:
        """The inode `ino`, or None."""
        rows = list(self._sql.exec(f"SELECT {_COLUMNS} FROM fsx_inodes WHERE ino = ?", ino).raw())
        return Inode(*rows[0]) if rows else None

    def lookup(self, parent: int, name: str) -> int | None:
        """The inode number of entry `name` in directory `parent`, or None."""
        rows = list(self._sql.exec("SELECT ino FROM fsx_dentries WHERE parent = ? AND name = ?", parent, name).raw())
        return rows[0][0] if rows else None

    def child(self, parent: int, name: str) -> Inode | None:
        """The inode entry `name` of directory `parent` points at, or None (one query)."""
        rows = list(
            self._sql.exec(
                f"SELECT {_JOINED} FROM fsx_dentries d JOIN fsx_inodes i ON i.ino = d.ino "
                "WHERE d.parent = ? AND d.name = ?",
                parent,
                name,
            ).raw()
        )
        return Inode(*rows[0]) if rows else None

    def parent_of(self, ino: int) -> int | None:
        """The directory holding directory `ino` (directories have exactly one entry)."""
        rows = list(self._sql.exec("SELECT parent FROM fsx_dentries WHERE ino = ? LIMIT 1", ino).raw())
        return rows[0][0] if rows else None

    def entry_of(self, ino: int) -> tuple[int, str] | None:
        """(parent, name) of one entry pointing at `ino` (the only one for a directory)."""
        rows = list(self._sql.exec("SELECT parent, name FROM fsx_dentries WHERE ino = ? LIMIT 1", ino).raw())
        return (rows[0][0], rows[0][1]) if rows else None

    def entries(self, parent: int) -> list[tuple[str, int]]:
        """(name, inode number) of every entry of directory `parent`, sorted by name."""
        rows = self._sql.exec("SELECT name, ino FROM fsx_dentries WHERE parent = ? ORDER BY name", parent).raw()
        return [(name, ino) for name, ino in rows]

    def entries_with_inodes(self, parent: int) -> list[tuple[str, Inode]]:
        """(name, inode) of every entry of directory `parent`, sorted by name, in one query."""
        rows = self._sql.exec(
            f"SELECT d.name, {_JOINED} FROM fsx_dentries d JOIN fsx_inodes i ON i.ino = d.ino "
            "WHERE d.parent = ? ORDER BY d.name",
            parent,
        ).raw()
        return [(row[0], Inode(*row[1:])) for row in rows]

    def subdirectories(self, parent: int) -> list[tuple[str, int]]:
        """(name, inode number) of the directories in directory `parent`, sorted by name.

        Filtered in SQL, so walking a tree never loads the entries of its files.
        """
        rows = self._sql.exec(
            "SELECT d.name, d.ino FROM fsx_dentries d JOIN fsx_inodes i ON i.ino = d.ino "
            "WHERE d.parent = ? AND (i.mode & ?) = ? ORDER BY d.name",
            parent,
            stat.S_IFMT(0o170000),
            stat.S_IFDIR,
        ).raw()
        return [(name, ino) for name, ino in rows]

    def has_entries(self, parent: int) -> bool:
        """Whether directory `parent` has any entry."""
        return bool(list(self._sql.exec("SELECT 1 FROM fsx_dentries WHERE parent = ? LIMIT 1", parent).raw()))

    def create(self, mode: int, *, nlink: int, target: str | None = None, size: int = 0) -> int:
        """A new inode; returns its number."""
        now = time.time_ns()
        rows = self._sql.exec(
            "INSERT INTO fsx_inodes (mode, nlink, size, atime, mtime, ctime, birthtime, target) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ino",
            mode,
            nlink,
            size,
            now,
            now,
            now,
            now,
            target,
        ).raw()
        return next(rows)[0]

    def update(self, ino: int, **fields: Any) -> None:
        """Set columns of inode `ino`."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"Unknown inode columns: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self._sql.exec(f"UPDATE fsx_inodes SET {assignments} WHERE ino = ?", *fields.values(), ino)

    def touch(self, ino: int) -> None:
        """Set mtime and ctime of `ino` to now (its contents or entries changed)."""
        now = time.time_ns()
        self._sql.exec("UPDATE fsx_inodes SET mtime = ?, ctime = ? WHERE ino = ?", now, now, ino)

    def change_links(self, ino: int, delta: int) -> None:
        """Add `delta` to the link count of `ino` (and set its ctime)."""
        self._sql.exec("UPDATE fsx_inodes SET nlink = nlink + ?, ctime = ? WHERE ino = ?", delta, time.time_ns(), ino)

    def delete(self, ino: int) -> None:
        """Remove the inode row (its contents must be released first)."""
        self._sql.exec("DELETE FROM fsx_inodes WHERE ino = ?", ino)

    def add_entry(self, parent: int, name: str, ino: int) -> None:
        """Add entry `name` -> `ino` to directory `parent`."""
        self._sql.exec("INSERT INTO fsx_dentries (parent, name, ino) VALUES (?, ?, ?)", parent, name, ino)

    def set_entry(self, parent: int, name: str, ino: int) -> None:
        """Point entry `name` of directory `parent` at `ino` (replacing it)."""
        self._sql.exec("UPDATE fsx_dentries SET ino = ? WHERE parent = ? AND name = ?", ino, parent, name)

    def remove_entry(self, parent: int, name: str) -> None:
        """Remove entry `name` from directory `parent`."""
        self._sql.exec("DELETE FROM fsx_dentries WHERE parent = ? AND name = ?", parent, name)

    def orphans(self) -> list[int]:
        """Inodes no entry points at (staging inodes of interrupted writes, unlinked open files)."""
        rows = self._sql.exec("SELECT ino FROM fsx_inodes WHERE nlink <= 0").raw()
        return [ino for (ino,) in rows]
