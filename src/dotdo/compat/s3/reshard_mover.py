"""Resharding a bucket while it serves: its keys move from one layout (N shard objects) to another.

The bucket's own object records the move (`s3_reshard`: the shard counts it goes from and to, and
per place of the old layout how far it got) before anything moves, so a restart finishes it. The
objects of the new layout are created first, then every object of either layout learns its place in
the new one (`key_fence`): from then on none accepts a key it neither holds nor is given by the new
layout, so new keys go straight to their new place. Each old place is then walked in key order; the
keys it must give up move in batches: their rows are exported (writes to them wait), their blobs
copied into the namespace of the object they go to, written there, and deleted from the old place.
Reads keep being answered by the old place until the rows are gone from it, then by the new one; a
listing asks every place of both layouts and keeps one copy of a key seen twice.

Shards are chosen by the lifecycle's `hash` strategy (jump consistent hashing), so growing from N to
M shards moves only the keys that the new shards take, about (M - N) / M of them.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...cluster.shard_strategies import MAX_SHARDS
from ...primitives.blob_store import BlobStore
from ...runtime.sql import SqlStorage
from ..sharding import OWN_OBJECT, check_shard_count, places, shard_object_name, shard_of
from . import key_rows
from .errors import S3Error

if TYPE_CHECKING:
    from .bucket import S3Bucket

SCHEMA = """
CREATE TABLE IF NOT EXISTS s3_reshard (
    id TEXT NOT NULL, source INTEGER NOT NULL, target INTEGER NOT NULL, started_at REAL NOT NULL,
    moved INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS s3_reshard_progress (place INTEGER PRIMARY KEY, after TEXT NOT NULL, done INTEGER NOT NULL);
"""

PAGE = 1000
"""Keys of an old place examined per step."""

DEFAULT_SPLIT_KEYS = 1_000_000
"""Objects one shard may hold before the server splits the bucket (`--bucket-split-keys`)."""


def pending(sql: SqlStorage) -> dict[str, Any] | None:
    """The move this bucket's object has recorded and not finished, if any."""
    rows = sql.exec("SELECT * FROM s3_reshard").to_list()
    return rows[0] if rows else None


def moving_layouts(sql: SqlStorage) -> dict[str, int] | None:
    """{"source": N, "target": M} while a reshard runs, else None (what requests are routed by)."""
    move = pending(sql)
    return None if move is None else {"source": move["source"], "target": move["target"]}


def grown_count(current: int, counts: list[int], split_keys: int) -> int | None:
    """The shard count a bucket should grow to when a shard holds more than `split_keys` objects, else None."""
    if split_keys <= 0 or current >= MAX_SHARDS or max(counts, default=0) <= split_keys:
        return None
    wanted = -(-2 * sum(counts) // split_keys)  # shards about half full
    return min(MAX_SHARDS, max(2 * current, wanted))


class Resharder:
    """The move of one bucket's keys, run by the bucket's own object."""

    def __init__(self, bucket: S3Bucket, *, batch_size: int, on_batch: Callable[[int], None] | None = None) -> None:
        self.bucket = bucket
        self.sql = bucket.storage.sql
        self.batch_size = batch_size
        self.on_batch = on_batch
        info = bucket.info()
        self.tenant: str = info["tenant"]
        self.name: str = info["name"]
        self.blobs = BlobStore(info["blobs"])
        self._namespaces: dict[int, str] = {}

    def check(self, shards: Any) -> int:
        """The shard count asked for, checked against the bucket's state (`InvalidArgument` saying why)."""
        try:
            count = check_shard_count("shards", shards)
        except ValueError as exc:
            raise S3Error("InvalidArgument", str(exc)) from None
        move = pending(self.sql)
        if move is not None:
            raise S3Error(
                "OperationAborted",
                f"bucket {self.name} is already being resharded from {move['source']} to {move['target']} shards; "
                "wait for it to finish",
            )
        return count

    def begin(self, target: int) -> None:
        """Record a move to `target` shards (`run` then carries it out)."""
        source = int(self.bucket.info()["shards"])
        self.sql.exec(
            "INSERT INTO s3_reshard (id, source, target, started_at) VALUES (?, ?, ?, ?)",
            uuid.uuid4().hex,
            source,
            target,
            time.time(),
        )
        for place in places(source):
            self.sql.exec("INSERT INTO s3_reshard_progress VALUES (?, '', 0)", place)

    async def _join(self, source: int, target: int) -> None:
        """Give every place of both layouts its place in the new one (again after a restart: it is idempotent)."""
        info = self.bucket.info()
        new = places(target)
        # The new layout's objects first: an old place refuses a key only once its new place exists.
        for place in [*new, *(p for p in places(source) if p not in new)]:
            await self.call(
                place, "join_layout", self.tenant, self.name, info["blobs"], info["versioning"], place, target
            )

    async def run(self) -> dict[str, Any]:
        """Move every key whose place changes; then the bucket's layout is the new one alone."""
        move = pending(self.sql)
        if move is None:
            return {"moved": 0}
        target = int(move["target"])
        await self._join(int(move["source"]), target)
        progress = self.sql.exec("SELECT * FROM s3_reshard_progress ORDER BY place").to_list()
        for row in progress:
            if row["done"]:
                continue
            place = row["place"]
            left = await self.call(place, "moving_keys")
            if left:  # a batch a crash cut short
                await self._move(place, left, target)
            after = row["after"]
            while True:
                page = await self.call(place, "leaving_keys", after, PAGE)
                leaving = page["leaving"]
                for start in range(0, len(leaving), self.batch_size):
                    await self._move(place, leaving[start : start + self.batch_size], target)
                if page["last"] is None:
                    break
                after = page["last"]
                self.sql.exec("UPDATE s3_reshard_progress SET after = ? WHERE place = ?", after, place)
            self.sql.exec("UPDATE s3_reshard_progress SET done = 1 WHERE place = ?", place)

        def finish() -> None:
            self.sql.exec("UPDATE s3_layout SET shards = ?", target)
            self.sql.exec("DELETE FROM s3_reshard")
            self.sql.exec("DELETE FROM s3_reshard_progress")

        moved = int(self.sql.exec("SELECT moved FROM s3_reshard").one()["moved"])
        self.bucket.storage.transaction_sync(finish)
        for place in places(int(move["source"])):
            if place != OWN_OBJECT and place not in places(target):
                # Emptied by the move: it stops being part of the bucket (a request still on its way to it
                # finds no bucket there and looks the key up again).
                await self.call(place, "delete_bucket", shard=True)
        return {"bucket": self.name, "source": move["source"], "target": target, "moved": moved}

    async def _move(self, source: int, keys: list[str], target: int) -> None:
        rows = key_rows.unpack(await self.call(source, "export_keys", keys))
        groups = key_rows.split(rows, {key: shard_of(key, target) for key in keys})
        for place, group in groups.items():
            await self._carry_blobs(key_rows.blob_shas(group), source, place)
            await self.call(place, "import_keys", key_rows.pack(group))
        await self.call(source, "release_keys", keys)
        self.sql.exec("UPDATE s3_reshard SET moved = moved + ?", len(keys))
        if self.on_batch is not None:
            self.on_batch(len(keys))

    async def _carry_blobs(self, shas: set[str], source: int, target: int) -> None:
        if not shas:
            return
        from_ns, to_ns = await self._namespace(source), await self._namespace(target)
        for sha in shas:
            await asyncio.to_thread(self.blobs.copy, sha, source=from_ns, destination=to_ns)

    async def _namespace(self, place: int) -> str:
        if place not in self._namespaces:
            self._namespaces[place] = (await self.call(place, "info"))["namespace"]
        return self._namespaces[place]

    async def call(self, place: int, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call `method` of the object at `place` (this bucket's own object directly)."""
        if place == OWN_OBJECT:
            return getattr(self.bucket, method)(*args, **kwargs)
        stub = self.bucket.runtime.get(type(self.bucket), shard_object_name(self.tenant, self.name, place))
        return await getattr(stub, method)(*args, **kwargs)
