"""`ShardedBucket`: what S3's and Cloud Storage's bucket objects share to be sharded and resharded online.

A bucket's own object records its layout (how many shard objects hold its keys) and carries out a
reshard (`key_resharding`); every object holding keys (the bucket's own while unsharded, or a shard)
passes each request through its fence (`key_layout.KeyFence`) and gives up or takes in the rows of
keys that move. A layer's bucket class says what its rows are (`rows_format`), how a shard is made
(`_join`, `shard_settings`), how many objects it holds (`count_keys`) and which errors it answers
with (`_invalid`, `_busy`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar

from ..context import DO
from . import key_resharding, key_rows
from .blob_references import BlobReferences
from .key_layout import KeyFence, grown_count, leaving
from .key_resharding import KeyRowsFormat, Resharder
from .sharding import places


class ShardedBucket(DO):
    """A bucket object that may be one of several holding a bucket's keys, or the one recording their layout."""

    layout_prefix: ClassVar[str]
    """The prefix of the layer's tables (`s3`, `gcs`)."""

    event_prefix: ClassVar[str]
    """What the bucket's reshard events are named after (`S3Bucket.resharding`, `S3Bucket.resharded`)."""

    rows_format: ClassVar[KeyRowsFormat]
    """The layer's rows of a key (its `key_rows` module)."""

    reshard_batch_size: ClassVar[int] = 200
    """Keys moved per batch by a reshard: a write to a moving key waits at most for one batch."""

    _references: BlobReferences
    _fence: KeyFence
    _place: tuple[int, int] | None
    _moving: asyncio.Task[dict[str, Any]] | None

    def on_reshard_progress(self, moved: int) -> None:
        """Called after each batch of a reshard with the number of keys it moved (override to watch a move)."""

    # -- what a layer provides ----------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """The bucket's settings, with `tenant`, `name`, `blobs`, `namespace`, `shards` and `reshard`."""
        raise NotImplementedError(f"{type(self).__name__} does not say what its settings are")

    def count_keys(self) -> int:
        """How many objects (current, not deleted) this object holds."""
        raise NotImplementedError(f"{type(self).__name__} does not say how to count its objects")

    def shard_settings(self) -> dict[str, Any]:
        """What a shard of this bucket is made with (`join_layout`'s settings)."""
        raise NotImplementedError(f"{type(self).__name__} does not say how its shards are made")

    @staticmethod
    def _invalid(message: str) -> Exception:
        """The layer's error for a bad shard count."""
        raise NotImplementedError("the layer does not say how it refuses a bad shard count")

    @staticmethod
    def _busy(message: str) -> Exception:
        """The layer's error for a reshard asked for while one runs."""
        raise NotImplementedError("the layer does not say how it refuses a second reshard")

    def _join(self, settings: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not say how a shard is made")

    # -- every object holding keys ------------------------------------------------------------------

    def _start_layout(self, fence: KeyFence) -> None:
        """Called by `on_start`: load this object's place, and finish a reshard a crash cut short."""
        self._fence = fence
        self._place = fence.place()
        self._moving = None
        if key_resharding.pending(self.storage.sql, self.layout_prefix):
            # Finished in the background; requests are routed exactly meanwhile.
            self.ctx.spawn(self.finish_reshard)

    def _resharder(self, on_batch: Callable[[int], None] | None = None) -> Resharder:
        return Resharder(
            self,
            prefix=self.layout_prefix,
            rows=self.rows_format,
            invalid=self._invalid,
            busy=self._busy,
            batch_size=self.reshard_batch_size,
            on_batch=on_batch,
        )

    def _check_key(self, key: str, *, write: bool) -> None:
        self._fence.check(self._place, key, write=write)

    def where(self, key: str) -> dict[str, Any]:
        """This object's settings if it answers for `key` (the layer's "elsewhere" error if another does)."""
        info = self.info()
        self._check_key(key, write=False)
        return info

    def join_layout(self, settings: dict[str, Any], place: int, count: int) -> None:
        """Take `place` in the layout of `count` shards the bucket `settings` describes is going to (created
        as a shard if new)."""
        self._join(settings)
        self._fence.set_place(place, count)
        self._place = (place, count)

    def leaving_keys(self, after: str, limit: int) -> dict[str, Any]:
        """Of the next `limit` keys held here after `after`, those the new layout places elsewhere, and the
        last key examined (None once every key was examined)."""
        keys = self.rows_format.held_keys(self.storage.sql, after=after, limit=limit)
        place = self._place
        gone = keys if place is None else leaving(keys, *place)
        return {"leaving": gone, "last": keys[-1] if len(keys) == limit else None}

    def moving_keys(self) -> list[str]:
        """Keys whose move an interruption left unfinished."""
        return self._fence.moving_keys()

    def export_keys(self, keys: list[str]) -> bytes:
        """The rows of `keys` (packed: one value crosses to the mover, not a copy per field), now marked as
        moving (writes to them wait until `release_keys`)."""

        def export() -> dict[str, Any]:
            self._fence.mark_moving(keys)
            return self.rows_format.export(self.storage.sql, keys)

        return key_rows.pack(self.storage.transaction_sync(export))

    def import_keys(self, packed: bytes) -> None:
        """Store the rows of keys moving here (packed), replacing what an interrupted move left."""
        rows = key_rows.unpack(packed)
        self.storage.transaction_sync(lambda: self.rows_format.import_rows(self.storage.sql, self._references, rows))

    def release_keys(self, keys: list[str]) -> None:
        """Drop the rows of `keys`, now stored in their new place."""

        def release() -> None:
            self.rows_format.release(self.storage.sql, self._references, keys)
            self._fence.unmark_moving(keys)

        self.storage.transaction_sync(release)

    # -- the bucket's own object --------------------------------------------------------------------

    async def reshard(self, shards: int) -> dict[str, Any]:
        """Start moving the bucket's keys to `shards` shard objects (1: back into this object); what runs.

        Requests keep being served while keys move; `reshard_status()` tells how far it got, and
        `finish_reshard()` waits for the end. The layer's errors for a bad count, or while another
        reshard of the bucket runs.
        """
        mover = self._resharder()
        count = mover.check(shards)
        current = int(self.info()["shards"])
        if count == current:
            return self.reshard_status()
        mover.begin(count)
        self.ctx.send(
            f"{self.event_prefix}.resharding",
            {"tenant": mover.tenant, "bucket": mover.name, "from": current, "to": count},
        )
        self.ctx.spawn(self.finish_reshard)
        return self.reshard_status()

    async def finish_reshard(self) -> dict[str, Any] | None:
        """Carry out the recorded reshard to its end (None if none is recorded); what it moved."""
        if self._moving is None or self._moving.done():
            if key_resharding.pending(self.storage.sql, self.layout_prefix) is None:
                return None
            self._moving = asyncio.ensure_future(self._resharder(self.on_reshard_progress).run())
        report = await asyncio.shield(self._moving)
        if "target" in report:
            self.ctx.send(f"{self.event_prefix}.resharded", {"tenant": self.info()["tenant"], **report})
        return report

    def reshard_status(self) -> dict[str, Any]:
        """The bucket's shard count and, while a reshard runs, where it goes and how many keys moved."""
        info = self.info()
        return key_resharding.status(self.storage.sql, self.layout_prefix, info["name"], info["shards"])

    async def grow(self, split_keys: int) -> dict[str, Any] | None:
        """Start a reshard if one shard holds more than `split_keys` objects (none runs already); its status."""
        if key_resharding.pending(self.storage.sql, self.layout_prefix) is not None:
            return None
        mover = self._resharder()
        current = int(self.info()["shards"])
        counts = [await mover.call(place, "count_keys") for place in places(current)]
        wanted = grown_count(current, counts, split_keys)
        return None if wanted is None else await self.reshard(wanted)
