"""The working tree as a folder of an fsx filesystem (the object's own files)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from typing import Any

from .worktree_files import check_worktree_path


class FsxFiles:
    """Working-tree files under `root` of an fsx `FileSystem` (through its synchronous core)."""

    def __init__(self, fs: Any, root: str = "/") -> None:
        self.sync = getattr(fs, "sync", fs)
        clean = "/" + root.strip("/") if root.strip("/") else "/"
        if any(part in (".", "..") for part in clean.split("/")):
            raise ValueError(f"The worktree root must be an absolute fsx path without '..', not {root!r}")
        self.root = clean

    def _full(self, path: str) -> str:
        rel = check_worktree_path(path)
        return f"{self.root}/{rel}" if self.root != "/" else f"/{rel}"

    def read(self, path: str) -> bytes:
        """The bytes of a file."""
        return self.sync.read(self._full(path))

    def write(self, path: str, data: bytes, *, executable: bool = False) -> None:
        """Create or replace a file, creating parent folders."""
        full = self._full(path)
        parent = full.rsplit("/", 1)[0]
        if parent:
            self.sync.mkdir(parent, parents=True, exist_ok=True)
        self.sync.write(full, data, 0o755 if executable else 0o644)
        self.sync.chmod(full, 0o755 if executable else 0o644)

    def remove(self, path: str) -> None:
        """Delete a file and the folders it leaves empty."""
        full = self._full(path)
        self.sync.unlink(full, missing_ok=True)
        parent = full.rsplit("/", 1)[0]
        while parent and parent != self.root and self.sync.is_dir(parent) and not self.sync.listdir(parent):
            self.sync.rmdir(parent)
            parent = parent.rsplit("/", 1)[0]

    def exists(self, path: str) -> bool:
        """Whether a file exists."""
        return self.sync.is_file(self._full(path))

    def is_executable(self, path: str) -> bool:
        """Whether the file's owner-execute bit is set."""
        return bool(self.sync.stat(self._full(path)).st_mode & stat.S_IXUSR)

    def walk(self) -> Iterator[str]:
        """Every file under the root, as paths relative to it."""
        if not self.sync.is_dir(self.root):
            return
        skip = len(self.root.rstrip("/")) + 1
        for folder, dirs, files in self.sync.walk(self.root):
            dirs.sort()
            for name in sorted(files):
                yield f"{folder.rstrip('/')}/{name}"[skip:]
