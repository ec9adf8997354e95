"""`FileSystem`: the async face of fsx (`ctx.fs`), over the synchronous core `fs.sync`.

Metadata calls run straight on the core (SQLite answers in microseconds, and running them without
awaiting keeps them atomic within the object's turn). Whole-file reads and writes of warm-tier
contents await the object store, and large contents are hashed on a worker thread, so neither a
slow bucket nor a large file blocks the event loop for other objects.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from os import PathLike, stat_result
from typing import TYPE_CHECKING, Any

from .dir_entry import FsDirEntry
from .file_object import SyncFile, TextFile
from .paths import as_text
from .sync_filesystem import DEFAULT_WARM_THRESHOLD, PathArg, SyncFileSystem, to_bytes

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

    from ..blob_store import BlobStore


class FileSystem:
    """A POSIX filesystem in an object's SQLite, with large files tiered to an object store.

    `FileSystem(storage)` keeps blobs in a folder beside the SQLite file
    (`storage.blob_root`), or beside the object's change log when its commits are shipped to object
    storage (`storage.shipped_blobs`); pass `blob_store=BlobStore(obstore_store, prefix=...)`
    for S3 and friends. `quota_bytes` caps the sum of file sizes (ENOSPC past it), files over
    `warm_threshold` bytes live in the blob store, and `move_cold()` moves blobs untouched for
    `cold_after` seconds to the cold prefix. `fs.sync` is the same API, synchronous.
    """

    def __init__(
        self,
        storage: ObjectStorage,
        *,
        blob_store: BlobStore | Any | None = None,
        blob_root: str | PathLike[str] | None = None,
        quota_bytes: int | None = None,
        warm_threshold: int = DEFAULT_WARM_THRESHOLD,
        cold_after: float | None = None,
    ) -> None:
        self.sync = SyncFileSystem(
            storage,
            blob_store=blob_store,
            blob_root=blob_root,
            quota_bytes=quota_bytes,
            warm_threshold=warm_threshold,
            cold_after=cold_after,
        )

    @property
    def storage(self) -> ObjectStorage:
        """The object storage underneath."""
        return self.sync.storage

    # -- reading ----------------------------------------------------------------------------------

    async def read(self, path: PathArg) -> bytes:
        """The whole contents of a file."""
        inode = self.sync.file_inode(path)
        self.sync.note_access(inode)
        if inode.blob is not None:
            return await self.sync.tier.read_async(inode.blob)
        return self.sync.contents.read_all(inode)

    async def read_text(self, path: PathArg, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The contents of a file decoded as text."""
        return (await self.read(path)).decode(encoding, errors)

    async def read_json(self, path: PathArg) -> Any:
        """The contents of a file parsed as JSON."""
        return json.loads(await self.read(path))

    async def stat(self, path: PathArg) -> stat_result:
        """The `os.stat_result` of what `path` leads to (symlinks followed)."""
        return self.sync.stat(path)

    async def lstat(self, path: PathArg) -> stat_result:
        """The `os.stat_result` of `path` itself."""
        return self.sync.lstat(path)

    async def exists(self, path: PathArg) -> bool:
        """Whether `path` leads somewhere."""
        return self.sync.exists(path)

    async def is_file(self, path: PathArg) -> bool:
        """Whether `path` leads to a regular file."""
        return self.sync.is_file(path)

    async def is_dir(self, path: PathArg) -> bool:
        """Whether `path` leads to a directory."""
        return self.sync.is_dir(path)

    async def is_symlink(self, path: PathArg) -> bool:
        """Whether `path` itself is a symbolic link."""
        return self.sync.is_symlink(path)

    async def listdir(self, path: PathArg = "/") -> list[str]:
        """The names in a directory, sorted."""
        return self.sync.listdir(path)

    async def scandir(self, path: PathArg = "/") -> list[FsDirEntry]:
        """The entries of a directory, sorted by name."""
        return self.sync.scandir(path)

    async def walk(
        self, top: PathArg = "/", topdown: bool = True, followlinks: bool = False
    ) -> AsyncIterator[tuple[str, list[str], list[str]]]:
        """Yield `(dirpath, dirnames, filenames)` like `os.walk` (an async iterator)."""
        for item in self.sync.walk(top, topdown, followlinks):
            yield item

    async def glob(self, pattern: str, root: PathArg = "/") -> list[str]:
        """Sorted absolute paths matching `pattern` (pathlib semantics)."""
        return self.sync.glob(pattern, root)

    async def du(self, path: PathArg = "/") -> int:
        """Bytes held by the files at or under `path`."""
        return self.sync.du(path)

    async def readlink(self, path: PathArg) -> str:
        """The target of a symbolic link."""
        return self.sync.readlink(path)

    async def realpath(self, path: PathArg) -> str:
        """The absolute path with symlinks and `..` resolved."""
        return self.sync.realpath(path)

    # -- writing ----------------------------------------------------------------------------------

    async def write(
        self,
        path: PathArg,
        data: Any,
        mode: int = 0o644,
        *,
        exist_ok: bool = True,
        append: bool = False,
        exclusive: bool = False,
    ) -> int:
        """Write a whole file (bytes, str as UTF-8, or a JSON value); returns the bytes written."""
        payload = to_bytes(data)
        core = self.sync
        exclusive = exclusive or not exist_ok
        if append:
            return await self._append(path, payload, mode)
        if len(payload) <= core.warm_threshold:
            return core.write(path, payload, mode, exclusive=exclusive)
        core.creatable(path, exclusive=exclusive)
        core.contents.check_room(len(payload), as_text(path))
        sha = await core.tier.sha_of(payload)
        with core.tier.pinned(sha):
            await core.tier.upload_async(payload, sha)
            core.transaction(lambda: core.write_blob(path, sha, len(payload), mode, exclusive))
        return len(payload)

    async def _append(self, path: PathArg, payload: bytes | bytearray | memoryview, mode: int) -> int:
        """Append; to a large (blob-backed) file, old and new bytes stream to a new blob on a worker
        thread, and the file switches to it in one transaction (retried if an event wrote the file
        meanwhile)."""
        core = self.sync
        while True:
            target = core.creatable(path, exclusive=False).inode
            if target is None or target.blob is None:
                return core.write(path, payload, mode, append=True)
            core.contents.check_room(len(payload), as_text(path))
            upload = await asyncio.to_thread(core.tier.upload_parts, core.appended_parts(target, payload))
            async with core.tier.published_async(upload) as sha:
                if core.transaction(lambda before=target: core.swap_appended(path, before, sha, len(payload))):
                    return len(payload)

    def open(
        self,
        path: PathArg,
        mode: str = "rb",
        *,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> SyncFile | TextFile:
        """Open a file for streaming; use it with `with`, `async with`, or `await fs.open(...)`."""
        return self.sync.open(path, mode, encoding=encoding, errors=errors, newline=newline)

    async def mkdir(self, path: PathArg, mode: int = 0o777, *, parents: bool = False, exist_ok: bool = False) -> None:
        """Create a directory."""
        self.sync.mkdir(path, mode, parents=parents, exist_ok=exist_ok)

    async def rmdir(self, path: PathArg) -> None:
        """Remove an empty directory."""
        self.sync.rmdir(path)

    async def unlink(self, path: PathArg, *, missing_ok: bool = False) -> None:
        """Remove a file or symlink."""
        self.sync.unlink(path, missing_ok=missing_ok)

    async def rm(self, path: PathArg, *, recursive: bool = False, missing_ok: bool = False) -> None:
        """Remove a file, symlink or (recursive) a directory tree."""
        self.sync.rm(path, recursive=recursive, missing_ok=missing_ok)

    async def rename(self, src: PathArg, dst: PathArg) -> None:
        """Rename atomically with POSIX rules."""
        self.sync.rename(src, dst)

    async def copy(self, src: PathArg, dst: PathArg, *, follow_symlinks: bool = True) -> str:
        """Copy a file or a tree; returns the path of the copy."""
        return self.sync.copy(src, dst, follow_symlinks=follow_symlinks)

    async def symlink(self, target: PathArg, link_path: PathArg) -> None:
        """Create a symbolic link at `link_path` pointing at `target`."""
        self.sync.symlink(target, link_path)

    async def link(self, src: PathArg, dst: PathArg) -> None:
        """Create a hard link `dst` to the file `src`."""
        self.sync.link(src, dst)

    async def chmod(self, path: PathArg, mode: int) -> None:
        """Set permission bits."""
        self.sync.chmod(path, mode)

    async def utime(
        self, path: PathArg, times: tuple[float, float] | None = None, *, ns: tuple[int, int] | None = None
    ) -> None:
        """Set access and modification times."""
        self.sync.utime(path, times, ns=ns)

    async def truncate(self, path: PathArg, size: int) -> None:
        """Cut or extend a file to `size` bytes."""
        self.sync.truncate(path, size)

    # -- tiers ------------------------------------------------------------------------------------

    async def move_cold(self, *, older_than: float | None = None) -> int:
        """Move blobs of files untouched for `older_than` (default `cold_after`) seconds to the cold tier."""
        return self.sync.move_cold(older_than=older_than)

    async def collect_garbage(self, *, orphans: bool = False) -> int:
        """Delete blobs no file references; returns how many (after pending writes are durable)."""
        await self.storage.settled()
        return self.sync.collect_garbage(orphans=orphans)

    async def usage(self) -> dict[str, int]:
        """Bytes used and blobs per tier."""
        return self.sync.usage()

    def __repr__(self) -> str:
        return f"FileSystem({self.storage!r})"
