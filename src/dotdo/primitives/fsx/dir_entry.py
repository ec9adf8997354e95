"""`FsDirEntry`: what `scandir` yields, shaped like `os.DirEntry`."""

from __future__ import annotations

from os import stat_result
from typing import TYPE_CHECKING

from .inodes import Inode
from .stat_result import stat_result as make_stat

if TYPE_CHECKING:
    from .sync_filesystem import SyncFileSystem


class FsDirEntry:
    """One directory entry: `name`, `path`, `is_dir()`, `is_file()`, `is_symlink()`, `stat()`, `inode()`."""

    __slots__ = ("_fs", "_inode", "name", "path")

    def __init__(self, fs: SyncFileSystem, name: str, path: str, inode: Inode) -> None:
        self._fs = fs
        self._inode = inode
        self.name = name
        self.path = path

    def inode(self) -> int:
        """The inode number of the entry."""
        return self._inode.ino

    def is_symlink(self) -> bool:
        """Whether the entry is a symbolic link."""
        return self._inode.is_symlink

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        """Whether the entry is (or, following symlinks, leads to) a directory."""
        if self._inode.is_symlink and follow_symlinks:
            return self._fs.is_dir(self.path)
        return self._inode.is_dir

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        """Whether the entry is (or, following symlinks, leads to) a regular file."""
        if self._inode.is_symlink and follow_symlinks:
            return self._fs.is_file(self.path)
        return self._inode.is_file

    def stat(self, *, follow_symlinks: bool = True) -> stat_result:
        """The entry's `os.stat_result`."""
        if self._inode.is_symlink and follow_symlinks:
            return self._fs.stat(self.path)
        return make_stat(self._inode)

    def __fspath__(self) -> str:
        return self.path

    def __repr__(self) -> str:
        return f"<FsDirEntry {self.name!r}>"
