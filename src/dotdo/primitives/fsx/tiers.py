"""The warm and cold tiers: file contents kept as content-addressed blobs in an object store.

Contents over the warm threshold live in the blob store under the `warm` namespace; blobs no
file touched for `cold_after` seconds move to the `cold` namespace. `fsx_blobs` counts the inodes
referencing each blob; a blob whose count reached zero is garbage, deleted by `collect_garbage`
(after the change log's retention when the object ships one, for point-in-time restores).

Safety against concurrent writers: a writer pins a blob's hash (in memory, per storage) before
uploading it and unpins it after the transaction that references it; the collector never deletes
a pinned blob. Blobs are uploaded before any row references them, so a crash leaves at worst an
unreferenced blob, which the full collection (`orphans=True`) removes.

Large contents are streamed: a `BlobUpload` takes them piece by piece under `incoming/` and is
published under its sha256 at the end. Any upload under `incoming/` that no writer of this
process owns belongs to a process that died: the first use after a restart and
`collect_garbage(orphans=True)` delete it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

from ..blob_store import BlobStore, BlobUpload, sha256_hex_async
from .registry import shared_state

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

WARM = "warm"
COLD = "cold"
GRAVEYARD_TABLE = (
    "CREATE TABLE IF NOT EXISTS fsx_blob_graveyard (hash TEXT PRIMARY KEY, tier TEXT NOT NULL, since REAL NOT NULL) "
    "WITHOUT ROWID"
)
"""Unreferenced blobs kept for the change log's retention, and since when they are garbage."""
_RANGE_BYTES = 1024 * 1024


