"""Rename: atomic, with the replacement rules and errno of rename(2)."""

from __future__ import annotations

import errno

import pytest

from dotdo.primitives.fsx import SyncFileSystem


def test_rename_replaces_files_and_empty_directories(fs: SyncFileSystem) -> None:
    fs.write("/a", "A")
    fs.write("/b", "B")
    fs.rename("/a", "/b")
    assert fs.listdir("/") == ["b"] and fs.read_text("/b") == "A"

    fs.mkdir("/d1/x", parents=True)
    fs.mkdir("/d2")
    fs.rename("/d1", "/d2")
    assert fs.listdir("/d2") == ["x"]
    assert fs.stat("/").st_nlink == 3

    fs.mkdir("/full/y", parents=True)
    with pytest.raises(OSError) as caught:
        fs.rename("/d2", "/full")
    assert caught.value.errno == errno.ENOTEMPTY
    fs.rename("/b", "/b")
    assert fs.read_text("/b") == "A"

    fs.write("/full/y/leaf", "L")
    with pytest.raises(OSError) as onto_ancestor:
        fs.rename("/full/y/leaf", "/full")
    assert onto_ancestor.value.errno == errno.ENOTEMPTY


def test_a_directory_never_moves_into_itself_however_deep_the_tree(fs: SyncFileSystem) -> None:
    # Renames nest a chain deeper than any one path can name (4096 bytes); two relative symlinks,
    # each 1,400 levels long, reach its bottom, 4,200 levels below the top.
    hop = 1400
    fs.mkdir("/chain")
    for _ in range(3 * hop - 1):
        fs.mkdir("/top")
        fs.rename("/chain", "/top/x")
        fs.rename("/top", "/chain")
    down = "x/" * (hop - 1) + "x"
    fs.symlink(down, "/chain" + "/x" * (hop - 1) + "/down1")
    fs.symlink(down, "/chain" + "/x" * (hop - 1) + "/down1/down2")
    bottom = "/chain" + "/x" * (hop - 1) + "/down1/down2"
    fs.write(bottom + "/marker", b"bottom")

    with pytest.raises(OSError) as caught:
        fs.rename("/chain", bottom + "/loop")
    assert caught.value.errno == errno.EINVAL
    assert fs.read(bottom + "/marker") == b"bottom", "the tree is intact and still reachable"
    fs.rm("/chain", recursive=True)
    assert fs.listdir("/") == []
