"""The warehouse's object storage as a read-only pyarrow filesystem, so a pyarrow dataset over
remote Parquet files reads them through obstore (each open is a reader of its own, so scans in
parallel threads never share a position)."""

from __future__ import annotations

from typing import Any, NoReturn

import pyarrow as pa
import pyarrow.fs as pafs

from .object_store import WarehouseStore


class _ReadOnlyHandler(pafs.FileSystemHandler):
    """Paths are warehouse locations (`s3://bucket/key`, `file:///path`)."""

    def __init__(self, files: WarehouseStore) -> None:
        self.files = files

    def get_type_name(self) -> str:
        return "dotdo-warehouse"

    def equals(self, other: Any) -> bool:
        return isinstance(other, _ReadOnlyHandler) and other.files is self.files

    def normalize_path(self, path: str) -> str:
        return path

    def get_file_info(self, paths: list[str]) -> list[pafs.FileInfo]:
        infos = []
        for path in paths:
            size = self.files.size(path)
            kind = pafs.FileType.NotFound if size is None else pafs.FileType.File
            infos.append(pafs.FileInfo(path, kind, size=size))
        return infos

    def open_input_file(self, path: str) -> pa.NativeFile:
        return pa.PythonFile(self.files.reader(path), mode="r")

    def open_input_stream(self, path: str) -> pa.NativeFile:
        return self.open_input_file(path)

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotImplementedError("the warehouse is read through this filesystem, never written")

    get_file_info_selector = _read_only
    create_dir = _read_only
    delete_dir = _read_only
    delete_dir_contents = _read_only
    delete_root_dir_contents = _read_only
    delete_file = _read_only
    move = _read_only
    copy_file = _read_only
    open_output_stream = _read_only
    open_append_stream = _read_only


def read_only_filesystem(files: WarehouseStore) -> pafs.FileSystem:
    """A pyarrow filesystem reading warehouse locations through `files`."""
    return pafs.PyFileSystem(_ReadOnlyHandler(files))
