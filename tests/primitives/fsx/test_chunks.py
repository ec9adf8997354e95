"""Content-addressed chunks: stored once, shared by copies, freed with their last reference."""

from __future__ import annotations

import os

from dotdo.primitives.fsx import FileSystem, SyncFileSystem
from dotdo.primitives.fsx.schema import CHUNK_SIZE
from dotdo.runtime.storage import Storage


def test_identical_contents_are_stored_once(fs: SyncFileSystem) -> None:
    payload = os.urandom(3 * CHUNK_SIZE + 100)
    for name in ["a", "b", "c"]:
        fs.write(f"/{name}", payload)
    fs.copy("/a", "/d")
    assert fs.usage()["chunk_bytes"] == len(payload)
    assert fs.usage()["used_bytes"] == 4 * len(payload)


def test_repeated_chunks_within_a_file_are_stored_once(fs: SyncFileSystem) -> None:
    fs.write("/zeros", bytes(10 * CHUNK_SIZE))
    assert fs.usage()["chunk_bytes"] == CHUNK_SIZE
    assert fs.read("/zeros") == bytes(10 * CHUNK_SIZE)


def test_changing_one_chunk_keeps_the_others_shared(fs: SyncFileSystem) -> None:
    payload = os.urandom(4 * CHUNK_SIZE)
    fs.write("/a", payload)
    fs.copy("/a", "/b")
    with fs.open("/b", "r+b") as handle:
        handle.seek(CHUNK_SIZE + 10)
        handle.write(b"changed")
    expected = bytearray(payload)
    expected[CHUNK_SIZE + 10 : CHUNK_SIZE + 17] = b"changed"
    assert fs.read("/b") == bytes(expected) and fs.read("/a") == payload
    assert fs.usage()["chunk_bytes"] == 5 * CHUNK_SIZE


def test_deleting_the_last_reference_frees_the_chunks(fs: SyncFileSystem) -> None:
    payload = os.urandom(2 * CHUNK_SIZE)
    fs.write("/a", payload)
    fs.copy("/a", "/b")
    fs.unlink("/a")
    assert fs.usage()["chunk_bytes"] == len(payload)
    fs.unlink("/b")
    assert fs.usage()["chunk_bytes"] == 0


def test_sparse_writes_read_as_zeros(fs: SyncFileSystem) -> None:
    with fs.open("/sparse", "wb") as handle:
        handle.seek(2 * CHUNK_SIZE + 5)
        handle.write(b"end")
    assert fs.read("/sparse") == bytes(2 * CHUNK_SIZE + 5) + b"end"


def test_extending_a_file_stores_a_hole_that_reads_as_zeros(storage: Storage) -> None:
    fs = FileSystem(storage, warm_threshold=1 << 40).sync
    head = os.urandom(CHUNK_SIZE + 10)
    fs.write("/f", head)
    fs.truncate("/f", 64 * 1024 * 1024)
    assert fs.usage()["chunk_bytes"] == len(head), "no zeros are stored for the hole"
    assert fs.stat("/f").st_size == 64 * 1024 * 1024
    with fs.open("/f", "rb") as handle:
        assert handle.read(CHUNK_SIZE + 20) == head + bytes(10)
        handle.seek(40 * 1024 * 1024)
        assert handle.read(CHUNK_SIZE) == bytes(CHUNK_SIZE)

    with fs.open("/f", "r+b") as handle:
        handle.seek(CHUNK_SIZE + 15)
        handle.write(b"mid-hole")
        handle.seek(10 * CHUNK_SIZE + 3)
        handle.write(b"far")
    expected = head + bytes(5) + b"mid-hole"
    assert fs.read("/f")[: len(expected)] == expected
    assert fs.read("/f")[10 * CHUNK_SIZE : 10 * CHUNK_SIZE + 6] == bytes(3) + b"far"
    assert fs.usage()["used_bytes"] == fs.du("/") == 64 * 1024 * 1024


def test_shrinking_then_growing_reads_zeros_not_the_old_bytes(fs: SyncFileSystem) -> None:
    payload = os.urandom(3 * CHUNK_SIZE)
    fs.write("/f", payload)
    fs.truncate("/f", CHUNK_SIZE + 7)
    fs.truncate("/f", 3 * CHUNK_SIZE)
    assert fs.read("/f") == payload[: CHUNK_SIZE + 7] + bytes(2 * CHUNK_SIZE - 7)
    with fs.open("/g", "wb") as handle:
        handle.write(b"start")
        handle.seek(2 * CHUNK_SIZE)
        handle.write(b"end")
    assert fs.read("/g") == b"start" + bytes(2 * CHUNK_SIZE - 5) + b"end"
