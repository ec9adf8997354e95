"""The `dotdo://` fsspec protocol, exercised by pandas and pyarrow as real clients."""

from __future__ import annotations

import filecmp
import os
import tracemalloc
from pathlib import Path

import fsspec
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from dotdo.primitives.fsx import FileSystem, SyncFileSystem
from dotdo.primitives.fsx.fsspec_adapter import DotdoFileSystem


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"city": ["Oslo", "Lima", "Kyiv"] * 200, "temp": [3.5, 19.0, -2.25] * 200})


def test_pandas_reads_a_csv_written_through_fsx(fs: SyncFileSystem) -> None:
    fs.mkdir("/data")
    fs.write("/data/cities.csv", "city,temp\nOslo,3.5\nLima,19.0\n")

    df = pd.read_csv("dotdo://data/cities.csv", storage_options={"fs": fs})

    assert df.to_dict("list") == {"city": ["Oslo", "Lima"], "temp": [3.5, 19.0]}


def test_pandas_round_trips_parquet_through_the_async_filesystem(afs: FileSystem, frame: pd.DataFrame) -> None:
    frame.to_parquet("dotdo://out/t.parquet", storage_options={"fs": afs})

    assert afs.sync.read("/out/t.parquet")[:4] == b"PAR1"
    back = pd.read_parquet("dotdo://out/t.parquet", storage_options={"fs": afs})
    pd.testing.assert_frame_equal(back, frame)


def test_pyarrow_reads_parquet_from_a_warm_tier_file(small_fs: SyncFileSystem, frame: pd.DataFrame) -> None:
    remote = DotdoFileSystem(fs=small_fs)
    frame.to_parquet("/t.parquet", filesystem=remote)
    assert small_fs.resolve("/t.parquet").inode.blob is not None, "the file should be in the warm tier"

    table = pq.read_table("/t.parquet", filesystem=remote)

    assert table.num_rows == len(frame)
    assert table.column("city").to_pylist()[:3] == ["Oslo", "Lima", "Kyiv"]


def test_pandas_writes_csv_that_fsx_reads(fs: SyncFileSystem, frame: pd.DataFrame) -> None:
    frame.head(2).to_csv("dotdo://w.csv", index=False, storage_options={"fs": fs})
    assert fs.read_text("/w.csv") == "city,temp\nOslo,3.5\nLima,19.0\n"


def test_listing_info_and_file_operations(fs: SyncFileSystem) -> None:
    remote = fsspec.filesystem("dotdo", fs=fs)
    remote.makedirs("/a/b", exist_ok=True)
    remote.pipe_file("/a/b/x.txt", b"0123456789")
    remote.touch("/a/empty")

    assert remote.ls("/a", detail=False) == ["/a/b", "/a/empty"]
    info = remote.info("dotdo://a/b/x.txt")
    assert (info["type"], info["size"], info["name"]) == ("file", 10, "/a/b/x.txt")
    assert remote.info("/a")["type"] == "directory"
    assert remote.cat_file("/a/b/x.txt", start=2, end=5) == b"234"
    assert remote.cat_file("/a/b/x.txt", start=-3) == b"789"
    assert remote.find("/a") == ["/a/b/x.txt", "/a/empty"]
    assert remote.glob("/a/**/*.txt") == ["/a/b/x.txt"]

    remote.cp_file("/a/b/x.txt", "/a/copy.txt")
    remote.mv("/a/copy.txt", "/a/moved.txt")
    assert fs.read("/a/moved.txt") == b"0123456789"
    with remote.open("/a/moved.txt", "r") as handle:
        assert handle.read() == "0123456789"
    remote.rm("/a", recursive=True)
    assert fs.listdir("/") == []
    with pytest.raises(FileNotFoundError):
        remote.info("/a")


def test_a_wrong_fs_option_says_what_to_pass() -> None:
    with pytest.raises(TypeError, match="storage_options"):
        DotdoFileSystem(fs="not a filesystem")


def test_pyarrow_datasets_read_many_files_from_its_thread_pool(fs: SyncFileSystem) -> None:
    remote = DotdoFileSystem(fs=fs)
    for part in range(16):
        frame = pd.DataFrame({"n": range(part * 20_000, (part + 1) * 20_000)})
        frame.to_parquet(f"/ds/part{part}.parquet", filesystem=remote, row_group_size=2000)
    source = pafs.PyFileSystem(pafs.FSSpecHandler(remote))

    for _ in range(3):
        table = ds.dataset("/ds", format="parquet", filesystem=source).to_table(use_threads=True)
        assert table.num_rows == 320_000
        assert sum(table.column("n").to_pylist()) == sum(range(320_000))


def test_put_and_get_of_a_large_file_stream_through_the_adapter(fs: SyncFileSystem, tmp_path: Path) -> None:
    piece = os.urandom(1024 * 1024)
    local = tmp_path / "large.bin"
    with open(local, "wb") as handle:
        for _ in range(48):
            handle.write(piece)
    remote = DotdoFileSystem(fs=fs)

    tracemalloc.start()
    try:
        remote.put_file(str(local), "dotdo://uploads/large.bin")
        remote.get_file("dotdo://uploads/large.bin", str(tmp_path / "back.bin"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 16 * 1024 * 1024, f"48 MiB through fsspec peaked at {peak / 2**20:.1f} MiB"
    assert fs.stat("/uploads/large.bin").st_size == 48 * 1024 * 1024
    assert filecmp.cmp(local, tmp_path / "back.bin", shallow=False)
