"""The bucket object: small bodies in the row, large ones in the blob store, blobs swept once unreferenced."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dotdo import Runtime
from dotdo.compat.s3 import S3Bucket
from dotdo.compat.s3.bucket import INLINE_MAX, NewObject
from dotdo.compat.s3.errors import S3Error
from dotdo.primitives.blob_store import BlobStore


def blob_object(blobs: BlobStore, namespace: str, key: str, data: bytes) -> NewObject:
    sha = blobs.put(data, namespace=namespace)
    return NewObject(key=key, size=len(data), etag=f'"{hashlib.md5(data).hexdigest()}"', parts=[(sha, len(data))])


async def test_unreferenced_blobs_are_swept_after_the_grace_and_shared_ones_kept(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    async with Runtime(tmp_path / "objects", objects=[S3Bucket]) as rt:
        bucket = rt.get(S3Bucket, "default/bkt")
        await bucket.create("default", "bkt", str(tmp_path / "blobs"))
        namespace = (await bucket.info())["namespace"]
        shared = b"s" * (INLINE_MAX + 1)
        await bucket.put(blob_object(blobs, namespace, "one", shared))
        await bucket.put(blob_object(blobs, namespace, "two", shared))
        replaced = b"r" * (INLINE_MAX + 1)
        await bucket.put(blob_object(blobs, namespace, "three", replaced))
        await bucket.put(NewObject(key="three", size=1, etag='"x"', parts=[], inline=b"x"))
        await bucket.delete("one")
        assert await bucket.sweep_garbage(older_than=3600) == 0
        assert await bucket.sweep_garbage(older_than=0) == 1
        shared_sha, replaced_sha = hashlib.sha256(shared).hexdigest(), hashlib.sha256(replaced).hexdigest()
        assert blobs.exists(shared_sha, namespace=namespace)
        assert not blobs.exists(replaced_sha, namespace=namespace)
        assert (await bucket.head("three")).inline == b"x"
        await bucket.delete("two")
        assert await bucket.sweep_garbage(older_than=0) == 1
        assert not blobs.exists(shared_sha, namespace=namespace)


async def test_a_put_whose_blob_vanished_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    async with Runtime(tmp_path / "objects", objects=[S3Bucket]) as rt:
        bucket = rt.get(S3Bucket, "default/bkt")
        await bucket.create("default", "bkt", str(tmp_path / "blobs"))
        ghost = NewObject(key="ghost", size=3, etag='"x"', parts=[("0" * 64, 3)])
        with pytest.raises(S3Error, match="send it again"):
            await bucket.put(ghost)
        assert (await bucket.list_objects()).contents == []
