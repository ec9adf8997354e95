"""File objects: streaming reads and writes of one fsx file, usable with `with` and `async with`.

`SyncFile` is an `io.RawIOBase`: it reads ranges from the chunks (or the blob tier) without loading
the file, and buffers writes into pieces of up to 1 MiB. `"wb"`/`"xb"` write into a hidden staging
inode that replaces the file in one transaction at `close()`, so a crash mid-write leaves the old
contents; once the staged bytes pass the warm threshold, they stream straight to the blob tier (a
`BlobUpload`, hashed as it goes), so memory stays bounded by a piece or two whatever the file's size.
`"ab"` and `"r+b"` change the file in place, one transaction per flush.

Each method has an async twin (`aread`, `awrite`, `aseek`, `aflush`, `aclose`); the twins do the
object-store work (uploading, hashing, reading blob ranges) on a worker thread, so a large file never
stalls the event loop, while every SQLite step stays on the loop inside the object's turn.
"""

from __future__ import annotations

import asyncio
import errno
import io
import stat
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from . import errors
from .inodes import Inode
from .schema import UMASK
from .sync_filesystem import PathArg

if TYPE_CHECKING:
    from ..blob_store import BlobUpload
    from .sync_filesystem import SyncFileSystem

WRITE_BUFFER_BYTES = 1024 * 1024
# Reads smaller than this stay on the loop: a thread hop costs more than reading them.
_OFF_LOOP_BYTES = 256 * 1024
_MODE_CHARS = frozenset("rwax+bt")