class BlobTier:
    """Blob-backed contents of one object's files: upload, read, reference counts, cold moves, GC."""

    def __init__(self, storage: ObjectStorage, blob_store: BlobStore) -> None:
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

    def is_pinned(self, sha: str) -> bool:
        """Whether a writer is uploading blob `sha` right now."""
        return self._pins.get(sha, 0) > 0

    def tier_of(self, sha: str) -> str:
        """The namespace blob `sha` is in (`warm` or `cold`)."""
        rows = list(self._sql.exec("SELECT tier FROM fsx_blobs WHERE hash = ?", sha).raw())
        return rows[0][0] if rows else WARM

    @staticmethod
    async def sha_of(data: bytes | bytearray | memoryview) -> str:
        """The sha256 (hex) naming a blob of `data` (hashed on a worker thread when large)."""
        return await sha256_hex_async(data)

    def upload(self, data: bytes | bytearray | memoryview) -> str:
        """Store `data` in the warm tier (once per content) and return its sha256; caller pins it."""
        sha = hashlib.sha256(data).hexdigest()
        if self.tier_of(sha) == WARM and not self.store.exists(sha, namespace=WARM):
            self.store.put(data, namespace=WARM)
        return sha

    def open_upload(self) -> BlobUpload:
        """Start streaming a blob (the collector leaves it alone until it is published or discarded)."""
        return self.store.open_upload()

    def upload_parts(self, parts: Iterable[bytes]) -> BlobUpload:
        """Stream `parts` into a new upload and finish it (publish it with `published`)."""
        upload = self.open_upload()
        try:
            for part in parts:
                upload.write(part)
            upload.finish()
        except BaseException:
            self.discard(upload)
            raise
        return upload

    @contextmanager
    def published(self, upload: BlobUpload) -> Iterator[str]:
        """Publish a finished upload to the warm tier and keep its blob pinned while the caller
        references it (in a transaction inside the `with`); yields the blob's sha256.

        Contents already stored (in either tier) are not stored twice: the upload is discarded.
        """
        try:
            sha = upload.finish()
            with self.pinned(sha):
                if self.tier_of(sha) == WARM:
                    upload.publish(namespace=WARM)
                yield sha
        finally:
            self.discard(upload)

    @asynccontextmanager
    async def published_async(self, upload: BlobUpload) -> AsyncIterator[str]:
        """`published` with the object-store work (finishing, moving into place) on a worker thread."""
        try:
            sha = await asyncio.to_thread(upload.finish)
            with self.pinned(sha):
                if self.tier_of(sha) == WARM:
                    await asyncio.to_thread(upload.publish, namespace=WARM)
                yield sha
        finally:
            self.discard(upload)

    def discard(self, upload: BlobUpload) -> None:
        """Drop an upload that will not be published (a no-op once it was)."""
        upload.discard()

    def sweep_incoming(self) -> int:
        """Delete uploads under `incoming/` that no writer of this process owns (left by a crash)."""
        return self.store.sweep_incoming()

    async def upload_async(self, data: bytes | bytearray | memoryview, sha: str) -> None:
        """Store `data`, whose sha256 is `sha`, in the warm tier without blocking the event loop."""
        if self.tier_of(sha) == WARM:
            await self.store.put_async(data, namespace=WARM, sha=sha)

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

    def _other(self, tier: str) -> str:
        return COLD if tier == WARM else WARM

    def read(self, sha: str) -> bytes:
        """The whole blob, from whichever tier holds it."""
        tier = self.tier_of(sha)
        try:
            return self.store.get(sha, namespace=tier)
        except FileNotFoundError:
            # A crash between a tier move and its commit leaves the blob in the other namespace.
            return self.store.get(sha, namespace=self._other(tier))

    async def read_async(self, sha: str) -> bytes:
        """`read` without blocking the event loop."""
        tier = self.tier_of(sha)
        with self.pinned(sha):
            try:
                return await self.store.get_async(sha, namespace=tier)
            except FileNotFoundError:
                return await self.store.get_async(sha, namespace=self._other(tier))

    def read_range(self, sha: str, start: int, end: int) -> bytes:
        """Bytes [start, end) of the blob."""
        tier = self.tier_of(sha)
        try:
            return self.store.get_range(sha, start, end, namespace=tier)
        except FileNotFoundError:
            return self.store.get_range(sha, start, end, namespace=self._other(tier))

    def range_reader(self, sha: str) -> Callable[[int, int], bytes]:
        """A function reading bytes [start, end) of the blob that touches only the object store
        (the tier is looked up now), so it can run on another thread."""
        tier = self.tier_of(sha)
        store, other = self.store, self._other(tier)

        def read(start: int, end: int) -> bytes:
            try:
                return store.get_range(sha, start, end, namespace=tier)
            except FileNotFoundError:
                return store.get_range(sha, start, end, namespace=other)

        return read

    def iter_ranges(self, sha: str, size: int) -> Iterator[bytes]:
        """The blob in pieces of at most 1 MiB (never all in memory)."""
        read = self.range_reader(sha)
        for start in range(0, size, _RANGE_BYTES):
            yield read(start, min(size, start + _RANGE_BYTES))

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

    def collect_garbage(self, *, orphans: bool = False) -> int:
        """Delete unreferenced, unpinned blobs; with `orphans`, also blobs no row knows. Returns the count.

        An object that ships its change log keeps its garbage for the log's retention first (in
        `fsx_blob_graveyard`, since when it is garbage): a restore to an instant when a blob was still
        referenced finds it.
        """
        deleted = 0
        keep_for = self._storage.blob_retention
        if keep_for > 0:
            self._sql.exec(GRAVEYARD_TABLE)
        now = time.time()
        for sha, tier in list(self._sql.exec("SELECT hash, tier FROM fsx_blobs WHERE refs <= 0").raw()):
            if sha in self._pins:
                continue
            if keep_for > 0:
                self._sql.exec(
                    "INSERT INTO fsx_blob_graveyard (hash, tier, since) VALUES (?, ?, ?) "
                    "ON CONFLICT (hash) DO UPDATE SET tier = excluded.tier, since = excluded.since",
                    sha,
                    tier,
                    now,
                )
            else:
                self._delete_blob(sha, tier)
                deleted += 1
            self._sql.exec("DELETE FROM fsx_blobs WHERE hash = ? AND refs <= 0", sha)
        if keep_for > 0:
            deleted += self._bury(now - keep_for)
        if orphans:
            known = {sha for (sha,) in self._sql.exec("SELECT hash FROM fsx_blobs").raw()}
            if self._storage.table_exists("fsx_blob_graveyard"):
                known.update(sha for (sha,) in self._sql.exec("SELECT hash FROM fsx_blob_graveyard").raw())
            for tier in (WARM, COLD):
                for sha in list(self.store.list(namespace=tier)):
                    if sha not in known and sha not in self._pins:
                        self.store.delete(sha, namespace=tier)
                        deleted += 1
                deleted += self.store.sweep_staging(namespace=tier, keep=self._pins)
            deleted += self.sweep_incoming()
        return deleted

    def _delete_blob(self, sha: str, tier: str) -> None:
        self.store.delete(sha, namespace=tier)
        self.store.delete(sha, namespace=self._other(tier))

    def _bury(self, garbage_before: float) -> int:
        """Delete the kept garbage older than `garbage_before` (epoch seconds) that nothing references again."""
        deleted = 0
        rows = self._sql.exec("SELECT hash, tier FROM fsx_blob_graveyard WHERE since < ?", garbage_before).raw()
        for sha, tier in list(rows):
            if sha in self._pins:
                continue
            if not self._sql.exec("SELECT 1 FROM fsx_blobs WHERE hash = ?", sha).to_list():
                self._delete_blob(sha, tier)
                deleted += 1
            self._sql.exec("DELETE FROM fsx_blob_graveyard WHERE hash = ?", sha)
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
