"""The warehouse's files on obstore: whole-file writes, conditional creates, listings, missing files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dotdo.tiers.object_store import WarehouseStore


def test_conditional_create_never_replaces_a_file(tmp_path: Path) -> None:
    files = WarehouseStore({})
    location = (tmp_path / "cold" / "a.parquet").as_uri()
    files.write(location, b"first", create=True)
    with pytest.raises(FileExistsError):
        files.write(location, b"second", create=True)
    assert (tmp_path / "cold" / "a.parquet").read_bytes() == b"first"
    files.write(location, b"second")
    assert (tmp_path / "cold" / "a.parquet").read_bytes() == b"second"


def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    files = WarehouseStore({})
    location = (tmp_path / "data" / "part.parquet").as_uri()
    with pytest.raises(RuntimeError), files.writer(location) as out:
        out.write(b"half a file")
        raise RuntimeError("the writer failed")
    assert files.size(location) is None
    with files.writer(location) as out:
        out.write(b"0123456789")
    with files.reader(location) as source:
        source.seek(4)
        assert (source.read(3), source.tell(), source.size()) == (b"456", 7, 10)


def test_listing_and_missing_files(tmp_path: Path) -> None:
    files = WarehouseStore({})
    root = tmp_path.as_uri()
    for name in ("t/data/a.parquet", "t/data/x/b.parquet", "t/metadata/m.json"):
        files.write(f"{root}/{name}", b"..")
    listed = sorted(stored.location.removeprefix(root) for stored in files.list(f"{root}/t/data"))
    assert listed == ["/t/data/a.parquet", "/t/data/x/b.parquet"]
    assert list(files.list(f"{root}/nothing-here")) == []
    with pytest.raises(FileNotFoundError):
        files.reader(f"{root}/t/data/gone.parquet")
    files.delete(f"{root}/t/data/a.parquet")
    files.delete(f"{root}/t/data/a.parquet")  # already gone: no error
    assert files.size(f"{root}/t/data/a.parquet") is None
    with pytest.raises(ValueError, match="file:// and s3://"):
        files.size("gs://bucket/key")
