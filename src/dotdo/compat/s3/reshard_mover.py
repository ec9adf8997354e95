"""Resharding an S3 bucket while it serves: the shared mover (`key_resharding`) with S3's rows and errors.

A key's rows are its versions, its uploads in progress with their parts and its completed uploads
(`key_rows`); a bad shard count is `InvalidArgument`, a second reshard while one runs `OperationAborted`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..key_resharding import Resharder
from ..key_resharding import schema as reshard_schema
from . import key_rows
from .errors import S3Error

if TYPE_CHECKING:
    from .bucket import S3Bucket

PREFIX = "s3"
"""The prefix of the tables an `S3Bucket` records its layout and moves in."""

SCHEMA = reshard_schema(PREFIX)


def resharder(bucket: S3Bucket, *, batch_size: int, on_batch: Callable[[int], None] | None = None) -> Resharder:
    """The mover of one S3 bucket's keys, run by the bucket's own object."""
    return Resharder(
        bucket,
        prefix=PREFIX,
        rows=key_rows,
        invalid=lambda message: S3Error("InvalidArgument", message),
        busy=lambda message: S3Error("OperationAborted", message),
        batch_size=batch_size,
        on_batch=on_batch,
    )
