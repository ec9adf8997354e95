"""Which keys an object of an S3 bucket answers for, so a reshard never loses a write (see `key_layout`).

An object holds rows of a key when it has versions, uploads in progress or completed uploads of it.
The errors a fenced request raises are S3's `SlowDown` if they ever reach a client; the request
itself looks the key up again (`KeyElsewhere`) or waits (`KeyMoving`).
"""

from __future__ import annotations

from ...runtime.sql import SqlStorage
from .. import key_rows
from ..key_layout import KeyElsewhereError, KeyFence, KeyMovingError, fence_schema
from .errors import S3Error

SCHEMA = (
    fence_schema("s3")
    + """
CREATE INDEX IF NOT EXISTS s3_uploads_key ON s3_uploads(key);
CREATE INDEX IF NOT EXISTS s3_completed_key ON s3_completed(key);
"""
)

KEY_TABLES = {"s3_objects": "key", "s3_uploads": "key", "s3_completed": "key"}
"""The tables holding rows of a key (table -> key column)."""


class KeyElsewhere(S3Error, KeyElsewhereError):
    """The object asked does not hold this key: look its place up again (`SlowDown` if it ever reaches a client)."""

    def __init__(self, key: str) -> None:
        super().__init__("SlowDown", "the bucket is being resharded; send the request again", key=key)


class KeyMoving(S3Error, KeyMovingError):
    """This key's rows are being copied to their new place: write again in a moment."""

    def __init__(self, key: str) -> None:
        super().__init__("SlowDown", "the key is moving to another shard; send the request again", key=key)


def fence(sql: SqlStorage) -> KeyFence:
    """The fence of an `S3Bucket` object."""
    return KeyFence(
        sql,
        "s3",
        holds=lambda key: key_rows.holds(sql, KEY_TABLES, key),
        elsewhere=KeyElsewhere,
        moving=KeyMoving,
    )
