"""The content-addressed blob store, on a local folder and on an in-memory obstore store."""

from __future__ import annotations

import hashlib
import uuid
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
    for namespace in ["..", "a/b", "", "incoming"]:
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


def test_an_upload_streams_piece_by_piece_and_is_published_under_its_sha256(blobs: BlobStore) -> None:
    pieces = [bytes([i]) * 3_000_000 for i in range(4)]  # past one 5 MiB part, for multipart stores
    upload = blobs.open_upload()
    for piece in pieces:
        upload.write(piece)
    sha = upload.finish()
    assert blobs.incoming() == [upload.name]
    assert sha == sha256_hex(b"".join(pieces)) and upload.size == 12_000_000
    assert upload.read_range(2_999_999, 3_000_001) == b"\x00\x01"
    assert upload.publish(namespace="warm")
    assert blobs.get_range(sha, 5_999_999, 6_000_001, namespace="warm") == b"\x01\x02"
    assert blobs.incoming() == []

    again = blobs.open_upload()
    for piece in pieces:
        again.write(piece)
    assert not again.publish(namespace="warm"), "the same contents are stored once"
    assert blobs.incoming() == [] and list(blobs.list(namespace="warm")) == [sha]
    with pytest.raises(ValueError, match="finished"):
        again.write(b"more")


def test_an_empty_upload_and_a_discarded_one(blobs: BlobStore) -> None:
    empty = blobs.open_upload()
    assert empty.publish() and blobs.get(sha256_hex(b"")) == b""
    dropped = blobs.open_upload()
    dropped.write(b"never published")
    dropped.discard()
    dropped.discard()
    assert blobs.incoming() == []
    with pytest.raises(ValueError, match="discarded"):
        dropped.finish()


def test_uploads_left_by_a_dead_process_are_listed_and_discarded(blobs: BlobStore) -> None:
    left = blobs.open_upload()
    left.write(b"half")
    left.finish()
    assert blobs.incoming() == [left.name]
    blobs.discard_incoming(left.name)
    assert blobs.incoming() == []
    for bad in ["../warm", "x" * 32, ""]:
        with pytest.raises(ValueError, match="upload"):
            blobs.discard_incoming(bad)


def test_streamed_parts_that_do_not_match_their_sha_are_refused(blobs: BlobStore) -> None:
    with pytest.raises(ValueError, match="hash to"):
        blobs.put_stream("0" * 64, iter([b"not", b"zeros"]))
    assert not blobs.exists("0" * 64) and blobs.incoming() == []


def test_staging_files_of_a_killed_put_are_swept(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "b")
    kept = blobs.put(b"kept", namespace="warm")
    folder = tmp_path / "b" / "warm" / kept[:2]
    (folder / f"{kept}#3").write_bytes(b"a put of the same blob, in progress")
    (folder / f"{'f' * 64}#1").write_bytes(b"killed midway")
    assert blobs.sweep_staging(namespace="warm", keep=[kept]) == 1
    assert sorted(path.name for path in folder.iterdir()) == sorted([kept, f"{kept}#3"])
    assert BlobStore(MemoryStore()).sweep_staging(namespace="warm") == 0


def test_sweeping_incoming_keeps_live_uploads_and_removes_a_dead_process_s(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "b")
    live = blobs.open_upload()
    live.write(b"still being written")
    dead = uuid.uuid4().hex
    (tmp_path / "b" / "incoming" / dead).write_bytes(b"left by a killed process")
    (tmp_path / "b" / "incoming" / f"{dead}#1").write_bytes(b"and obstore's staging file")
    assert blobs.incoming() == sorted([live.name, dead])
    assert blobs.sweep_incoming() == 1
    assert blobs.incoming() == [live.name]
    live.write(b", then published")
    assert live.publish()
    assert blobs.get(sha256_hex(b"still being written, then published")) == b"still being written, then published"
    assert blobs.incoming() == []


def test_a_put_into_a_folder_never_leaves_hidden_staging_files(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "b")
    sha = blobs.put(b"x" * 100_000, namespace="warm")
    assert [path.name for path in (tmp_path / "b" / "warm" / sha[:2]).iterdir()] == [sha]
    assert blobs.incoming() == []


@pytest.mark.parametrize("where", ["folder", "memory"])
def test_copy_makes_a_blob_present_in_another_namespace_and_keeps_the_original(tmp_path: Path, where: str) -> None:
    blobs = BlobStore(tmp_path / "blobs") if where == "folder" else BlobStore(MemoryStore())
    sha = blobs.put(b"moving bytes", namespace="from")
    blobs.copy(sha, source="from", destination="to")
    blobs.copy(sha, source="from", destination="to")  # already there: nothing to do
    assert blobs.get(sha, namespace="to") == blobs.get(sha, namespace="from") == b"moving bytes"
    blobs.delete(sha, namespace="from")
    assert blobs.get(sha, namespace="to") == b"moving bytes"
    with pytest.raises(FileNotFoundError, match="not in namespace 'from'"):
        blobs.copy(sha, source="from", destination="elsewhere")
