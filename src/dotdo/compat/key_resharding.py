"""Resharding a bucket while it serves: its keys move from one layout (N shard objects) to another.

Shared by S3 and Cloud Storage. The bucket's own object records the move (`<prefix>_reshard`: the
shard counts it goes from and to, and per place of the old layout how far it got) before anything
moves, so a restart finishes it. The objects of the new layout are created first, then every object
of either layout learns its place in the new one (`key_layout.KeyFence`): from then on none accepts a
key it neither holds nor is given by the new layout, so new keys go straight to their new place.
Each old place is then walked in key order; the keys it must give up move in batches: their rows are
exported (writes to them wait), their blobs copied into the namespace of the object they go to,
written there, and deleted from the old place. Reads keep being answered by the old place until the
rows are gone from it, then by the new one; a listing asks every place of both layouts and keeps one
copy of a key seen twice.

Shards are chosen by the lifecycle's `hash` strategy (jump consistent hashing), so growing from N to
M shards moves only the keys that the new shards take, about (M - N) / M of them.

A bucket object taking part provides `info()` (with `tenant`, `name`, `blobs`, `shards`, `namespace`),
`shard_settings()`, `join_layout(settings, place, count)`, `leaving_keys`, `moving_keys`,
`export_keys`, `import_keys`, `release_keys` and `delete_bucket(shard=True)`; its layer's `KeyRowsFormat`
says how exported rows split by key and which blobs they reference.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from ..primitives.blob_store import BlobStore
from ..runtime.sql import SqlStorage
from . import key_rows
from .blob_references import BlobReferences
from .sharding import OWN_OBJECT, check_shard_count, places, shard_object_name, shard_of

PAGE = 1000
"""Keys of an old place examined per step."""


def schema(prefix: str) -> str:
    """The tables a bucket's own object records a move in (`prefix`: the layer's table prefix)."""
    return f"""
