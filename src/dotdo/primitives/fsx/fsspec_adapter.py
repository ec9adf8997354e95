"""The `dotdo://` fsspec protocol: pandas, pyarrow and DuckDB read and write an object's files.

It runs on the synchronous core, so it is safe inside an object's own turn (no awaiting, no
threads). Importing this module registers the protocol; give the filesystem through
`storage_options`:

    import pandas as pd
    import dotdo.primitives.fsx.fsspec_adapter  # registers "dotdo"

    df.to_csv("dotdo://reports/q1.csv", storage_options={"fs": ctx.fs})
    pd.read_parquet("dotdo://data/t.parquet", storage_options={"fs": ctx.fs})

or use an instance directly: `DotdoFileSystem(fs=ctx.fs).open("/a.txt", "rb")`. Like object-store
protocols, writing a file creates its missing parent directories (`auto_mkdir=False` turns that off).
"""

from __future__ import annotations

import functools
import io
import stat as stat_module
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import fsspec
from fsspec.spec import AbstractFileSystem

from .file_object import SyncFile
from .filesystem import FileSystem
from .paths import normalize
from .registry import shared_state
from .sync_filesystem import SyncFileSystem

PROTOCOL = "dotdo"
F = TypeVar("F", bound=Callable[..., Any])


def locked(method: F) -> F:
    """Run the method under the storage's lock (fsspec consumers call from their own threads)."""

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return run  # type: ignore[return-value]


class LockedFile(io.RawIOBase):
    """A `SyncFile` whose every call holds the storage's lock, for readers on other threads."""

    def __init__(self, file: SyncFile, lock: Any) -> None:
        super().__init__()
        self._file = file
        self._lock = lock
        self.name = file.name
        self.mode = file.mode

    def readable(self) -> bool:
        """Whether the file was opened for reading."""
        return self._file.readable()

    def writable(self) -> bool:
        """Whether the file was opened for writing."""
        return self._file.writable()

    def seekable(self) -> bool:
        """Always True."""
        return True

    @locked
    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes (all the rest for -1)."""
        return self._file.read(size)

    def readall(self) -> bytes:
        """The rest of the file."""
        return self.read(-1)

    @locked
    def readinto(self, buffer: Any) -> int:
        """Read into a writable buffer."""
        return self._file.readinto(buffer)

    @locked
    def write(self, data: Any) -> int:
        """Write bytes at the current position."""
        return self._file.write(data)

    @locked
    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move the position."""
        return self._file.seek(offset, whence)

    @locked
    def tell(self) -> int:
        """The current position."""
        return self._file.tell()

    @locked
    def truncate(self, size: int | None = None) -> int:
        """Cut or extend the file."""
        return self._file.truncate(size)

    @locked
    def flush(self) -> None:
        """Write buffered bytes."""
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        """Close the file (publishing a "wb" file)."""
        with self._lock:
            if not self.closed:
                self._file.close()
                super().close()


def _core(fs: Any, storage: Any) -> SyncFileSystem:
    if fs is None and storage is not None:
        return FileSystem(storage).sync
    if isinstance(fs, FileSystem):
        return fs.sync
    if isinstance(fs, SyncFileSystem):
        return fs
    raise TypeError(
        "DotdoFileSystem needs the object's filesystem: pass fs=ctx.fs (or a FileSystem / "
        f"SyncFileSystem, or storage=...), e.g. storage_options={{'fs': ctx.fs}}; got {type(fs).__name__}"
    )


