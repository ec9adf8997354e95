"""The warm and cold tiers: file contents kept as content-addressed blobs in an object store.

Contents over the warm threshold live in the blob store under the `warm` namespace; blobs no
file touched for `cold_after` seconds move to the `cold` namespace. `fsx_blobs` counts the inodes
referencing each blob; a blob whose count reached zero is garbage, deleted by `collect_garbage`.

Safety against concurrent writers: a writer pins a blob's hash (in memory, per storage) before
uploading it and unpins it after the transaction that references it; the collector never deletes
a pinned blob. Blobs are uploaded before any row references them, so a crash leaves at worst an
unreferenced blob, which the full collection (`orphans=True`) removes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..blob_store import BlobStore
from .registry import shared_state

if TYPE_CHECKING:
    from dotdo.runtime.storage import Storage

WARM = "warm"
COLD = "cold"
_RANGE_BYTES = 1024 * 1024


class BlobTier:
    """Blob-backed contents of one object's files: upload, read, reference counts, cold moves, GC."""

    def __init__(self, storage: Storage, blob_store: BlobStore) -> None:
        self._storage = storage
        self._sql = storage.sql
        self.store = blob_store
        self._pins = shared_state(storage).pins

    @contextmanager
    def pinned(self, sha: str) -> Iterator[None]:
        """Keep the collector away from blob `sha` while a writer uploads and references it."""
        self._pins[sha] += 1
        try:
            yield
        finally:
            self._pins[sha] -= 1
            if self._pins[sha] <= 0:
                del self._pins[sha]

    def tier_of(self, sha: str) -> str:
        """The namespace blob `sha` is in (`warm` or `cold`)."""
        rows = list(self._sql.exec("SELECT tier FROM fsx_blobs WHERE hash = ?", sha).raw())
        return rows[0][0] if rows else WARM

    @staticmethod
    def sha_of(data: bytes | bytearray | memoryview) -> str:
        """The sha256 (hex) naming a blob of `data`."""
        return hashlib.sha256(data).hexdigest()

    def upload(self, data: bytes | bytearray | memoryview) -> str:
        """Store `data` in the warm tier (once per content) and return its sha256; caller pins it."""
        sha = hashlib.sha256(data).hexdigest()
        if self.tier_of(sha) == WARM and not self.store.exists(sha, namespace=WARM):
            self.store.put(data, namespace=WARM)
        return sha

    def upload_parts(self, sha: str, parts: Iterable[bytes]) -> None:
        """Stream a blob whose sha256 is known into the warm tier (if it is not stored yet)."""
        if self.tier_of(sha) == WARM:
            self.store.put_stream(sha, parts, namespace=WARM)

    async def upload_async(self, data: bytes | bytearray | memoryview) -> str:
        """`upload` without blocking the event loop."""
        sha = hashlib.sha256(data).hexdigest()
        if self.tier_of(sha) == WARM:
            await self.store.put_async(data, namespace=WARM)
        return sha

    def add_ref(self, sha: str, size: int) -> None:
        """One more inode references blob `sha` (in the transaction that points the inode at it)."""
        self._sql.exec(
            "INSERT INTO fsx_blobs (hash, size, refs, tier) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (hash) DO UPDATE SET refs = refs + 1",
            sha,
            size,
            WARM,
        )

    def release(self, sha: str) -> None:
        """One inode fewer references blob `sha`; at zero it becomes garbage."""
        self._sql.exec("UPDATE fsx_blobs SET refs = refs - 1 WHERE hash = ?", sha)

    def read(self, sha: str) -> bytes:
        """The whole blob, from whichever tier holds it."""
        return self.store.get(sha, namespace=self.tier_of(sha))

    async def read_async(self, sha: str) -> bytes:
        """`read` without blocking the event loop."""
        return await self.store.get_async(sha, namespace=self.tier_of(sha))

    def read_range(self, sha: str, start: int, end: int) -> bytes:
        """Bytes [start, end) of the blob."""
        return self.store.get_range(sha, start, end, namespace=self.tier_of(sha))

    def iter_ranges(self, sha: str, size: int) -> Iterator[bytes]:
        """The blob in pieces of at most 1 MiB (never all in memory)."""
        tier = self.tier_of(sha)
        for start in range(0, size, _RANGE_BYTES):
            yield self.store.get_range(sha, start, min(size, start + _RANGE_BYTES), namespace=tier)

    def move_cold(self, older_than_ns: int) -> list[str]:
        """Move to the cold namespace every warm blob whose files were all untouched since `older_than_ns`."""
        rows = self._sql.exec(
            "SELECT b.hash FROM fsx_blobs b WHERE b.tier = ? AND b.refs > 0 AND NOT EXISTS ("
            "SELECT 1 FROM fsx_inodes i WHERE i.blob = b.hash AND max(i.atime, i.mtime) >= ?)",
            WARM,
            older_than_ns,
        ).raw()
        moved = []
        for (sha,) in list(rows):
            self.store.move(sha, source=WARM, destination=COLD)
            self._sql.exec("UPDATE fsx_blobs SET tier = ? WHERE hash = ?", COLD, sha)
            moved.append(sha)
        return moved

    def warm_up(self, sha: str) -> None:
        """Bring a cold blob back to the warm namespace (it is being written again)."""
        if self.tier_of(sha) == COLD:
            self.store.move(sha, source=COLD, destination=WARM)
            self._sql.exec("UPDATE fsx_blobs SET tier = ? WHERE hash = ?", WARM, sha)

    def collect_garbage(self, *, orphans: bool = False) -> int:
        """Delete unreferenced, unpinned blobs; with `orphans`, also blobs no row knows. Returns the count."""
        deleted = 0
        for sha, tier in list(self._sql.exec("SELECT hash, tier FROM fsx_blobs WHERE refs <= 0").raw()):
            if sha in self._pins:
                continue
            self.store.delete(sha, namespace=tier)
            self._sql.exec("DELETE FROM fsx_blobs WHERE hash = ? AND refs <= 0", sha)
            deleted += 1
        if orphans:
            known = {sha for (sha,) in self._sql.exec("SELECT hash FROM fsx_blobs").raw()}
            for tier in (WARM, COLD):
                for sha in list(self.store.list(namespace=tier)):
                    if sha not in known and sha not in self._pins:
                        self.store.delete(sha, namespace=tier)
                        deleted += 1
        return deleted

    def stats(self) -> dict[str, int]:
        """Blob counts and bytes per tier (referenced blobs only)."""
        out = {f"{tier}_{what}": 0 for tier in (WARM, COLD) for what in ("blobs", "bytes")}
        rows = self._sql.exec(
            "SELECT tier, count(*), COALESCE(SUM(size), 0) FROM fsx_blobs WHERE refs > 0 GROUP BY tier"
        ).raw()
        for tier, count, size in rows:
            out[f"{tier}_blobs"] = count
            out[f"{tier}_bytes"] = size
        return out
