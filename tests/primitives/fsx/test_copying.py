"""Copy: files and trees, sharing contents instead of duplicating bytes."""

from __future__ import annotations

import errno

import pytest

from dotdo.primitives.fsx import SyncFileSystem


def test_copy_files_and_trees(fs: SyncFileSystem) -> None:
    fs.mkdir("/src/sub", parents=True)
    fs.write("/src/a", "A")
    fs.write("/src/sub/b", "B" * 200_000)
    fs.symlink("a", "/src/la")

    assert fs.copy("/src/a", "/a2") == "/a2"
    fs.mkdir("/into")
    assert fs.copy("/src/a", "/into") == "/into/a"
    assert fs.copy("/src", "/dst") == "/dst"
    assert fs.listdir("/dst") == ["a", "la", "sub"]
    assert fs.readlink("/dst/la") == "a"
    assert fs.read("/dst/sub/b") == b"B" * 200_000
    fs.write("/dst/a", "changed")
    assert fs.read_text("/src/a") == "A", "a copy is independent of its source"
    with pytest.raises(FileExistsError):
        fs.copy("/src", "/dst")
    with pytest.raises(OSError) as caught:
        fs.copy("/src", "/src/sub/again")
    assert caught.value.errno == errno.EINVAL


def test_copies_share_stored_bytes(fs: SyncFileSystem) -> None:
    fs.mkdir("/t")
    fs.write("/t/big", b"q" * 300_000)
    stored = fs.usage()["chunk_bytes"]
    fs.copy("/t", "/t2")
    assert fs.usage()["chunk_bytes"] == stored
    assert fs.du("/") == 600_000
