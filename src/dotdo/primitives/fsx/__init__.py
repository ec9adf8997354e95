"""fsx: a POSIX filesystem on each object's SQLite, tiered to object storage, with an fsspec adapter.

`FileSystem(storage)` is the async API (`ctx.fs`); `FileSystem(storage).sync` (a `SyncFileSystem`)
is the same API, synchronous, for code that runs inside a turn without awaiting (bashx, fsspec).
"""

from __future__ import annotations

from typing import Any

from ...extras import require_extra

require_extra("fs", "fsx (ctx.fs)")

from ..blob_store import BlobStore
from .dir_entry import FsDirEntry
from .file_object import SyncFile, TextFile
from .filesystem import FileSystem
from .sync_filesystem import SyncFileSystem

__all__ = ["BlobStore", "FileSystem", "FsDirEntry", "SyncFile", "SyncFileSystem", "TextFile", "attach"]


def attach(ctx: Any) -> FileSystem:
    """The filesystem of the object whose context is `ctx` (anything with a `.storage`)."""
    return FileSystem(ctx.storage)
