"""Flat trees to git trees and back; paths are checked before any tree is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from dulwich.objects import Blob

from dotdo.primitives.gitx import BadObjectError
from dotdo.primitives.gitx.index import IndexEntry
from dotdo.primitives.gitx.object_store import StoredObjectStore
from dotdo.primitives.gitx.trees import build_tree, flatten_tree
from dotdo.runtime.storage import Storage


def test_round_trip(tmp_path: Path) -> None:
    store = StoredObjectStore(Storage(tmp_path / "t.sqlite"))
    blobs = {path: Blob.from_string(path.encode()) for path in ("a.txt", "src/x.py", "src/deep/y.py")}
    store.add_objects([(b, None) for b in blobs.values()])
    entries = {path: IndexEntry(0o100644, b.id) for path, b in blobs.items()}
    entries["run.sh"] = IndexEntry(0o100755, blobs["a.txt"].id)
    root = build_tree(store, entries)
    assert flatten_tree(store, root) == entries
    assert flatten_tree(store, None) == {}


def test_bad_paths_and_file_folder_clashes_write_nothing(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "t.sqlite")
    store = StoredObjectStore(storage)
    entry = IndexEntry(0o100644, Blob.from_string(b"x").id)
    with pytest.raises(BadObjectError):
        build_tree(store, {"../escape": entry})
    with pytest.raises(ValueError, match="folder"):
        build_tree(store, {"a": entry, "a/b": entry})
    with pytest.raises(ValueError, match="folder"):
        build_tree(store, {"a/b": entry, "a": entry})
    assert store.count() == 0
