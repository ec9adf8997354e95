"""Which keys an object of a bucket answers for, so a reshard never loses a write.

Once a bucket has been resharded, each object holding its keys (a shard, or the bucket's own object
while it is unsharded) records its place in the layout keys are going to (`s3_place`: its shard
index, -1 for the bucket's own object, and that layout's shard count). It then answers for a key
only if it holds rows of that key (versions, uploads, completed uploads) or if the layout places the
key there; any other key raises `KeyElsewhere`, and the caller looks the key up again. A key being
copied to its new place (`s3_moving`) is read here as usual, but a write to it raises `KeyMoving`
until its rows have gone: the caller waits and asks again. Both checks run in the same turn as the
read or write they guard, so a write lands where the key lives, never on a copy about to be dropped.
A bucket never resharded has no `s3_place` row and keeps answering for every key it is asked about.
"""

from __future__ import annotations

from ...runtime.sql import SqlStorage
from ..sharding import shard_of
from .errors import S3Error

SCHEMA = """
CREATE TABLE IF NOT EXISTS s3_place (place INTEGER NOT NULL, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS s3_moving (key TEXT PRIMARY KEY);
CREATE INDEX IF NOT EXISTS s3_uploads_key ON s3_uploads(key);
CREATE INDEX IF NOT EXISTS s3_completed_key ON s3_completed(key);
"""


class KeyElsewhere(S3Error):
    """The object asked does not hold this key: look its place up again (`SlowDown` if it ever reaches a client)."""

    def __init__(self, key: str) -> None:
        super().__init__("SlowDown", "the bucket is being resharded; send the request again", key=key)


class KeyMoving(S3Error):
    """This key's rows are being copied to their new place: write again in a moment."""

    def __init__(self, key: str) -> None:
        super().__init__("SlowDown", "the key is moving to another shard; send the request again", key=key)


def holds(sql: SqlStorage, key: str) -> bool:
    """Whether this object has any row of `key` (a version, an upload in progress, a completed upload)."""
    return bool(
        sql.exec(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM s3_objects WHERE key = ?) "
            "OR EXISTS (SELECT 1 FROM s3_uploads WHERE key = ?) OR EXISTS (SELECT 1 FROM s3_completed WHERE key = ?)",
            key,
            key,
            key,
        ).to_list()
    )


def place_of(sql: SqlStorage) -> tuple[int, int] | None:
    """(place, shard count of the layout it belongs to), or None for an object never resharded."""
    rows = sql.exec("SELECT place, count FROM s3_place").to_list()
    return (rows[0]["place"], rows[0]["count"]) if rows else None


def set_place(sql: SqlStorage, place: int, count: int) -> None:
    """Record this object's place in the layout of `count` shards the bucket is going to."""
    sql.exec("DELETE FROM s3_place")
    sql.exec("INSERT INTO s3_place VALUES (?, ?)", place, count)


def check(sql: SqlStorage, place: tuple[int, int] | None, key: str, *, write: bool) -> None:
    """Raise `KeyElsewhere` or `KeyMoving` unless this object should answer a read (or write) of `key`."""
    if place is None:
        return
    if write and sql.exec("SELECT 1 FROM s3_moving WHERE key = ?", key).to_list():
        raise KeyMoving(key)
    index, count = place
    if shard_of(key, count) == index or holds(sql, key):
        return
    raise KeyElsewhere(key)
