"""File objects: streaming reads and writes of one fsx file, usable with `with` and `async with`.

`SyncFile` is an `io.RawIOBase`: it reads ranges from the chunks (or the blob tier) without loading
the file, and buffers writes into transactions of up to 1 MiB. `"wb"`/`"xb"` write into a hidden
staging inode that replaces the file in one transaction at `close()`, so a crash mid-write leaves the
old contents; `"ab"` and `"r+b"` change the file in place, one transaction per flush.
Each method has an async twin (`aread`, `awrite`, `aseek`, `aflush`, `aclose`).
"""

from __future__ import annotations

import hashlib
import io
import stat
from typing import TYPE_CHECKING, Any

from . import errors
from .inodes import Inode
from .sync_filesystem import UMASK, PathArg

if TYPE_CHECKING:
    from .sync_filesystem import SyncFileSystem

WRITE_BUFFER_BYTES = 1024 * 1024
_MODE_CHARS = frozenset("rwax+bt")


def _parse_mode(mode: str) -> tuple[str, bool, bool]:
    """(kind r/w/a/x, plus, binary) of an open mode; ValueError for anything else."""
    if not isinstance(mode, str) or not mode or set(mode) - _MODE_CHARS or len(set(mode)) != len(mode):
        raise ValueError(
            f"invalid mode: {mode!r} (use 'rb', 'wb', 'ab', 'xb', 'r+b' or a text mode like 'r')"
        )
    kinds = [c for c in mode if c in "rwax"]
    if len(kinds) != 1 or ("b" in mode and "t" in mode):
        raise ValueError(f"invalid mode: {mode!r} (exactly one of r, w, a, x; not both b and t)")
    return kinds[0], "+" in mode, "b" in mode


def open_file(
    fs: SyncFileSystem,
    path: PathArg,
    mode: str,
    *,
    encoding: str | None,
    errors: str | None,
    newline: str | None,
) -> Any:
    """Open `path` in `mode`: a `SyncFile` for binary modes, a TextIOWrapper for text modes."""
    kind, plus, binary = _parse_mode(mode)
    raw = SyncFile(fs, path, kind=kind, plus=plus)
    if binary:
        if encoding is not None or errors is not None or newline is not None:
            raw.close()
            raise ValueError("binary mode doesn't take an encoding, errors or newline argument")
        return raw
    if raw.readable() and raw.writable():
        buffered: io.BufferedIOBase = io.BufferedRandom(raw)
    elif raw.writable():
        buffered = io.BufferedWriter(raw)
    else:
        buffered = io.BufferedReader(raw)
    return TextFile(buffered, raw, encoding=encoding or "utf-8", errors=errors, newline=newline)


