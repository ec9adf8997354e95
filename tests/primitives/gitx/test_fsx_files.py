"""The working tree on fsx: writes create folders, removals prune empty ones, the root confines paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.primitives.fsx import FileSystem
from dotdo.primitives.gitx import BadObjectError
from dotdo.primitives.gitx.fsx_files import FsxFiles
from dotdo.runtime.storage import Storage


def test_write_walk_remove_under_a_root(tmp_path: Path) -> None:
    fs = FileSystem(Storage(tmp_path / "f.sqlite"))
    files = FsxFiles(fs, "/proj")
    files.write("a/b/c.txt", b"c")
    files.write("run.sh", b"#!/bin/sh\n", executable=True)
    assert sorted(files.walk()) == ["a/b/c.txt", "run.sh"]
    assert files.is_executable("run.sh") and not files.is_executable("a/b/c.txt")
    assert fs.sync.read("/proj/a/b/c.txt") == b"c"
    files.remove("a/b/c.txt")
    assert fs.sync.listdir("/proj") == ["run.sh"]
    files.remove("missing.txt")
    with pytest.raises(BadObjectError):
        files.write("../outside.txt", b"x")
    with pytest.raises(ValueError, match="worktree root"):
        FsxFiles(fs, "/proj/../etc")