def _parse_mode(mode: str) -> tuple[str, bool, bool]:
    """(kind r/w/a/x, plus, binary) of an open mode; ValueError for anything else."""
    if not isinstance(mode, str) or not mode or set(mode) - _MODE_CHARS or len(set(mode)) != len(mode):
        raise ValueError(f"invalid mode: {mode!r} (use 'rb', 'wb', 'ab', 'xb', 'r+b' or a text mode like 'r')")
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
        # "wb"/"xb" contents past the warm threshold, streaming to the blob tier (written in order).
        self._upload: BlobUpload | None = None
        # False once the contents came back from an upload (a seek back, a read): they stay in
        # chunks from then on, so alternating reads and writes never copy them back and forth.
        self._streamable = self._staging
        # Set when a streamed piece failed to store: the write is abandoned, the file keeps its
        # old contents (as after a crash), and further writes raise.
        self._abandoned = False
        self._ino = fs.transaction(lambda: self._open_inode(kind))
        fs.shared.open_inodes[self._ino] += 1
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
            else:
                fs.note_access(inode)
            return inode.ino
        found = fs.creatable(self._path, exclusive=self._exclusive)
        if self._staging:
            mode = found.inode.mode if found.inode is not None else stat.S_IFREG | (0o666 & ~UMASK)
            return fs.inodes.create(mode, nlink=0)
        inode = found.inode or fs.new_file(found, 0o666)
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
        reader, _ = self._plan_read(size)
        return self._advance(reader())

    def _plan_read(self, size: int | None) -> tuple[Callable[[], bytes], int]:
        """(a function reading the requested bytes, their count): SQLite work now, blob IO later."""
        self._check_open()
        if not self._readable:
            raise io.UnsupportedOperation("File not open for reading")
        self.flush()
        self._unspool()
        inode = self._inode()
        remaining = max(0, inode.size - self._position)
        count = remaining if size is None or size < 0 else min(size, remaining)
        start = self._position
        if inode.blob is not None and count:
            read_range = self._fs.tier.range_reader(inode.blob)
            return (lambda: read_range(start, start + count)), count
        data = self._fs.contents.read_range(inode, start, count)
        return (lambda: data), count

    def _advance(self, data: bytes) -> bytes:
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
        view = self._writable_view(data)
        if self._breaks_buffer():
            self.flush()
        for _ in self._fill(view):
            self.flush()
        return len(view)

    def _writable_view(self, data: Any) -> memoryview:
        self._check_open()
        if not self._writable:
            raise io.UnsupportedOperation("File not open for writing")
        self._check_not_abandoned()
        view = memoryview(data).cast("B")
        if self._append:
            self._position = self._end()
        return view

    def _check_not_abandoned(self) -> None:
        if self._abandoned:
            raise errors.fs_error(errno.EIO, self.name, "an earlier write failed; the file keeps its old contents")

    def _breaks_buffer(self) -> bool:
        return bool(self._buffer) and self._position != self._buffer_start + len(self._buffer)

    def _fill(self, view: memoryview) -> Iterator[None]:
        """Take `view` into the buffer, pausing each time the buffer is full (the caller flushes).

        A large `write()` is stored piece by piece: never more than one buffer's worth of copies.
        """
        offset = 0
        while offset < len(view):
            if not self._buffer:
                self._buffer_start = self._position
            piece = view[offset : offset + WRITE_BUFFER_BYTES - len(self._buffer)]
            self._buffer += piece
            self._position += len(piece)
            offset += len(piece)
            if len(self._buffer) >= WRITE_BUFFER_BYTES:
                yield

    def _end(self) -> int:
        return max(self._inode().size, self._buffer_start + len(self._buffer) if self._buffer else 0)

    def flush(self) -> None:
        """Write buffered bytes to the file (one transaction; streamed to the blob tier when large)."""
        blob_io = self._flush_rows()
        if blob_io is not None:
            try:
                blob_io()
            except BaseException:
                self._abandon()
                raise

    def _abandon(self) -> None:
        """A streamed piece failed to store (its bytes may be half written, its hash is spoiled):
        drop the whole upload; `close()` then leaves the old contents in place."""
        upload, self._upload = self._upload, None
        self._abandoned = True
        if upload is not None:
            self._fs.tier.discard(upload)

    def _flush_rows(self) -> Callable[[], None] | None:
        """Do a flush's SQLite part; returns the object-store part still to run, if any."""
        if self.closed or not self._buffer:
            return None
        self._check_not_abandoned()
        data, start = self._buffer, self._buffer_start
        self._buffer = bytearray()
        if self._upload is not None and start != self._upload.size:
            self._unspool()
        if self._upload is None and self._streamable and start + len(data) > self._fs.warm_threshold:
            self._spool(start)
        upload = self._upload
        if upload is not None:
            # Accounting first: a write past the quota fails (ENOSPC) before a byte is stored.
            self._fs.transaction(lambda: self._grow_staging(len(data)))
            return lambda: upload.write(data)

        def apply() -> None:
            self._fs.contents.write_at(self._inode(), start, data, self.name)

        self._fs.transaction(apply)
        return None

    def _grow_staging(self, count: int) -> None:
        staging = self._inode()
        self._fs.contents.account(count, self.name)
        self._fs.inodes.update(self._ino, size=staging.size + count)

    def _spool(self, start: int) -> None:
        """Move the staged bytes to a new upload, if they were written in order (start == size)."""
        staging = self._inode()
        if start != staging.size:
            return
        tier = self._fs.tier
        upload = tier.open_upload()
        try:
            for piece in self._fs.contents.iter_bytes(staging):
                upload.write(piece)
        except BaseException:
            tier.discard(upload)
            raise
        # The staging inode keeps its size (what the quota counts) but no chunks: the upload
        # holds its bytes from now on.
        self._fs.transaction(lambda: self._fs.contents.chunks.drop(self._ino))
        self._upload = upload

    def _unspool(self) -> None:
        """Bring streamed bytes back into chunks (to seek back, truncate or read a "w+b" file)."""
        upload, self._upload = self._upload, None
        if upload is None:
            return
        self._streamable = False
        try:
            upload.finish()

            def restore() -> None:
                for start in range(0, upload.size, WRITE_BUFFER_BYTES):
                    piece = upload.read_range(start, min(upload.size, start + WRITE_BUFFER_BYTES))
                    self._fs.contents.chunks.write(self._ino, start, piece, start)

            self._fs.transaction(restore)
        finally:
            self._fs.tier.discard(upload)

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
        self._unspool()
        self._fs.transaction(lambda: self._fs.contents.truncate(self._inode(), size, self.name))
        return size

    def close(self) -> None:
        """Flush, publish a "wb"/"xb" file, move a large file to the warm tier, and close."""
        if self.closed:
            return
        try:
            self.flush()
            if self._staging:
                self._publish_staged()
            elif self._writable:
                self._fs.contents.retier(self._ino)
        finally:
            self._release()
            super().close()

    def _publish_staged(self) -> None:
        """Make the staged contents the file's (unless the write was abandoned)."""
        if self._abandoned:
            return
        upload = self._stage_for_publish()
        if upload is not None:
            self._publish(upload)
        else:
            self._fs.transaction(lambda: self._swap(None))

    def _stage_for_publish(self) -> BlobUpload | None:
        """The upload holding a large "wb" file's bytes (streamed, or copied from chunks now)."""
        upload, self._upload = self._upload, None
        if upload is not None:
            return upload
        fs = self._fs
        staging = self._inode()
        if staging.size <= fs.warm_threshold:
            return None
        return fs.tier.upload_parts(fs.contents.iter_bytes(staging))

    def _publish(self, upload: BlobUpload) -> None:
        """Publish the finished upload and make it the file's contents (one transaction)."""
        with self._fs.tier.published(upload) as sha:
            self._fs.transaction(lambda: self._swap(sha))

    def _release(self) -> None:
        if self._upload is not None:
            upload, self._upload = self._upload, None
            self._fs.tier.discard(upload)
        open_inodes = self._fs.shared.open_inodes
        open_inodes[self._ino] -= 1
        if open_inodes[self._ino] <= 0:
            del open_inodes[self._ino]
            self._fs.transaction(lambda: self._fs.unlinked(self._ino))

    def _swap(self, sha: str | None) -> None:
        fs = self._fs
        staging = self._inode()
        found = fs.creatable(self._path, exclusive=self._exclusive)
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
        """`read` for async code (blob ranges are read on a worker thread)."""
        reader, count = self._plan_read(size)
        if count >= _OFF_LOOP_BYTES:
            return self._advance(await asyncio.to_thread(reader))
        return self._advance(reader())

    async def awrite(self, data: Any) -> int:
        """`write` for async code (streamed bytes are stored and hashed on a worker thread)."""
        view = self._writable_view(data)
        if self._breaks_buffer():
            await self.aflush()
        for _ in self._fill(view):
            await self.aflush()
        return len(view)

    async def aseek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """`seek` for async code."""
        return self.seek(offset, whence)

    async def atruncate(self, size: int | None = None) -> int:
        """`truncate` for async code."""
        return self.truncate(size)

    async def aflush(self) -> None:
        """`flush` for async code (streamed bytes are stored on a worker thread)."""
        blob_io = self._flush_rows()
        if blob_io is not None:
            try:
                await asyncio.to_thread(blob_io)
            except BaseException:
                self._abandon()
                raise

    async def aclose(self) -> None:
        """`close` for async code: uploading and publishing a large file run on a worker thread."""
        if self.closed:
            return
        if not self._staging or self._abandoned:
            self.close()
            return
        try:
            await self.aflush()
            upload = self._stage_for_publish()
            if upload is None:
                self._fs.transaction(lambda: self._swap(None))
                return
            async with self._fs.tier.published_async(upload) as sha:
                self._fs.transaction(lambda: self._swap(sha))
        finally:
            self._release()
            super().close()

    async def __aenter__(self) -> SyncFile:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

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
