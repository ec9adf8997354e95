"""The bucket object: small bodies in the row, large ones in the blob store, blobs swept once unreferenced."""

from __future__ import annotations

import asyncio
import hashlib
import time
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


async def wait_until_gone(blobs: BlobStore, sha: str, namespace: str) -> None:
    """Wait (up to 10 s) for the bucket's alarm to sweep blob `sha`."""
    deadline = time.monotonic() + 10
    while blobs.exists(sha, namespace=namespace) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def test_the_alarm_sweeps_blobs_that_deletes_and_overwrites_left_and_keeps_referenced_ones(
    tmp_path: Path,
) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    data = {
        name: name.encode() * (INLINE_MAX // len(name) + 1)
        for name in ("old", "gone", "kept", "v1", "v2", "part", "revived")
    }
    sha = {name: hashlib.sha256(body).hexdigest() for name, body in data.items()}
    async with Runtime(tmp_path / "objects", objects=[S3Bucket]) as rt:
        bucket = rt.get(S3Bucket, "default/plain")
        await bucket.create("default", "plain", str(tmp_path / "blobs"), garbage_grace=0.2)
        plain = (await bucket.info())["namespace"]
        await bucket.put(blob_object(blobs, plain, "over", data["old"]))
        await bucket.put(NewObject(key="over", size=1, etag='"x"', parts=[], inline=b"x"))
        await bucket.put(blob_object(blobs, plain, "gone", data["gone"]))
        await bucket.delete("gone")
        await bucket.put(blob_object(blobs, plain, "kept", data["kept"]))
        # A part of an upload in progress shares its bytes with an object deleted meanwhile.
        upload = await bucket.create_upload("big", None, {}, {})
        await bucket.put(blob_object(blobs, plain, "shared", data["part"]))
        await bucket.put_part(upload, "big", 1, '"p"', len(data["part"]), sha["part"], "00")
        await bucket.delete("shared")
        # A new upload of bytes that had just become garbage references them again.
        await bucket.put(blob_object(blobs, plain, "dead", data["revived"]))
        await bucket.delete("dead")
        await bucket.put(blob_object(blobs, plain, "alive", data["revived"]))

        versioned = rt.get(S3Bucket, "default/versioned")
        await versioned.create("default", "versioned", str(tmp_path / "blobs"), garbage_grace=0.2)
        await versioned.set_versioning("Enabled")
        history = (await versioned.info())["namespace"]
        await versioned.put(blob_object(blobs, history, "doc", data["v1"]))
        await versioned.put(blob_object(blobs, history, "doc", data["v2"]))
        await versioned.delete("doc")

        await wait_until_gone(blobs, sha["old"], plain)
        await wait_until_gone(blobs, sha["gone"], plain)
        assert not blobs.exists(sha["old"], namespace=plain)
        assert not blobs.exists(sha["gone"], namespace=plain)
        for name in ("kept", "part", "revived"):
            assert blobs.exists(sha[name], namespace=plain), name
        for name in ("v1", "v2"):
            assert blobs.exists(sha[name], namespace=history), name
        assert await bucket.sweep_garbage(older_than=0) == 0
        assert await versioned.sweep_garbage(older_than=0) == 0