class SyncFile(io.RawIOBase):
    """A binary file of an fsx tree (sync methods plus async twins)."""

    def __init__(self, fs: SyncFileSystem, path: PathArg, *, kind: str, plus: bool) -> None:
        super().__init__()
        self._fs = fs
        self._path = path
        self.name = fs.resolve(path).text
        self.mode = {"r": "rb", "w": "wb", "a": "ab", "x": "xb"}[kind] + ("+" if plus else "")
        self._readable = kind == "r" or plus
        self._writable = kind != "r" or plus
        self._append = kind == "a"
        self._exclusive = kind == "x"
        self._staging = kind in "wx"
        self._position = 0
        self._buffer = bytearray()
        self._buffer_start = 0
        self._hasher: Any = hashlib.sha256() if self._staging else None
        self._hashed = 0
        self._ino = fs.transaction(lambda: self._open_inode(kind))
        fs._shared.open_inodes[self._ino] += 1
        if self._append:
            self._position = self._inode().size

    def _open_inode(self, kind: str) -> int:
        fs = self._fs
        if kind == "r":
            found = fs.existing(self._path)
            inode = found.inode
            assert inode is not None
            if inode.is_dir:
                raise errors.is_a_directory(found.text)
            if self._writable:
                inode = fs.contents.materialize(inode)
            return inode.ino
        found = fs._creatable(self._path, exclusive=self._exclusive)
        if self._staging:
            mode = found.inode.mode if found.inode is not None else stat.S_IFREG | (0o666 & ~UMASK)
            return fs.inodes.create(mode, nlink=0)
        inode = found.inode or fs._new_file(found, 0o666)
        return fs.contents.materialize(inode).ino

    def _inode(self) -> Inode:
        inode = self._fs.inodes.get(self._ino)
        if inode is None:
            raise errors.not_found(self.name)
        return inode

    # -- io.RawIOBase -----------------------------------------------------------------------------

    def readable(self) -> bool:
        """Whether the file was opened for reading."""
        return self._readable

    def writable(self) -> bool:
        """Whether the file was opened for writing."""
        return self._writable

    def seekable(self) -> bool:
        """Always True: fsx files are random access."""
        return True

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes from the current position (all the rest for -1 or None)."""
        self._check_open()
        if not self._readable:
            raise io.UnsupportedOperation("File not open for reading")
        self.flush()
        inode = self._inode()
        remaining = max(0, inode.size - self._position)
        count = remaining if size is None or size < 0 else min(size, remaining)
        data = self._fs.contents.read_range(inode, self._position, count)
        self._position += len(data)
        return data

    def readall(self) -> bytes:
        """The rest of the file."""
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        """Read into a writable buffer; returns the number of bytes read."""
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def write(self, data: Any) -> int:
        """Write bytes at the current position (at the end in append mode); returns their count."""
        self._check_open()
        if not self._writable:
            raise io.UnsupportedOperation("File not open for writing")
        view = memoryview(data).cast("B")
        if self._append:
            self._position = self._end()
        if self._buffer and self._position != self._buffer_start + len(self._buffer):
            self.flush()
        if not self._buffer:
            self._buffer_start = self._position
        self._buffer += view
        self._position += len(view)
        if len(self._buffer) >= WRITE_BUFFER_BYTES:
            self.flush()
        return len(view)

    def _end(self) -> int:
        return max(self._inode().size, self._buffer_start + len(self._buffer) if self._buffer else 0)

    def flush(self) -> None:
        """Write buffered bytes to the file in one transaction."""
        if self.closed or not self._buffer:
            return
        data, start = bytes(self._buffer), self._buffer_start
        if self._hasher is not None:
            if start == self._hashed:
                self._hasher.update(data)
                self._hashed += len(data)
            else:
                self._hasher = None

        def apply() -> None:
            self._fs.contents.write_at(self._inode(), start, data, self.name)

        self._fs.transaction(apply)
        self._buffer.clear()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move the position (SEEK_SET, SEEK_CUR or SEEK_END); returns the new position."""
        self._check_open()
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._position + offset
        elif whence == io.SEEK_END:
            position = self._end() + offset
        else:
            raise ValueError(f"invalid whence ({whence}, should be 0, 1 or 2)")
        if position < 0:
            raise errors.invalid(self.name, f"negative seek position {position}")
        self._position = position
        return position

    def tell(self) -> int:
        """The current position."""
        self._check_open()
        return self._position

    def truncate(self, size: int | None = None) -> int:
        """Cut or extend the file to `size` bytes (default: the current position)."""
        self._check_open()
        if not self._writable:
            raise io.UnsupportedOperation("File not open for writing")
        self.flush()
        size = self._position if size is None else size
        if size < 0:
            raise errors.invalid(self.name, "size must not be negative")
        if self._hasher is not None and size != self._hashed:
            self._hasher = None
        self._fs.transaction(lambda: self._fs.contents.truncate(self._inode(), size, self.name))
        return size

    def close(self) -> None:
        """Flush, publish a "wb"/"xb" file, move a large file to the warm tier, and close."""
        if self.closed:
            return
        try:
            self.flush()
            if self._staging:
                self._publish()
            elif self._writable:
                self._fs.contents.retier(self._ino)
        finally:
            self._release()
            super().close()

    def _release(self) -> None:
        open_inodes = self._fs._shared.open_inodes
        open_inodes[self._ino] -= 1
        if open_inodes[self._ino] <= 0:
            del open_inodes[self._ino]
            self._fs.transaction(lambda: self._fs._unlinked(self._ino))

    def _publish(self) -> None:
        fs = self._fs
        staging = self._inode()
        sha = None
        if staging.size > fs.warm_threshold:
            sha = (
                self._hasher.hexdigest()
                if self._hasher is not None and self._hashed == staging.size
                else None
            )
            if sha is None:
                hasher = hashlib.sha256()
                for piece in fs.contents.iter_bytes(staging):
                    hasher.update(piece)
                sha = hasher.hexdigest()
            with fs.tier.pinned(sha):
                fs.tier.upload_parts(sha, fs.contents.iter_bytes(staging))
                fs.transaction(lambda: self._swap(sha))
            return
        fs.transaction(lambda: self._swap(None))

    def _swap(self, sha: str | None) -> None:
        fs = self._fs
        staging = self._inode()
        found = fs._creatable(self._path, exclusive=self._exclusive)
        if found.inode is None:
            assert found.name is not None
            fs.inodes.add_entry(found.parent, found.name, staging.ino)
            fs.inodes.change_links(staging.ino, 1)
            fs.inodes.touch(found.parent)
            target = staging
        else:
            target = found.inode
            fs.contents.move_inline(staging, target)
        if sha is not None:
            current = fs.inodes.get(target.ino)
            assert current is not None
            fs.contents.chunks.drop(target.ino)
            fs.tier.add_ref(sha, current.size)
            fs.inodes.update(target.ino, blob=sha)
        fs.inodes.touch(target.ino)

    # -- async twins ------------------------------------------------------------------------------

    async def aread(self, size: int | None = -1) -> bytes:
        """`read` for async code."""
        return self.read(size)

    async def awrite(self, data: Any) -> int:
        """`write` for async code."""
        return self.write(data)

    async def aseek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """`seek` for async code."""
        return self.seek(offset, whence)

    async def atruncate(self, size: int | None = None) -> int:
        """`truncate` for async code."""
        return self.truncate(size)

    async def aflush(self) -> None:
        """`flush` for async code."""
        self.flush()

    async def aclose(self) -> None:
        """`close` for async code."""
        self.close()

    async def __aenter__(self) -> SyncFile:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def __await__(self) -> Any:
        async def itself() -> SyncFile:
            return self

        return itself().__await__()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<fsx file {self.name!r} mode={self.mode!r} {state}>"


class TextFile(io.TextIOWrapper):
    """A text-mode fsx file (a TextIOWrapper) with the same async twins as `SyncFile`."""

    def __init__(self, buffer: Any, raw: SyncFile, **kwargs: Any) -> None:
        super().__init__(buffer, **kwargs)
        self.raw_file = raw

    async def aread(self, size: int | None = -1) -> str:
        """`read` for async code."""
        return self.read(size)

    async def awrite(self, text: str) -> int:
        """`write` for async code."""
        return self.write(text)

    async def aclose(self) -> None:
        """`close` for async code."""
        self.close()

    async def __aenter__(self) -> TextFile:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()
