"""File contents across tiers: inline chunks in SQLite or a blob in the warm/cold tier.

Sizes are accounted here (`fsx_meta.used_bytes`, the sum of the sizes of all file inodes) so the
quota is checked before anything grows. Callers hold the transaction, except for `retier`, which
uploads first and then references the blob in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .chunks import ChunkStore
from .errors import no_space
from .inodes import Inode, InodeTable
from .tiers import BlobTier

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage


class Contents:
    """Reads, writes, moves and frees the bytes of file inodes, whichever tier holds them."""

    def __init__(
        self,
        storage: ObjectStorage,
        inodes: InodeTable,
        tier: BlobTier,
        *,
        quota_bytes: int | None,
        warm_threshold: int,
        transaction: Callable[[Callable[[], Any]], Any],
    ) -> None:
        self._sql = storage.sql
        self.inodes = inodes
        self.chunks = ChunkStore(storage)
        self.tier = tier
        self.quota_bytes = quota_bytes
        self.warm_threshold = warm_threshold
        self._transaction = transaction

    # -- accounting -------------------------------------------------------------------------------

    def used_bytes(self) -> int:
        """The sum of the sizes of all files (what the quota limits)."""
        rows = list(self._sql.exec("SELECT value FROM fsx_meta WHERE key = 'used_bytes'").raw())
        return rows[0][0] if rows else 0

    def check_room(self, delta: int, path: str) -> None:
        """ENOSPC if growing by `delta` bytes would pass the quota (checked again when applied)."""
        if delta > 0 and self.quota_bytes is not None and self.used_bytes() + delta > self.quota_bytes:
            raise no_space(path, self.quota_bytes)

    def account(self, delta: int, path: str) -> None:
        """Add `delta` bytes to the usage; ENOSPC (nothing changed) if growth would pass the quota."""
        self.check_room(delta, path)
        if delta:
            self._sql.exec("UPDATE fsx_meta SET value = value + ? WHERE key = 'used_bytes'", delta)

    # -- reading ----------------------------------------------------------------------------------

    def read_all(self, inode: Inode) -> bytes:
        """Every byte of a file."""
        if inode.blob is not None:
            return self.tier.read(inode.blob)
        return self.chunks.read(inode.ino, 0, inode.size, inode.size)

    def read_range(self, inode: Inode, offset: int, length: int) -> bytes:
        """Up to `length` bytes from `offset`."""
        end = min(inode.size, offset + length)
        if offset >= end:
            return b""
        if inode.blob is not None:
            return self.tier.read_range(inode.blob, offset, end)
        return self.chunks.read(inode.ino, offset, end - offset, inode.size)

    def iter_bytes(self, inode: Inode) -> Iterator[bytes]:
        """The file's bytes in pieces (never all in memory)."""
        if inode.blob is not None:
            return self.tier.iter_ranges(inode.blob, inode.size)
        return self.chunks.iter_chunks(inode.ino, inode.size)

    # -- writing (inside the caller's transaction) ------------------------------------------------

    def release(self, inode: Inode) -> None:
        """Free a file's contents (its size leaves the usage); the inode row stays."""
        if inode.blob is not None:
            self.tier.release(inode.blob)
        else:
            self.chunks.drop(inode.ino)
        self.account(-inode.size, "")
        self.inodes.update(inode.ino, size=0, blob=None)

    def replace_inline(self, inode: Inode, data: bytes, path: str) -> None:
        """Make `data` the whole contents of a file, stored as chunks."""
        self.account(len(data) - inode.size, path)
        if inode.blob is not None:
            self.tier.release(inode.blob)
        self.chunks.drop(inode.ino)
        self.chunks.write(inode.ino, 0, data, 0)
        self.inodes.update(inode.ino, size=len(data), blob=None)
        self.inodes.touch(inode.ino)

    def replace_blob(self, inode: Inode, sha: str, size: int, path: str) -> None:
        """Point a file at an uploaded blob of `size` bytes (the caller pinned and uploaded it)."""
        self.account(size - inode.size, path)
        self.tier.add_ref(sha, size)
        if inode.blob is not None:
            self.tier.release(inode.blob)
        self.chunks.drop(inode.ino)
        self.inodes.update(inode.ino, size=size, blob=sha)
        self.inodes.touch(inode.ino)

    def write_at(self, inode: Inode, offset: int, data: bytes | bytearray | memoryview, path: str) -> int:
        """Write into an inline file at `offset`; returns the new size."""
        end = offset + len(data)
        self.account(max(0, end - inode.size), path)
        size = self.chunks.write(inode.ino, offset, data, inode.size)
        self.inodes.update(inode.ino, size=size)
        self.inodes.touch(inode.ino)
        return size

    def truncate(self, inode: Inode, size: int, path: str) -> None:
        """Cut or extend an inline file to `size` bytes."""
        self.account(size - inode.size, path)
        self.chunks.truncate(inode.ino, inode.size, size)
        self.inodes.update(inode.ino, size=size)
        self.inodes.touch(inode.ino)

    def share(self, source: Inode, destination: Inode, path: str) -> None:
        """Give `destination` the contents of `source` without copying bytes."""
        self.account(source.size - destination.size, path)
        if destination.blob is not None:
            self.tier.release(destination.blob)
        if source.blob is not None:
            self.chunks.drop(destination.ino)
            self.tier.add_ref(source.blob, source.size)
        else:
            self.chunks.share(source.ino, destination.ino)
        self.inodes.update(destination.ino, size=source.size, blob=source.blob)
        self.inodes.touch(destination.ino)

    def move_inline(self, source: Inode, destination: Inode) -> None:
        """Hand the chunks of `source` (a staging inode) to `destination`, replacing its contents."""
        if destination.blob is not None:
            self.tier.release(destination.blob)
        self.account(-destination.size, "")
        self.chunks.move(source.ino, destination.ino)
        self.inodes.update(destination.ino, size=source.size, blob=None)
        self.inodes.update(source.ino, size=0)
        self.inodes.touch(destination.ino)

    def materialize(self, inode: Inode, *, keep: int | None = None) -> Inode:
        """Copy a blob-backed file into chunks so it can be changed in place; returns the new row.

        `keep` copies only the first `keep` bytes (the file is cut there): truncating a large file
        costs what it keeps, not what it had.
        """
        if inode.blob is None:
            return inode
        kept = inode.size if keep is None else max(0, min(keep, inode.size))
        position = 0
        for piece in self.tier.iter_ranges(inode.blob, kept):
            self.chunks.write(inode.ino, position, piece, position)
            position += len(piece)
        self.tier.release(inode.blob)
        self.account(kept - inode.size, "")
        self.inodes.update(inode.ino, blob=None, size=kept)
        fresh = self.inodes.get(inode.ino)
        assert fresh is not None
        return fresh

    # -- tiering (own transactions) ---------------------------------------------------------------

    def retier(self, ino: int) -> None:
        """Move an inline file over the warm threshold to the warm tier (stream, publish, reference)."""
        inode = self.inodes.get(ino)
        if inode is None or inode.blob is not None or not inode.is_file or inode.size <= self.warm_threshold:
            return
        upload = self.tier.upload_parts(self.chunks.iter_chunks(ino, inode.size))
        with self.tier.published(upload) as sha:

            def reference() -> None:
                current = self.inodes.get(ino)
                if current is None or current.blob is not None or current.size != inode.size:
                    return
                self.tier.add_ref(sha, current.size)
                self.chunks.drop(ino)
                self.inodes.update(ino, blob=sha)

            self._transaction(reference)