CREATE TABLE IF NOT EXISTS {prefix}_layout (shards INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS {prefix}_reshard (
    id TEXT NOT NULL, source INTEGER NOT NULL, target INTEGER NOT NULL, started_at REAL NOT NULL,
    moved INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS {prefix}_reshard_progress (
    place INTEGER PRIMARY KEY, after TEXT NOT NULL, done INTEGER NOT NULL);
"""


def pending(sql: SqlStorage, prefix: str) -> dict[str, Any] | None:
    """The move this bucket's object has recorded and not finished, if any."""
    rows = sql.exec(f"SELECT * FROM {prefix}_reshard").to_list()
    return rows[0] if rows else None


def moving_layouts(sql: SqlStorage, prefix: str) -> dict[str, int] | None:
    """{"source": N, "target": M} while a reshard runs, else None (what requests are routed by)."""
    move = pending(sql, prefix)
    return None if move is None else {"source": move["source"], "target": move["target"]}


def layout_shards(sql: SqlStorage, prefix: str) -> int:
    """Over how many shard objects the bucket's keys are (1: in its own object)."""
    rows = sql.exec(f"SELECT shards FROM {prefix}_layout").to_list()
    return rows[0]["shards"] if rows else 1


def set_layout_shards(sql: SqlStorage, prefix: str, shards: int) -> None:
    """Record the bucket's shard count."""
    sql.exec(f"DELETE FROM {prefix}_layout")
    sql.exec(f"INSERT INTO {prefix}_layout (shards) VALUES (?)", shards)


def status(sql: SqlStorage, prefix: str, name: str, shards: int) -> dict[str, Any]:
    """A bucket's shard count and, while a reshard runs, where it goes and how many keys moved."""
    move = pending(sql, prefix)
    found: dict[str, Any] = {"bucket": name, "shards": shards, "running": move is not None}
    if move is not None:
        found.update(source=move["source"], target=move["target"], moved=move["moved"])
    return found


class KeyRowsFormat(Protocol):
    """A layer's rows of some keys: which keys an object holds, taking them out and putting them back whole,
    how exported rows split by key and which blobs they reference (a module of functions will do)."""

    def held_keys(self, sql: SqlStorage, *, after: str, limit: int) -> list[str]:
        """Up to `limit` keys the object has rows of, after `after`, in key order."""
        ...

    def export(self, sql: SqlStorage, keys: list[str]) -> dict[str, Any]:
        """Every row of `keys`."""
        ...

    def import_rows(self, sql: SqlStorage, references: BlobReferences, rows: dict[str, Any]) -> None:
        """Write exported rows here, replacing any earlier copy of their keys, counting their blob references."""
        ...

    def release(self, sql: SqlStorage, references: BlobReferences, keys: list[str]) -> None:
        """Delete the rows of `keys`, dropping their blob references."""
        ...

    def split(self, rows: dict[str, Any], places: dict[str, int]) -> dict[int, dict[str, Any]]:
        """The rows grouped by the place (`places[key]`) each key goes to."""
        ...

    def blob_shas(self, rows: dict[str, Any]) -> set[str]:
        """The blobs the rows reference."""
        ...


class Resharder:
    """The move of one bucket's keys, run by the bucket's own object.

    `invalid(message)` and `busy(message)` make the layer's errors for a bad shard count and for a
    reshard already running.
    """

    def __init__(
        self,
        bucket: Any,
        *,
        prefix: str,
        rows: KeyRowsFormat,
        invalid: Callable[[str], Exception],
        busy: Callable[[str], Exception],
        batch_size: int,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.bucket = bucket
        self.sql: SqlStorage = bucket.storage.sql
        self.prefix = prefix
        self.rows = rows
        self.invalid = invalid
        self.busy = busy
        self.batch_size = batch_size
        self.on_batch = on_batch
        info = bucket.info()
        self.tenant: str = info["tenant"]
        self.name: str = info["name"]
        self.blobs = BlobStore(info["blobs"])
        self._namespaces: dict[int, str] = {}

    def check(self, shards: Any) -> int:
        """The shard count asked for, checked against the bucket's state (the layer's errors saying why)."""
        try:
            count = check_shard_count("shards", shards)
        except ValueError as exc:
            raise self.invalid(str(exc)) from None
        move = pending(self.sql, self.prefix)
        if move is not None:
            raise self.busy(
                f"bucket {self.name} is already being resharded from {move['source']} to {move['target']} shards; "
                "wait for it to finish"
            )
        return count

    def begin(self, target: int) -> None:
        """Record a move to `target` shards (`run` then carries it out)."""
        source = layout_shards(self.sql, self.prefix)

        def record() -> None:
            self.sql.exec(
                f"INSERT INTO {self.prefix}_reshard (id, source, target, started_at) VALUES (?, ?, ?, ?)",
                uuid.uuid4().hex,
                source,
                target,
                time.time(),
            )
            for place in places(source):
                self.sql.exec(f"INSERT INTO {self.prefix}_reshard_progress VALUES (?, '', 0)", place)

        self.bucket.storage.transaction_sync(record)

    async def _join(self, source: int, target: int) -> None:
        """Give every place of both layouts its place in the new one (again after a restart: it is idempotent)."""
        settings = self.bucket.shard_settings()
        new = places(target)
        # The new layout's objects first: an old place refuses a key only once its new place exists.
        for place in [*new, *(p for p in places(source) if p not in new)]:
            await self.call(place, "join_layout", settings, place, target)

    async def run(self) -> dict[str, Any]:
        """Move every key whose place changes; then the bucket's layout is the new one alone."""
        move = pending(self.sql, self.prefix)
        if move is None:
            return {"moved": 0}
        target = int(move["target"])
        await self._join(int(move["source"]), target)
        progress = self.sql.exec(f"SELECT * FROM {self.prefix}_reshard_progress ORDER BY place").to_list()
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
                self.sql.exec(f"UPDATE {self.prefix}_reshard_progress SET after = ? WHERE place = ?", after, place)
            self.sql.exec(f"UPDATE {self.prefix}_reshard_progress SET done = 1 WHERE place = ?", place)

        def finish() -> None:
            set_layout_shards(self.sql, self.prefix, target)
            self.sql.exec(f"DELETE FROM {self.prefix}_reshard")
            self.sql.exec(f"DELETE FROM {self.prefix}_reshard_progress")

        moved = int(self.sql.exec(f"SELECT moved FROM {self.prefix}_reshard").one()["moved"])
        self.bucket.storage.transaction_sync(finish)
        for place in places(int(move["source"])):
            if place != OWN_OBJECT and place not in places(target):
                # Emptied by the move: it stops being part of the bucket (a request still on its way to it
                # finds no bucket there and looks the key up again).
                await self.call(place, "delete_bucket", shard=True)
        return {"bucket": self.name, "source": move["source"], "target": target, "moved": moved}

    async def _move(self, source: int, keys: list[str], target: int) -> None:
        rows = key_rows.unpack(await self.call(source, "export_keys", keys))
        groups = self.rows.split(rows, {key: shard_of(key, target) for key in keys})
        for place, group in groups.items():
            await self._carry_blobs(self.rows.blob_shas(group), source, place)
            await self.call(place, "import_keys", key_rows.pack(group))
        await self.call(source, "release_keys", keys)
        self.sql.exec(f"UPDATE {self.prefix}_reshard SET moved = moved + ?", len(keys))
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
