"""Fixtures: a real SQLite-backed storage per test, and fsx over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dotdo.primitives.fsx import FileSystem, SyncFileSystem
from dotdo.runtime.storage import Storage


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    """A fresh object storage (one SQLite file) in the test's temp folder."""
    store = Storage(tmp_path / "object.sqlite")
    yield store
    store.close()


@pytest.fixture
def afs(storage: Storage) -> FileSystem:
    """The async filesystem over `storage` (blobs beside the SQLite file)."""
    return FileSystem(storage)


@pytest.fixture
def fs(afs: FileSystem) -> SyncFileSystem:
    """The synchronous core of `afs`."""
    return afs.sync


@pytest.fixture
def small_fs(storage: Storage) -> SyncFileSystem:
    """A core whose warm threshold is 1 KiB, so modest files exercise the warm tier."""
    return FileSystem(storage, warm_threshold=1024).sync
