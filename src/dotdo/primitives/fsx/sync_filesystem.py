"""The synchronous fsx core: a POSIX filesystem in one object's SQLite (plus its blob store).

Every method runs to completion without awaiting, like the storage API, so a call never
interleaves with another event of the object; each mutation is one all-or-nothing transaction
(a rename is one transaction, a large write becomes visible in one transaction at its end).
The async `FileSystem` and the fsspec adapter are thin faces over this core.
"""

from __future__ import annotations

import asyncio
import errno
import json
import stat
import time
from collections.abc import Callable, Iterator
from os import PathLike, stat_result
from typing import TYPE_CHECKING, Any, TypeVar

from dotdo.runtime.lazy_table import LazyTable

from ..blob_store import BlobStore
from . import errors
from .contents import Contents
from .copying import copy_path
from .dir_entry import FsDirEntry
from .globbing import glob_paths
from .inodes import Inode, InodeTable
from .paths import as_text, join, normalize, split_path
from .registry import shared_state
from .renaming import rename_entry
from .resolution import Resolved, Resolver
from .schema import META_TABLE, ROOT_INO, UMASK, ensure_schema
from .stat_result import stat_result as make_stat
from .tiers import BlobTier

if TYPE_CHECKING:
    from dotdo.runtime.object_storage import ObjectStorage

    from .file_object import SyncFile

T = TypeVar("T")
DEFAULT_WARM_THRESHOLD = 1024 * 1024
RELATIME_NS = 24 * 3600 * 1_000_000_000
WRITE_PIECE_BYTES = 1024 * 1024
PathArg = str | bytes | PathLike[str]


def to_bytes(data: Any) -> bytes | bytearray | memoryview:
    """What `write` stores for `data`: bytes as is, str as UTF-8, anything else as JSON."""
    if isinstance(data, bytes | bytearray | memoryview):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    try:
        return json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"write takes bytes, str or a JSON-compatible value (dict, list, int, float, bool, None), "
            f"not {type(data).__name__}: {exc}"
        ) from None