class DotdoFileSystem(AbstractFileSystem):
    """An fsspec filesystem over one object's fsx tree (`fs=` a FileSystem or SyncFileSystem)."""

    protocol = (PROTOCOL,)
    root_marker = "/"
    cachable = False

    def __init__(self, fs: Any = None, *, storage: Any = None, auto_mkdir: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fs = _core(fs, storage)
        self.auto_mkdir = auto_mkdir
        self._lock = shared_state(self.fs.storage).lock

    def _parents_for_write(self, path: str) -> None:
        if self.auto_mkdir:
            parent = path.rsplit("/", 1)[0] or "/"
            self.fs.mkdir(parent, parents=True, exist_ok=True)

    @classmethod
    def _strip_protocol(cls, path: Any) -> str:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]  # type: ignore[return-value]
        text = str(path)
        if text.startswith(f"{PROTOCOL}://"):
            text = text[len(PROTOCOL) + 3 :]
        elif text.startswith(f"{PROTOCOL}:"):
            text = text[len(PROTOCOL) + 1 :]
        return normalize(text or "/")

    def _details(self, path: str, *, follow: bool = True) -> dict[str, Any]:
        result = self.fs.stat(path) if follow else self.fs.lstat(path)
        mode = result.st_mode
        kind = "directory" if stat_module.S_ISDIR(mode) else "file" if stat_module.S_ISREG(mode) else "other"
        return {
            "name": path,
            "size": result.st_size if kind == "file" else 0,
            "type": kind,
            "mode": mode,
            "ino": result.st_ino,
            "nlink": result.st_nlink,
            "mtime": result.st_mtime,
            "created": result.st_ctime,
            "islink": self.fs.is_symlink(path),
        }

    @locked
    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """Details of one path (name, size, type, mode, mtime…); FileNotFoundError if absent."""
        return self._details(self._strip_protocol(path))

    @locked
    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        """The entries of a directory (or the file itself), as details or as paths."""
        path = self._strip_protocol(path)
        if not self.fs.is_dir(path):
            entries = [self._details(path)]
        else:
            entries = []
            for entry in self.fs.scandir(path):
                try:
                    entries.append(self._details(entry.path))
                except OSError:
                    entries.append(self._details(entry.path, follow=False))
        return entries if detail else [entry["name"] for entry in entries]

    @locked
    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        path = self._strip_protocol(path)
        if "b" not in mode:
            mode += "b"
        if mode[0] in "wax":
            self._parents_for_write(path)
        return LockedFile(self.fs.open(path, mode), self._lock)

    @locked
    def cat_file(self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any) -> bytes:
        """The bytes of a file, or of [start, end) (negative offsets count from the end)."""
        path = self._strip_protocol(path)
        if start is None and end is None:
            return self.fs.read(path)
        with self.fs.open(path, "rb") as handle:
            size = self.fs.stat(path).st_size
            begin = 0 if start is None else (start if start >= 0 else max(0, size + start))
            stop = size if end is None else (end if end >= 0 else max(0, size + end))
            handle.seek(begin)
            return handle.read(max(0, stop - begin))

    @locked
    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        """Write a whole file."""
        self._parents_for_write(self._strip_protocol(path))
        self.fs.write(self._strip_protocol(path), value, exclusive=mode == "create")

    @locked
    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Create a directory (and its parents)."""
        self.fs.mkdir(self._strip_protocol(path), parents=create_parents)

    @locked
    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        """Create a directory and its parents."""
        self.fs.mkdir(self._strip_protocol(path), parents=True, exist_ok=exist_ok)

    @locked
    def rmdir(self, path: str) -> None:
        """Remove an empty directory."""
        self.fs.rmdir(self._strip_protocol(path))

    @locked
    def rm_file(self, path: str) -> None:
        """Remove a file."""
        self.fs.unlink(self._strip_protocol(path))

    @locked
    def _rm(self, path: str) -> None:
        path = self._strip_protocol(path)
        if self.fs.is_dir(path) and not self.fs.is_symlink(path):
            self.fs.rmdir(path)
        else:
            self.fs.unlink(path)

    @locked
    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        """Remove files, or whole trees with `recursive=True` (one transaction per tree)."""
        paths = path if isinstance(path, list) else [path]
        for item in paths:
            stripped = self._strip_protocol(item)
            if recursive and maxdepth is None:
                self.fs.rm(stripped, recursive=True)
            else:
                super().rm(stripped, recursive=recursive, maxdepth=maxdepth)

    @locked
    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Copy a file (the bytes are shared, not duplicated)."""
        self.fs.copy(self._strip_protocol(path1), self._strip_protocol(path2))

    @locked
    def mv(self, path1: str, path2: str, recursive: bool = False, maxdepth: int | None = None, **kwargs: Any) -> None:
        """Rename atomically."""
        self.fs.rename(self._strip_protocol(path1), self._strip_protocol(path2))

    @locked
    def touch(self, path: str, truncate: bool = True, **kwargs: Any) -> None:
        """Create an empty file, or (truncate=False) update the times of an existing one."""
        path = self._strip_protocol(path)
        if truncate or not self.fs.exists(path):
            self.fs.write(path, b"")
        else:
            self.fs.utime(path)

    @locked
    def created(self, path: str) -> datetime:
        """When the file's metadata last changed (its ctime), as an aware datetime."""
        return datetime.fromtimestamp(self.fs.stat(self._strip_protocol(path)).st_ctime, UTC)

    @locked
    def modified(self, path: str) -> datetime:
        """When the file's contents last changed, as an aware datetime."""
        return datetime.fromtimestamp(self.fs.stat(self._strip_protocol(path)).st_mtime, UTC)


def register() -> None:
    """Register the `dotdo` protocol with fsspec (done on import; safe to repeat)."""
    fsspec.register_implementation(PROTOCOL, DotdoFileSystem, clobber=True)


register()
