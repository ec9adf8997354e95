"""File contents in SQLite: fixed-size chunks, content-addressed (sha256) and stored once.

An inode's bytes [i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE) are in the chunk that `fsx_extents`
(ino, i) points at. Identical chunks — in one file, across files, across copies — are one row
with a reference count; a chunk whose count drops to zero is deleted in the same transaction.

Files are sparse: bytes no chunk holds (a missing extent, or past the end of a short chunk) read as
zeros, so extending a file — `truncate` to a larger size, or writing past the end — stores nothing
for the gap and costs the same whatever its size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .schema import CHUNK_SIZE

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage


class ChunkStore:
    """Reads and writes inline file contents (callers hold the transaction and track sizes)."""

    def __init__(self, storage: ObjectStorage) -> None:
        self._sql = storage.sql

    # -- chunks -----------------------------------------------------------------------------------

    def _put_chunk(self, data: bytes) -> int:
        digest = hashlib.sha256(data).digest()
        rows = self._sql.exec(
            "INSERT INTO fsx_chunks (hash, refs, data) VALUES (?, 1, ?) "
            "ON CONFLICT (hash) DO UPDATE SET refs = refs + 1 RETURNING id",
            digest,
            data,
        ).raw()
        return next(rows)[0]

    def _release_chunk(self, chunk: int) -> None:
        self._sql.exec("UPDATE fsx_chunks SET refs = refs - 1 WHERE id = ?", chunk)
        self._sql.exec("DELETE FROM fsx_chunks WHERE id = ? AND refs <= 0", chunk)

    def _chunk_at(self, ino: int, idx: int) -> tuple[int, bytes] | None:
        rows = list(
            self._sql.exec(
                "SELECT c.id, c.data FROM fsx_extents e JOIN fsx_chunks c ON c.id = e.chunk "
                "WHERE e.ino = ? AND e.idx = ?",
                ino,
                idx,
            ).raw()
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def _set_chunk(self, ino: int, idx: int, data: bytes, old: int | None) -> None:
        chunk = self._put_chunk(data)
        self._sql.exec(
            "INSERT INTO fsx_extents (ino, idx, chunk) VALUES (?, ?, ?) "
            "ON CONFLICT (ino, idx) DO UPDATE SET chunk = excluded.chunk",
            ino,
            idx,
            chunk,
        )
        if old is not None:
            self._release_chunk(old)

    # -- contents ---------------------------------------------------------------------------------

    def read(self, ino: int, offset: int, length: int, size: int) -> bytes:
        """Up to `length` bytes from `offset` of a file of `size` bytes."""
        end = min(size, offset + length)
        if offset >= end:
            return b""
        first, last = offset // CHUNK_SIZE, (end - 1) // CHUNK_SIZE
        rows = self._sql.exec(
            "SELECT e.idx, c.data FROM fsx_extents e JOIN fsx_chunks c ON c.id = e.chunk "
            "WHERE e.ino = ? AND e.idx BETWEEN ? AND ? ORDER BY e.idx",
            ino,
            first,
            last,
        ).raw()
        stored = dict(rows)
        pieces: list[bytes | memoryview] = []
        for idx in range(first, last + 1):
            start = idx * CHUNK_SIZE
            low, high = max(offset, start) - start, min(end - start, CHUNK_SIZE)
            data = stored.get(idx, b"")
            pieces.append(data if low == 0 and high == len(data) else memoryview(data)[low:high])
            if high > max(low, len(data)):
                pieces.append(bytes(high - max(low, len(data))))
        return b"".join(pieces)

    def iter_chunks(self, ino: int, size: int) -> Iterator[bytes]:
        """The contents of a file of `size` bytes, chunk by chunk (never all in memory)."""
        count = (size + CHUNK_SIZE - 1) // CHUNK_SIZE
        for first in range(0, count, 16):
            last = min(count, first + 16) - 1
            yield self.read(ino, first * CHUNK_SIZE, (last - first + 1) * CHUNK_SIZE, size)

    def write(self, ino: int, offset: int, data: bytes | bytearray | memoryview, size: int) -> int:
        """Write `data` at `offset` of a file of `size` bytes (a gap reads as zeros); returns the new size."""
        view = memoryview(data).cast("B")
        size = max(size, offset)  # a gap before `offset` is a hole
        end = offset + len(view)
        position = offset
        while position < end:
            idx = position // CHUNK_SIZE
            start = idx * CHUNK_SIZE
            stop = min(end, start + CHUNK_SIZE)
            piece = view[position - offset : stop - offset]
            existing_end = min(size, start + CHUNK_SIZE)
            if position == start and stop >= existing_end:
                current = self._chunk_at(ino, idx) if existing_end > start else None
                self._set_chunk(ino, idx, bytes(piece), current[0] if current else None)
            else:
                current = self._chunk_at(ino, idx)
                old = current[1] if current else b""
                if len(old) < existing_end - start:
                    old += bytes(existing_end - start - len(old))
                merged = old[: position - start] + bytes(piece) + old[stop - start :]
                self._set_chunk(ino, idx, merged, current[0] if current else None)
            position = stop
        return max(size, end)

    def truncate(self, ino: int, size: int, new_size: int) -> None:
        """Cut a file of `size` bytes to `new_size`, or extend it (a hole: nothing stored, zeros read)."""
        if new_size >= size:
            return
        keep = (new_size + CHUNK_SIZE - 1) // CHUNK_SIZE
        for (chunk,) in list(
            self._sql.exec("SELECT chunk FROM fsx_extents WHERE ino = ? AND idx >= ?", ino, keep).raw()
        ):
            self._release_chunk(chunk)
        self._sql.exec("DELETE FROM fsx_extents WHERE ino = ? AND idx >= ?", ino, keep)
        tail = new_size % CHUNK_SIZE
        if tail:
            current = self._chunk_at(ino, keep - 1)
            if current is not None and len(current[1]) > tail:
                self._set_chunk(ino, keep - 1, current[1][:tail], current[0])

    def drop(self, ino: int) -> None:
        """Release every chunk of `ino`."""
        for (chunk,) in list(self._sql.exec("SELECT chunk FROM fsx_extents WHERE ino = ?", ino).raw()):
            self._release_chunk(chunk)
        self._sql.exec("DELETE FROM fsx_extents WHERE ino = ?", ino)

    def share(self, source: int, destination: int) -> None:
        """Give `destination` the same contents as `source` without copying bytes (shared chunks)."""
        self.drop(destination)
        self._sql.exec(
            "INSERT INTO fsx_extents (ino, idx, chunk) SELECT ?, idx, chunk FROM fsx_extents WHERE ino = ?",
            destination,
            source,
        )
        self._sql.exec(
            "UPDATE fsx_chunks SET refs = refs + (SELECT count(*) FROM fsx_extents e "
            "WHERE e.ino = ? AND e.chunk = fsx_chunks.id) "
            "WHERE id IN (SELECT chunk FROM fsx_extents WHERE ino = ?)",
            destination,
            destination,
        )

    def move(self, source: int, destination: int) -> None:
        """Hand the chunks of `source` to `destination` (whose own chunks are released)."""
        self.drop(destination)
        self._sql.exec("UPDATE fsx_extents SET ino = ? WHERE ino = ?", destination, source)

    def stored_bytes(self) -> int:
        """Bytes of chunk data actually stored (after deduplication)."""
        rows = list(self._sql.exec("SELECT COALESCE(SUM(length(data)), 0) FROM fsx_chunks").raw())
        return rows[0][0]
