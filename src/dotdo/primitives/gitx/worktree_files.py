"""The files of a working tree, behind one small interface: an fsx folder or a host directory.

Paths are repository-relative POSIX strings (`src/app.py`). Every path is checked before it is
touched, so a hostile tree entry or argument (`../x`, `/etc/passwd`, `.git/hooks/x`) never reaches
the filesystem.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from .errors import BadObjectError
from .fsck import is_dotgit

_FORBIDDEN_PARTS = frozenset({"", ".", "..", ".git"})


def check_worktree_path(path: str) -> str:
    """The normalised relative path, or BadObjectError if it could escape the working tree."""
    if not isinstance(path, str):
        raise TypeError(f"A working-tree path is a str, not {type(path).__name__}")
    if path.startswith("/") or "\x00" in path:
        raise BadObjectError(f"Path {path!r} must be relative to the working tree (no leading '/', no NUL)")
    parts = path.split("/")
    for part in parts:
        if part in _FORBIDDEN_PARTS or is_dotgit(part.encode("utf-8", "surrogateescape")):
            raise BadObjectError(
                f"Path {path!r} is not allowed: a working-tree path has no empty, '.', '..' or '.git' parts "
                "(nor a spelling some filesystem reads as .git, like '.git.' or 'git~1')"
            )
    return "/".join(parts)


class WorktreeFiles(Protocol):
    """What gitx needs from a working tree."""

    def read(self, path: str) -> bytes:
        """The bytes of a file; FileNotFoundError when absent."""
        ...

    def write(self, path: str, data: bytes, *, executable: bool = False) -> None:
        """Create or replace a file, creating its parent folders."""
        ...

    def remove(self, path: str) -> None:
        """Delete a file (absent is fine) and the folders it leaves empty."""
        ...

    def exists(self, path: str) -> bool:
        """Whether a file exists at `path`."""
        ...

    def is_executable(self, path: str) -> bool:
        """Whether the file has its executable bit set."""
        ...

    def walk(self) -> Iterator[str]:
        """Every file of the working tree, as relative paths."""
        ...


class HostDirectoryFiles:
    """A working tree in a directory of the host filesystem."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _full(self, path: str) -> Path:
        return self.root / check_worktree_path(path)

    def read(self, path: str) -> bytes:
        """The bytes of a file."""
        return self._full(path).read_bytes()

    def write(self, path: str, data: bytes, *, executable: bool = False) -> None:
        """Create or replace a file."""
        full = self._full(path)
        full.parent.mkdir(parents=True, exist_ok=True)
        if full.is_dir() and not full.is_symlink():
            raise IsADirectoryError(f"Cannot write file {path!r}: a folder of that name exists")
        full.write_bytes(data)
        full.chmod(0o755 if executable else 0o644)

    def remove(self, path: str) -> None:
        """Delete a file and the folders it leaves empty."""
        full = self._full(path)
        try:
            full.unlink()
        except FileNotFoundError:
            return
        parent = full.parent
        while parent != self.root and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    def exists(self, path: str) -> bool:
        """Whether a file exists."""
        return self._full(path).is_file()

    def is_executable(self, path: str) -> bool:
        """Whether the file is executable by its owner."""
        return bool(self._full(path).stat().st_mode & stat.S_IXUSR)

    def walk(self) -> Iterator[str]:
        """Every file under the root, sorted per folder."""
        for folder, dirs, files in os.walk(self.root):
            dirs.sort()
            rel = os.path.relpath(folder, self.root)
            for name in sorted(files):
                yield name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")


def worktree_files_for(fs: Any, worktree: str) -> WorktreeFiles:
    """The working-tree adapter for `fs`: a host path, an fsx FileSystem, or a WorktreeFiles already."""
    if isinstance(fs, str | os.PathLike):
        return HostDirectoryFiles(Path(fs) / worktree.lstrip("/"))
    if all(hasattr(fs, name) for name in ("read", "write", "remove", "exists", "is_executable", "walk")):
        return fs
    from .fsx_files import FsxFiles

    return FsxFiles(fs, worktree)
