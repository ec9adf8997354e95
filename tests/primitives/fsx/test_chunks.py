"""Content-addressed chunks: stored once, shared by copies, freed with their last reference."""

from __future__ import annotations

import os

from dotdo.primitives.fsx import SyncFileSystem
from dotdo.primitives.fsx.schema import CHUNK_SIZE


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
