"""The content-addressed blob store, on a local folder and on an in-memory obstore store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from obstore.store import MemoryStore

from dotdo.primitives.blob_store import BlobStore, sha256_hex


@pytest.fixture(params=["folder", "memory"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "folder":
        return BlobStore(tmp_path / "blobs")
    return BlobStore(MemoryStore(), prefix="objects/one")


def test_put_names_blobs_by_sha256_and_get_returns_them(blobs: BlobStore) -> None:
    sha = blobs.put(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest() == sha256_hex(b"hello")
    assert blobs.get(sha) == b"hello"
    assert blobs.get_range(sha, 1, 4) == b"ell"
    assert blobs.exists(sha) and list(blobs.list()) == [sha]


def test_put_is_idempotent_and_never_rewrites(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "b")
    sha = blobs.put(b"data")
    stored = tmp_path / "b" / "blobs" / sha[:2] / sha
    before = stored.stat().st_mtime_ns
    assert blobs.put(b"data") == sha
    assert stored.stat().st_mtime_ns == before
    assert not blobs.put_stream(sha, iter([b"never", b"read"]))


def test_streamed_put_and_namespaces(blobs: BlobStore) -> None:
    parts = [b"a" * 1000, b"b" * 1000]
    sha = hashlib.sha256(b"".join(parts)).hexdigest()
    assert blobs.put_stream(sha, iter(parts), namespace="warm")
    assert not blobs.exists(sha) and blobs.exists(sha, namespace="warm")
    blobs.move(sha, source="warm", destination="cold")
    assert blobs.get(sha, namespace="cold") == b"".join(parts)
    assert not blobs.exists(sha, namespace="warm")


def test_delete_and_missing_blobs(blobs: BlobStore) -> None:
    sha = blobs.put(b"x")
    assert blobs.delete(sha) and not blobs.delete(sha)
    with pytest.raises(FileNotFoundError, match="not in namespace"):
        blobs.get(sha)
    assert list(blobs.list()) == []


def test_hostile_names_are_refused(blobs: BlobStore) -> None:
    for bad in ["../../etc/passwd", "A" * 64, "abc", 42]:
        with pytest.raises(ValueError, match="sha256"):
            blobs.get(bad)  # type: ignore[arg-type]
    for namespace in ["..", "a/b", ""]:
        with pytest.raises(ValueError, match="namespace"):
            blobs.put(b"x", namespace=namespace)
    with pytest.raises(ValueError, match="prefix"):
        BlobStore(MemoryStore(), prefix="a/../b")
    with pytest.raises(TypeError, match="bytes"):
        blobs.put("text")  # type: ignore[arg-type]


async def test_async_put_and_get(blobs: BlobStore) -> None:
    sha = await blobs.put_async(b"async bytes")
    assert await blobs.get_async(sha) == b"async bytes"
    assert await blobs.put_async(b"async bytes") == sha
