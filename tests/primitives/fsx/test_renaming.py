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