class SyncFileSystem:
    """The synchronous filesystem over an object's storage (`FileSystem(...).sync`)."""

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
        if quota_bytes is not None and (isinstance(quota_bytes, bool) or quota_bytes < 0):
            raise ValueError(f"quota_bytes must be a non-negative int or None, not {quota_bytes!r}")
        if isinstance(warm_threshold, bool) or not isinstance(warm_threshold, int) or warm_threshold < 0:
            raise ValueError(f"warm_threshold must be a non-negative number of bytes, not {warm_threshold!r}")
        if cold_after is not None and cold_after < 0:
            raise ValueError(f"cold_after must be a non-negative number of seconds or None, not {cold_after!r}")
        self.storage = storage
        if blob_store is None:
            shipped = storage.shipped_blobs if blob_root is None else None
            if shipped is not None:
                # The object's commits go to object storage: its large content goes beside them.
                blob_store = BlobStore(shipped[0], prefix=shipped[1])
            else:
                blob_store = BlobStore(blob_root if blob_root is not None else storage.blob_root)
        elif not isinstance(blob_store, BlobStore):
            blob_store = BlobStore(blob_store)
        self.blob_store: BlobStore = blob_store
        self.cold_after = cold_after
        self.inodes = InodeTable(storage)
        self.tier = BlobTier(storage, blob_store)
        self.contents = Contents(
            storage,
            self.inodes,
            self.tier,
            quota_bytes=quota_bytes,
            warm_threshold=warm_threshold,
            transaction=self.transaction,
        )
        self.resolver = Resolver(self.inodes)
        self.shared = shared_state(storage)
        self._schema = LazyTable(storage, META_TABLE, create=self._create_schema)

    @property
    def quota_bytes(self) -> int | None:
        """The most bytes the files may hold together (None: no limit)."""
        return self.contents.quota_bytes

    @property
    def warm_threshold(self) -> int:
        """Files larger than this many bytes live in the warm tier."""
        return self.contents.warm_threshold

    # -- plumbing ---------------------------------------------------------------------------------

    def _create_schema(self) -> None:
        ensure_schema(self.storage)
        if not self.shared.swept:
            self.shared.swept = True
            self._all_or_nothing(self._free_orphans)
            # Uploads of a process that died mid-write: nothing will ever publish them.
            self.tier.sweep_incoming()

    def _free_orphans(self) -> None:
        for ino in self.inodes.orphans():
            if not self.shared.open_inodes.get(ino):
                self.free_inode(ino)

    def transaction(self, fn: Callable[[], T]) -> T:
        """Run `fn` all-or-nothing; outside an event loop, commit it at once."""
        self._schema.ensure()
        return self._all_or_nothing(fn)

    def _all_or_nothing(self, fn: Callable[[], T]) -> T:
        result = self.storage.transaction_sync(fn)
        if self.storage.dirty:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                self.storage.commit()
        return result

    def resolve(self, path: PathArg, *, follow: bool = True) -> Resolved:
        """Where `path` leads (the entry may not exist)."""
        self._schema.ensure()
        return self.resolver.resolve(path, follow=follow)

    def existing(self, path: PathArg, *, follow: bool = True) -> Resolved:
        """Where `path` leads; FileNotFoundError if nothing is there."""
        self._schema.ensure()
        return self.resolver.existing(path, follow=follow)

    def file_inode(self, path: PathArg) -> Inode:
        """The inode of the regular file at `path` (EISDIR, ENOENT as POSIX says)."""
        found = self.existing(path)
        assert found.inode is not None
        if found.inode.is_dir:
            raise errors.is_a_directory(found.text)
        return found.inode

    def free_inode(self, ino: int) -> None:
        """Release an inode nothing links to any more (inside a transaction)."""
        inode = self.inodes.get(ino)
        if inode is None:
            return
        if inode.is_file:
            self.contents.release(inode)
        self.inodes.delete(ino)

    def unlinked(self, ino: int) -> None:
        """A link to `ino` went away: free its data once no link and no open file holds it."""
        inode = self.inodes.get(ino)
        if inode is not None and inode.nlink <= 0 and not self.shared.open_inodes.get(ino):
            self.free_inode(ino)

    # -- reading ----------------------------------------------------------------------------------

    def read(self, path: PathArg) -> bytes:
        """The whole contents of a file."""
        inode = self.file_inode(path)
        self.note_access(inode)
        return self.contents.read_all(inode)

    def note_access(self, inode: Inode) -> None:
        """Record a read in atime, at most once a day per file (reads stay read-only otherwise).

        The cold tier moves files untouched (neither read nor written) for `cold_after` seconds,
        so a day's precision is plenty and a hot file costs no write per read.
        """
        now = time.time_ns()
        if now - inode.atime > RELATIME_NS:
            self.transaction(lambda: self.inodes.update(inode.ino, atime=now))

    def read_text(self, path: PathArg, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The contents of a file decoded as text."""
        return self.read(path).decode(encoding, errors)

    def read_json(self, path: PathArg) -> Any:
        """The contents of a file parsed as JSON."""
        return json.loads(self.read(path))

    def stat(self, path: PathArg) -> stat_result:
        """The `os.stat_result` of what `path` leads to (symlinks followed)."""
        found = self.existing(path)
        assert found.inode is not None
        return make_stat(found.inode)

    def lstat(self, path: PathArg) -> stat_result:
        """The `os.stat_result` of `path` itself (a symlink is not followed)."""
        found = self.existing(path, follow=False)
        assert found.inode is not None
        return make_stat(found.inode)

    def probe(self, path: PathArg, *, follow: bool = True) -> Inode | None:
        """The inode at `path`, or None when nothing is there (no error for a missing path)."""
        try:
            return self.resolve(path, follow=follow).inode
        except OSError:
            return None

    def exists(self, path: PathArg) -> bool:
        """Whether `path` leads somewhere (False for a dangling symlink, like `os.path.exists`)."""
        return self.probe(path) is not None

    def is_file(self, path: PathArg) -> bool:
        """Whether `path` leads to a regular file."""
        inode = self.probe(path)
        return inode is not None and inode.is_file

    def is_dir(self, path: PathArg) -> bool:
        """Whether `path` leads to a directory."""
        inode = self.probe(path)
        return inode is not None and inode.is_dir

    def is_symlink(self, path: PathArg) -> bool:
        """Whether `path` itself is a symbolic link."""
        inode = self.probe(path, follow=False)
        return inode is not None and inode.is_symlink

    def _directory(self, path: PathArg) -> tuple[str, Inode]:
        found = self.existing(path)
        assert found.inode is not None
        if not found.inode.is_dir:
            raise errors.not_a_directory(found.text)
        return found.text, found.inode

    def listdir(self, path: PathArg = "/") -> list[str]:
        """The names in a directory, sorted."""
        _, inode = self._directory(path)
        return [name for name, _ in self.inodes.entries(inode.ino)]

    def scandir(self, path: PathArg = "/") -> list[FsDirEntry]:
        """The entries of a directory (name, path, is_dir(), is_file(), stat()…), sorted by name."""
        text, inode = self._directory(path)
        base = normalize(text)
        return [
            FsDirEntry(self, name, join(base, name), child)
            for name, child in self.inodes.entries_with_inodes(inode.ino)
        ]

    def walk(
        self, top: PathArg = "/", topdown: bool = True, followlinks: bool = False
    ) -> Iterator[tuple[str, list[str], list[str]]]:
        """Yield `(dirpath, dirnames, filenames)` like `os.walk` (a plain generator).

        Iterative, like `os.walk`: a tree of any depth is walked without deep recursion. With
        `topdown`, removing names from `dirnames` prunes the walk.
        """
        # Each item is a directory still to list (path, inode number), or (bottom-up) a finished
        # triple to yield. Directories are listed by inode: no path is resolved again per level.
        try:
            start = self.existing(top)
        except OSError:
            return
        if start.inode is None or not start.inode.is_dir:
            return
        stack: list[tuple[str, int] | tuple[str, list[str], list[str]]] = [(normalize(top), start.inode.ino)]
        while stack:
            item = stack.pop()
            if len(item) == 3:
                yield item  # type: ignore[misc]
                continue
            path, ino = item  # type: ignore[misc]
            dirs: list[str] = []
            files: list[str] = []
            targets: dict[str, int] = {}
            for name, child in self.inodes.entries_with_inodes(ino):
                if child.is_dir:
                    dirs.append(name)
                    targets[name] = child.ino
                elif child.is_symlink and (linked := self.probe(join(path, name))) is not None and linked.is_dir:
                    dirs.append(name)
                    if followlinks:
                        targets[name] = linked.ino
                else:
                    files.append(name)
            if topdown:
                yield path, dirs, files
            else:
                stack.append((path, dirs, files))
            for name in reversed(dirs):
                if name in targets:
                    stack.append((join(path, name), targets[name]))

    def glob(self, pattern: str, root: PathArg = "/") -> list[str]:
        """Sorted absolute paths matching `pattern` (pathlib semantics: `*`, `?`, `[...]`, `**`)."""
        self._schema.ensure()
        return glob_paths(self, pattern, normalize(root))

    def du(self, path: PathArg = "/") -> int:
        """Bytes held by the files at or under `path` (each file counted once, hard links too)."""
        found = self.existing(path)
        assert found.inode is not None
        if not found.inode.is_dir:
            return found.inode.size if found.inode.is_file else 0
        rows = self.storage.sql.exec(
            "WITH RECURSIVE tree(ino) AS (SELECT ? UNION SELECT d.ino FROM fsx_dentries d "
            "JOIN tree t ON d.parent = t.ino) "
            "SELECT COALESCE(SUM(size), 0) FROM fsx_inodes WHERE ino IN tree AND (mode & ?) = ?",
            found.inode.ino,
            stat.S_IFMT(0o170000),
            stat.S_IFREG,
        ).raw()
        return next(rows)[0]

    def readlink(self, path: PathArg) -> str:
        """The target of a symbolic link (EINVAL if `path` is not one)."""
        found = self.existing(path, follow=False)
        assert found.inode is not None
        if not found.inode.is_symlink:
            raise errors.invalid(found.text, "not a symbolic link")
        return found.inode.target or ""

    def realpath(self, path: PathArg) -> str:
        """The absolute path with every symlink and `..` resolved (missing tail kept, like os.path)."""
        try:
            found = self.resolve(path)
        except FileNotFoundError:
            return normalize(path)
        if found.name is None or (found.inode is not None and found.inode.is_dir):
            assert found.inode is not None
            return self.resolver.path_of(found.inode.ino)
        return join(self.resolver.path_of(found.parent), found.name)

    # -- writing files ----------------------------------------------------------------------------

    def creatable(self, path: PathArg, *, exclusive: bool) -> Resolved:
        """Resolve a file to create or replace: its parent must exist; EISDIR/EEXIST as POSIX says."""
        if exclusive and self.probe(path, follow=False) is not None:
            raise errors.exists(as_text(path))
        found = self.resolve(path)
        if found.inode is None:
            if found.trailing_slash or found.name is None:
                raise errors.is_a_directory(found.text)
        elif found.inode.is_dir:
            raise errors.is_a_directory(found.text)
        elif exclusive:
            raise errors.exists(found.text)
        return found

    def new_file(self, found: Resolved, mode: int) -> Inode:
        """Create an empty regular file at `found` (a resolved, creatable path) with `mode`."""
        assert found.name is not None
        ino = self.inodes.create(stat.S_IFREG | (mode & 0o7777 & ~UMASK), nlink=1)
        self.inodes.add_entry(found.parent, found.name, ino)
        self.inodes.touch(found.parent)
        inode = self.inodes.get(ino)
        assert inode is not None
        return inode

    def write(
        self,
        path: PathArg,
        data: Any,
        mode: int = 0o644,
        *,
        exist_ok: bool = True,
        append: bool = False,
        exclusive: bool = False,
    ) -> int:
        """Write a whole file (bytes, str as UTF-8, or a JSON value); returns the bytes written.

        Overwrites by default; `append=True` adds to the end; `exclusive=True` (or
        `exist_ok=False`) raises FileExistsError if the path exists.
        """
        payload = to_bytes(data)
        exclusive = exclusive or not exist_ok
        self.creatable(path, exclusive=exclusive)
        if append:
            return self._append(path, payload, mode)
        if len(payload) > self.warm_threshold:
            self.contents.check_room(len(payload), as_text(path))
            sha = self.tier.upload(payload)
            with self.tier.pinned(sha):
                self.transaction(lambda: self.write_blob(path, sha, len(payload), mode, exclusive))
            return len(payload)
        self.transaction(lambda: self._write_inline(path, payload, mode, exclusive))
        return len(payload)

    def _write_inline(self, path: PathArg, payload: bytes | bytearray | memoryview, mode: int, exclusive: bool) -> None:
        found = self.creatable(path, exclusive=exclusive)
        inode = found.inode or self.new_file(found, mode)
        self.contents.replace_inline(inode, bytes(payload), found.text)

    def write_blob(self, path: PathArg, sha: str, size: int, mode: int, exclusive: bool) -> None:
        """Point the file at `path` to the stored blob `sha` of `size` bytes (copy-free writes)."""
        found = self.creatable(path, exclusive=exclusive)
        inode = found.inode or self.new_file(found, mode)
        self.contents.replace_blob(inode, sha, size, found.text)

    def _append(self, path: PathArg, payload: bytes | bytearray | memoryview, mode: int) -> int:
        target = self.creatable(path, exclusive=False).inode
        if target is not None and target.blob is not None:
            self.contents.check_room(len(payload), as_text(path))
            upload = self.tier.upload_parts(self.appended_parts(target, payload))
            with self.tier.published(upload) as sha:
                self.transaction(lambda: self.swap_appended(path, target, sha, len(payload)))
            return len(payload)

        def append() -> int:
            found = self.creatable(path, exclusive=False)
            inode = found.inode or self.new_file(found, mode)
            inode = self.contents.materialize(inode)
            self.contents.write_at(inode, inode.size, payload, found.text)
            return inode.ino

        ino = self.transaction(append)
        self.contents.retier(ino)
        return len(payload)

    def appended_parts(self, inode: Inode, payload: bytes | bytearray | memoryview) -> Iterator[bytes]:
        """The contents of blob-backed `inode` followed by `payload`, in pieces of at most 1 MiB.

        Iterating reads only the object store (the tier was looked up here), so it may run on a
        worker thread: appending to a large file streams blob to blob, never through SQLite.
        """
        assert inode.blob is not None
        read = self.tier.range_reader(inode.blob)
        size = inode.size

        def parts() -> Iterator[bytes]:
            for start in range(0, size, WRITE_PIECE_BYTES):
                yield read(start, min(size, start + WRITE_PIECE_BYTES))
            view = memoryview(payload).cast("B")
            for start in range(0, len(view), WRITE_PIECE_BYTES):
                yield bytes(view[start : start + WRITE_PIECE_BYTES])

        return parts()

    def swap_appended(self, path: PathArg, before: Inode, sha: str, added: int) -> bool:
        """Point the file at blob `sha` (its old contents plus `added` bytes), inside a transaction.

        False, changing nothing, if the file changed since `before` was read (a concurrent event
        wrote it while the upload ran): the caller starts over.
        """
        found = self.creatable(path, exclusive=False)
        current = found.inode
        if current is None or (current.ino, current.blob, current.size) != (before.ino, before.blob, before.size):
            return False
        self.contents.replace_blob(current, sha, before.size + added, found.text)
        return True

    def open(
        self,
        path: PathArg,
        mode: str = "rb",
        *,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> SyncFile | Any:
        """Open a file: binary modes give a streaming `SyncFile`, text modes a TextIOWrapper over one.

        `"wb"`/`"xb"` writes become visible atomically at `close()`; `"ab"` and `"r+b"` change
        the file in place, one transaction per flush.
        """
        from .file_object import open_file

        self._schema.ensure()
        return open_file(self, path, mode, encoding=encoding, errors=errors, newline=newline)

    def truncate(self, path: PathArg, size: int) -> None:
        """Cut a file to `size` bytes or extend it with zeros."""
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"size must be an int, not {type(size).__name__}")
        if size < 0:
            raise errors.invalid(as_text(path), "size must not be negative")

        def cut() -> int:
            found = self.existing(path)
            inode = found.inode
            assert inode is not None
            if inode.is_dir:
                raise errors.is_a_directory(found.text)
            inode = self.contents.materialize(inode, keep=size)
            self.contents.truncate(inode, size, found.text)
            return inode.ino

        self.contents.retier(self.transaction(cut))

    def chmod(self, path: PathArg, mode: int) -> None:
        """Set the permission bits of what `path` leads to."""

        def change() -> None:
            found = self.existing(path)
            assert found.inode is not None
            kind = stat.S_IFMT(found.inode.mode)
            self.inodes.update(found.inode.ino, mode=kind | (mode & 0o7777), ctime=time.time_ns())

        self.transaction(change)

    def utime(
        self,
        path: PathArg,
        times: tuple[float, float] | None = None,
        *,
        ns: tuple[int, int] | None = None,
    ) -> None:
        """Set access and modification times (`times` in seconds or `ns` in nanoseconds; now if neither)."""
        if times is not None and ns is not None:
            raise ValueError("utime: give times or ns, not both")
        if ns is not None:
            atime, mtime = int(ns[0]), int(ns[1])
        elif times is not None:
            atime, mtime = int(times[0] * 1e9), int(times[1] * 1e9)
        else:
            atime = mtime = time.time_ns()

        def change() -> None:
            found = self.existing(path)
            assert found.inode is not None
            self.inodes.update(found.inode.ino, atime=atime, mtime=mtime, ctime=time.time_ns())

        self.transaction(change)

    # -- directories and names --------------------------------------------------------------------

    def mkdir(self, path: PathArg, mode: int = 0o777, *, parents: bool = False, exist_ok: bool = False) -> None:
        """Create a directory (`parents=True` creates missing parents; `exist_ok=True` accepts one)."""
        try:
            self.transaction(lambda: self.mkdir_one(path, mode, exist_ok))
        except FileNotFoundError:
            if not parents:
                raise
            self.transaction(lambda: self._mkdir_parents(path, mode, exist_ok))

    def _mkdir_parents(self, path: PathArg, mode: int, exist_ok: bool) -> None:
        """Create the missing ancestors of `path` top-down, then `path` (inside one transaction).

        One lookup per level, without recursion: a path can be 2,000 levels deep.
        """
        names = normalize(path).split("/")[1:-1]
        current, walked = ROOT_INO, ""
        for name in names:
            walked = f"{walked}/{name}"
            child = self.inodes.child(current, name)
            if child is None:
                ino = self.inodes.create(stat.S_IFDIR | (mode & 0o7777 & ~UMASK), nlink=2)
                self.inodes.add_entry(current, name, ino)
                self.inodes.change_links(current, 1)
                self.inodes.touch(current)
                current = ino
                continue
            if child.is_symlink:
                try:
                    target = self.resolve(walked).inode
                except OSError:
                    target = None
                if target is None:
                    # A dangling or looping link is still an entry: mkdir of its name fails with EEXIST, as on Linux.
                    raise errors.exists(walked)
                child = target
            if not child.is_dir:
                raise errors.not_a_directory(walked)
            current = child.ino
        self.mkdir_one(path, mode, exist_ok)

    def mkdir_one(self, path: PathArg, mode: int, exist_ok: bool) -> None:
        """Create one directory whose parent exists (EEXIST unless `exist_ok`)."""
        found = self.resolve(path, follow=False)
        if found.inode is not None:
            if exist_ok and self.is_dir(path):
                return
            raise errors.exists(found.text)
        assert found.name is not None
        ino = self.inodes.create(stat.S_IFDIR | (mode & 0o7777 & ~UMASK), nlink=2)
        self.inodes.add_entry(found.parent, found.name, ino)
        self.inodes.change_links(found.parent, 1)
        self.inodes.touch(found.parent)

    def named(self, path: PathArg) -> Resolved:
        """Resolve an existing entry without following a final symlink (the entry itself)."""
        found = self.existing(path, follow=False)
        if found.name is None:
            code = errno.EBUSY if found.inode is not None and found.inode.ino == ROOT_INO else errno.EINVAL
            raise errors.fs_error(code, found.text)
        return found

    def rmdir(self, path: PathArg) -> None:
        """Remove an empty directory."""

        def remove() -> None:
            found = self.named(path)
            inode = found.inode
            assert inode is not None and found.name is not None
            if not inode.is_dir:
                raise errors.not_a_directory(found.text)
            if self.inodes.has_entries(inode.ino):
                raise errors.not_empty(found.text)
            self.inodes.remove_entry(found.parent, found.name)
            self.inodes.change_links(found.parent, -1)
            self.inodes.touch(found.parent)
            self.inodes.delete(inode.ino)

        self.transaction(remove)

    def unlink(self, path: PathArg, *, missing_ok: bool = False) -> None:
        """Remove a file or symlink (IsADirectoryError for a directory: use rmdir or rm)."""

        def remove() -> None:
            found = self.named(path)
            inode = found.inode
            assert inode is not None and found.name is not None
            if inode.is_dir:
                raise errors.is_a_directory(found.text)
            self.drop_entry(found.parent, found.name, inode)

        try:
            self.transaction(remove)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def drop_entry(self, parent: int, name: str, inode: Inode) -> None:
        """Remove the entry `name` of directory `parent`, releasing `inode` (its data once unlinked everywhere)."""
        self.inodes.remove_entry(parent, name)
        self.inodes.touch(parent)
        self.inodes.change_links(inode.ino, -1)
        self.unlinked(inode.ino)

    def rm(self, path: PathArg, *, recursive: bool = False, missing_ok: bool = False) -> None:
        """Remove a file, symlink or (with `recursive=True`) a directory tree, in one transaction."""

        def remove() -> None:
            found = self.named(path)
            inode = found.inode
            assert inode is not None and found.name is not None
            if inode.is_dir:
                if not recursive:
                    raise errors.is_a_directory(found.text)
                self._remove_tree(inode.ino)
                self.inodes.remove_entry(found.parent, found.name)
                self.inodes.change_links(found.parent, -1)
                self.inodes.touch(found.parent)
                self.inodes.delete(inode.ino)
            else:
                self.drop_entry(found.parent, found.name, inode)

        try:
            self.transaction(remove)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def _remove_tree(self, directory: int) -> None:
        """Remove everything below `directory` (depth-first, without recursion: trees nest deeply)."""
        stack = [directory]
        while stack:
            current = stack[-1]
            entries = self.inodes.entries_with_inodes(current)
            subdirectories = [child.ino for _, child in entries if child.is_dir]
            if subdirectories:
                stack.extend(subdirectories)
                continue
            for name, child in entries:
                self.inodes.remove_entry(current, name)
                self.inodes.change_links(child.ino, -1)
                self.unlinked(child.ino)
            stack.pop()
            if current != directory:
                entry = self.inodes.entry_of(current)
                assert entry is not None
                self.inodes.remove_entry(*entry)
                self.inodes.delete(current)

    def rename(self, src: PathArg, dst: PathArg) -> None:
        """Rename atomically with POSIX rules: a file replaces a file, a directory an empty directory."""
        self.transaction(lambda: rename_entry(self, src, dst))

    def symlink(self, target: PathArg, link_path: PathArg) -> None:
        """Create a symbolic link at `link_path` pointing at `target` (like `os.symlink`)."""
        target_text = as_text(target)
        split_path(target_text)

        def create() -> None:
            found = self.resolve(link_path, follow=False)
            if found.inode is not None:
                raise errors.exists(found.text)
            if found.name is None or found.trailing_slash:
                raise errors.not_found(found.text)
            ino = self.inodes.create(stat.S_IFLNK | 0o777, nlink=1, target=target_text, size=len(target_text.encode()))
            self.inodes.add_entry(found.parent, found.name, ino)
            self.inodes.touch(found.parent)

        self.transaction(create)

    def link(self, src: PathArg, dst: PathArg) -> None:
        """Create a hard link `dst` to `src` (like `os.link` on Linux: a symlink itself is linked)."""

        def create() -> None:
            source = self.existing(src, follow=False)
            assert source.inode is not None
            found = self.resolve(dst, follow=False)
            if found.inode is not None:
                raise errors.exists(found.text)
            if found.name is None or found.trailing_slash:
                raise errors.not_found(found.text)
            if source.inode.is_dir:
                raise errors.fs_error(errno.EPERM, source.text, "directories cannot be hard-linked")
            self.inodes.add_entry(found.parent, found.name, source.inode.ino)
            self.inodes.change_links(source.inode.ino, 1)
            self.inodes.touch(found.parent)

        self.transaction(create)

    def copy(self, src: PathArg, dst: PathArg, *, follow_symlinks: bool = True) -> str:
        """Copy a file (into `dst`, or into the directory `dst`) or a whole tree to a new `dst`.

        Contents are shared, not duplicated (chunks and blobs are content-addressed). Returns the
        path of the copy.
        """
        return self.transaction(lambda: copy_path(self, src, dst, follow_symlinks))

    # -- tiers ------------------------------------------------------------------------------------

    def move_cold(self, *, older_than: float | None = None) -> int:
        """Move blobs of files untouched for `older_than` seconds (default `cold_after`) to the cold tier."""
        age = older_than if older_than is not None else self.cold_after
        if age is None:
            raise ValueError("No age given: pass older_than= or build the FileSystem with cold_after=")
        self._schema.ensure()
        cutoff = time.time_ns() - int(age * 1e9)
        return len(self.transaction(lambda: self.tier.move_cold(cutoff)))

    def collect_garbage(self, *, orphans: bool = False) -> int:
        """Delete blobs no file references (with `orphans`, also blobs left by a crash); returns the count.

        Pending writes are committed first: a blob is deleted only once the deletion of its last
        reference is durable, so a crash can never roll back to a file whose blob is gone.
        """
        self._schema.ensure()
        if self.storage.dirty:
            self.storage.commit()
        return self.transaction(lambda: self.tier.collect_garbage(orphans=orphans))

    def usage(self) -> dict[str, int]:
        """Bytes used (sum of file sizes), inline chunk bytes stored, and blobs per tier."""
        self._schema.ensure()
        return {
            "used_bytes": self.contents.used_bytes(),
            "chunk_bytes": self.contents.chunks.stored_bytes(),
            **self.tier.stats(),
        }
