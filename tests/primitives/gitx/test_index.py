"""The index table: staged entries, merge conflicts in stages 1-3, resolution by staging."""

from __future__ import annotations

from pathlib import Path

from dotdo.primitives.gitx.index import IndexEntry, StagingIndex
from dotdo.runtime.storage import Storage

A = IndexEntry(0o100644, b"a" * 40)
B = IndexEntry(0o100755, b"b" * 40)


def test_stage_conflict_resolve_and_replace(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "i.sqlite")
    index = StagingIndex(storage)
    index.stage("x.txt", A)
    index.mark_conflict("c.txt", {1: A, 2: B, 3: A})
    assert index.entries() == {"x.txt": A}
    assert index.conflicts() == {"c.txt": {1: A, 2: B, 3: A}}
    index.stage("c.txt", B)
    assert index.conflicts() == {} and index.entries() == {"x.txt": A, "c.txt": B}
    assert index.unstage("x.txt") and not index.unstage("x.txt")
    index.replace([("n/1", A), ("n/2", B)])
    storage.close()
    assert StagingIndex(Storage(tmp_path / "i.sqlite")).entries() == {"n/1": A, "n/2": B}
