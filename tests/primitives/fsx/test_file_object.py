"""File objects: streaming reads and writes, atomic "wb", in-place "r+b"/"ab", text modes, async use."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import io
import os
import tracemalloc
from collections.abc import Iterator

import pytest

from dotdo.primitives.fsx import FileSystem, SyncFileSystem
from dotdo.runtime.storage import Storage

DATA = os.urandom(300_000)


def test_streaming_read_seek_tell(fs: SyncFileSystem) -> None:
    fs.write("/f", DATA)
    with fs.open("/f", "rb") as handle:
        assert handle.read(10) == DATA[:10] and handle.tell() == 10
        handle.seek(-5, io.SEEK_END)
        assert handle.read() == DATA[-5:]
        handle.seek(70_000)
        buffer = bytearray(100_000)
        assert handle.readinto(buffer) == 100_000 and bytes(buffer) == DATA[70_000:170_000]
        assert handle.read(0) == b""
        handle.seek(10, io.SEEK_CUR)
        assert handle.tell() == 170_010


def test_warm_files_stream_by_range(small_fs: SyncFileSystem) -> None:
    small_fs.write("/w", DATA)
    with small_fs.open("/w", "rb") as handle:
        handle.seek(123_456)
        assert handle.read(1000) == DATA[123_456:124_456]


def test_wb_becomes_visible_atomically_at_close(fs: SyncFileSystem) -> None:
    fs.write("/f", "old")
    handle = fs.open("/f", "wb")
    for start in range(0, len(DATA), 4096):
        handle.write(DATA[start : start + 4096])
    assert fs.read("/f") == b"old", "readers see the old contents until close"
    handle.close()
    assert fs.read("/f") == DATA
    assert fs.inodes.orphans() == [], "the staging inode is gone"


def test_wb_keeps_the_inode_and_hard_links(fs: SyncFileSystem) -> None:
    fs.write("/f", "old")
    fs.link("/f", "/g")
    ino = fs.stat("/f").st_ino
    with fs.open("/f", "wb") as handle:
        handle.write(b"new")
    assert fs.stat("/f").st_ino == ino and fs.read("/g") == b"new"


def test_large_wb_goes_to_the_warm_tier(small_fs: SyncFileSystem) -> None:
    with small_fs.open("/big", "wb") as handle:
        handle.write(DATA[:1000])
        handle.write(DATA[1000:])
    assert small_fs.resolve("/big").inode.blob is not None
    assert small_fs.read("/big") == DATA
    assert small_fs.usage()["chunk_bytes"] == 0


def test_xb_ab_and_r_plus_b(small_fs: SyncFileSystem) -> None:
    with small_fs.open("/x", "xb") as handle:
        handle.write(b"first")
    with pytest.raises(FileExistsError):
        small_fs.open("/x", "xb")
    with small_fs.open("/x", "ab") as handle:
        handle.write(b"+second")
        handle.seek(0)
        handle.write(b"+third")
    assert small_fs.read("/x") == b"first+second+third"

    small_fs.write("/w", DATA)
    with small_fs.open("/w", "r+b") as handle:
        handle.seek(5)
        handle.write(b"HELLO")
        handle.seek(0)
        assert handle.read(12) == DATA[:5] + b"HELLO" + DATA[10:12]
        handle.truncate(20)
    assert small_fs.read("/w") == DATA[:5] + b"HELLO" + DATA[10:20]


def test_text_modes(fs: SyncFileSystem) -> None:
    with fs.open("/t.txt", "w", encoding="utf-8") as handle:
        handle.write("línea 1\nlínea 2\n")
    with fs.open("/t.txt", "r") as handle:
        assert handle.readlines() == ["línea 1\n", "línea 2\n"]
    with fs.open("/t.txt", "a") as handle:
        handle.write("3\n")
    assert fs.read_text("/t.txt").splitlines() == ["línea 1", "línea 2", "3"]


def test_misuse_gives_clear_errors(fs: SyncFileSystem) -> None:
    fs.write("/f", "x")
    fs.mkdir("/d")
    for mode in ["rw", "", "q", "rbb", "bt", "r+t b"]:
        with pytest.raises(ValueError, match="invalid mode"):
            fs.open("/f", mode)
    with pytest.raises(IsADirectoryError):
        fs.open("/d", "rb")
    with pytest.raises(IsADirectoryError):
        fs.open("/d", "wb")
    with pytest.raises(FileNotFoundError):
        fs.open("/missing", "rb")
    with pytest.raises(FileNotFoundError):
        fs.open("/no/such/dir/f", "wb")
    with fs.open("/f", "rb") as handle, pytest.raises(io.UnsupportedOperation):
        handle.write(b"x")
    handle = fs.open("/f", "wb")
    with pytest.raises(io.UnsupportedOperation):
        handle.read()
    handle.close()
    with pytest.raises(ValueError, match="closed"):
        handle.write(b"late")


def test_an_unlinked_open_file_stays_readable_until_closed(fs: SyncFileSystem) -> None:
    fs.write("/f", DATA)
    handle = fs.open("/f", "rb")
    fs.unlink("/f")
    assert handle.read() == DATA
    handle.close()
    assert fs.usage()["used_bytes"] == 0 and fs.usage()["chunk_bytes"] == 0


async def test_async_with_and_await_open(afs: FileSystem) -> None:
    async with afs.open("/a.bin", "wb") as handle:
        await handle.awrite(b"async ")
        await handle.awrite(b"bytes")
    handle = await afs.open("/a.bin")
    assert await handle.aread(5) == b"async"
    await handle.aseek(6)
    assert await handle.aread() == b"bytes"
    await handle.aclose()
    async with afs.open("/a.bin", "r") as text:
        assert await text.aread() == "async bytes"


# -- large files stream: memory stays bounded by a piece or two, whatever the size -----------------

PIECE = 1024 * 1024
LARGE_PIECES = 96
# A few pieces of headroom: the write buffer, the piece being stored, the caller's own piece.
MEMORY_BOUND = 8 * PIECE


def _pieces(count: int) -> list[bytes]:
    """`count` distinct 1 MiB pieces derived from four random ones (the test holds only these)."""
    bases = [os.urandom(PIECE) for _ in range(4)]
    return [bases[i % 4][: -(i // 4) - 1] + bytes([i % 256]) * ((i // 4) + 1) for i in range(count)]


def _hash_of_pieces(pieces: list[bytes], count: int) -> str:
    hasher = hashlib.sha256()
    for i in range(count):
        hasher.update(pieces[i % len(pieces)])
    return hasher.hexdigest()


@contextlib.contextmanager
def _traced_peak() -> Iterator[list[int]]:
    """The peak of Python allocations made inside the block (`result[0]` afterwards)."""
    result: list[int] = []
    tracemalloc.start()
    try:
        yield result
    finally:
        result.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


def test_a_large_wb_write_and_read_stay_within_a_few_pieces_of_memory(fs: SyncFileSystem) -> None:
    pieces = _pieces(8)
    expected = _hash_of_pieces(pieces, LARGE_PIECES)

    with _traced_peak() as written, fs.open("/large.bin", "wb") as handle:
        for i in range(LARGE_PIECES):
            handle.write(pieces[i % len(pieces)])
    assert written[0] < MEMORY_BOUND, f"writing {LARGE_PIECES} MiB peaked at {written[0] / PIECE:.1f} MiB"

    assert fs.stat("/large.bin").st_size == LARGE_PIECES * PIECE
    assert fs.resolve("/large.bin").inode.blob == expected
    with _traced_peak() as read:
        hasher = hashlib.sha256()
        with fs.open("/large.bin", "rb") as handle:
            while piece := handle.read(PIECE):
                hasher.update(piece)
    assert read[0] < MEMORY_BOUND, f"reading {LARGE_PIECES} MiB peaked at {read[0] / PIECE:.1f} MiB"
    assert hasher.hexdigest() == expected
    assert fs.blob_store.incoming() == [], "nothing is left under incoming/ once published"
    assert fs.usage()["used_bytes"] == LARGE_PIECES * PIECE and fs.usage()["chunk_bytes"] == 0


async def test_async_large_writes_stream_and_let_other_work_run(afs: FileSystem) -> None:
    pieces = _pieces(8)
    count = 64
    ticks = 0
    writing = True

    async def other_work() -> None:
        nonlocal ticks
        while writing:
            ticks += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(other_work())
    with _traced_peak() as peak:
        async with afs.open("/async.bin", "wb") as handle:
            for i in range(count):
                await handle.awrite(pieces[i % len(pieces)])
    writing = False
    await other
    assert peak[0] < MEMORY_BOUND, f"async writing {count} MiB peaked at {peak[0] / PIECE:.1f} MiB"
    assert ticks >= count // 2, "the loop ran other work while the pieces were stored"

    hasher = hashlib.sha256()
    async with afs.open("/async.bin", "rb") as handle:
        while piece := await handle.aread(PIECE):
            hasher.update(piece)
    assert hasher.hexdigest() == _hash_of_pieces(pieces, count)


def test_seeking_back_truncating_and_reading_a_streamed_file_keep_posix_contents(small_fs: SyncFileSystem) -> None:
    data = bytearray(os.urandom(3 * PIECE))
    with small_fs.open("/f", "w+b") as handle:
        handle.write(data[:PIECE])
        handle.write(data[PIECE:])  # streamed by now: past the 1 KiB threshold, written in order
        handle.seek(10)
        handle.write(b"REWRITTEN")
        data[10:19] = b"REWRITTEN"
        handle.seek(PIECE)
        assert handle.read(100) == data[PIECE : PIECE + 100]
        handle.seek(0, io.SEEK_END)
        handle.write(b"tail")
        data += b"tail"
    assert small_fs.read("/f") == data

    with small_fs.open("/g", "wb") as handle:
        handle.write(data)
        handle.truncate(PIECE + 5)
        handle.seek(0, io.SEEK_END)
        handle.write(b"!")
    assert small_fs.read("/g") == data[: PIECE + 5] + b"!"
    assert small_fs.blob_store.incoming() == []
    assert small_fs.usage()["used_bytes"] == small_fs.du("/")


def test_a_streamed_write_past_the_quota_is_refused_before_it_is_stored(storage: Storage) -> None:
    fs = FileSystem(storage, warm_threshold=1024, quota_bytes=3 * PIECE).sync
    fs.write("/f", b"old")
    accepted = os.urandom(2 * PIECE)
    handle = fs.open("/f", "wb")
    handle.write(accepted)
    with pytest.raises(OSError, match="quota") as refused:
        handle.write(os.urandom(2 * PIECE))
    assert refused.value.errno == errno.ENOSPC
    assert fs.read("/f") == b"old", "nothing is visible before close"
    handle.close()
    assert fs.read("/f") == accepted, "like a full disk: the file holds what was written before the refusal"
    assert fs.blob_store.incoming() == []
    assert fs.usage()["used_bytes"] == len(accepted) == fs.du("/")


def test_streaming_the_same_contents_twice_stores_one_blob(small_fs: SyncFileSystem) -> None:
    data = os.urandom(2 * PIECE)
    for name in ("/a", "/b"):
        with small_fs.open(name, "wb") as handle:
            handle.write(data)
    assert small_fs.resolve("/a").inode.blob == small_fs.resolve("/b").inode.blob
    assert len(list(small_fs.blob_store.list(namespace="warm"))) == 1
    assert small_fs.blob_store.incoming() == []


async def test_one_huge_write_call_is_stored_piece_by_piece(afs: FileSystem) -> None:
    data = os.urandom(48 * PIECE)
    with _traced_peak() as peak:
        with afs.sync.open("/one-call.bin", "wb") as handle:
            handle.write(data)
        async with afs.open("/one-async-call.bin", "wb") as handle:
            await handle.awrite(data)
    assert peak[0] < MEMORY_BOUND, f"one 48 MiB write() peaked at {peak[0] / PIECE:.1f} MiB beyond its argument"
    expected = hashlib.sha256(data).hexdigest()
    assert afs.sync.resolve("/one-call.bin").inode.blob == expected
    assert afs.sync.resolve("/one-async-call.bin").inode.blob == expected
