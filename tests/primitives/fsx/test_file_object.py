"""File objects: streaming reads and writes, atomic "wb", in-place "r+b"/"ab", text modes, async use."""

from __future__ import annotations

import io
import os

import pytest

from dotdo.primitives.fsx import FileSystem, SyncFileSystem

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
