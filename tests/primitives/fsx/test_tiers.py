"""The warm and cold tiers: blobs over the threshold, cold moves, transparent reads, garbage collection."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest
from obstore.store import MemoryStore

from dotdo import DO, Runtime
from dotdo.primitives.blob_store import BlobStore
from dotdo.primitives.fsx import FileSystem
from dotdo.runtime.storage import Storage

BIG = os.urandom(3000)


def test_files_over_the_threshold_live_in_the_warm_tier(storage: Storage) -> None:
    fs = FileSystem(storage, warm_threshold=1024).sync
    fs.write("/small", b"s" * 1024)
    fs.write("/big", BIG)

    assert fs.resolve("/small").inode.blob is None
    sha = fs.resolve("/big").inode.blob
    assert sha is not None and fs.blob_store.exists(sha, namespace="warm")
    assert storage.path.with_suffix(".blobs").is_dir(), "default blob root is beside the SQLite file"
    assert fs.read("/big") == BIG
    assert fs.usage()["warm_blobs"] == 1 and fs.usage()["chunk_bytes"] == 1024


def test_identical_contents_are_stored_once_and_freed_with_the_last_reference(small_fs) -> None:
    small_fs.write("/a", BIG)
    small_fs.write("/b", BIG)
    small_fs.copy("/a", "/c")
    sha = small_fs.resolve("/a").inode.blob
    assert list(small_fs.blob_store.list(namespace="warm")) == [sha]

    small_fs.unlink("/a")
    small_fs.unlink("/b")
    assert small_fs.collect_garbage() == 0
    assert small_fs.read("/c") == BIG
    small_fs.unlink("/c")
    assert small_fs.blob_store.exists(sha, namespace="warm"), "deletion is deferred to the collector"
    assert small_fs.collect_garbage() == 1
    assert not small_fs.blob_store.exists(sha, namespace="warm")


def test_overwriting_and_truncating_release_the_old_blob(small_fs) -> None:
    small_fs.write("/f", BIG)
    old = small_fs.resolve("/f").inode.blob
    small_fs.write("/f", b"tiny")
    small_fs.collect_garbage()
    assert not small_fs.blob_store.exists(old, namespace="warm")

    small_fs.write("/g", BIG)
    small_fs.truncate("/g", 10)
    assert small_fs.read("/g") == BIG[:10] and small_fs.resolve("/g").inode.blob is None
    small_fs.write("/g", BIG[:2000], append=False)
    small_fs.write("/g", BIG[2000:], append=True)
    assert small_fs.read("/g") == BIG and small_fs.resolve("/g").inode.blob is not None


def test_untouched_files_move_cold_and_read_back_transparently(storage: Storage) -> None:
    fs = FileSystem(storage, warm_threshold=1024, cold_after=3600).sync
    fs.write("/old", BIG)
    fs.write("/fresh", BIG[::-1])
    fs.utime("/old", (1_000_000.0, 1_000_000.0))

    assert fs.move_cold() == 1
    sha = fs.resolve("/old").inode.blob
    assert fs.blob_store.exists(sha, namespace="cold") and not fs.blob_store.exists(sha, namespace="warm")
    assert fs.read("/old") == BIG
    with fs.open("/old", "rb") as handle:
        handle.seek(100)
        assert handle.read(50) == BIG[100:150]
    assert fs.usage()["cold_blobs"] == 1 and fs.usage()["warm_blobs"] == 1
    fs.unlink("/old")
    assert fs.collect_garbage() == 1
    assert not fs.blob_store.exists(sha, namespace="cold")


def test_reading_a_file_keeps_it_out_of_the_cold_tier(storage: Storage) -> None:
    fs = FileSystem(storage, warm_threshold=1024, cold_after=3600).sync
    fs.write("/read-daily", BIG)
    fs.write("/forgotten", BIG[::-1])
    for path in ("/read-daily", "/forgotten"):
        fs.utime(path, (1_000_000.0, 1_000_000.0))
    assert fs.read("/read-daily") == BIG
    assert fs.stat("/read-daily").st_atime > 1_000_000.0

    assert fs.move_cold() == 1
    assert fs.blob_store.exists(fs.resolve("/read-daily").inode.blob, namespace="warm")
    assert fs.blob_store.exists(fs.resolve("/forgotten").inode.blob, namespace="cold")


def test_move_cold_needs_an_age(small_fs) -> None:
    with pytest.raises(ValueError, match="cold_after"):
        small_fs.move_cold()


def test_full_collection_removes_blobs_left_by_a_crash(small_fs) -> None:
    small_fs.write("/kept", BIG)
    stray = small_fs.blob_store.put(b"uploaded, then the process died", namespace="warm")
    assert small_fs.collect_garbage() == 0
    assert small_fs.collect_garbage(orphans=True) == 1
    assert not small_fs.blob_store.exists(stray, namespace="warm")
    assert small_fs.read("/kept") == BIG


async def test_collector_spares_a_blob_a_concurrent_writer_is_uploading(storage: Storage) -> None:
    afs = FileSystem(storage, warm_threshold=1024)
    await afs.write("/old", BIG)
    sha = afs.sync.resolve("/old").inode.blob

    writer = asyncio.create_task(afs.write("/new", BIG))
    await asyncio.sleep(0)
    assert afs.sync.tier.is_pinned(sha), "the writer should be mid-upload"
    await afs.unlink("/old")
    await afs.collect_garbage(orphans=True)
    await writer

    assert await afs.read("/new") == BIG
    assert afs.sync.blob_store.exists(sha, namespace="warm")


def test_a_configured_object_store_holds_the_blobs(storage: Storage, tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "bucket", prefix="objects/abc")
    fs = FileSystem(storage, blob_store=store, warm_threshold=100).sync
    fs.write("/f", BIG)
    sha = fs.resolve("/f").inode.blob
    assert (tmp_path / "bucket" / "objects" / "abc" / "warm" / sha[:2] / sha).is_file()
    assert not storage.path.with_suffix(".blobs").exists()


def test_a_blob_is_read_even_if_a_tier_move_was_not_committed(small_fs) -> None:
    small_fs.write("/f", BIG)
    sha = small_fs.resolve("/f").inode.blob
    small_fs.blob_store.move(sha, source="warm", destination="cold")
    assert small_fs.read("/f") == BIG
    with small_fs.open("/f", "rb") as handle:
        assert handle.read(10) == BIG[:10]


def test_full_collection_removes_uploads_of_dead_writers_and_spares_live_ones(small_fs) -> None:
    live = small_fs.open("/live.bin", "wb")
    live.write(BIG * 2)
    live.flush()
    dead = uuid.uuid4().hex  # what a writer killed in another process leaves behind
    (small_fs.blob_store.root / "incoming" / dead).write_bytes(b"a writer that was killed midway")
    assert len(small_fs.blob_store.incoming()) == 2

    assert small_fs.collect_garbage(orphans=True) == 1
    assert small_fs.blob_store.incoming() != [] and dead not in small_fs.blob_store.incoming()
    live.write(BIG)
    live.close()
    assert small_fs.read("/live.bin") == BIG * 3
    assert small_fs.blob_store.incoming() == []
    assert small_fs.collect_garbage(orphans=True) == 0


def test_full_collection_removes_staging_files_of_a_killed_put(small_fs) -> None:
    small_fs.write("/kept", BIG)
    sha = small_fs.resolve("/kept").inode.blob
    folder = small_fs.blob_store.root / "warm" / sha[:2]
    (folder / f"{'e' * 64}#1").write_bytes(b"half a blob")
    assert small_fs.collect_garbage(orphans=True) == 1
    assert [path.name for path in folder.iterdir()] == [sha]
    assert small_fs.read("/kept") == BIG


def test_truncating_a_blob_backed_file_keeps_only_what_it_keeps(small_fs) -> None:
    data = os.urandom(3 * 1024 * 1024)
    small_fs.write("/big", data)
    small_fs.truncate("/big", 10)
    assert small_fs.read("/big") == data[:10] and small_fs.resolve("/big").inode.blob is None
    small_fs.write("/big", data)
    small_fs.truncate("/big", 2 * 1024 * 1024 + 7)
    assert small_fs.read("/big") == data[: 2 * 1024 * 1024 + 7]
    assert small_fs.resolve("/big").inode.blob is not None, "still large: back in the warm tier"
    small_fs.truncate("/big", 4 * 1024 * 1024)
    assert small_fs.read("/big") == data[: 2 * 1024 * 1024 + 7] + bytes(2 * 1024 * 1024 - 7)
    assert small_fs.usage()["used_bytes"] == small_fs.du("/") == 4 * 1024 * 1024


def test_moving_a_blob_to_the_cold_tier_renames_it_in_a_local_folder(storage: Storage) -> None:
    fs = FileSystem(storage, warm_threshold=1024, cold_after=3600).sync
    fs.write("/old", BIG)
    fs.utime("/old", (1_000_000.0, 1_000_000.0))
    sha = fs.resolve("/old").inode.blob
    warm = fs.blob_store.root / "warm" / sha[:2] / sha
    inode_number = warm.stat().st_ino
    assert fs.move_cold() == 1
    cold = fs.blob_store.root / "cold" / sha[:2] / sha
    assert cold.stat().st_ino == inode_number and not warm.exists(), "renamed, not copied"
    assert fs.read("/old") == BIG


async def test_streamed_writes_to_a_bucket_use_multipart_uploads(storage: Storage) -> None:
    afs = FileSystem(storage, blob_store=BlobStore(MemoryStore(), prefix="objects/one"), warm_threshold=1024)
    data = os.urandom(12 * 1024 * 1024)  # more than two 5 MiB parts
    async with afs.open("/big", "wb") as handle:
        for start in range(0, len(data), 1024 * 1024):
            await handle.awrite(data[start : start + 1024 * 1024])
    with afs.sync.open("/sync-big", "wb") as handle:
        handle.write(data[::-1])
    assert await afs.read("/big") == data and afs.sync.read("/sync-big") == data[::-1]
    assert afs.sync.blob_store.incoming() == []
    assert await afs.collect_garbage(orphans=True) == 0


async def test_appending_to_a_large_file_streams_blob_to_blob(storage: Storage) -> None:
    afs = FileSystem(storage, warm_threshold=1024)
    await afs.write("/log", BIG)
    old = afs.sync.resolve("/log").inode.blob
    await afs.write("/log", b"line 1\n", append=True)
    afs.sync.write("/log", b"line 2\n", append=True)
    assert await afs.read("/log") == BIG + b"line 1\nline 2\n"
    inode = afs.sync.resolve("/log").inode
    assert inode.blob is not None and inode.blob != old, "still in the warm tier, never copied into SQLite"
    assert afs.sync.usage()["chunk_bytes"] == 0
    assert afs.sync.usage()["used_bytes"] == afs.sync.du("/") == len(BIG) + 14
    assert await afs.collect_garbage() == 2, "the two older versions are garbage"


async def test_concurrent_appends_to_a_large_file_keep_every_line(storage: Storage) -> None:
    afs = FileSystem(storage, warm_threshold=1024)
    await afs.write("/log", BIG)
    lines = [f"line {i}\n".encode() for i in range(8)]
    await asyncio.gather(*(afs.write("/log", line, append=True) for line in lines))
    contents = await afs.read("/log")
    assert contents.startswith(BIG) and sorted(contents[len(BIG) :].splitlines(keepends=True)) == sorted(lines)


def test_appending_past_the_quota_stores_nothing(storage: Storage) -> None:
    fs = FileSystem(storage, warm_threshold=1024, quota_bytes=len(BIG) + 10).sync
    fs.write("/log", BIG)
    with pytest.raises(OSError, match="quota"):
        fs.write("/log", b"x" * 11, append=True)
    assert fs.read("/log") == BIG and fs.collect_garbage(orphans=True) == 0


class ShippedFiles(DO):
    """An object that ships its change log, with a large file it deletes."""

    async def write(self) -> str:
        await self.ctx.fs.write("/big.bin", BIG * 400)
        return await self.storage.get_current_bookmark()

    async def remove(self) -> int:
        await self.ctx.fs.unlink("/big.bin")
        return await self.ctx.fs.collect_garbage()

    async def collect(self) -> int:
        return await self.ctx.fs.collect_garbage()

    async def restore(self, bookmark: str) -> None:
        await self.storage.on_next_session_restore_bookmark(bookmark)

    async def read(self) -> bytes:
        return await self.ctx.fs.read("/big.bin")


def shipped_blob_files(log: Path) -> list[Path]:
    return [path for path in (log / "blobs").rglob("*") if path.is_file()]


async def test_garbage_of_an_object_that_ships_its_log_is_kept_for_a_restore_then_deleted(tmp_path: Path) -> None:
    log = tmp_path / "log"
    async with Runtime(tmp_path / "data", objects=[ShippedFiles], replicate_to=log, retention=3600) as rt:
        bookmark = await rt.call(ShippedFiles, "f", "write")
        assert await rt.call(ShippedFiles, "f", "remove") == 0, "kept for the log's retention"
        assert len(shipped_blob_files(log)) == 1
        await rt.call(ShippedFiles, "f", "restore", bookmark)
        assert rt.evict(ShippedFiles, "f")
        assert await rt.call(ShippedFiles, "f", "read") == BIG * 400
    # With a retention that has passed, the collector deletes what no state within it references.
    async with Runtime(tmp_path / "other", objects=[ShippedFiles], replicate_to=tmp_path / "log2", retention=0.2) as rt:
        await rt.call(ShippedFiles, "f", "write")
        assert await rt.call(ShippedFiles, "f", "remove") == 0
        assert len(shipped_blob_files(tmp_path / "log2")) == 1
        await asyncio.sleep(0.3)
        assert await rt.call(ShippedFiles, "f", "collect") == 1
        assert shipped_blob_files(tmp_path / "log2") == []
