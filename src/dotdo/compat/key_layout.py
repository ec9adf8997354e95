"""Where a key of a sharded bucket lives, and the fence that keeps each key in one place during a reshard.

A bucket (S3's or Cloud Storage's) made with N > 1 shards keeps its settings in its own object and
its keys in N shard objects (`<tenant>/<bucket>-shard-<i>`, the lifecycle's shard naming). A key's
shard is the lifecycle's `hash` strategy (jump consistent hashing of the key), so every operation on
one key is one object's turn.

Once a bucket has been resharded, each object holding its keys (a shard, or the bucket's own object
while it is unsharded) records its place in the layout keys are going to (`<prefix>_place`: its
shard index, `OWN_OBJECT` for the bucket's own object, and that layout's shard count). It then
answers for a key only if it holds rows of that key or if the layout places the key there; any other
key raises the layer's `KeyElsewhere` error, and the caller looks the key up again. A key being
copied to its new place (`<prefix>_moving`) is read as usual, but a write to it raises the layer's
`KeyMoving` error until its rows have gone: the caller waits and asks again. Both checks run in the
same turn as the read or write they guard, so a write lands where the key lives, never on a copy
about to be dropped. An object never resharded has no place row and answers for every key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..cluster.shard_strategies import MAX_SHARDS
from ..runtime.sql import SqlStorage
from .sharding import places, shard_of

DEFAULT_SPLIT_KEYS = 1_000_000
"""Objects one shard may hold before the server splits the bucket (`--bucket-split-keys`)."""


def layout_places(info: dict[str, Any]) -> list[int]:
    """Every place that may hold keys of the bucket `info` describes (`shards`, and `reshard` while one
    runs): both layouts' during a reshard, the old layout's first."""
    found = places(int(info.get("shards") or 1))
    move = info.get("reshard")
    if move:
        found = places(int(move["source"]))
        found += [place for place in places(int(move["target"])) if place not in found]
    return found


def key_places(info: dict[str, Any], key: str) -> list[int]:
    """Where to look for `key`, in order: its place, or its old place then its new one during a reshard."""
    move = info.get("reshard")
    if not move:
        return [shard_of(key, int(info.get("shards") or 1))]
    old, new = shard_of(key, int(move["source"])), shard_of(key, int(move["target"]))
    return [old] if old == new else [old, new]


def grown_count(current: int, counts: list[int], split_keys: int) -> int | None:
    """The shard count a bucket should grow to when a shard holds more than `split_keys` objects, else None."""
    if split_keys <= 0 or current >= MAX_SHARDS or max(counts, default=0) <= split_keys:
        return None
    wanted = -(-2 * sum(counts) // split_keys)  # shards about half full
    return min(MAX_SHARDS, max(2 * current, wanted))


class KeyElsewhereError(Exception):
    """Marks a layer's error meaning "the object asked does not hold this key: look its place up again"."""


class KeyMovingError(Exception):
    """Marks a layer's error meaning "this key's rows are being copied to their new place: write again soon"."""


def fence_schema(prefix: str) -> str:
    """The tables of the fence of a layer whose tables start with `prefix`."""
    return f"""
CREATE TABLE IF NOT EXISTS {prefix}_place (place INTEGER NOT NULL, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS {prefix}_moving (key TEXT PRIMARY KEY);
"""


@dataclass
class KeyFence:
    """One object's fence: its place in the layout keys are going to, and the check every request passes.

    `holds(key)` says whether the object has rows of `key`; `elsewhere(key)` and `moving(key)` make the
    layer's own errors (marked `KeyElsewhereError` and `KeyMovingError`).
    """

    sql: SqlStorage
    prefix: str
    holds: Callable[[str], bool]
    elsewhere: Callable[[str], Exception]
    moving: Callable[[str], Exception]

    def place(self) -> tuple[int, int] | None:
        """(place, shard count of the layout it belongs to), or None for an object never resharded."""
        rows = self.sql.exec(f"SELECT place, count FROM {self.prefix}_place").to_list()
        return (rows[0]["place"], rows[0]["count"]) if rows else None

    def set_place(self, place: int, count: int) -> None:
        """Record this object's place in the layout of `count` shards the bucket is going to."""
        self.sql.exec(f"DELETE FROM {self.prefix}_place")
        self.sql.exec(f"INSERT INTO {self.prefix}_place VALUES (?, ?)", place, count)

    def forget_place(self) -> None:
        """Forget any place (a bucket made again, or deleted, starts with no reshard behind it)."""
        self.sql.exec(f"DELETE FROM {self.prefix}_place")

    def check(self, place: tuple[int, int] | None, key: str, *, write: bool) -> None:
        """Raise the layer's elsewhere or moving error unless this object should answer a read (or write) of `key`."""
        if place is None:
            return
        if write and self.sql.exec(f"SELECT 1 FROM {self.prefix}_moving WHERE key = ?", key).to_list():
            raise self.moving(key)
        index, count = place
        if shard_of(key, count) == index or self.holds(key):
            return
        raise self.elsewhere(key)

    def moving_keys(self) -> list[str]:
        """The keys an interrupted move marked as moving (their copy must be finished)."""
        return [row["key"] for row in self.sql.exec(f"SELECT key FROM {self.prefix}_moving ORDER BY key").to_list()]

    def mark_moving(self, keys: list[str]) -> None:
        """Mark `keys` as moving (writes to them wait until `unmark_moving`)."""
        self.sql.exec(f"INSERT OR IGNORE INTO {self.prefix}_moving SELECT value FROM json_each(?)", json.dumps(keys))

    def unmark_moving(self, keys: list[str]) -> None:
        """The moves of `keys` are over."""
        self.sql.exec(
            f"DELETE FROM {self.prefix}_moving WHERE key IN (SELECT value FROM json_each(?))", json.dumps(keys)
        )


def leaving(keys: list[str], place: int, count: int) -> list[str]:
    """The keys of `keys` that a layout of `count` shards places somewhere other than `place`."""
    return [key for key in keys if shard_of(key, count) != place]
